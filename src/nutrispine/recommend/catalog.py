"""The foods the recommenders choose from, as columns: from the imported USDA database, or from
the cited knowledge-base foods (food_tags.yaml) when nothing has been imported.

Loaded once per database file (cached on path and modification time), so a plan over the full
SR28 list does not re-read SQLite; classification (diet tags, realism) is done here, once, by
``food_rows`` in plain Python, which the suggestion shortlist (shortlist.py) shares. NumPy is
imported only when columns are built, so importing this module stays cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from nutrispine.recommend.codes import NUTRIENTS, UNITS

if TYPE_CHECKING:
    import numpy as np

    from nutrispine.recommend.diet import DietFilter

__all__ = ["NUTRIENTS", "UNITS", "Catalog", "FoodRow", "catalog_for", "food_rows", "from_database",
           "from_knowledge", "knowledge_rows", "load_catalog", "pick_portion"]

KB_SOURCE = "nutrispine-kb"

# Household measures people actually use, best first; grams of one portion must fall in range.
_GOOD_UNITS = ("large", "medium", "slice", "fillet", "piece", "cup", "oz", "small", "tbsp",
               "serving", "fruit", "egg", "container", "patty", "bar", "stalk", "spear", "tsp")
# A brand written in capitals inside a generic-looking name ("Snacks, KASHI GOLEAN, ...").
_BRAND = re.compile(r"\b[A-Z][A-Z'&]{2,}\b")
_BAD_UNITS = re.compile(r"\b(lb|package|pkg|jar|bottle|can|roast|recipe|loaf|yield|carcass|"
                        r"pie|cake|head|bunch|quart|gallon|pint|box|bag|crust|batch)\b")
PORTION_MIN_G, PORTION_MAX_G = 10.0, 350.0
PORTION_MAX_KCAL = 350.0  # an ordinary portion, not a cup of nut butter


@dataclass(frozen=True)
class Catalog:
    """Foods as parallel columns; nutrient values per 100 g, NaN where unknown."""

    kind: str  # "database" or "knowledge"
    ids: tuple[str, ...]
    sources: tuple[str, ...]
    names: tuple[str, ...]
    groups: tuple[str, ...]
    per100: np.ndarray  # shape (n, 4): NUTRIENTS order
    kcal100: np.ndarray  # shape (n,)
    portion_label: tuple[str, ...]  # the ordinary portion, e.g. "1 cup"
    portion_grams: np.ndarray  # grams of that portion (NaN: none usable)
    tags: tuple[frozenset[str], ...]
    realistic: np.ndarray  # bool
    branded: np.ndarray  # bool
    _masks: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict, compare=False,
                                                      repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, nutrient: str) -> np.ndarray:
        import numpy as np

        return np.asarray(self.per100[:, NUTRIENTS.index(nutrient)])

    def allowed(self, diet: DietFilter) -> np.ndarray:
        """Boolean mask of foods the filter allows."""
        import numpy as np

        key = (diet.pattern, diet.avoid, diet.dislikes)
        cache = self._masks
        if len(cache) > 256:
            cache.clear()
        if key not in cache:
            cache[key] = np.fromiter((diet.allows(t, n) for t, n in zip(self.tags, self.names,
                                                                         strict=True)),
                                     dtype=bool, count=len(self))
        return cache[key]

    def food_ref(self, i: int) -> dict[str, str]:
        """The contract's food reference."""
        return {"id": self.ids[i], "source": self.sources[i], "name": self.names[i]}


def pick_portion(portions: list[tuple[float, str, float]],
                 kcal100: float | None = None) -> tuple[str, float] | None:
    """The ordinary household portion among USDA's (amount, description, grams) measures:
    a usual unit (cup, oz, slice...) weighing 10-350 g and giving at most 350 kcal."""
    best: tuple[int, int, str, float] | None = None
    for seq, (amount, desc, grams) in enumerate(portions):
        if not amount or grams <= 0:
            continue
        low = desc.lower()
        if _BAD_UNITS.search(low):
            continue
        per_unit, use_amount = grams, amount
        if per_unit > PORTION_MAX_G and amount > 1:
            per_unit, use_amount = grams / amount, 1.0
        if not PORTION_MIN_G <= per_unit <= PORTION_MAX_G:
            continue
        if kcal100 is not None and kcal100 * per_unit / 100.0 > PORTION_MAX_KCAL:
            continue
        first = re.split(r"[\s,(]", low.strip(), maxsplit=1)[0]
        rank = _GOOD_UNITS.index(first) if first in _GOOD_UNITS else len(_GOOD_UNITS)
        label = f"{use_amount:g} {desc}".strip()
        cand = (rank, seq, label, round(per_unit, 2))
        if best is None or cand[:2] < best[:2]:
            best = cand
    return (best[2], best[3]) if best else None


class FoodRow(NamedTuple):
    """One classified food, in plain Python (None where a value is unknown)."""

    id: str
    source: str
    name: str
    group: str
    per100: tuple[float | None, ...]  # NUTRIENTS order
    kcal100: float | None
    portion: str  # the ordinary portion label ("100 g" when none is usable)
    grams: float | None  # grams of that portion
    tags: frozenset[str]
    realistic: bool
    branded: bool


def food_rows(rows: list[tuple[Any, ...]],
              portions: dict[int, list[tuple[float, str, float]]]) -> list[FoodRow]:
    """Classify database rows (diet tags, realism, brand, ordinary portion)."""
    from nutrispine.recommend.diet import classifier

    cls = classifier()
    interned: dict[frozenset[str], frozenset[str]] = {}
    out = []
    for key, source, fid, name, group, fkind, *vals in rows:
        per100 = tuple(None if v is None else float(v) for v in vals[:4])
        kcal = None if vals[4] is None else float(vals[4])
        pick = pick_portion(portions.get(key, []), kcal)
        tags = cls.tags(name, group)
        out.append(FoodRow(
            id=str(fid), source=str(source), name=str(name), group=str(group), per100=per100,
            kcal100=kcal, portion=pick[0] if pick else "100 g", grams=pick[1] if pick else None,
            tags=interned.setdefault(tags, tags), realistic=cls.realistic(name, group),
            branded=fkind == "branded" or bool(_BRAND.search(str(name).replace("USDA", "")))))
    return out


def knowledge_rows() -> list[FoodRow]:
    """The cited fallback foods of food_tags.yaml (amounts per portion scaled to 100 g)."""
    from nutrispine.recommend.ruleview import rules

    out = []
    for f in rules().food_tags.foods:
        per100 = tuple(None if (v := getattr(f, code)) is None else v * 100.0 / f.grams
                       for code in NUTRIENTS)
        out.append(FoodRow(
            id=f.id, source=KB_SOURCE, name=f.name, group="", per100=per100,
            kcal100=f.kcal * 100.0 / f.grams, portion=f.portion, grams=float(f.grams),
            tags=frozenset(f.tags), realistic=True, branded=False))
    return out


def _columns(kind: str, foods: list[FoodRow]) -> Catalog:
    import numpy as np

    nan = float("nan")
    n = len(foods)
    per100 = np.array([[nan if v is None else v for v in f.per100] for f in foods],
                      dtype=float).reshape(n, len(NUTRIENTS))
    return Catalog(
        kind=kind, ids=tuple(f.id for f in foods), sources=tuple(f.source for f in foods),
        names=tuple(f.name for f in foods), groups=tuple(f.group for f in foods), per100=per100,
        kcal100=np.array([nan if f.kcal100 is None else f.kcal100 for f in foods], dtype=float),
        portion_label=tuple(f.portion for f in foods),
        portion_grams=np.array([nan if f.grams is None else f.grams for f in foods], dtype=float),
        tags=tuple(f.tags for f in foods),
        realistic=np.array([f.realistic for f in foods], dtype=bool),
        branded=np.array([f.branded for f in foods], dtype=bool))


@lru_cache(maxsize=4)
def _from_path(path: str, mtime: float) -> Catalog:
    from nutrispine.foods.database import FoodDatabase

    with FoodDatabase(path) as db:
        return from_database(db)


def read_database(db: Any) -> tuple[list[tuple[Any, ...]], dict[int, list[tuple[float, str, float]]]]:
    """Every food row and its household portions, from an open ``FoodDatabase``."""
    rows = db.query("SELECT id, source, food_id, name, group_name, kind, vitamin_d, magnesium, "
                    "vitamin_b12, calcium, energy_kcal FROM food ORDER BY id")
    portions: dict[int, list[tuple[float, str, float]]] = {}
    for key, amount, desc, g in db.query(
            "SELECT food, amount, description, grams FROM portion ORDER BY food, seq"):
        portions.setdefault(key, []).append((float(amount), str(desc), float(g)))
    return rows, portions


def from_database(db: Any) -> Catalog:
    """Every food of an open ``FoodDatabase`` (uses its read-only ``query``)."""
    return _columns("database", food_rows(*read_database(db)))


@lru_cache(maxsize=1)
def from_knowledge() -> Catalog:
    """The cited fallback foods of food_tags.yaml as columns."""
    return _columns("knowledge", knowledge_rows())


def load_catalog(db: Any = None) -> Catalog:
    """The catalog for ``db`` (a FoodDatabase), else the imported database, else the KB foods."""
    if db is None:
        from nutrispine.foods.database import open_database

        db = open_database()
        if db is None:
            return from_knowledge()
        try:
            return catalog_for(db)
        finally:
            db.close()
    return catalog_for(db)


def catalog_for(db: Any) -> Catalog:
    path = getattr(db, "path", None)
    if path is not None and Path(path).is_file():
        return _from_path(str(Path(path).resolve()), Path(path).stat().st_mtime)
    return from_database(db)
