"""Shared fixtures: data folders from the environment, and an isolated NUTRISPINE_HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# A tiny SR-format release written by hand for the web and CLI tests (eight foods, one named
# "<script>alert(1)</script>" to prove escaping). Kept as data here and written out at test time,
# so no file in the repository looks like a copy of a USDA release.
MINI_SR_FILES = {
    "FD_GROUP.txt": """\
~0100~^~Dairy and Egg Products~
~1100~^~Vegetables and Vegetable Products~
~1200~^~Nut and Seed Products~
~1500~^~Finfish and Shellfish Products~
""",
    "FOOD_DES.txt": """\
~01079~^~0100~^~Milk, reduced fat, fluid, 2% milkfat, with added vitamin A and vitamin D~^~MILK, REDUCED FAT, FLUID, 2% MILKFAT, WITH ADDED VITAMIN A A~^^^~Y~^^0^^6.25^4^9^4
~01123~^~0100~^~Egg, whole, raw, fresh~^~EGG, WHOLE, RAW, FRESH~^^^~Y~^^0^^6.25^4^9^4
~15086~^~1500~^~Fish, salmon, sockeye, cooked, dry heat~^~FISH, SALMON, SOCKEYE, COOKED, DRY HEAT~^^^~Y~^^0^^6.25^4^9^4
~12061~^~1200~^~Nuts, almonds~^~NUTS, ALMONDS~^^^~Y~^^0^^6.25^4^9^4
~11458~^~1100~^~Spinach, cooked, boiled, drained, without salt~^~SPINACH, COOKED, BOILED, DRAINED, WITHOUT SALT~^^^~Y~^^0^^6.25^4^9^4
~99001~^~0100~^~<script>alert(1)</script>~^~<SCRIPT>ALERT(1)</SCRIPT>~^^^~Y~^^0^^6.25^4^9^4
""",
    "NUT_DATA.txt": """\
~01079~^~208~^50^1^^~1~^~A~^^^^^^^^^^01/2010^
~01079~^~301~^120^1^^~1~^~A~^^^^^^^^^^01/2010^
~01079~^~304~^11^1^^~1~^~A~^^^^^^^^^^01/2010^
~01079~^~328~^1.2^1^^~1~^~A~^^^^^^^^^^01/2010^
~01079~^~418~^0.53^1^^~1~^~A~^^^^^^^^^^01/2010^
~01123~^~208~^143^1^^~1~^~A~^^^^^^^^^^01/2010^
~01123~^~301~^56^1^^~1~^~A~^^^^^^^^^^01/2010^
~01123~^~304~^12^1^^~1~^~A~^^^^^^^^^^01/2010^
~01123~^~328~^2.0^1^^~1~^~A~^^^^^^^^^^01/2010^
~01123~^~418~^0.89^1^^~1~^~A~^^^^^^^^^^01/2010^
~15086~^~208~^169^1^^~1~^~A~^^^^^^^^^^01/2010^
~15086~^~301~^11^1^^~1~^~A~^^^^^^^^^^01/2010^
~15086~^~304~^33^1^^~1~^~A~^^^^^^^^^^01/2010^
~15086~^~328~^14.2^1^^~1~^~A~^^^^^^^^^^01/2010^
~15086~^~418~^4.5^1^^~1~^~A~^^^^^^^^^^01/2010^
~12061~^~208~^579^1^^~1~^~A~^^^^^^^^^^01/2010^
~12061~^~301~^269^1^^~1~^~A~^^^^^^^^^^01/2010^
~12061~^~304~^270^1^^~1~^~A~^^^^^^^^^^01/2010^
~12061~^~328~^0^1^^~1~^~A~^^^^^^^^^^01/2010^
~12061~^~418~^0^1^^~1~^~A~^^^^^^^^^^01/2010^
~11458~^~208~^23^1^^~1~^~A~^^^^^^^^^^01/2010^
~11458~^~301~^136^1^^~1~^~A~^^^^^^^^^^01/2010^
~11458~^~304~^87^1^^~1~^~A~^^^^^^^^^^01/2010^
~11458~^~328~^0^1^^~1~^~A~^^^^^^^^^^01/2010^
~11458~^~418~^0^1^^~1~^~A~^^^^^^^^^^01/2010^
~99001~^~208~^10^1^^~1~^~A~^^^^^^^^^^01/2010^
~99001~^~301~^5^1^^~1~^~A~^^^^^^^^^^01/2010^
~99001~^~304~^1^1^^~1~^~A~^^^^^^^^^^01/2010^
~99001~^~328~^0^1^^~1~^~A~^^^^^^^^^^01/2010^
~99001~^~418~^0^1^^~1~^~A~^^^^^^^^^^01/2010^
""",
    "WEIGHT.txt": """\
~01079~^1^1^~cup~^244^^
~01123~^1^1^~large~^50^^
~15086~^1^3^~oz~^85^^
~12061~^1^1^~oz (23 whole kernels)~^28.35^^
~11458~^1^1^~cup~^180^^
~99001~^1^1^~cup~^100^^
""",
}


@pytest.fixture(scope="session")
def mini_sr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written SR fixture as a release folder (real file names and CRLF line ends)."""
    folder = tmp_path_factory.mktemp("sr-mini")
    for name, text in MINI_SR_FILES.items():
        (folder / name).write_bytes(text.replace("\n", "\r\n").encode("latin-1"))
    return folder


@pytest.fixture(scope="session")
def sr28_db_path(sr28_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real SR28 imported once per test session into a temporary folder (skips without it)."""
    from nutrispine.foods.importers.sr28 import import_sr

    path = tmp_path_factory.mktemp("sr28db") / "foods.sqlite"
    import_sr(sr28_dir, path)
    return path


@pytest.fixture(scope="session")
def sr28_db(sr28_db_path: Path) -> Iterator[Any]:
    """An open FoodDatabase over the session's SR28 import."""
    from nutrispine.foods.database import FoodDatabase

    db = FoodDatabase(sr28_db_path)
    yield db
    db.close()
