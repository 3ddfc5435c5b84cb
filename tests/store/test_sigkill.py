"""A server killed with SIGKILL mid-write keeps every acknowledged entry (slow: real processes).

``python bench/bench_server.py sigkill --runs 20`` runs the same check 20 times.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_server.py"
RUNS = int(os.environ.get("NUTRISPINE_SIGKILL_RUNS", "2"))


@pytest.mark.slow
def test_sigkill_loses_no_committed_entry(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_server", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    total = 0
    for run in range(RUNS):
        result = bench.sigkill_round(tmp_path, run, writers=4, kill_after=(0.3, 0.8))
        assert result["lost"] == 0, result
        assert result["integrity_problems"] == 0, result
        total += result["acknowledged"]
    assert total > 0  # writes were really in flight when the server died
