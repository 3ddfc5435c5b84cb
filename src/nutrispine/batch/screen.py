"""Batch screening with the embedded engine: the single assessment's rules on whole columns,
streamed from the input file to the output file.

Output, one row per input row: ``id``, ``triage_level``, optionally ``triage_reasons`` (rule
codes, most serious first), and per nutrient ``<n>_likelihood``, optionally ``<n>_probability``
(the model's posterior, for ranking), and ``<n>_lab_status``; ``problem`` says why a row could
not be assessed (its results are then empty).
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from nutrispine.batch import io
from nutrispine.batch import labs as blabs
from nutrispine.batch import likelihood as blk
from nutrispine.batch import triage as btriage
from nutrispine.batch.prepare import EXTRA_COLUMNS, prepare
from nutrispine.batch.schema import schema
from nutrispine.errors import InputError, Problem
from nutrispine.knowledge import KnowledgeBase, load_knowledge
from nutrispine.knowledge.models import NUTRIENTS


def output_columns(reasons: bool = False, probability: bool = False) -> list[str]:
    cols = ["id", "triage_level", *(["triage_reasons"] if reasons else [])]
    for n in NUTRIENTS:
        cols += [f"{n}_likelihood", *([f"{n}_probability"] if probability else []),
                 f"{n}_lab_status"]
    return [*cols, "problem"]


def screen_lazy(frame: pl.LazyFrame, *, vitamin_d_scheme: str = "nam2011",
                kb: KnowledgeBase | None = None, id_offset: int = 0,
                reasons: bool = False, probability: bool = False) -> pl.LazyFrame:
    """The screening plan for ``frame`` (nothing is computed until it is collected or sunk);
    ``reasons`` adds the codes of the triage rules that fired, ``probability`` the posterior
    probability per nutrient (3 decimals). The results of a row with a problem are empty."""
    if vitamin_d_scheme not in blabs.VITAMIN_D_SCHEMES:
        raise InputError(Problem("--vitamin-d-cutoffs", f"unknown scheme {vitamin_d_scheme!r}",
                                 list(blabs.VITAMIN_D_SCHEMES)))
    kb = kb or load_knowledge()
    frame, inputs = prepare(frame, id_offset)
    frame = blabs.with_lab_columns(frame, kb, inputs.names, vitamin_d_scheme, units_done=True)
    frame = blk.with_probability_columns(frame, kb, inputs, probability=probability)
    likely = {n: pl.col(f"_level_{n}") == 2 for n in NUTRIENTS}
    confirmed = {n: (pl.col(blabs.code_column(n)) == blabs.code("deficient")).fill_null(False)
                 for n in NUTRIENTS}
    fired = btriage.rules(kb, inputs, likely, confirmed)
    ok = pl.col("_problem").is_null()

    def valid(expr: pl.Expr, name: str) -> pl.Expr:
        return pl.when(ok).then(expr).alias(name)

    outputs = [pl.col("id"), valid(btriage.level_expr(fired), "triage_level")]
    if reasons:
        outputs.append(valid(btriage.reasons_expr(fired), "triage_reasons"))
    for n in NUTRIENTS:
        outputs.append(valid(blk.level_text(f"_level_{n}"), f"{n}_likelihood"))
        if probability:
            outputs.append(valid(pl.col(f"_p_{n}").round(3), f"{n}_probability"))
        outputs.append(valid(blabs.status_text(blabs.code_column(n)), f"{n}_lab_status"))
    return frame.select(*outputs, pl.col("_problem").alias("problem"))


def screen_frame(frame: pl.DataFrame, **options: object) -> pl.DataFrame:
    """Screen an in-memory table (tests, Dask partitions)."""
    return screen_lazy(frame.lazy(), **options).collect()  # type: ignore[arg-type]


def read_overrides() -> dict[str, pl.DataType]:
    """CSV columns are read as text and typed by ``prepare`` (so a bad cell is a row problem)."""
    return {name: pl.String() for name in [*schema().dtypes(), *EXTRA_COLUMNS]}


def screen_file(source: Path, out: Path, *, vitamin_d_scheme: str = "nam2011",
                reasons: bool = False, probability: bool = False) -> int:
    """Stream ``source`` through the rules into ``out``; returns the number of rows.

    The result is written to a temporary name and renamed at the end, so a failed run never
    leaves a partial output behind.
    """
    io.file_format(out, role="--out")
    if vitamin_d_scheme not in blabs.VITAMIN_D_SCHEMES:
        raise InputError(Problem("--vitamin-d-cutoffs", f"unknown scheme {vitamin_d_scheme!r}",
                                 list(blabs.VITAMIN_D_SCHEMES)))
    frame = io.scan_input(source, read_overrides())
    partial = out.with_name(f".{out.name}.partial{out.suffix}")
    try:
        plan = screen_lazy(frame, vitamin_d_scheme=vitamin_d_scheme, reasons=reasons,
                           probability=probability)
        io.sink(plan, partial)
        os.replace(partial, out)
    except pl.exceptions.PolarsError as exc:
        raise InputError(Problem("INPUT", f"could not screen {source.name}: {exc}")) from None
    finally:
        if partial.exists():
            partial.unlink()
    return count_rows(out)


def count_rows(path: Path) -> int:
    """Rows in a written output (Parquet metadata, or a streaming count for CSV)."""
    if io.file_format(path, role="--out") == "parquet":
        return int(pl.scan_parquet(path).select(pl.len()).collect().item())
    return int(pl.scan_csv(path).select(pl.len()).collect().item())


def count_problems(path: Path) -> int:
    """Rows of a written output that could not be assessed."""
    scan = pl.scan_parquet(path) if io.file_format(path, "--out") == "parquet" else pl.scan_csv(
        path, schema_overrides={"problem": pl.String})
    return int(scan.select(pl.col("problem").is_not_null().sum()).collect().item())
