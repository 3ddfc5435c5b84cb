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
VITAMIN_D_SCHEMES = ("nam2011", "endocrine2011")


def check_nutrient(nutrient: str) -> None:
    """Refuse an unknown nutrient code with the closest valid ones."""
    if nutrient not in NUTRIENTS:
        raise InputError(Problem("--nutrient", f"unknown nutrient {nutrient!r}",
                                 closest(nutrient, NUTRIENTS)))


def status_column(nutrient: str) -> str:
    """The output column holding a nutrient's lab status."""
    return f"{nutrient}_lab_status"


def unit_key_expr(column: str) -> pl.Expr:
    """``knowledge.base.unit_key`` on a column: case, micro signs, 'mcg' and spaces ignored."""
    return (pl.col(column).str.replace_all(" ", "", literal=True)
            .str.replace_all("µ", "u", literal=True).str.replace_all("μ", "u", literal=True)
            .str.to_lowercase().str.replace_all("mcg", "ug", literal=True))


def _has(columns: Iterable[str], test: str) -> bool:
    s = schema()
    return s.lab_value(test) in set(columns)


def factor_expr(kb: KnowledgeBase, test: str) -> pl.Expr:
    """Factor from the reported unit to SI, null when the unit is not one of the test's."""
    s = schema()
    mapping = {key: factor for key, (_, factor) in kb.unit_index[test].items()}
    return unit_key_expr(s.lab_unit(test)).replace_strict(
        list(mapping), list(mapping.values()), default=None, return_dtype=pl.Float64)


def value_expr(test: str) -> pl.Expr:
    return pl.col(schema().lab_value(test)).cast(pl.Float64)


def si_expr(kb: KnowledgeBase, test: str) -> pl.Expr:
    """The value in the SI unit (``labs.to_si``), before any albumin correction."""
    return value_expr(test) * factor_expr(kb, test)


def classify_expr(bands: Bands, x: pl.Expr) -> pl.Expr:
    """``labs.classify`` on a column (same order of tests, same strict/non-strict bounds)."""
    expr: Any = pl.when(x < bands.deficient_below).then(pl.lit("deficient"))
    if bands.adequate_min is not None:
        expr = expr.when(x < bands.adequate_min).then(pl.lit("borderline"))
    if bands.adequate_above is not None:
        expr = expr.when(x <= bands.adequate_above).then(pl.lit("borderline"))
    if bands.high_above is not None:
        expr = expr.when(x > bands.high_above).then(pl.lit("high"))
    return expr.otherwise(pl.lit("adequate"))


def _scheme(kb: KnowledgeBase, test: str, vitamin_d_scheme: str) -> str:
    spec = kb.labs[test]
    if test == "vitamin_d_25oh" and vitamin_d_scheme in spec.schemes:
        return vitamin_d_scheme
    assert spec.default_scheme is not None
    return spec.default_scheme


def lab_status_expr(kb: KnowledgeBase, test: str, columns: Iterable[str],
                     vitamin_d_scheme: str = "nam2011") -> pl.Expr:
    """Status of one test per row (null when not tested), as ``labs.interpret_labs``.

    Banded tests classify in the reported unit when the scheme has cut-offs in it, else in SI;
    an albumin-corrected calcium is classified in SI. Marker tests are 'elevated' or 'normal'.
    """
    columns = list(columns)
    spec = kb.labs[test]
    s = schema()
    present = value_expr(test).is_not_null() & factor_expr(kb, test).is_not_null()
    si = si_expr(kb, test)
    if spec.schemes:
        bands = spec.schemes[_scheme(kb, test, vitamin_d_scheme)].bands
        key = unit_key_expr(s.lab_unit(test))
        si_bands = next((b for u, b in bands.items() if unit_key(u) == unit_key(spec.si_unit)), None)
        by_unit: Any = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
        for band_unit, band in bands.items():
            by_unit = by_unit.when(key == unit_key(band_unit)).then(
                classify_expr(band, value_expr(test)))
        plain = by_unit.otherwise(classify_expr(si_bands, si) if si_bands is not None else None)
        status = plain
        if spec.albumin_correction is not None and _has(columns, "albumin"):
            ac = spec.albumin_correction
            albumin = si_expr(kb, "albumin")
            corrected = si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l - albumin)
            assert si_bands is not None, f"{test}: albumin correction needs SI cut-offs"
            status = (pl.when(albumin.is_not_null())
                      .then(classify_expr(si_bands, corrected)).otherwise(plain))
    elif spec.elevated_above is not None:
        status = pl.when(si > spec.elevated_above).then(pl.lit("elevated")).otherwise(
            pl.lit("normal"))
    else:
        status = pl.lit("measured")
    return pl.when(present).then(status)


def _rounded_le(limit: float, decimals: int) -> float:
    """The largest double x with ``round(x, decimals) <= limit`` (Python's exact rounding), so
    that a column can be compared with the core's test on the rounded SI value."""
    x = limit + 0.5 * 10.0 ** -decimals
    while round(x, decimals) > limit:
        x = math.nextafter(x, -math.inf)
    while round(math.nextafter(x, math.inf), decimals) <= limit:
        x = math.nextafter(x, math.inf)
    return x


def b12_status_expr(kb: KnowledgeBase, columns: Iterable[str]) -> pl.Expr:
    """B12 status with the marker upgrade: borderline, or adequate but low-normal (rounded SI
    value at most ``low_normal_max_si``), becomes deficient when MMA or homocysteine is raised."""
    columns = list(columns)
    spec = kb.labs["vitamin_b12"]
    base = lab_status_expr(kb, "vitamin_b12", columns)
    markers = [lab_status_expr(kb, t, columns) == "elevated"
               for t in ("methylmalonic_acid", "homocysteine") if _has(columns, t)]
    if not markers:
        return base
    raised = pl.any_horizontal([m.fill_null(False) for m in markers])
    eligible = base == "borderline"
    if spec.low_normal_max_si is not None:
        edge = _rounded_le(spec.low_normal_max_si, spec.decimals)
        eligible = eligible | ((base == "adequate") & (si_expr(kb, "vitamin_b12") <= edge))
    return pl.when(eligible & raised).then(pl.lit("deficient")).otherwise(base)


def nutrient_status_expr(nutrient: str, columns: Iterable[str],
                         vitamin_d_scheme: str = "nam2011", kb: KnowledgeBase | None = None
                         ) -> pl.Expr:
    """The nutrient's lab status from its primary test (``labs.primary_for``), or not_tested."""
    check_nutrient(nutrient)
    kb = kb or load_knowledge()
    columns = list(columns)
    expr: pl.Expr = pl.lit("not_tested")
    for test in reversed(PRIMARY_TEST[nutrient]):
        if not _has(columns, test):
            continue
        status = (b12_status_expr(kb, columns) if test == "vitamin_b12"
                  else lab_status_expr(kb, test, columns, vitamin_d_scheme))
        expr = pl.when(status.is_not_null()).then(status).otherwise(expr)
    return expr


def primary_test_present(nutrient: str, columns: Iterable[str],
                         kb: KnowledgeBase | None = None) -> pl.Expr:
    """Which primary test decides the status: the test code, or null when none was given."""
    kb = kb or load_knowledge()
    columns = list(columns)
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for test in reversed(PRIMARY_TEST[nutrient]):
        if _has(columns, test):
            present = value_expr(test).is_not_null() & factor_expr(kb, test).is_not_null()
            expr = pl.when(present).then(pl.lit(test)).otherwise(expr)
    return expr


def nutrient_si_expr(nutrient: str, columns: Iterable[str], kb: KnowledgeBase | None = None
                     ) -> pl.Expr:
    """The primary test's SI value (albumin-corrected calcium when albumin is given)."""
    check_nutrient(nutrient)
    kb = kb or load_knowledge()
    columns = list(columns)
    expr: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for test in reversed(PRIMARY_TEST[nutrient]):
        if not _has(columns, test):
            continue
        si = si_expr(kb, test)
        ac = kb.labs[test].albumin_correction
        if ac is not None and _has(columns, "albumin"):
            albumin = si_expr(kb, "albumin")
            si = pl.when(albumin.is_not_null()).then(
                si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l - albumin)
            ).otherwise(si)
        expr = pl.when(si.is_not_null()).then(si).otherwise(expr)
    return expr


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
