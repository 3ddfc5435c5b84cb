"""``nutrispine.labs`` over whole columns: units to SI, albumin correction, cut-off bands, the
B12 marker upgrade and the primary test per nutrient, as Polars expressions.

Why a second implementation: a Python loop over millions of rows is too slow, so the same rules
are expressed on columns. Every number comes from the knowledge base (``kb.labs``,
``kb.unit_index``); the order of the checks mirrors ``nutrispine.labs`` line by line, and a
property test checks the two agree person by person.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import polars as pl

from nutrispine.batch.schema import schema
from nutrispine.errors import InputError, Problem, closest
from nutrispine.knowledge import KnowledgeBase, load_knowledge
from nutrispine.knowledge.base import unit_key
from nutrispine.knowledge.models import NUTRIENTS, Bands
from nutrispine.labs import PRIMARY_TEST

STATUSES = ("deficient", "borderline", "adequate", "high")
# Statuses are carried as small integers while computing (cheap to compare and branch on) and
# turned into text only in the output: these are the codes.
CODES = (*STATUSES, "elevated", "normal", "measured", "not_tested")
STATUS_ENUM = pl.Enum(CODES)
VITAMIN_D_SCHEMES = ("nam2011", "endocrine2011")


def code(status: str) -> int:
    return CODES.index(status)


def check_nutrient(nutrient: str) -> None:
    """Refuse an unknown nutrient code with the closest valid ones."""
    if nutrient not in NUTRIENTS:
        raise InputError(Problem("--nutrient", f"unknown nutrient {nutrient!r}",
                                 closest(nutrient, NUTRIENTS)))


def status_column(nutrient: str) -> str:
    """The output column holding a nutrient's lab status (text)."""
    return f"{nutrient}_lab_status"


def code_column(nutrient: str) -> str:
    """The working column holding a nutrient's lab status code."""
    return f"_code_{nutrient}"


def _has(columns: Iterable[str], test: str) -> bool:
    return schema().lab_value(test) in set(columns)


def unit_col(test: str) -> str:
    return f"_unit_{test}"


def factor_col(test: str) -> str:
    return f"_factor_{test}"


def si_col(test: str) -> str:
    return f"_si_{test}"


def status_col(test: str) -> str:
    return f"_status_{test}"


def primary_col(nutrient: str) -> str:
    return f"_primary_{nutrient}"


def unit_index_expr(kb: KnowledgeBase, test: str) -> pl.Expr:
    """Index of the reported unit among the test's units (``kb.unit_index``), null when it is
    not one of them. Spellings are normalised by the core's own ``unit_key``, once per distinct
    spelling in each batch of rows, so millions of rows cost a handful of Python calls."""
    keys = list(kb.unit_index[test])

    usual = {label: keys.index(key) for key, (label, _) in kb.unit_index[test].items()}
    units = pl.col(schema().lab_unit(test)).cast(pl.String)
    chain: Any = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.UInt8))
    for spelling, i in usual.items():  # the canonical spellings by plain comparisons (cheap)
        chain = chain.when(units == spelling).then(pl.lit(i, dtype=pl.UInt8))
    chain = chain.otherwise(pl.lit(None, dtype=pl.UInt8))

    def other_spellings(batch: pl.Series) -> pl.Series:
        # any other spelling through the core's unit_key, once per distinct spelling
        frame = batch.struct.unnest()
        given, index = frame["u"], frame["i"]
        unknown = index.is_null() & given.is_not_null()
        if not unknown.any():
            return index
        other = given.filter(unknown).unique().to_list()
        extra = {u: keys.index(unit_key(u)) for u in other if unit_key(u) in keys}
        if not extra:
            return index
        return index.fill_null(given.replace_strict(list(extra), list(extra.values()),
                                                    default=None, return_dtype=pl.UInt8))

    return pl.struct(units.alias("u"), chain.alias("i")).map_batches(
        other_spellings, return_dtype=pl.UInt8, is_elementwise=True)


def value_expr(test: str) -> pl.Expr:
    return pl.col(schema().lab_value(test)).cast(pl.Float64)


def with_unit_columns(frame: pl.LazyFrame, kb: KnowledgeBase, columns: Iterable[str]
                      ) -> pl.LazyFrame:
    """Add, per test given, the unit's index and factor to SI, and the SI value (``to_si``).

    Computed once as columns: later stages refer to them by name, which keeps the query plan
    small (Polars expands a shared sub-expression once per use).
    """
    s = schema()
    columns = list(columns)
    tests = [t for t in kb.labs if _has(columns, t)]
    frame = frame.with_columns(
        (unit_index_expr(kb, t) if s.lab_unit(t) in columns else pl.lit(None, dtype=pl.UInt8))
        .alias(unit_col(t)) for t in tests)
    frame = frame.with_columns(_factor_expr(kb, t).alias(factor_col(t)) for t in tests)
    return frame.with_columns(
        (value_expr(t) * pl.col(factor_col(t))).alias(si_col(t)) for t in tests)


def _factor_expr(kb: KnowledgeBase, test: str) -> pl.Expr:
    """The factor to SI of the row's unit, looked up by the unit's index (null stays null)."""
    factors = [factor for _, factor in kb.unit_index[test].values()]
    return pl.lit(pl.Series(factors, dtype=pl.Float64)).gather(pl.col(unit_col(test)))


def _lit(status: str) -> pl.Expr:
    return pl.lit(code(status), dtype=pl.UInt8)


def classify_expr(bands: Bands, x: pl.Expr) -> pl.Expr:
    """``labs.classify`` on a column (same order of tests, same strict/non-strict bounds)."""
    expr: Any = pl.when(x < bands.deficient_below).then(_lit("deficient"))
    if bands.adequate_min is not None:
        expr = expr.when(x < bands.adequate_min).then(_lit("borderline"))
    if bands.adequate_above is not None:
        expr = expr.when(x <= bands.adequate_above).then(_lit("borderline"))
    if bands.high_above is not None:
        expr = expr.when(x > bands.high_above).then(_lit("high"))
    return expr.otherwise(_lit("adequate"))


def _scheme(kb: KnowledgeBase, test: str, vitamin_d_scheme: str) -> str:
    spec = kb.labs[test]
    if test == "vitamin_d_25oh" and vitamin_d_scheme in spec.schemes:
        return vitamin_d_scheme
    assert spec.default_scheme is not None
    return spec.default_scheme


def lab_status_expr(kb: KnowledgeBase, test: str, columns: Iterable[str],
                    vitamin_d_scheme: str = "nam2011") -> pl.Expr:
    """Status code of one test per row (null when not tested), as ``labs.interpret_labs``;
    needs the columns of ``with_unit_columns``.

    Banded tests classify in the reported unit when the scheme has cut-offs in it, else in SI;
    an albumin-corrected calcium is classified in SI. Marker tests are 'elevated' or 'normal'.
    """
    columns = list(columns)
    spec = kb.labs[test]
    si = pl.col(si_col(test))
    keys = list(kb.unit_index[test])
    if spec.schemes:
        bands = spec.schemes[_scheme(kb, test, vitamin_d_scheme)].bands
        si_bands = next((b for u, b in bands.items() if unit_key(u) == unit_key(spec.si_unit)), None)
        by_unit: Any = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.UInt8))
        for band_unit, band in bands.items():
            if unit_key(band_unit) != unit_key(spec.si_unit):
                by_unit = by_unit.when(pl.col(unit_col(test)) == keys.index(unit_key(band_unit))
                                       ).then(classify_expr(band, value_expr(test)))
        # a value reported in the SI unit is value x 1.0 = the SI value, classified in SI
        status = by_unit.otherwise(classify_expr(si_bands, si) if si_bands is not None else None)
        if spec.albumin_correction is not None and _has(columns, "albumin"):
            ac = spec.albumin_correction
            albumin = pl.col(si_col("albumin"))
            corrected = si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l - albumin)
            assert si_bands is not None, f"{test}: albumin correction needs SI cut-offs"
            status = (pl.when(albumin.is_not_null())
                      .then(classify_expr(si_bands, corrected)).otherwise(status))
    elif spec.elevated_above is not None:
        status = pl.when(si > spec.elevated_above).then(_lit("elevated")).otherwise(_lit("normal"))
    else:
        status = _lit("measured")
    return pl.when(si.is_not_null()).then(status)


def _rounded_le(limit: float, decimals: int) -> float:
    """The largest double x with ``round(x, decimals) <= limit`` (Python's exact rounding), so
    that a column can be compared with the core's test on the rounded SI value."""
    x = limit + 0.5 * 10.0 ** -decimals
    while round(x, decimals) > limit:
        x = math.nextafter(x, -math.inf)
    while round(math.nextafter(x, math.inf), decimals) <= limit:
        x = math.nextafter(x, math.inf)
    return x


def b12_upgrade_expr(kb: KnowledgeBase, columns: Iterable[str]) -> pl.Expr:
    """``labs._b12_with_markers``: borderline B12, or adequate but low-normal (rounded SI value
    at most ``low_normal_max_si``), becomes deficient when MMA or homocysteine is raised."""
    columns = list(columns)
    spec = kb.labs["vitamin_b12"]
    base = pl.col(status_col("vitamin_b12"))
    markers = [pl.col(status_col(t)) == code("elevated")
               for t in ("methylmalonic_acid", "homocysteine") if _has(columns, t)]
    if not markers:
        return base
    raised = pl.any_horizontal([m.fill_null(False) for m in markers])
    eligible = base == code("borderline")
    if spec.low_normal_max_si is not None:
        edge = _rounded_le(spec.low_normal_max_si, spec.decimals)
        eligible = eligible | ((base == code("adequate"))
                               & (pl.col(si_col("vitamin_b12")) <= edge))
    return pl.when((eligible & raised).fill_null(False)).then(_lit("deficient")).otherwise(base)


def with_lab_columns(frame: pl.LazyFrame, kb: KnowledgeBase, columns: Iterable[str],
                     vitamin_d_scheme: str = "nam2011", units_done: bool = False
                     ) -> pl.LazyFrame:
    """Add every test's status code, then per nutrient the status code of its primary test
    (``labs.primary_for``; not_tested when none) and which primary test it was (0, 1 or null)."""
    columns = list(columns)
    if not units_done:
        frame = with_unit_columns(frame, kb, columns)
    tests = [t for t in kb.labs if _has(columns, t)]
    judged = [t for t in tests if kb.labs[t].schemes or kb.labs[t].elevated_above is not None]
    frame = frame.with_columns(  # a test without cut-offs (albumin) has no status to compute
        lab_status_expr(kb, t, columns, vitamin_d_scheme).alias(status_col(t)) for t in judged)
    tests = judged
    if "vitamin_b12" in tests:
        frame = frame.with_columns(b12_upgrade_expr(kb, columns).alias(status_col("vitamin_b12")))
    outputs = []
    for nutrient in NUTRIENTS:
        primary = _primary_expr([t if t in tests else None for t in PRIMARY_TEST[nutrient]])
        status: pl.Expr = _lit("not_tested")
        for i, test in enumerate(PRIMARY_TEST[nutrient]):
            if test in tests:
                status = pl.when(primary == i).then(pl.col(status_col(test))).otherwise(status)
        outputs += [status.alias(code_column(nutrient)), primary.alias(primary_col(nutrient))]
    return frame.with_columns(outputs)


def _primary_expr(tests: list[str | None]) -> pl.Expr:
    """``labs.primary_for``: the first test given, except that an abnormal second test
    (ionized calcium deficient or high) wins over a first one in the adequate range."""
    given = [pl.col(status_col(t)) if t is not None else None for t in tests]
    present = [g for g in given if g is not None]
    if not present:
        return pl.lit(None, dtype=pl.UInt8)
    first, second = [*given, None][:2]
    if first is None:
        assert second is not None
        return pl.when(second.is_not_null()).then(pl.lit(1, dtype=pl.UInt8))
    if second is None:
        return pl.when(first.is_not_null()).then(pl.lit(0, dtype=pl.UInt8))
    override = (first == code("adequate")) & second.is_in([code("deficient"), code("high")])
    return (pl.when(first.is_not_null() & ~override.fill_null(False)).then(pl.lit(0, dtype=pl.UInt8))
            .when(second.is_not_null()).then(pl.lit(1, dtype=pl.UInt8)))


def status_text(column: str) -> pl.Expr:
    """A status code column as text (an Enum of the status words)."""
    return pl.lit(pl.Series(CODES, dtype=STATUS_ENUM)).gather(pl.col(column))


def nutrient_status_frame(frame: pl.LazyFrame, nutrient: str, vitamin_d_scheme: str = "nam2011"
                          ) -> pl.LazyFrame:
    """``frame`` with the nutrient's status code (``code_column``) and ``_value_si`` (the
    primary test's SI value, albumin-corrected for calcium)."""
    check_nutrient(nutrient)
    kb = load_knowledge()
    columns = frame.collect_schema().names()
    frame = with_lab_columns(frame, kb, columns, vitamin_d_scheme)
    value: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for test in reversed(PRIMARY_TEST[nutrient]):
        if not _has(columns, test):
            continue
        si = pl.col(si_col(test))
        ac = kb.labs[test].albumin_correction
        if ac is not None and _has(columns, "albumin"):
            albumin = pl.col(si_col("albumin"))
            si = pl.when(albumin.is_not_null()).then(
                si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l - albumin)
            ).otherwise(si)
        value = pl.when(pl.col(status_col(test)).is_not_null()).then(si).otherwise(value)
    return frame.with_columns(value.alias("_value_si"))


def si_cutoffs(nutrient: str, vitamin_d_scheme: str = "nam2011") -> tuple[str, list[tuple[str, float]]]:
    """The SI unit and the SI cut-offs of the nutrient's first primary test, for charts."""
    kb = load_knowledge()
    test = PRIMARY_TEST[nutrient][0]
    spec = kb.labs[test]
    bands = spec.schemes[_scheme(kb, test, vitamin_d_scheme)].bands
    band = next(b for u, b in bands.items() if unit_key(u) == unit_key(spec.si_unit))
    cuts: list[tuple[str, float]] = [("deficient below", band.deficient_below)]
    if band.adequate_min is not None and band.adequate_min != band.deficient_below:
        cuts.append(("adequate from", band.adequate_min))
    if band.adequate_above is not None:
        cuts.append(("adequate above", band.adequate_above))
    if band.high_above is not None:
        cuts.append(("high above", band.high_above))
    return spec.si_unit, cuts


def test_name(nutrient: str) -> str:
    """The plain name of the nutrient's main blood test."""
    kb = load_knowledge()
    return kb.labs[PRIMARY_TEST[nutrient][0]].plain_name
