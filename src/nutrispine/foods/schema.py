"""The food database's SQLite schema, and the one place that opens a connection to it.

Why SQLite and raw ``sqlite3`` rather than an ORM: the importers stream millions of rows with
``executemany`` and the search needs an FTS5 virtual table; both are SQLite features that an
ORM would only wrap. One file under ``NUTRISPINE_HOME`` keeps the import persistent.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = "5"

# The full-text indexes hold the normalised words (text.words) of names, common names and
# brands, the same form queries are put in. Generic and branded foods have separate indexes, so that millions of
# branded items can never crowd generic foods out of a search's candidates.
FTS_TABLES = ("food_fts", "brand_fts")

# The nutrients kept per food, with the SR28 nutrient number (``Nutr_No``, also FDC's
# ``nutrient_nbr``) and the unit the value is stored in (per 100 g of food).
NUTRIENTS: dict[str, tuple[str, str]] = {
    "vitamin_d": ("328", "µg"),
    "calcium": ("301", "mg"),
    "magnesium": ("304", "mg"),
    "vitamin_b12": ("418", "µg"),
    "energy_kcal": ("208", "kcal"),
}
NUTRIENT_CODES = tuple(NUTRIENTS)
# Vitamin D in IU (SR28 324): used only when 328 (µg) is absent; 40 IU = 1 µg
# (IOM 2011, DRI for Calcium and Vitamin D, p. 2: "1 µg ... = 40 IU").
VITAMIN_D_IU_NUMBER = "324"
IU_PER_UG_VITAMIN_D = 40.0

DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS release (
    source TEXT PRIMARY KEY,
    release TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    path TEXT NOT NULL,
    foods INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS food (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    food_id TEXT NOT NULL,
    name TEXT NOT NULL,
    common_names TEXT NOT NULL DEFAULT '',
    brand TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'generic',
    group_name TEXT NOT NULL DEFAULT '',
    survey INTEGER NOT NULL DEFAULT 0,
    norm TEXT NOT NULL DEFAULT '',
    core TEXT NOT NULL DEFAULT '',
    head TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '',
    {", ".join(f"{code} REAL" for code in NUTRIENT_CODES)},
    UNIQUE (source, food_id)
);
CREATE TABLE IF NOT EXISTS portion (
    food INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    amount REAL NOT NULL,
    description TEXT NOT NULL,
    grams REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS portion_food ON portion (food);
CREATE TABLE IF NOT EXISTS vocab (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS generic_food AS
    SELECT id, norm AS name, extra AS common_names, '' AS brand FROM food WHERE kind = 'generic';
CREATE VIEW IF NOT EXISTS branded_food AS
    SELECT id, norm AS name, extra AS common_names, '' AS brand FROM food WHERE kind = 'branded';
CREATE VIRTUAL TABLE IF NOT EXISTS food_fts USING fts5 (
    name, common_names, brand,
    content='generic_food', content_rowid='id',
    tokenize="porter unicode61 remove_diacritics 2 tokenchars '%'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS brand_fts USING fts5 (
    name, common_names, brand,
    content='branded_food', content_rowid='id',
    tokenize="porter unicode61 remove_diacritics 2 tokenchars '%'"
);
"""


def connect(path: Path | str, *, create: bool = False) -> sqlite3.Connection:
    """Open the database (creating the schema when ``create``); rows come back as tuples."""
    path = Path(path)
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    uri = path.resolve().as_uri() + ("" if create else "?mode=ro")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA temp_store = FILE")
    if create:
        conn.execute("PRAGMA synchronous = NORMAL")
        if version(conn) not in (None, SCHEMA_VERSION):
            _drop_all(conn)  # an older layout: its foods must be imported again anyway
        conn.executescript(DDL)
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
            (SCHEMA_VERSION,),
        )
    return conn


def version(conn: sqlite3.Connection) -> str | None:
    """The schema version stored in the database (None for an empty file)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def _drop_all(conn: sqlite3.Connection) -> None:
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts_%'"
    ).fetchall():
        conn.execute(f"DROP {'VIEW' if kind == 'view' else 'TABLE'} IF EXISTS {name}")
