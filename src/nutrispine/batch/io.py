"""Lazy reading and streaming writing of batch files (CSV or Parquet).

Why lazy: population files may be larger than memory; a Polars LazyFrame read with ``scan_*`` and
written with ``sink_*`` runs on the streaming engine, batch by batch.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from nutrispine.errors import InputError, Problem

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def file_format(path: Path, role: str = "INPUT") -> str:
    """'csv' or 'parquet' from the file name, or an input error naming the choices."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(Problem(role, f"{path.name}: use a .csv or .parquet file",
                                 sorted(FORMATS)))
    return fmt


def scan_input(path: Path, schema_overrides: dict[str, pl.DataType] | None = None) -> pl.LazyFrame:
    """A LazyFrame over a CSV or Parquet file; CSV columns named in ``schema_overrides`` are
    read with that type (so an all-empty lab column is still a number column)."""
    fmt = file_format(path)
    if not path.is_file():
        raise InputError(Problem("INPUT", f"{path}: file not found"))
    if fmt == "parquet":
        return pl.scan_parquet(path)
    header = pl.read_csv(path, n_rows=0).columns
    overrides = {k: v for k, v in (schema_overrides or {}).items() if k in header}
    return pl.scan_csv(path, schema_overrides=overrides, infer_schema_length=10_000)


def sink(frame: pl.LazyFrame, path: Path) -> None:
    """Write ``frame`` with the streaming engine (never holding the whole result)."""
    fmt = file_format(path, role="--out")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.sink_parquet(path, compression="lz4", engine="streaming")
    else:
        frame.sink_csv(path, engine="streaming")
