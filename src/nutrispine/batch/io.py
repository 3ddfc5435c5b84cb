"""Lazy reading and streaming writing of batch files (CSV or Parquet).

Why lazy: population files may be larger than memory; a Polars LazyFrame read with ``scan_*`` and
written with ``sink_*`` runs on the streaming engine, batch by batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    """Write ``frame`` with the streaming engine (never holding the whole result).

    Parquet is written without column statistics: min and max of codes and ids help no reader
    of a screening result, and computing them cost about a tenth of a screening's CPU time."""
    fmt = file_format(path, role="--out")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.sink_parquet(path, compression="lz4", statistics=False, engine="streaming")
    else:
        frame.sink_csv(path, engine="streaming")


class OrderedWriter:
    """Appends frames, in the order given, to one Parquet or CSV file (header written once);
    ``shift_ids`` adds the rows already written to the ``id`` column (row-number ids of
    parts screened separately)."""

    def __init__(self, out: Path, shift_ids: bool = False) -> None:
        self.out, self.shift_ids, self.rows = out, shift_ids, 0
        self.fmt = file_format(out, role="--out")
        self._parquet: Any = None
        self._csv: Any = None

    def write(self, frame: pl.DataFrame) -> None:
        if self.shift_ids:
            frame = frame.with_columns((pl.col("id").cast(pl.Int64) + self.rows).alias("id"))
        self.rows += frame.height
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            table = frame.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.out, table.schema, compression="lz4")
            self._parquet.write_table(table)
        elif self._csv is None:
            self._csv = self.out.open("wb")
            frame.write_csv(self._csv)
        else:
            frame.write_csv(self._csv, include_header=False)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._csv is not None:
            self._csv.close()
            self._csv = None
