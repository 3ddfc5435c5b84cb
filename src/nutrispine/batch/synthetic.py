"""Synthetic populations in the batch schema, for benchmarks and demos (never for estimates).

Why: performance must be measured on millions of rows, and real patient data cannot be shipped.
Values are drawn vectorised with NumPy from plausible ranges; every lab is reported in a random
accepted unit of the knowledge base, so unit handling is exercised as well.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from nutrispine.batch.schema import PAIN_REGIONS, schema
from nutrispine.knowledge import load_knowledge

# Plausible SI ranges to draw from (log-uniform-ish, for load testing only).
_SI_DRAW = {
    "vitamin_d_25oh": (15.0, 150.0), "vitamin_b12": (80.0, 900.0),
    "methylmalonic_acid": (0.1, 0.6), "homocysteine": (5.0, 25.0), "magnesium": (0.6, 1.1),
    "calcium": (2.0, 2.8), "calcium_ionized": (1.0, 1.4), "albumin": (30.0, 50.0),
    "pth": (2.0, 12.0),
}


def population(n: int, seed: int = 0, start_id: int = 0) -> pl.DataFrame:
    """``n`` random people with every schema column (about 15% of lab cells filled)."""
    rng = np.random.default_rng(seed)
    s = schema()
    kb = load_knowledge()
    cols: dict[str, object] = {"id": np.arange(start_id, start_id + n, dtype=np.int64)}
    age = rng.integers(1, 95, n).astype(np.float64)
    female = rng.random(n) < 0.5
    cols["age"] = age
    cols["sex"] = np.where(female, "female", "male")
    cols["pregnant"] = female & (age >= 18) & (age < 45) & (rng.random(n) < 0.05)
    cols["lactating"] = np.zeros(n, dtype=bool)
    for region in PAIN_REGIONS:
        cols[s.region(region)] = rng.random(n) < 0.3
    cols["pain_duration_weeks"] = np.where(rng.random(n) < 0.8, rng.integers(0, 52, n), np.nan)
    cols["pain_severity"] = np.where(rng.random(n) < 0.8, rng.integers(0, 11, n), np.nan)
    red = kb.red_flag_symptoms
    for code in s.symptoms:
        cols[s.symptom(code)] = rng.random(n) < (0.005 if code in red else 0.1)
    for code in s.risk_factors:
        cols[s.risk(code)] = rng.random(n) < 0.05
    for cls in s.medication_classes:
        cols[s.med(cls)] = rng.random(n) < 0.04
    for test in s.lab_tests:
        lab = kb.labs[test]
        low, high = _SI_DRAW.get(test, lab.plausible_si)
        si = np.exp(rng.uniform(np.log(low), np.log(high), n))
        units = np.array(list(lab.units))
        pick = rng.integers(0, len(units), n)
        factor = np.array([lab.units[u] for u in units])[pick]
        present = rng.random(n) < 0.15
        cols[s.lab_value(test)] = np.where(present, np.round(si / factor, 2), np.nan)
        cols[s.lab_unit(test)] = units[pick].astype(str)
    for nutrient in s.nutrients:
        amount = rng.choice([0.0, 10.0, 25.0, 250.0], n)
        cols[s.supplement(nutrient)] = np.where(rng.random(n) < 0.1, amount, np.nan)
    frame = pl.DataFrame(cols)
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    frame = frame.with_columns(pl.col(floats).fill_nan(None))
    return frame.with_columns(
        pl.when(pl.col(s.lab_value(t)).is_not_null()).then(pl.col(s.lab_unit(t))).alias(s.lab_unit(t))
        for t in s.lab_tests)


def write_parquet(path: Path, rows: int, chunk: int = 500_000, seed: int = 0) -> None:
    """Write ``rows`` synthetic people in chunks (memory stays at one chunk)."""
    writer: pq.ParquetWriter | None = None
    try:
        for i, start in enumerate(range(0, rows, chunk)):
            table = population(min(chunk, rows - start), seed=seed + i, start_id=start).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=100_000)
    finally:
        if writer is not None:
            writer.close()
