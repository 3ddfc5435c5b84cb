"""Shared fixtures: data folders from the environment, and an isolated NUTRISPINE_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SR28_HINT = "USDA SR28 not available: set NUTRISPINE_SR28 to ../shared/data/usda-sr28"
NHANES_HINT = "NHANES files not available: set NUTRISPINE_NHANES to ../shared/data/nhanes"


@pytest.fixture(scope="session")
def sr28_dir() -> Path:
    """The USDA SR28 release folder, or skip with a clear message."""
    env = os.environ.get("NUTRISPINE_SR28")
    if not env or not (Path(env) / "FOOD_DES.txt").is_file():
        pytest.skip(SR28_HINT)
    return Path(env)


@pytest.fixture(scope="session")
def nhanes_dir() -> Path:
    """The NHANES public-use files folder, or skip with a clear message."""
    env = os.environ.get("NUTRISPINE_NHANES")
    if not env or not (Path(env) / "DEMO_H.XPT").is_file():
        pytest.skip(NHANES_HINT)
    return Path(env)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own empty NUTRISPINE_HOME unless it sets one itself."""
    if "NUTRISPINE_HOME_KEEP" not in os.environ:
        monkeypatch.setenv("NUTRISPINE_HOME", str(tmp_path_factory.mktemp("home")))
