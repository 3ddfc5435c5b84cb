"""Food database benchmarks: import time and memory, search latency against a naive scan,
parse throughput. Prints figures; run with NUTRISPINE_SR28 set:

    NUTRISPINE_SR28=../shared/data/usda-sr28 .venv/bin/python bench/bench_foods.py
    (--branded-foods N also imports a synthetic FDC Branded-like release of N foods)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "2% milk", "skim milk", "yoghurt", "soy milk", "garbanzo", "hard-boiled egg", "almonds",
    "cooked atlantic salmon", "bannana", "spinach", "whole milk", "cheddar cheese", "brown rice",
    "oatmeal", "peanut butter", "black beans", "lentils", "tofu", "broccoli", "sweet potato",
    "orange juice", "chicken breast", "ground beef", "canned tuna", "sardines", "greek yogurt",
    "cottage cheese", "walnuts", "pumpkin seeds", "chia seeds", "kale", "avocado", "blueberries",
    "strawberries", "whole wheat bread", "bagel", "pasta", "quinoa", "edamame", "beef liver",
    "shrimp", "cod", "mushrooms", "apple", "orange", "carrot", "butter", "ice cream",
    "almond milk", "fortified cereal",
]
PHRASES = [
    "1 cup 2% milk", "a handful of almonds", "3 oz cooked Atlantic salmon", "2 large eggs",
    "1 medium banana", "an apple", "1 cup cooked spinach", "half a cup of brown rice",
    "2 slices whole wheat bread", "1 tbsp peanut butter", "6 oz greek yogurt", "1 can tuna",
    "1/2 cup black beans", "1 oz cheddar", "250 ml soy milk", "a glass of orange juice",
]


def _child(code: str, env: dict[str, str]) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; returns its JSON figures plus peak RSS (MiB)."""
    wrapper = (
        "import json, resource, time\nt = time.perf_counter()\n" + code +
        "\nprint(json.dumps({'seconds': time.perf_counter() - t, "
        "'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True,
                         env=env, check=True)
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def bench_import(sr28: Path, db: Path) -> None:
    env = dict(os.environ)
    code = (f"from nutrispine.foods.importers.sr28 import import_sr\nfrom pathlib import Path\n"
            f"import_sr(Path({str(sr28)!r}), Path({str(db)!r}))")
    first = _child(code, env)
    again = _child(code, env)
    print(f"SR28 import: {first['seconds']:.2f} s, peak memory {first['peak_mib']:.0f} MiB "
          f"(re-import {again['seconds']:.2f} s); database {db.stat().st_size / 2**20:.1f} MiB")


def bench_search(db_path: Path) -> None:
    from rapidfuzz import fuzz, process

    from nutrispine.foods.database import FoodDatabase

    db = FoodDatabase(db_path)
    names = [row[0] for row in db.query("SELECT name FROM food")]
    db.search("warm up")
    ours, naive = [], []
    for q in QUERIES * 3:  # three rounds, interleaved; neither side caches results
        start = time.perf_counter()
        db.search(q, 10)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        process.extract(q, names, scorer=fuzz.WRatio, processor=str.lower, limit=10)
        naive.append(time.perf_counter() - start)
    m_ours, m_naive = statistics.median(ours), statistics.median(naive)
    print(f"search over {len(names):,} foods, {len(QUERIES)} queries x 3: median "
          f"{m_ours * 1000:.3f} ms (FTS5 + ranking) vs {m_naive * 1000:.3f} ms (naive rapidfuzz "
          f"WRatio scan over all names): {m_naive / m_ours:.1f}x faster; "
          f"p95 ours {sorted(ours)[int(0.95 * len(ours)) - 1] * 1000:.2f} ms")

    from nutrispine.foods import parse_entries

    parse_entries(PHRASES, db)
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        parse_entries(PHRASES, db)
    elapsed = time.perf_counter() - start
    print(f"parse throughput: {rounds * len(PHRASES) / elapsed:,.0f} phrases/s "
          f"({len(PHRASES)} distinct phrases x {rounds})")
    db.close()


def write_branded(folder: Path, foods: int) -> None:
    """A synthetic FDC Branded-like release: real column layout, ~8 nutrient rows a food."""
    folder.mkdir(parents=True, exist_ok=True)
    words = ["OAT", "BAR", "MILK", "CHOCOLATE", "ALMOND", "YOGURT", "GREEK", "CEREAL",
             "PROTEIN", "VANILLA", "CRUNCHY", "ORGANIC", "SOY", "DRINK", "CHEESE", "SNACK"]
    with (folder / "food.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["fdc_id", "data_type", "description", "food_category_id", "publication_date"])
        for i in range(foods):
            name = " ".join(words[(i >> k) % len(words)] for k in (0, 3, 6, 9))
            w.writerow([i, "branded_food", f"{name} {i}", "", "2024-10-31"])
    nutrient_ids = [1003, 1004, 1005, 1008, 1087, 1090, 1114, 1178]
    with (folder / "food_nutrient.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "fdc_id", "nutrient_id", "amount", "data_points", "derivation_id"])
        n = 0
        for i in range(foods):
            for nid in nutrient_ids:
                n += 1
                w.writerow([n, i, nid, (i * nid) % 500 / 10, "", "75"])
    with (folder / "nutrient.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "unit_name", "nutrient_nbr", "rank"])
        for nid, nbr in zip(nutrient_ids, ["203", "204", "205", "208", "301", "304", "328",
                                           "418"], strict=True):
            w.writerow([nid, f"n{nid}", "G", nbr, 1])
    with (folder / "branded_food.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["fdc_id", "brand_owner", "brand_name", "gtin_upc", "ingredients",
                    "serving_size", "serving_size_unit", "household_serving_fulltext",
                    "branded_food_category"])
        for i in range(foods):
            w.writerow([i, f"Owner {i % 977}", f"BRAND {i % 5003}", f"{i:012d}",
                        "OATS, SUGAR, " * 8, 40, "g", "1 bar", "Snack bars"])


def bench_branded(foods: int, tmp: Path) -> None:
    folder = tmp / "FoodData_Central_branded_food_csv_synthetic"
    start = time.perf_counter()
    write_branded(folder, foods)
    size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    print(f"synthetic Branded release: {foods:,} foods, {foods * 8:,} nutrient rows, "
          f"{size:.0f} MiB CSV (written in {time.perf_counter() - start:.0f} s)")
    db = tmp / "branded.sqlite"
    code = (f"from nutrispine.foods.importers.fdc import import_fdc\nfrom pathlib import Path\n"
            f"import_fdc(Path({str(folder)!r}), Path({str(db)!r}))")
    fig = _child(code, dict(os.environ))
    print(f"Branded-like import: {fig['seconds']:.1f} s, peak memory {fig['peak_mib']:.0f} MiB")
    from nutrispine.foods.database import FoodDatabase

    with FoodDatabase(db) as fdb:
        fdb.search("warm up")
        times = []
        for q in ["oat bar", "greek yogurt vanilla", "chocolate almond milk", "protein snack"]:
            start = time.perf_counter()
            fdb.search(q, 10)
            times.append(time.perf_counter() - start)
        print(f"search over {fdb.count():,} branded foods: median "
              f"{statistics.median(times) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--branded-foods", type=int, default=0,
                        help="also import a synthetic Branded-like release of this many foods")
    args = parser.parse_args()
    sr28 = os.environ.get("NUTRISPINE_SR28")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        if sr28 and Path(sr28, "FOOD_DES.txt").is_file():
            db = tmp / "sr28.sqlite"
            bench_import(Path(sr28), db)
            bench_search(db)
        else:
            print("NUTRISPINE_SR28 not set: skipping the SR28 figures")
        if args.branded_foods:
            bench_branded(args.branded_foods, tmp)


if __name__ == "__main__":
    main()
