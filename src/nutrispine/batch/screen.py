"""Batch screening with the embedded engine: the single assessment's rules on whole columns,
streamed from the input file to the output file.

One lazy Polars plan on the streaming engine: scan, convert the columns that do not already
have the rules' types (``prepare.normalise``), screen each morsel of rows (``Screener``: a few
compiled loops over the morsel's Arrow buffers, without the GIL, see ``batch.columns`` and the
``_*.pyx`` modules), turn the result codes into text, sink.

Output, one row per input row: ``id``, ``triage_level``, optionally ``triage_reasons`` (rule
codes, most serious first), and per nutrient ``<n>_likelihood``, optionally ``<n>_probability``
(the model's posterior, for ranking), and ``<n>_lab_status``; ``problem`` says why a row could
not be assessed (its results are then empty).
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from pathlib import Path

import numpy as np
import polars as pl

from nutrispine.batch import io
from nutrispine.batch import labs as blabs
from nutrispine.batch import likelihood as blk
from nutrispine.batch import triage as btriage
from nutrispine.batch._likelihood import person_keys
from nutrispine.batch.columns import Morsel
from nutrispine.batch.prepare import EXTRA_COLUMNS, Problems, normalise, person
from nutrispine.batch.schema import Inputs, schema
from nutrispine.errors import InputError, Problem
from nutrispine.knowledge import KnowledgeBase, load_knowledge
from nutrispine.knowledge.models import NUTRIENTS


def output_columns(reasons: bool = False, probability: bool = False) -> list[str]:
    cols = ["id", "triage_level", *(["triage_reasons"] if reasons else [])]
    for n in NUTRIENTS:
        cols += [f"{n}_likelihood", *([f"{n}_probability"] if probability else []),
                 f"{n}_lab_status"]
    return [*cols, "problem"]


class Screener:
    """The rules compiled for one input's columns, applied to one morsel of rows at a time.

    Returns the results as small integer codes (``_triage``, ``_level_<n>``, ``_status_<n>``,
    null on rows with a problem) next to ``id`` and ``problem``; the codes become text in the
    query plan (``screen_lazy``), where Polars does it outside Python."""

    def __init__(self, kb: KnowledgeBase, names: list[str], normalised: list[str], inputs: Inputs,
                 vitamin_d_scheme: str, reasons: bool, probability: bool) -> None:
        self.kb, self.reasons, self.probability = kb, reasons, probability
        self.labs = blabs.LabRules(kb, inputs.names, vitamin_d_scheme)
        self.likelihood = blk.LikelihoodRules(kb, inputs, probability)
        self.triage = btriage.TriageRules(kb, inputs)
        self.problems = Problems(kb, names, normalised)
        self.rows = 0
        self._lock = threading.Lock()

    def schema(self) -> dict[str, pl.DataType]:
        out: dict[str, pl.DataType] = {"_triage": pl.UInt8()}
        if self.reasons:
            out["triage_reasons"] = pl.String()
        for n in NUTRIENTS:
            out[f"_level_{n}"] = pl.UInt8()
            if self.probability:
                out[f"{n}_probability"] = pl.Float64()
            out[f"_status_{n}"] = pl.UInt8()
        return {**out, "problem": pl.String()}

    def __call__(self, frame: pl.DataFrame) -> pl.DataFrame:
        morsel = Morsel(frame)
        n = morsel.n
        with self._lock:  # morsels may be screened by several threads at once
            self.rows += n
        who = person(morsel)
        labs = self.labs.evaluate(morsel)
        problem = self.problems.evaluate(morsel, who, labs)
        life_stage = person_keys(who.male, who.pregnant, who.lactating, n)
        sex = who.sex_text(n) if self.likelihood.intake else pl.Series([], dtype=pl.String)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            likely = self.likelihood.evaluate(morsel, labs, who.ages, life_stage, sex)
        codes, fired = self.triage.levels(morsel, likely.level, labs.nutrient, keep=self.reasons)
        results: dict[str, np.ndarray | pl.Series] = {"_triage": codes}
        if self.reasons:
            assert fired is not None
            results["triage_reasons"] = btriage.reasons(fired, n)
        for m in NUTRIENTS:
            results[f"_level_{m}"] = likely.level[m]
            if self.probability:
                results[f"{m}_probability"] = likely.probability[m]
            results[f"_status_{m}"] = labs.nutrient[m]
        out = pl.DataFrame([frame["id"], *(pl.Series(k, v) for k, v in results.items())])
        if problem is None:
            problem = pl.Series("problem", [None], dtype=pl.String).new_from_index(0, n)
        else:  # the results of a row with a problem are empty
            ok = pl.lit(problem.is_null())
            out = out.select("id", *(pl.when(ok).then(pl.col(c)).alias(c) for c in results))
        return out.hstack([problem.alias("problem")])


@functools.cache
def reuse_freed_memory() -> bool:
    """Ask glibc's malloc to keep the blocks a morsel frees for the next morsel (once per
    process; False where the C library is not glibc).

    Why: by default glibc returns every block of 128 KiB or more to the system when it is
    freed, so each morsel's working arrays (0.1 to 3 MB) are fresh pages that fault in again,
    about a tenth of the screening time. Keeping them costs at most a few morsels' arrays of
    memory. Polars' own memory is not affected (it has its own allocator)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(mallopt(m_mmap_threshold, 32 * 2**20) and mallopt(m_trim_threshold, 256 * 2**20))


def screen_lazy(frame: pl.LazyFrame, *, vitamin_d_scheme: str = "nam2011",
                kb: KnowledgeBase | None = None, id_offset: int = 0,
                reasons: bool = False, probability: bool = False) -> pl.LazyFrame:
    """The screening plan for ``frame`` (nothing is computed until it is collected or sunk);
    ``reasons`` adds the codes of the triage rules that fired, ``probability`` the posterior
    probability per nutrient (3 decimals). The results of a row with a problem are empty."""
    return _plan(frame, vitamin_d_scheme, kb, id_offset, reasons, probability)[0]


def _plan(frame: pl.LazyFrame, vitamin_d_scheme: str, kb: KnowledgeBase | None, id_offset: int,
          reasons: bool, probability: bool) -> tuple[pl.LazyFrame, Screener]:
    """The plan and its ``Screener`` (which counts the rows it screened)."""
    if vitamin_d_scheme not in blabs.VITAMIN_D_SCHEMES:
        raise InputError(Problem("--vitamin-d-cutoffs", f"unknown scheme {vitamin_d_scheme!r}",
                                 list(blabs.VITAMIN_D_SCHEMES)))
    kb = kb or load_knowledge()
    names = frame.collect_schema().names()
    frame, inputs = normalise(frame, id_offset)
    types = frame.collect_schema()
    screener = Screener(kb, names, types.names(), inputs, vitamin_d_scheme, reasons, probability)
    out_schema = {"id": types["id"], **screener.schema()}
    coded = frame.map_batches(screener, schema=out_schema, streamable=True)
    levels = pl.Series(blk.LEVELS, dtype=blk.LEVEL_ENUM)
    statuses = pl.Series(blabs.CODES, dtype=blabs.STATUS_ENUM)
    outputs = [pl.col("id"), pl.lit(pl.Series(btriage.LEVELS, dtype=btriage.LEVEL_ENUM)).gather(
        pl.col("_triage")).alias("triage_level")]
    if reasons:
        outputs.append(pl.col("triage_reasons"))
    for n in NUTRIENTS:
        outputs.append(pl.lit(levels).gather(pl.col(f"_level_{n}")).alias(f"{n}_likelihood"))
        if probability:
            outputs.append(pl.col(f"{n}_probability"))
        outputs.append(pl.lit(statuses).gather(pl.col(f"_status_{n}")).alias(f"{n}_lab_status"))
    return coded.select(*outputs, pl.col("problem")), screener


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
    reuse_freed_memory()
    if vitamin_d_scheme not in blabs.VITAMIN_D_SCHEMES:
        raise InputError(Problem("--vitamin-d-cutoffs", f"unknown scheme {vitamin_d_scheme!r}",
                                 list(blabs.VITAMIN_D_SCHEMES)))
    frame = io.scan_input(source, read_overrides())
    partial = out.with_name(f".{out.name}.partial{out.suffix}")
    try:
        plan, screener = _plan(frame, vitamin_d_scheme, None, 0, reasons, probability)
        io.sink(plan, partial)
        os.replace(partial, out)
    except pl.exceptions.PolarsError as exc:
        raise InputError(Problem("INPUT", f"could not screen {source.name}: {exc}")) from None
    finally:
        if partial.exists():
            partial.unlink()
    return screener.rows



def count_problems(path: Path) -> int:
    """Rows of a written output that could not be assessed."""
    scan = pl.scan_parquet(path) if io.file_format(path, "--out") == "parquet" else pl.scan_csv(
        path, schema_overrides={"problem": pl.String})
    return int(scan.select(pl.col("problem").is_not_null().sum()).collect().item())
