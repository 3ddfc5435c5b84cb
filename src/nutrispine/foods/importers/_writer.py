"""Writes one USDA release into the food database in a single transaction.

Rows arrive as iterators and are inserted in batches, so memory stays bounded however large
the release; nutrient values and portions are staged in temporary tables on disk and joined
to the foods in SQL at the end. Re-importing a source first deletes that source's rows in the
same transaction, so an import either replaces the old one completely or leaves it untouched.
"""

from __future__ import annotations

import contextlib
import io
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any

from nutrispine.foods import schema
from nutrispine.foods.text import head_words, words

BATCH = 20_000
# Staged codes used only when the main value is missing: code -> (target, factor).
# Vitamin D in IU -> µg: 40 IU = 1 µg (IOM 2011, DRI for Calcium and Vitamin D, p. 2).
# Energy by Atwater general factors (FDC nutrient 957) stands in for energy (208) in
# Foundation foods, which report only the Atwater variants.
FALLBACKS = {
    "vitamin_d_iu": ("vitamin_d", 1.0 / schema.IU_PER_UG_VITAMIN_D),
    "energy_atwater": ("energy_kcal", 1.0),
}
Advance = Callable[[int], None]


def batched(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def normalised(name: str, common: str, brand: str) -> tuple[str, str, str, str]:
    """Search forms of a food's texts: name words, words outside brackets, head, others."""
    core = re.sub(r"\([^)]*\)", " ", name)
    return (
        " ".join(words(name)),
        " ".join(words(core)),
        " ".join(head_words(core)),
        " ".join(words(f"{common} {brand}")),
    )


class CountingReader(io.RawIOBase):
    """A binary stream that reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], advance: Advance | None) -> None:
        self._raw = raw
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if self._advance is not None and n:
            self._advance(n)
        return n


class ImportWriter:
    """Collects one source's foods, nutrients and portions, then commits them at once."""

    def __init__(self, db_path: Path, releases: dict[str, str], origin: str) -> None:
        self.releases = releases
        self.origin = origin
        self.conn = schema.connect(db_path, create=True)
        self.foods: Counter[str] = Counter()
        self.conn.execute("BEGIN")
        for source in releases:
            self.conn.execute(
                "DELETE FROM portion WHERE food IN (SELECT id FROM food WHERE source = ?)",
                (source,),
            )
            self.conn.execute("DELETE FROM food WHERE source = ?", (source,))
        self.conn.execute("DROP TABLE IF EXISTS temp.stage_nutrient")
        self.conn.execute("DROP TABLE IF EXISTS temp.stage_portion")
        self.conn.execute(
            "CREATE TEMP TABLE stage_nutrient (food_id TEXT, code TEXT, amount REAL)"
        )
        self.conn.execute(
            "CREATE TEMP TABLE stage_portion "
            "(food_id TEXT, seq INTEGER, amount REAL, description TEXT, grams REAL)"
        )
        self.conn.execute("DROP TABLE IF EXISTS temp.stage_label")
        self.conn.execute("CREATE TEMP TABLE stage_label (food_id TEXT, brand TEXT, grp TEXT)")
        marks = ", ".join("?" for _ in releases)
        self._in_sources = f"food.source IN ({marks})"
        self._sources = tuple(releases)

    def add_foods(self, rows: Iterable[tuple[str, str, str, str, str, str, str, int]]) -> None:
        """Rows of (source, food_id, name, common_names, brand, kind, group_name, survey)."""
        sql = (
            "INSERT OR REPLACE INTO food (source, food_id, name, common_names, brand, kind, "
            "group_name, survey, norm, core, head, extra) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        for chunk in batched(rows):
            self.conn.executemany(sql, [(*row, *normalised(row[2], row[3], row[4])) for row in chunk])
            self.foods.update(row[0] for row in chunk)

    def add_labels(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Rows of (food_id, brand, group_name) that fill in foods already added."""
        for chunk in batched(rows):
            self.conn.executemany("INSERT INTO stage_label VALUES (?, ?, ?)", chunk)

    def add_nutrients(self, rows: Iterable[tuple[str, str, float]]) -> None:
        """Rows of (food_id, code, amount per 100 g): a schema code or a key of FALLBACKS."""
        for chunk in batched(rows):
            self.conn.executemany("INSERT INTO stage_nutrient VALUES (?, ?, ?)", chunk)

    def add_portions(self, rows: Iterable[tuple[str, int, float, str, float]]) -> None:
        """Rows of (food_id, seq, amount, description, grams)."""
        for chunk in batched(rows):
            self.conn.executemany("INSERT INTO stage_portion VALUES (?, ?, ?, ?, ?)", chunk)

    def _apply_staged(self) -> None:
        c = self.conn
        c.execute("CREATE INDEX temp.stage_nutrient_ix ON stage_nutrient (code, food_id)")
        src = self._in_sources
        for code in schema.NUTRIENT_CODES:
            c.execute(
                f"UPDATE food SET {code} = s.amount FROM stage_nutrient AS s "
                f"WHERE {src} AND s.code = ? AND s.food_id = food.food_id",
                (*self._sources, code),
            )
        for alt, (code, factor) in FALLBACKS.items():
            c.execute(
                f"UPDATE food SET {code} = s.amount * ? FROM stage_nutrient AS s "
                f"WHERE {src} AND s.code = ? AND s.food_id = food.food_id AND {code} IS NULL",
                (factor, *self._sources, alt),
            )
        c.execute("CREATE INDEX temp.stage_label_ix ON stage_label (food_id)")
        c.execute(
            "UPDATE food SET brand = s.brand, group_name = CASE WHEN s.grp != '' THEN s.grp "
            f"ELSE food.group_name END FROM stage_label AS s WHERE {src} "
            "AND s.food_id = food.food_id",
            self._sources,
        )
        # Brand words join the search text, a batch at a time (memory stays flat).
        last = -1
        while True:
            rows = c.execute(
                "SELECT food.id, food.name, food.common_names, food.brand FROM food "
                f"WHERE {src} AND food.brand != '' AND food.id > ? ORDER BY food.id LIMIT ?",
                (*self._sources, last, BATCH),
            ).fetchall()
            if not rows:
                break
            c.executemany("UPDATE food SET extra = ? WHERE id = ?",
                          [(normalised(n, cn, b)[3], key) for key, n, cn, b in rows])
            last = rows[-1][0]
        c.execute(
            "INSERT INTO portion (food, seq, amount, description, grams) "
            "SELECT food.id, p.seq, p.amount, p.description, p.grams FROM stage_portion AS p "
            f"JOIN food ON {src} AND food.food_id = p.food_id "
            "WHERE p.grams > 0 AND p.amount > 0",
            self._sources,
        )
        for table in ("stage_nutrient", "stage_portion", "stage_label"):
            c.execute(f"DROP TABLE {table}")

    def _rebuild_indexes(self) -> None:
        c = self.conn
        for table in schema.FTS_TABLES:
            c.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        # Only words that spelling correction can use (letters, 3+; and 2%), so that codes and
        # numbers in millions of branded names do not grow the vocabulary.
        counts: Counter[str] = Counter()
        for (text,) in c.execute("SELECT norm || ' ' || extra FROM food"):
            counts.update({w for w in text.split() if (len(w) > 2 and w.isalpha()) or "%" in w})
        c.execute("DELETE FROM vocab")
        c.executemany("INSERT INTO vocab (term, df) VALUES (?, ?)", counts.items())

    def commit(self) -> int:
        """Apply staged rows, rebuild the search index, record releases; returns foods."""
        try:
            self._apply_staged()
            self._rebuild_indexes()
            now = datetime.now(UTC).isoformat(timespec="seconds")
            for source, release in self.releases.items():
                if self.foods[source]:
                    self.conn.execute(
                        "INSERT OR REPLACE INTO release (source, release, imported_at, path, "
                        "foods) VALUES (?, ?, ?, ?, ?)",
                        (source, release, now, self.origin, self.foods[source]),
                    )
                else:
                    self.conn.execute("DELETE FROM release WHERE source = ?", (source,))
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
        self.conn.execute("ANALYZE")
        self.conn.close()
        return sum(self.foods.values())

    def rollback(self) -> None:
        with contextlib.suppress(sqlite3.OperationalError):
            self.conn.execute("ROLLBACK")
        self.conn.close()
