"""``nutrispine assess`` stays light: with warm caches it never imports pydantic (only
pydantic-core, through the profile's cached schema), PyYAML or the engines of other commands.

Start-up time is benchmarked in bench/bench_startup.py (a ratio to ``python -c pass``); this test
guards the import graph that the benchmark depends on, so a stray top-level import shows up as a
failing test rather than a slower benchmark nobody reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEVER = ("pydantic", "yaml", "numpy", "scipy", "highspy", "polars", "sqlalchemy", "fastapi", "jinja2", "rich")
SCRIPT = """
import io, json, sys
from contextlib import redirect_stdout
from nutrispine.cli import main
sys.argv = ["nutrispine", "assess", sys.argv[1], "--format", "json"]
out = io.StringIO()
try:
    with redirect_stdout(out):
        main()
except SystemExit as exc:
    code = exc.code
result = json.loads(out.getvalue())
print(json.dumps({"code": code, "triage": result["triage"]["level"],
                  "loaded": sorted(m for m in NEVER if m in sys.modules)}))
""".replace("NEVER", repr(NEVER))


def run_assess(profile: Path, home: Path) -> dict[str, object]:
    env = {**os.environ, "NUTRISPINE_HOME": str(home)}
    env.pop("NUTRISPINE_NO_KB_CACHE", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(profile)], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["maria.json", "maria.yaml"])
def test_assess_imports_no_heavy_library_once_caches_are_warm(name: str, tmp_path: Path) -> None:
    profile = ROOT / "examples" / name
    run_assess(profile, tmp_path)  # the first run may build the caches (and import pydantic to do so)
    second = run_assess(profile, tmp_path)
    assert second["code"] in (0, None)
    assert second["triage"] in ("emergency", "urgent", "routine", "self_care")
    heavy = [m for m in second["loaded"] if not (name.endswith(".yaml") and m == "yaml")]  # type: ignore[union-attr]
    assert heavy == [], f"`nutrispine assess` imported {heavy}; import them inside the function that needs them"


def test_assess_with_a_food_database_imports_no_heavy_library(sr28_db_path: Path, tmp_path: Path) -> None:
    """With SR28 imported the diary is parsed and searched (SQLite, rapidfuzz): still no pydantic,
    PyYAML, NumPy or the optimiser."""
    (tmp_path / "foods.sqlite").symlink_to(sr28_db_path)
    profile = ROOT / "examples" / "maria.json"
    run_assess(profile, tmp_path)
    assert run_assess(profile, tmp_path)["loaded"] == []
