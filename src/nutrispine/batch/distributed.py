"""Batch screening on a Dask cluster: the same Polars rules, partition by partition.

Why this shape: the rules are already vectorised, so a worker only needs a slice of the input
and the package. The client splits the input into parts (Parquet row groups, or byte ranges of a
CSV cut at line ends), each worker reads its own part from the shared path and screens it with
``screen.screen_frame`` (the embedded engine's code), and the client writes the small results in
input order as they arrive, keeping only a bounded window in flight. Results are identical to
the embedded engine row for row (tested on a local two-worker cluster).

On a real cluster the input path must be readable by every worker (a shared file system or a
mounted bucket) and nutrispine must be installed in the workers' environment.
"""

from __future__ import annotations

import io as stdio
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from nutrispine.batch import io
from nutrispine.errors import InputError, Problem

TARGET_ROWS = 250_000  # rows per task for Parquet (row groups are merged up to this)
CSV_BYTES = 32 * 2**20  # bytes per task for CSV


@dataclass(frozen=True)
class Part:
    """One unit of work: Parquet row groups, or a CSV byte range (plus the header line)."""

    source: str
    fmt: str
    row_groups: tuple[int, ...] = ()
    start: int = 0
    end: int = 0


def plan_parts(source: Path) -> list[Part]:
    """Split the input into parts of roughly equal work, in input order."""
    fmt = io.file_format(source)
    if not source.is_file():
        raise InputError(Problem("INPUT", f"{source}: file not found"))
    if fmt == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(source).metadata
        parts, group, rows = [], [], 0
        for i in range(meta.num_row_groups):
            group.append(i)
            rows += meta.row_group(i).num_rows
            if rows >= TARGET_ROWS:
                parts.append(Part(str(source), fmt, tuple(group)))
                group, rows = [], 0
        if group or not parts:
            parts.append(Part(str(source), fmt, tuple(group)))
        return parts
    size = source.stat().st_size
    with source.open("rb") as fh:
        header_end = len(fh.readline())
        cuts = [header_end]
        while cuts[-1] < size:
            fh.seek(min(cuts[-1] + CSV_BYTES, size))
            fh.readline()  # move to the end of the line the cut fell into
            cuts.append(min(fh.tell(), size))
    return [Part(str(source), fmt, start=a, end=b) for a, b in itertools.pairwise(cuts)
            if b > a] or [Part(str(source), fmt, start=header_end, end=header_end)]


def read_part(part: Part) -> pl.DataFrame:
    """The rows of one part, typed as the embedded engine reads them."""
    if part.fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.ParquetFile(part.source).read_row_groups(list(part.row_groups))
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame
    from nutrispine.batch.screen import read_overrides

    with open(part.source, "rb") as fh:
        header = fh.readline()
        fh.seek(part.start)
        body = fh.read(part.end - part.start)
    names = pl.read_csv(stdio.BytesIO(header), n_rows=0).columns
    overrides = {k: v for k, v in read_overrides().items() if k in names}
    return pl.read_csv(stdio.BytesIO(header + body), schema_overrides=overrides,
                       infer_schema_length=10_000)


def screen_part(part: Part, vitamin_d_scheme: str, reasons: bool = False,
                probability: bool = False) -> pl.DataFrame:
    """Run on a worker: read and screen one part (ids are local row numbers when the input
    has no id column; the client shifts them)."""
    from nutrispine.batch.screen import reuse_freed_memory, screen_frame

    reuse_freed_memory()
    return screen_frame(read_part(part), vitamin_d_scheme=vitamin_d_scheme, reasons=reasons,
                        probability=probability)


@contextmanager
def client_for(scheduler: str | None, workers: int = 2) -> Iterator[Any]:
    """A client of the given scheduler, or of a local cluster on loopback (closed after)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=5)
        except OSError as exc:
            raise InputError(Problem("--scheduler", f"cannot reach {scheduler}: {exc}")) from None
        try:
            yield client
        finally:
            client.close()
        return
    threads = max(1, (os.cpu_count() or 2) // workers)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, scheduler_port=0,
                           host="127.0.0.1", dashboard_address=None,
                           env={"POLARS_MAX_THREADS": str(threads)})
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _has_id(source: Path) -> bool:
    return "id" in io.scan_input(source).collect_schema().names()


def screen_file(source: Path, out: Path, *, scheduler: str | None = None, workers: int = 2,
                vitamin_d_scheme: str = "nam2011", window: int | None = None,
                reasons: bool = False, probability: bool = False) -> int:
    """Screen ``source`` on a Dask cluster into ``out``; returns the number of rows."""
    from distributed import as_completed

    from nutrispine.batch.labs import VITAMIN_D_SCHEMES
    from nutrispine.batch.prepare import check_columns

    io.file_format(out, role="--out")
    if vitamin_d_scheme not in VITAMIN_D_SCHEMES:
        raise InputError(Problem("--vitamin-d-cutoffs", f"unknown scheme {vitamin_d_scheme!r}",
                                 list(VITAMIN_D_SCHEMES)))
    parts = plan_parts(source)
    check_columns(io.scan_input(source).collect_schema().names())
    shift = not _has_id(source)
    partial = out.with_name(f".{out.name}.partial{out.suffix}")
    writer = io.OrderedWriter(partial, shift)
    try:
        with client_for(scheduler, workers) as client:
            limit = window or max(4, 2 * len(client.scheduler_info().get("workers", {})))
            pending: dict[Any, int] = {}
            done: dict[int, pl.DataFrame] = {}
            next_submit, next_write = 0, 0
            queue = as_completed()
            while next_write < len(parts):
                while next_submit < len(parts) and len(pending) + len(done) < limit:
                    future = client.submit(screen_part, parts[next_submit], vitamin_d_scheme,
                                           reasons, probability, pure=False)
                    pending[future] = next_submit
                    queue.add(future)
                    next_submit += 1
                future = next(queue)
                index = pending.pop(future)
                try:
                    done[index] = future.result()
                except InputError:
                    raise
                except Exception as exc:  # a worker failure: report it, never a traceback
                    raise InputError(Problem("INPUT", f"part {index} failed on the cluster: "
                                                      f"{exc}")) from None
                while next_write in done:
                    writer.write(done.pop(next_write))
                    next_write += 1
        writer.close()
        os.replace(partial, out)
    finally:
        writer.close()
        if partial.exists():
            partial.unlink()
    return writer.rows
