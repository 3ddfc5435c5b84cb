"""Read access to the imported food database: foods, nutrients per 100 g, household portions."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nutrispine.foods import schema

_FOOD_COLUMNS = (
    "id, source, food_id, name, common_names, brand, kind, group_name, survey, "
    + ", ".join(schema.NUTRIENT_CODES)
)


@dataclass(frozen=True)
class Portion:
    """A household measure from USDA: ``amount`` × ``description`` weighs ``grams``."""

    amount: float
    description: str
    grams: float

    @property
    def grams_per_unit(self) -> float:
        return self.grams / self.amount if self.amount else self.grams


@dataclass(frozen=True)
class Food:
    """One food of the database, with its nutrients per 100 g (None = not in the database)."""

    key: int
    id: str
    source: str
    name: str
    common_names: str = ""
    brand: str = ""
    kind: str = "generic"
    group: str = ""
    survey: bool = False
    per_100g: dict[str, float | None] = field(default_factory=dict, compare=False)

    @property
    def branded(self) -> bool:
        return self.kind == "branded"

    def to_dict(self) -> dict[str, str]:
        """The contract's food reference: id, source and name."""
        return {"id": self.id, "source": self.source, "name": self.name}


def _food(row: tuple[Any, ...]) -> Food:
    n = len(schema.NUTRIENT_CODES)
    nutrients = dict(zip(schema.NUTRIENT_CODES, row[-n:], strict=True))
    return Food(
        key=row[0], source=row[1], id=row[2], name=row[3], common_names=row[4] or "",
        brand=row[5] or "", kind=row[6], group=row[7] or "", survey=bool(row[8]),
        per_100g=nutrients,
    )


class FoodDatabase:
    """An imported food database (SQLite + FTS5), opened read-only."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn = schema.connect(self.path)
        self._lock = threading.Lock()
        self._search: Any = None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> FoodDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a read query (serialised: one connection is shared across threads)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def count(self) -> int:
        return int(self.query("SELECT count(*) FROM food")[0][0])

    def releases(self) -> list[dict[str, Any]]:
        rows = self.query("SELECT source, release, imported_at, path, foods FROM release")
        keys = ("source", "release", "imported_at", "path", "foods")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def get(self, food_id: str, source: str | None = None) -> Food | None:
        """The food with this id (in ``source`` when given, else the first source that has it)."""
        if source is None:
            rows = self.query(
                f"SELECT {_FOOD_COLUMNS} FROM food WHERE food_id = ? ORDER BY source LIMIT 1",
                (str(food_id),),
            )
        else:
            rows = self.query(
                f"SELECT {_FOOD_COLUMNS} FROM food WHERE source = ? AND food_id = ?",
                (source, str(food_id)),
            )
        return _food(rows[0]) if rows else None

    def by_keys(self, keys: list[int]) -> list[Food]:
        """Foods by internal row id, in the order given."""
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        rows = self.query(f"SELECT {_FOOD_COLUMNS} FROM food WHERE id IN ({marks})", tuple(keys))
        found = {row[0]: _food(row) for row in rows}
        return [found[k] for k in keys if k in found]

    def nutrients_per_100g(
        self, food_id: str | Food, source: str | None = None
    ) -> dict[str, float | None]:
        """vitamin_d (µg), magnesium (mg), vitamin_b12 (µg), calcium (mg), energy_kcal per 100 g.

        A nutrient the database has no value for is None, never 0.
        """
        food = food_id if isinstance(food_id, Food) else self.get(food_id, source)
        if food is None:
            raise KeyError(f"no food {food_id!r} in the database")
        return dict(food.per_100g)

    def portions(self, food: Food) -> list[Portion]:
        rows = self.query(
            "SELECT amount, description, grams FROM portion WHERE food = ? ORDER BY seq",
            (food.key,),
        )
        return [Portion(float(a), str(d), float(g)) for a, d, g in rows]

    def search(self, query: str, limit: int = 10) -> list[Food]:
        """Foods best matching ``query``: typo-tolerant, synonyms, generic before branded."""
        return [hit.food for hit in self.search_scored(query, limit)]

    def search_scored(self, query: str, limit: int = 10, **hints: Any) -> list[Any]:
        """Like ``search`` but returns scored hits; ``hints`` steer the ranking (see search)."""
        if self._search is None:
            from nutrispine.foods.search import Searcher

            self._search = Searcher(self)
        return list(self._search.search(query, limit, **hints))


def open_database(path: Path | str | None = None) -> FoodDatabase | None:
    """The imported food database, or None when nothing has been imported yet."""
    if path is None:
        from nutrispine.settings import foods_db_path

        path = foods_db_path()
    path = Path(path)
    if not path.is_file():
        return None
    try:
        db = FoodDatabase(path)
        if schema.version(db._conn) != schema.SCHEMA_VERSION or db.count() == 0:
            db.close()
            return None  # empty, or imported by an older nutrispine: import again
    except sqlite3.DatabaseError:
        return None
    return db
