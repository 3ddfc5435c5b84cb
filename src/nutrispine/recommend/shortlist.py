"""The foods a personal suggestion may use, ranked per nutrient, in plain Python.

``assess`` asks for five foods per nutrient; loading the whole catalogue into NumPy columns
(and classifying 8,789 SR28 names) for that took about half a second per run. Everything that
does not depend on the person (realistic, portion and energy known, not branded, an ordinary
portion of at most 350 kcal, a positive amount) is decided once per database file and pickled
beside it, keyed by the file's size and modification time, the rule files and this code; a
person's filters are then applied while walking the ranking, which stops after a few foods.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nutrispine.pickle_cache import load_or_build
from nutrispine.recommend.catalog import Catalog, FoodRow
from nutrispine.recommend.codes import NUTRIENTS, family

MAX_PORTION_KCAL = 350.0
FORTIFIED_WORDS = ("fortified", "cereals ready-to-eat", "nutritional yeast")
FORTIFIED_BOOST = 1e6  # fortified first, then by amount (added to the amount, as a sort key)
_CODE = ("shortlist.py", "catalog.py", "diet.py", "codes.py")  # and the rules (rules_key)
_HERE = Path(__file__).resolve().parent


def fortified(name: str) -> bool:
    low = name.lower()
    return any(w in low for w in FORTIFIED_WORDS)


@dataclass(frozen=True)
class Shortlist:
    """Parallel columns of the foods kept (in catalogue order) and a ranking per nutrient."""

    kind: str  # "database" or "knowledge"
    valid: bool  # False: a database ``open_database`` would refuse (empty or older schema)
    ids: tuple[str, ...]
    sources: tuple[str, ...]
    names: tuple[str, ...]
    groups: tuple[str, ...]
    portions: tuple[str, ...]
    grams: tuple[float, ...]
    tags: tuple[frozenset[str], ...]
    families: tuple[str, ...]
    fortified: tuple[bool, ...]
    amounts: dict[str, tuple[float, ...]]  # per ordinary portion (0.0 where not ranked)
    ranked: dict[str, tuple[int, ...]]  # best first; ties in catalogue order

    def food_ref(self, i: int) -> dict[str, str]:
        """The contract's food reference."""
        return {"id": self.ids[i], "source": self.sources[i], "name": self.names[i]}

    def ranking(self, code: str, prefer_fortified: bool = False) -> Iterator[int]:
        """Foods by amount per portion, best first; fortified foods first when asked."""
        order = self.ranked[code]
        if not prefer_fortified:
            return iter(order)
        amounts, fort = self.amounts[code], self.fortified

        def key(i: int) -> tuple[float, int]:
            return -(amounts[i] + (FORTIFIED_BOOST if fort[i] else 0.0)), i

        boosted = sorted((i for i in order if fort[i]), key=key)
        return heapq.merge(boosted, (i for i in order if not fort[i]), key=key)


def build(kind: str, rows: list[FoodRow], valid: bool = True) -> Shortlist:
    """The shortlist of classified foods (``catalog.food_rows`` or ``knowledge_rows``)."""
    base = [i for i, f in enumerate(rows)
            if f.realistic and f.grams is not None and f.kcal100 is not None
            and not (kind == "database" and f.branded)
            and not f.kcal100 * f.grams / 100.0 > MAX_PORTION_KCAL]
    per_portion: dict[str, dict[int, float]] = {}
    for j, code in enumerate(NUTRIENTS):
        got = per_portion[code] = {}
        for i in base:
            f = rows[i]
            v = f.per100[j]
            if v is not None and f.grams is not None and (amount := v * f.grams / 100.0) > 0:
                got[i] = amount
    kept = sorted({i for got in per_portion.values() for i in got})
    pos = {i: p for p, i in enumerate(kept)}
    foods = [rows[i] for i in kept]
    amounts = {code: tuple(got.get(i, 0.0) for i in kept) for code, got in per_portion.items()}
    ranked = {code: _best_first([pos[i] for i in got], amounts[code])
              for code, got in per_portion.items()}
    return Shortlist(
        kind=kind, valid=valid, ids=tuple(f.id for f in foods),
        sources=tuple(f.source for f in foods), names=tuple(f.name for f in foods),
        groups=tuple(f.group for f in foods), portions=tuple(f.portion for f in foods),
        grams=tuple(float(f.grams or 0.0) for f in foods), tags=tuple(f.tags for f in foods),
        families=tuple(family(f.name) for f in foods),
        fortified=tuple(fortified(f.name) for f in foods), amounts=amounts, ranked=ranked)


_converted: list[tuple[Catalog, Shortlist]] = []  # the last few catalogs converted


def _best_first(rows: list[int], amounts: tuple[float, ...]) -> tuple[int, ...]:
    """``rows`` (ascending) by amount, largest first; a stable sort keeps ties in row order,
    exactly like NumPy's ``argsort(-x, kind="stable")``."""
    return tuple(sorted(rows, key=lambda p: -amounts[p]))


@lru_cache(maxsize=1)
def from_knowledge() -> Shortlist:
    """The cited fallback foods (used when no database is imported)."""
    from nutrispine.recommend.catalog import knowledge_rows

    return build("knowledge", knowledge_rows())


def from_catalog(catalog: Catalog) -> Shortlist:
    """The shortlist of an already loaded NumPy ``Catalog`` (same foods, same order)."""
    for cat, sl in _converted:
        if cat is catalog:
            return sl

    def known(v: float) -> float | None:
        return None if v != v else v  # NaN -> None

    rows = [FoodRow(id=catalog.ids[i], source=catalog.sources[i], name=catalog.names[i],
                    group=catalog.groups[i], per100=tuple(known(v) for v in per100),
                    kcal100=known(kcal), portion=catalog.portion_label[i], grams=known(grams),
                    tags=catalog.tags[i], realistic=bool(real), branded=bool(brand))
            for i, (per100, kcal, grams, real, brand) in enumerate(zip(
                catalog.per100.tolist(), catalog.kcal100.tolist(),
                catalog.portion_grams.tolist(), catalog.realistic.tolist(),
                catalog.branded.tolist(), strict=True))]
    sl = build(catalog.kind, rows)
    _converted[:] = [(catalog, sl), *_converted[:3]]
    return sl


def for_database(db: Any = None) -> Shortlist:
    """The shortlist for ``db`` (a FoodDatabase), else the imported database, else the KB foods.

    Mirrors ``catalog.load_catalog``: an empty or outdated default database means the KB foods.
    """
    if db is None:
        from nutrispine.settings import foods_db_path

        path = foods_db_path()
        if not path.is_file():
            return from_knowledge()
        sl = _from_file(path)
        return sl if sl.valid else from_knowledge()
    db_path = getattr(db, "path", None)
    if db_path is not None and Path(db_path).is_file():
        return _from_file(Path(db_path))
    from nutrispine.recommend.catalog import food_rows, read_database

    return build("database", food_rows(*read_database(db)))


def _from_file(path: Path) -> Shortlist:
    path = path.resolve()
    st = path.stat()
    return _load(str(path), st.st_size, st.st_mtime_ns)


def code_key() -> str:
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update((_HERE / name).read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _load(path: str, size: int, mtime_ns: int) -> Shortlist:
    from nutrispine.recommend.ruleview import rules_key

    db_path = Path(path)
    key = hashlib.sha256(f"{path}|{size}|{mtime_ns}|{rules_key()}|{code_key()}".encode())
    prefix = f"{db_path.stem}.shortlist-"
    cache = db_path.with_name(f"{prefix}{key.hexdigest()[:16]}.pickle")
    # an earlier import's shortlist is removed when this one is written
    return load_or_build(cache, Shortlist, lambda: _build_from_file(db_path), stale=f"{prefix}*.pickle")


def _build_from_file(path: Path) -> Shortlist:
    from nutrispine.foods.database import open_database
    from nutrispine.recommend.catalog import food_rows, read_database

    db = open_database(path)
    if db is None:  # empty or an older layout: nothing to suggest from
        return build("database", [], valid=False)
    with db:
        return build("database", food_rows(*read_database(db)))
