"""The Dask engine on a local cluster of two workers (loopback) gives exactly the embedded
engine's output, for Parquet (row groups) and CSV (byte ranges, ids from row numbers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from nutrispine.batch import distributed
from nutrispine.batch.screen import screen_file
from nutrispine.batch.synthetic import population, write_parquet
from nutrispine.cli import app


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """One local cluster (2 workers on 127.0.0.1) shared by the tests, by address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local.scheduler_address


def test_parquet_parts_match_the_embedded_engine(tmp_path: Path, cluster: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "people.parquet"
    write_parquet(source, 24_000, chunk=6_000, seed=11)
    monkeypatch.setattr(distributed, "TARGET_ROWS", 5_000)  # several parts per worker
    assert len(distributed.plan_parts(source)) >= 4
    embedded, dask = tmp_path / "embedded.parquet", tmp_path / "dask.parquet"
    assert screen_file(source, embedded) == 24_000
    assert distributed.screen_file(source, dask, scheduler=cluster) == 24_000
    assert pl.read_parquet(dask).equals(pl.read_parquet(embedded))


def test_csv_without_ids_matches_the_embedded_engine(tmp_path: Path, cluster: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    frame = population(3_000, seed=12).drop("id")
    source = tmp_path / "people.csv"
    frame.write_csv(source)
    monkeypatch.setattr(distributed, "CSV_BYTES", 64 * 1024)
    parts = distributed.plan_parts(source)
    assert len(parts) >= 4
    assert sum(distributed.read_part(p).height for p in parts) == 3_000
    embedded, dask = tmp_path / "embedded.csv", tmp_path / "dask.csv"
    screen_file(source, embedded)
    assert distributed.screen_file(source, dask, scheduler=cluster) == 3_000
    assert pl.read_csv(dask).equals(pl.read_csv(embedded))


def test_cli_dask_engine_with_a_local_cluster(tmp_path: Path) -> None:
    """The default: the command starts (and stops) its own two-worker local cluster."""
    source = tmp_path / "people.parquet"
    population(2_000, seed=13).write_parquet(source)
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(app, ["batch", "screen", str(source), "--out", str(out),
                                      "--engine", "dask"])
    assert result.exit_code == 0, result.output
    embedded = tmp_path / "embedded.parquet"
    screen_file(source, embedded)
    assert pl.read_parquet(out).equals(pl.read_parquet(embedded))


def test_unreachable_scheduler_is_an_input_error(tmp_path: Path) -> None:
    source = tmp_path / "people.parquet"
    population(10, seed=14).write_parquet(source)
    result = CliRunner().invoke(app, ["batch", "screen", str(source), "--out",
                                      str(tmp_path / "o.parquet"), "--engine", "dask",
                                      "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach" in result.output
