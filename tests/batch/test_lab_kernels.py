"""The compiled loops of the lab rules (``batch.compiled``) against plain NumPy and Polars
definitions, bit for bit: the rows with a value, the unit of each (the core's ``unit_key`` for
every spelling), SI values, statuses, values looked up at other rows, the B12 upgrade and the
primary test, on random columns with nulls, NaN, infinities, odd spellings, slices (Arrow
offsets) and empty morsels."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutrispine.batch import columns as cols
from nutrispine.batch import compiled
from nutrispine.batch import labs as blabs
from nutrispine.batch.labs import NONE, LabRules, classify, code
from nutrispine.batch.schema import schema
from nutrispine.knowledge import load_knowledge
from nutrispine.knowledge.base import unit_key
from nutrispine.knowledge.models import NUTRIENTS
from nutrispine.labs import PRIMARY_TEST

KB = load_knowledge()
S = schema()
ALL_COLUMNS = [c for t in S.lab_tests for c in (S.lab_value(t), S.lab_unit(t))]
RULES = {scheme: LabRules(KB, ALL_COLUMNS, scheme) for scheme in ("nam2011", "endocrine2011")}
SPELLINGS = sorted({u for spec in KB.labs.values() for u in spec.units}
                   | {label for units in KB.unit_index.values() for label, _ in units.values()})
ODD = ["NMOL/L", " ng/ml ", "mcg/L", "µg/l", "mmol / l", "", "furlongs", "U/L",
       "a unit longer than twelve bytes", "µmol/L  "]
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.floats(-1.0, 400.0), st.sampled_from([0.0, -0.0, 5e-324, 1e308]))


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Same dtype, shape and bytes, except that any NaN equals any NaN: the payload of NaN times
    NaN is whichever operand the machine code takes first, which NumPy itself varies with the
    length of the array."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        return bool(np.array_equal(nan, np.isnan(b))) and a[~nan].tobytes() == b[~nan].tobytes()
    return a.tobytes() == b.tobytes()


def sliced(values: list, dtype: pl.DataType, start: int) -> pl.Series:
    """A column that starts ``start`` rows into its Arrow buffers (an offset, as in a slice)."""
    return pl.Series("x", [None] * start + values, dtype=dtype).slice(start)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 300), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_set_rows_is_flatnonzero_and_take(n: int, density: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    valid = cols.pack(rng.random(n) < density)
    if n % 8:
        valid[-1] |= np.uint8(0xFF << (n % 8) & 0xFF)  # bits past the last row are not rows
    values = rng.choice([np.nan, np.inf, -np.inf, 1.5, -0.0], n) * rng.random(n)
    rows, got = compiled.set_rows(valid, values, n)
    expected = np.flatnonzero(cols.unpack(valid, n))
    assert bits_equal(rows, expected)
    assert bits_equal(got, np.take(values, expected))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), NUMBERS), max_size=120), st.integers(0, 20))
def test_sparse_rows_of_a_sliced_column_are_its_non_null_rows(values: list[float | None],
                                                              start: int) -> None:
    series = sliced(values, pl.Float64, start)
    frame = pl.DataFrame({"vitamin_d_25oh_value": series})
    got = cols.Morsel(frame).sparse("vitamin_d_25oh_value")
    assert got is not None
    expected = np.flatnonzero(series.is_not_null().to_numpy())
    assert bits_equal(got.rows, expected)
    assert bits_equal(got.values, series.gather(expected).to_numpy())


def reference_units(rule: blabs.TestRule, values: pl.Series, units: pl.Series | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows with a value, the values, the unit index of each by the core's ``unit_key`` (NONE
    when missing or unknown) and value times its factor, row by row."""
    rows = np.flatnonzero(values.is_not_null().to_numpy())
    value = values.gather(rows).to_numpy()
    spelt = [None] * len(rows) if units is None else units.gather(rows).to_list()
    unit = np.array([NONE if u is None or unit_key(u) not in rule.keys
                     else rule.keys.index(unit_key(u)) for u in spelt], np.uint8)
    with np.errstate(invalid="ignore", over="ignore"):
        si = value * rule.factors[unit.astype(np.intp)]
    return rows, value, unit, si


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(RULES["nam2011"].rules)), st.data())
def test_units_and_si_values_are_the_core_unit_key(test: str, data: st.DataObject) -> None:
    rule = RULES["nam2011"].rules[test]
    size = data.draw(st.integers(0, 80))
    start = data.draw(st.integers(0, 20))
    values = data.draw(st.lists(st.one_of(st.none(), NUMBERS), min_size=size, max_size=size))
    units = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(SPELLINGS + ODD)),
                               min_size=size, max_size=size))
    layout = data.draw(st.sampled_from(["views", "stale", "categorical", "absent"]))
    value_column = sliced(values, pl.Float64, start)
    columns = {S.lab_value(test): value_column}
    unit_column: pl.Series | None = None
    if layout == "stale":  # nulls whose string views still hold a spelling
        filled = [u if u is not None else SPELLINGS[0] for u in units]
        unit_column = pl.select(pl.when(pl.Series([u is not None for u in units], dtype=pl.Boolean))
                                .then(pl.Series(filled, dtype=pl.String))).to_series()
        unit_column = pl.concat([pl.Series([None] * start, dtype=pl.String),
                                 unit_column]).slice(start)
    elif layout != "absent":
        dtype = pl.Categorical() if layout == "categorical" else pl.String()
        unit_column = sliced(units, dtype, start)
    if unit_column is not None:
        columns[S.lab_unit(test)] = unit_column
    got = RULES["nam2011"].columns(rule, cols.Morsel(pl.DataFrame(columns)))
    rows, value, unit, si = reference_units(rule, value_column, unit_column)
    assert bits_equal(got.rows, rows)
    assert bits_equal(got.value, value)
    assert bits_equal(got.unit, unit)
    assert bits_equal(got.si, si)


def test_unit_codes_lists_the_units_given_that_match_no_word() -> None:
    views = cols.Texts(pl.Series(["nmol/L", "NMOL/L", None, "ng/mL", "a unit longer than twelve"]))
    assert views.views is not None
    words = np.stack([w for w in (cols.Texts.word("nmol/L"), cols.Texts.word("ng/mL"))
                      if w is not None])
    factors = np.full(256, np.nan)
    factors[:2] = [1.0, 2.5]
    rows = np.arange(5)
    unit, si, odd = compiled.unit_codes(rows, np.full(5, 2.0), views.views, views.valid, words,
                                        np.array([0, 1], np.uint8), factors)
    assert unit.tolist() == [0, NONE, NONE, 1, NONE]
    assert odd.tolist() == [1, 4]
    assert bits_equal(si, np.array([2.0, np.nan, np.nan, 5.0, np.nan]))


def reference_status(rule: blabs.TestRule, value: np.ndarray, unit: np.ndarray, si: np.ndarray,
                     albumin: np.ndarray | None) -> np.ndarray:
    """``labs.interpret_labs``' status, one NumPy operation at a time."""
    if rule.si_bands is not None or rule.unit_bands:
        status = (classify(rule.si_bands, si) if rule.si_bands is not None
                  else np.full(len(si), NONE, np.uint8))
        for index, bands in rule.unit_bands:
            status = np.where(unit == index, classify(bands, value), status)
        if rule.albumin is not None and albumin is not None:
            ac = rule.albumin
            assert rule.si_bands is not None
            corrected = si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l - albumin)
            status = np.where(np.isnan(albumin), status, classify(rule.si_bands, corrected))
    elif rule.elevated_above is not None:
        status = np.where(si > rule.elevated_above, code("elevated"), code("normal"))
    else:
        status = np.full(len(si), code("measured"))
    return np.where(np.isfinite(value) & (unit != NONE), status, NONE).astype(np.uint8)


def near_cut_offs(rule: blabs.TestRule) -> list[float]:
    """Every cut-off of the rule, in SI and in the units it has bands in, and its neighbours."""
    cuts = [c for c in rule.bands.cuts.ravel().tolist() if not np.isnan(c)]
    cuts += [x / f for x in cuts for f in rule.factors[:len(rule.keys)].tolist()]
    return [y for x in cuts for y in (x, np.nextafter(x, -np.inf), np.nextafter(x, np.inf))]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(RULES)), st.data())
def test_status_codes_are_the_cut_offs_counted_in_numpy(scheme: str, data: st.DataObject
                                                         ) -> None:
    rules = RULES[scheme]
    test = data.draw(st.sampled_from([t for t, r in rules.rules.items() if r.judged]))
    rule = rules.rules[test]
    size = data.draw(st.integers(0, 60))
    numbers = st.one_of(NUMBERS, st.sampled_from(near_cut_offs(rule)))
    value = np.array(data.draw(st.lists(numbers, min_size=size, max_size=size)), np.float64)
    unit = np.array(data.draw(st.lists(st.sampled_from([*range(len(rule.keys)), NONE]),
                                       min_size=size, max_size=size)), np.uint8)
    with np.errstate(invalid="ignore", over="ignore"):
        si = value * rule.factors[unit.astype(np.intp)]
    albumin = None
    if rule.albumin is not None and data.draw(st.booleans()):
        albumin = np.array(data.draw(st.lists(st.one_of(st.just(np.nan), NUMBERS),
                                              min_size=size, max_size=size)), np.float64)
    got = rules._status(rule, blabs.TestColumns(np.arange(size), value, unit, si),
                        np.zeros(0) if albumin is None else albumin)
    with np.errstate(invalid="ignore", over="ignore"):
        expected = reference_status(rule, value, unit, si, albumin)
    assert bits_equal(got, expected)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.floats(0, 1), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_sparse_at_is_a_scatter_then_a_gather(n: int, given_share: float, wanted_share: float,
                                              seed: int) -> None:
    rng = np.random.default_rng(seed)
    valid = cols.pack(rng.random(n) < given_share)
    if n % 8:
        valid[-1] |= np.uint8(0xFF << (n % 8) & 0xFF)
    rows = np.flatnonzero(cols.unpack(valid, n))
    values = rng.choice([np.nan, np.inf, 2.5], len(rows)) * rng.random(len(rows))
    wanted = np.flatnonzero(rng.random(n) < wanted_share)
    dense = np.full(n, np.nan)
    dense[rows] = values
    assert bits_equal(compiled.sparse_at(valid, values, wanted, np.nan), dense[wanted])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.integers(0, 2**32 - 1))
def test_scatter_and_upgrade_codes(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = np.flatnonzero(rng.random(n) < 0.5)
    status = rng.choice([*range(4), NONE], len(rows)).astype(np.uint8)
    marker = rng.choice([code("elevated"), code("normal"), NONE], n).astype(np.uint8)
    si = rng.choice([100.0, 200.0, 200.0000001, np.nan], len(rows))
    dense = np.full(n, NONE, np.uint8)
    dense[rows] = status
    assert bits_equal(compiled.scatter_codes(rows, status, n), dense)
    for edge in (200.0, np.nan):
        raised = marker[rows] == code("elevated")
        eligible = (status == code("borderline")) | ((status == code("adequate")) & (si <= edge))
        expected = np.where(raised & eligible, code("deficient"), status).astype(np.uint8)
        got = status.copy()
        compiled.upgrade_codes(rows, got, si, marker, code("elevated"), code("borderline"),
                               code("adequate"), edge, code("deficient"))
        assert bits_equal(got, expected)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.booleans(), st.integers(0, 2**32 - 1))
def test_primary_codes_are_labs_primary_for(n: int, two: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    first = rng.choice([*range(4), NONE], n).astype(np.uint8)
    second = rng.choice([*range(4), NONE], n).astype(np.uint8) if two else np.zeros(0, np.uint8)
    wins = np.isin(np.arange(256), [code("deficient"), code("high")])
    status, primary = compiled.primary_codes(first, second, np.array([0, 1], np.uint8),
                                             code("adequate"), wins, code("not_tested"))
    for r in range(n):
        found = [(0, first[r])] + ([(1, second[r])] if two else [])
        found = [(i, s) for i, s in found if s != NONE]
        if len(found) > 1 and found[0][1] == code("adequate") and wins[found[1][1]]:
            found = found[1:]
        expected = found[0] if found else (NONE, code("not_tested"))
        assert (primary[r], status[r]) == expected


def test_an_empty_morsel_has_no_results() -> None:
    frame = pl.DataFrame({c: pl.Series([], dtype=pl.Float64 if c.endswith("_value") else pl.String)
                          for c in ALL_COLUMNS})
    labs = RULES["nam2011"].evaluate(cols.Morsel(frame))
    assert all(len(t.rows) == len(t.si) == 0 for t in labs.tests.values())
    assert all(len(labs.nutrient[m]) == len(labs.primary[m]) == 0 for m in NUTRIENTS)


@pytest.mark.parametrize("nutrient", NUTRIENTS)
def test_a_nutrient_without_its_tests_is_not_tested(nutrient: str) -> None:
    names = [c for t in S.lab_tests if t not in PRIMARY_TEST[nutrient]
             for c in (S.lab_value(t), S.lab_unit(t))]
    frame = pl.DataFrame({c: pl.Series([1.0, None] if c.endswith("_value") else ["x", None])
                          for c in names})
    labs = LabRules(KB, names).evaluate(cols.Morsel(frame))
    assert labs.nutrient[nutrient].tolist() == [code("not_tested")] * 2
    assert labs.primary[nutrient].tolist() == [NONE] * 2
