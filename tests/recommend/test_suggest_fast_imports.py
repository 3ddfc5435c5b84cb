"""The suggestion and guidance path used by ``assess`` stays light: with warm caches it imports
no NumPy, SciPy or HiGHS and parses no YAML (startup time is benchmarked in bench/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "scipy", "highspy", "yaml")
SCRIPT = """
import json, sys
from nutrispine.knowledge import load_knowledge
from nutrispine.recommend.advice import next_steps
from nutrispine.recommend.suggest import suggest_foods
profile = {"person": {"age": 58, "sex": "female"}, "medications": ["metformin", "omeprazole"],
           "preferences": {"diet": "vegetarian", "exclude": ["nuts"]}}
kb = load_knowledge()
foods = {n: suggest_foods(n, 10, profile, None, kb)
         for n in ("vitamin_d", "magnesium", "vitamin_b12", "calcium")}
steps = next_steps(profile, ["vitamin_d", "vitamin_b12"], kb)
print(json.dumps({"heavy": sorted(m for m in HEAVY if m in sys.modules),
                  "sources": sorted({f["food"]["source"] for fs in foods.values() for f in fs}),
                  "counts": [len(fs) for fs in foods.values()],
                  "supplements": sorted(steps["supplements"])}))
""".replace("HEAVY", repr(HEAVY))


def _run(home: Path) -> dict[str, object]:
    env = {**os.environ, "NUTRISPINE_HOME": str(home)}
    env.pop("NUTRISPINE_NO_KB_CACHE", None)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    return dict(json.loads(out.stdout))


def test_no_database_path_is_light(tmp_path: Path) -> None:
    _run(tmp_path)  # warms the rule and knowledge caches
    got = _run(tmp_path)
    assert got["heavy"] == []
    assert got["sources"] == ["nutrispine-kb"]
    assert got["counts"] == [5, 5, 5, 5]
    assert got["supplements"] == ["vitamin_b12", "vitamin_d"]


@pytest.mark.sr28
def test_imported_database_path_is_light(sr28_home: Path) -> None:
    _run(sr28_home)  # builds the shortlist beside the database, once
    got = _run(sr28_home)
    assert got["heavy"] == []
    assert got["sources"] == ["usda-sr28"]
    assert got["counts"] == [5, 5, 5, 5]
