"""Where nutrispine keeps its data, from the environment, in one place."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The data folder: ``NUTRISPINE_HOME`` or the platform's user data folder."""
    env = os.environ.get("NUTRISPINE_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("nutrispine", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def foods_db_path() -> Path:
    """The SQLite file that holds the imported food database."""
    return home() / "foods.sqlite"


def database_url() -> str:
    """The URL of the tracking database: ``NUTRISPINE_DATABASE_URL`` or SQLite in the home."""
    return os.environ.get("NUTRISPINE_DATABASE_URL") or f"sqlite:///{home() / 'nutrispine.db'}"


def sr28_path() -> Path | None:
    """The USDA SR28 folder for tests and benchmarks (``NUTRISPINE_SR28``), if present."""
    env = os.environ.get("NUTRISPINE_SR28")
    if env and Path(env).is_dir():
        return Path(env)
    return None
