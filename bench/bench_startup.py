"""Wall time of `nutrispine assess` on a two-day profile, as a ratio to a bare `python -c pass`.

Both are measured in the same run, interleaved, as the median of N runs each, so machine load
affects both alike. Cases: the default text output (Rich) and JSON, from a YAML or a JSON profile,
with no food database imported (the diary is received and reported as not assessed), and again
with the USDA SR28 database imported (intake and personal food suggestions computed) when
NUTRISPINE_SR28 is set. Caches (knowledge base, profile schema) are warmed first, as after the
first run of an installed package.

Usage: python bench/bench_startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "nutrispine")


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def measure(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    base, target = [], []
    for _ in range(3):  # warm the file cache and the knowledge-base cache
        wall(cmd, env)
    for _ in range(runs):
        base.append(wall([sys.executable, "-c", "pass"], env))
        target.append(wall(cmd, env))
    return statistics.median(base), statistics.median(target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    home = Path(tempfile.mkdtemp(prefix="nutrispine-bench-"))
    env = {**os.environ, "NUTRISPINE_HOME": str(home)}
    yaml_profile, json_profile = ROOT / "examples" / "maria.yaml", ROOT / "examples" / "maria.json"
    cases = [("YAML profile, text output (the default)", [str(yaml_profile)]),
             ("YAML profile, JSON output", [str(yaml_profile), "--format", "json"]),
             ("JSON profile, JSON output", [str(json_profile), "--format", "json"])]
    print(f"{'case':62} {'pass (ms)':>10} {'assess (ms)':>12} {'ratio':>7}")
    try:
        for label, args in cases:
            b, t = measure([CLI, "assess", *args], env, runs)
            print(f"{'no food database: ' + label:62} {b * 1000:10.1f} {t * 1000:12.1f} {t / b:7.1f}")
        sr28 = os.environ.get("NUTRISPINE_SR28")
        if sr28 and Path(sr28, "FOOD_DES.txt").is_file():
            subprocess.run([CLI, "foods", "import", sr28], env=env, check=True, stdout=subprocess.DEVNULL)
            for label, args in cases:
                b, t = measure([CLI, "assess", *args], env, runs)
                print(f"{'SR28 imported (intake + foods): ' + label:62} {b * 1000:10.1f} {t * 1000:12.1f} "
                      f"{t / b:7.1f}")
        else:
            print("(SR28 cases skipped: set NUTRISPINE_SR28 to the USDA SR28 folder)")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
