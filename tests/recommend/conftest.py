"""Shared fixtures: SR28 imported once per session (with the foods importer) into a private home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


def _import(sr28: Path, db_path: Path) -> None:
    try:
        from nutrispine.foods.importers import import_any

        import_any(sr28, db_path)
    except ImportError:  # the dispatcher's FDC importer not landed yet: SR28 importer directly
        from nutrispine.foods.importers.sr28 import import_sr

        import_sr(sr28, db_path)


@pytest.fixture(scope="session")
def sr28_db_path(sr28_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sr28home") / "foods.sqlite"
    _import(sr28_dir, path)
    return path


@pytest.fixture(scope="session")
def sr28_db(sr28_db_path: Path) -> Iterator[object]:
    from nutrispine.foods.database import FoodDatabase

    db = FoodDatabase(sr28_db_path)
    yield db
    db.close()


@pytest.fixture(scope="session")
def sr28_catalog(sr28_db: object) -> object:
    from nutrispine.recommend.catalog import load_catalog

    return load_catalog(sr28_db)


@pytest.fixture
def sr28_home(sr28_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """NUTRISPINE_HOME pointing at the imported SR28 (for CLI tests)."""
    monkeypatch.setenv("NUTRISPINE_HOME", str(sr28_db_path.parent))
    return sr28_db_path.parent
