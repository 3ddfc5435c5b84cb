"""Benchmark the meal-plan optimiser over the full USDA SR28 food list.

Targets (issue 4): a one-day plan in under 1 s and a seven-day plan in under 10 s on 2 cores.
Prints the figures and their ratio to a baseline measured in the same run: the time to load and
classify the candidate foods from the SQLite database (the work every cold plan starts with).

    NUTRISPINE_SR28=../shared/data/usda-sr28 .venv/bin/python bench/bench_plan.py [--repeats 5]

SR28 is imported into a temporary NUTRISPINE_HOME with the project's importer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROFILES = {
    "omnivore woman 58": {"person": {"age": 58, "sex": "female", "weight_kg": 70, "height_cm": 165}},
    "vegan man 30, no nuts": {"person": {"age": 30, "sex": "male"},
                              "preferences": {"diet": "vegan", "exclude": ["nuts"]}},
    "pregnant vegetarian": {"person": {"age": 29, "sex": "female", "pregnant": True},
                            "preferences": {"diet": "vegetarian"}},
    "over 70, lactose intolerant, diuretic": {"person": {"age": 76, "sex": "male"},
                                              "risk_factors": ["lactose_intolerance"],
                                              "medications": ["furosemide"]},
    "child 6": {"person": {"age": 6, "sex": "female"}},
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    sr28 = os.environ.get("NUTRISPINE_SR28")
    if not sr28 or not (Path(sr28) / "FOOD_DES.txt").is_file():
        print("NUTRISPINE_SR28 must point to the USDA SR28 folder", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="nutrispine-bench-"))
    os.environ["NUTRISPINE_HOME"] = str(home)

    from nutrispine.foods.database import FoodDatabase
    from nutrispine.foods.importers.sr28 import import_sr
    from nutrispine.knowledge import load_knowledge
    from nutrispine.recommend.catalog import from_database
    from nutrispine.recommend.plan import make_plan

    db_path = home / "foods.sqlite"
    t = time.perf_counter()
    import_sr(Path(sr28), db_path)
    print(f"import SR28 (setup, not timed against):      {time.perf_counter() - t:7.3f} s")
    kb = load_knowledge()
    db = FoodDatabase(db_path)
    print(f"foods in database:                           {db.count():7d}")

    loads = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        catalog = from_database(db)
        loads.append(time.perf_counter() - t)
    baseline = statistics.median(loads)
    print(f"baseline: load + classify candidate foods:   {baseline:7.3f} s (median of {args.repeats})")

    worst = {1: 0.0, 7: 0.0}
    for days in (1, 7):
        for name, profile in PROFILES.items():
            runs, cands, short = [], 0, []
            for _ in range(args.repeats):
                t = time.perf_counter()
                result = make_plan(profile, days=days, db=db, kb=kb, catalog=catalog)
                runs.append(time.perf_counter() - t)
                cands = result.candidates
                short = [s["nutrient"] for s in result.data["shortfalls"]]
            med = statistics.median(runs)
            worst[days] = max(worst[days], max(runs))
            print(f"{days}-day plan, {name:<40} {med:7.3f} s  (x{med / baseline:5.2f} baseline; "
                  f"{cands} candidates; shortfalls: {', '.join(short) or 'none'})")
    ok1, ok7 = worst[1] < 1.0, worst[7] < 10.0
    print(f"worst 1-day plan: {worst[1]:.3f} s (target < 1 s: {'ok' if ok1 else 'MISSED'})")
    print(f"worst 7-day plan: {worst[7]:.3f} s (target < 10 s: {'ok' if ok7 else 'MISSED'})")
    print(f"cores: {os.cpu_count()}")
    db.close()
    return 0 if ok1 and ok7 else 1


if __name__ == "__main__":
    raise SystemExit(main())
