"""Batch screening benchmarks; prints figures (no pass/fail gate, but the targets are shown).

1. Speed: 1 million synthetic rows screened (read Parquet + every rule + write Parquet) against
   merely reading the same Parquet file into memory, in the same run, on 2 cores
   (POLARS_MAX_THREADS=2). Target: at most 3x. Runs alternate, best of --repeat is reported.
2. Memory: 10 million rows screened by the `nutrispine batch screen` command in a subprocess;
   peak RSS of that process. Target: under 2 GiB. Reading the same file whole is shown for
   comparison (it is what a non-streaming engine would need at least).
3. Dask: the same 1 million rows on a local cluster of 2 workers against the embedded engine,
   with and without the cluster's start-up; the outputs are checked to be identical.

    .venv/bin/python bench/bench_batch.py [--rows 1000000] [--big-rows 10000000]
                                          [--repeat 3] [--skip-big] [--skip-dask]
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "2")  # before polars is imported: 2 cores

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from nutrispine.batch import distributed
from nutrispine.batch.screen import screen_file
from nutrispine.batch.synthetic import write_parquet

GIB = 2**30


def _best(seconds: list[float]) -> float:
    return min(seconds)


def bench_speed(folder: Path, rows: int, repeat: int) -> dict[str, float]:
    source, out = folder / "people.parquet", folder / "screened.parquet"
    t = time.perf_counter()
    write_parquet(source, rows)
    made = time.perf_counter() - t
    size = source.stat().st_size / 2**20
    print(f"generated {rows:,} rows x {pl.scan_parquet(source).collect_schema().len()} columns "
          f"({size:.0f} MiB Parquet) in {made:.1f} s")
    reads, screens, cpus = [], [], []
    screen_file(source, out)  # warm-up: imports, knowledge base, page cache
    pl.read_parquet(source)
    for _ in range(repeat):
        t = time.perf_counter()
        pl.read_parquet(source)
        reads.append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.process_time()
        screen_file(source, out)
        screens.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    read, screen = _best(reads), _best(screens)
    ratio = screen / read
    # CPU seconds of the whole process (every thread): with wall time, how busy the cores were
    print(f"screen CPU time   : best {_best(cpus):.3f} s  "
          f"(best CPU over best wall: {_best(cpus) / screen:.1f} cores busy)")
    print(f"read Parquet      : best {read:.3f} s  (all: {', '.join(f'{s:.3f}' for s in reads)})")
    print(f"screen (read+rules+write): best {screen:.3f} s  "
          f"(all: {', '.join(f'{s:.3f}' for s in screens)})")
    print(f"ratio screen/read : {ratio:.2f}x  (target <= 3x)  "
          f"[{rows / screen / 1e6:.2f} million rows/s]")
    return {"rows": rows, "read_s": read, "screen_s": screen, "ratio": ratio,
            "screen_cpu_s": _best(cpus)}


def _peak_of(args: list[str]) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in bytes) of that child alone."""
    script = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "s = time.perf_counter() - t\n"
        "print(json.dumps([s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         check=True)
    seconds, peak = json.loads(out.stdout.strip().splitlines()[-1])
    return float(seconds), float(peak)


def bench_memory(folder: Path, rows: int) -> dict[str, float]:
    source, out = folder / "big.parquet", folder / "big-screened.parquet"
    t = time.perf_counter()
    write_parquet(source, rows)
    print(f"generated {rows:,} rows ({source.stat().st_size / 2**20:.0f} MiB Parquet) in "
          f"{time.perf_counter() - t:.1f} s")
    command = [sys.executable, "-c", "from nutrispine.cli import main; main()",
               "batch", "screen", str(source), "--out", str(out)]
    seconds, peak = _peak_of(command)
    print(f"screen {rows:,} rows: {seconds:.1f} s, peak RSS {peak / 2**20:.0f} MiB "
          f"({peak / GIB:.2f} GiB; target < 2 GiB)")
    written = pl.scan_parquet(out).select(pl.len()).collect().item()
    assert written == rows, f"wrote {written} rows"
    read_cmd = [sys.executable, "-c",
                f"import polars as pl; pl.read_parquet({str(source)!r})"]
    read_s, read_peak = _peak_of(read_cmd)
    print(f"for comparison, reading the whole file into memory: {read_s:.1f} s, peak RSS "
          f"{read_peak / 2**20:.0f} MiB")
    return {"rows": rows, "seconds": seconds, "peak_mib": peak / 2**20,
            "read_whole_peak_mib": read_peak / 2**20}


def bench_dask(folder: Path, rows: int) -> dict[str, float]:
    from distributed import LocalCluster

    source = folder / "people.parquet"
    if not source.exists():
        write_parquet(source, rows)
    embedded, dask_out = folder / "embedded.parquet", folder / "dask.parquet"
    t = time.perf_counter()
    screen_file(source, embedded)
    embedded_s = time.perf_counter() - t
    t = time.perf_counter()
    distributed.screen_file(source, dask_out, workers=2)  # starts and stops its own cluster
    cold_s = time.perf_counter() - t
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        distributed.screen_file(source, dask_out, scheduler=cluster.scheduler_address)  # warm
        t = time.perf_counter()
        distributed.screen_file(source, dask_out, scheduler=cluster.scheduler_address)
        warm_s = time.perf_counter() - t
    same = pl.read_parquet(dask_out).equals(pl.read_parquet(embedded))
    print(f"embedded engine           : {embedded_s:.2f} s")
    print(f"Dask, 2 local workers     : {warm_s:.2f} s on a running cluster "
          f"({warm_s / embedded_s:.2f}x embedded); {cold_s:.2f} s including cluster start-up")
    print(f"outputs identical         : {same}")
    return {"embedded_s": embedded_s, "dask_warm_s": warm_s, "dask_cold_s": cold_s,
            "identical": float(same)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    print(f"cores available: {os.cpu_count()}, POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']}")
    with tempfile.TemporaryDirectory(prefix="nutrispine-bench-") as tmp:
        folder = Path(tmp)
        print("\n== 1. speed: screen vs read ==")
        bench_speed(folder, args.rows, args.repeat)
        if not args.skip_big:
            print("\n== 2. memory: 10 million rows, streaming ==")
            bench_memory(folder, args.big_rows)
        if not args.skip_dask:
            print("\n== 3. Dask (2 local workers) vs embedded ==")
            bench_dask(folder, args.rows)


if __name__ == "__main__":
    main()
