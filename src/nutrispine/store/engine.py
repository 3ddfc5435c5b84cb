"""Opening the tracking database: SQLite (WAL, foreign keys) or PostgreSQL, migrated to head.

Migrations live inside the package (``store/migrations``) and run programmatically, so a fresh
install or an upgraded one reaches the current schema on start without a separate step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgres://`` and ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; crash safe
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=FULL")  # a committed entry survives a kill or power cut
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings nutrispine relies on (not yet migrated)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is already there)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def integrity_problems(engine: Engine) -> list[str]:
    """Problems found by the database's own checks (empty when the database is sound)."""
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
            problems += [r for r in rows if r != "ok"]
            fks = conn.execute(text("PRAGMA foreign_key_check"))
            problems += [f"foreign key: {tuple(r)}" for r in fks]
        else:
            conn.execute(text("SELECT 1"))
        from nutrispine.store.models import OWNED_TABLES

        for model in OWNED_TABLES:
            table = model.__table__.name  # type: ignore[attr-defined]
            orphans = conn.execute(text(
                f"SELECT COUNT(*) FROM {table} t LEFT JOIN users u ON u.id = t.user_id "
                "WHERE u.id IS NULL")).scalar_one()
            if orphans:
                problems.append(f"{table}: {orphans} rows without a user")
    return problems
