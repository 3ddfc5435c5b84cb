"""The compiled loops of the lab rules (``batch._labs``) against plain Python and NumPy
definitions, bit for bit: the kernel's contract on random rules (spellings, factors, cut-offs,
albumin correction, marker upgrade), then the rules planned from the knowledge base against the
NumPy definitions the batch engine used before (the core's ``unit_key`` for every spelling,
``classify`` for the cut-offs), on random columns with nulls, NaN, infinities, negative values,
odd and long spellings, slices (Arrow offsets), categorical and all-null columns."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutrispine.batch import _labs
from nutrispine.batch import labs as blabs
from nutrispine.batch._arrow import Frame
from nutrispine.batch.columns import Morsel
from nutrispine.batch.labs import NONE, LabRules, classify, code
from nutrispine.batch.schema import schema
from nutrispine.knowledge import load_knowledge
from nutrispine.knowledge.base import unit_key
from nutrispine.knowledge.models import NUTRIENTS
from nutrispine.labs import PRIMARY_TEST

KB = load_knowledge()
S = schema()
ODD = _labs.ODD
ALL_COLUMNS = [c for t in S.lab_tests for c in (S.lab_value(t), S.lab_unit(t))]
RULES = {scheme: LabRules(KB, ALL_COLUMNS, scheme) for scheme in blabs.VITAMIN_D_SCHEMES}
SPELLINGS = sorted({u for spec in KB.labs.values() for u in spec.units}
                   | {label for units in KB.unit_index.values() for label, _ in units.values()})
ODD_SPELLINGS = ["NMOL/L", " ng/ml ", "mcg/L", "µg/l", "mmol / l", "", "furlongs", "U/L",
                 "a unit longer than twelve bytes", "µmol/L  "]
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1.0, 400.0),
                    st.sampled_from([0.0, -0.0, 5e-324, 1e308, -1e308]))
NO_CODES = np.zeros(0, np.uint8)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def bits_equal(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Same dtype, shape and bytes, except that any NaN equals any NaN (which NaN a product of
    two NaNs is depends on the order the machine code takes them in)."""
    if a is None or b is None:
        return a is None and b is None
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        return bool(np.array_equal(nan, np.isnan(b))) and a[~nan].tobytes() == b[~nan].tobytes()
    return a.tobytes() == b.tobytes()


def sliced(values: list, dtype: pl.DataType, start: int) -> pl.Series:
    """A column that starts ``start`` rows into its Arrow buffers (an offset, as in a slice)."""
    return pl.Series("x", [None] * start + values, dtype=dtype).slice(start)


def stale(units: list[str | None], start: int) -> pl.Series:
    """A String column whose nulls' string views still hold a spelling (as after a ``when``)."""
    filled = [u if u is not None else SPELLINGS[0] for u in units]
    given = pl.Series([u is not None for u in units], dtype=pl.Boolean)
    column = pl.select(pl.when(given).then(pl.Series(filled, dtype=pl.String))).to_series()
    return pl.concat([pl.Series([None] * start, dtype=pl.String), column]).slice(start)


def frame(columns: dict[str, pl.Series]) -> pl.DataFrame:
    """The columns as a frame, of one chunk each (as ``Frame`` needs) but slices kept."""
    return pl.DataFrame([(c.rechunk() if c.n_chunks() > 1 else c).alias(name)
                         for name, c in columns.items()])


# --- the kernel's contract, on random rules ---


def count(x: float, cuts: list[float]) -> int:
    """The number of 'at or above' cut-offs that ``x`` reaches (NaN reaches none)."""
    return sum(x >= c for c in cuts)


@st.composite
def kernel_rules(draw: st.DrawFn) -> dict:
    """Random rules in the form ``TestKernel`` takes: spellings, factors, sets of cut-offs."""
    words = draw(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]),
                                  max_size=6).filter(lambda w: len(w.encode()) <= 12),
                          min_size=1, max_size=16, unique=True))
    units = draw(st.integers(1, 6))
    codes = [draw(st.integers(0, units - 1)) for _ in words]
    factors = draw(st.lists(st.floats(0.01, 100.0), min_size=units, max_size=units))
    cut = st.one_of(st.floats(-5.0, 400.0), st.just(math.nan))
    bands = []
    if draw(st.booleans()):
        bands.append((draw(st.lists(cut, min_size=3, max_size=3)), -1,
                      draw(st.lists(st.integers(0, 7), min_size=4, max_size=4))))
    for _ in range(draw(st.integers(0, 3))):
        bands.append((draw(st.lists(cut, min_size=3, max_size=3)),
                      draw(st.integers(0, units - 1)),
                      draw(st.lists(st.integers(0, 7), min_size=4, max_size=4))))
    albumin = None
    if bands and bands[0][1] == -1 and draw(st.booleans()):
        albumin = (draw(st.floats(0.0, 0.1)), draw(st.floats(20.0, 50.0)))
    upgrade = None
    if draw(st.booleans()):
        upgrade = (4, 1, 2, draw(st.one_of(st.floats(0.0, 400.0), st.just(math.nan))), 0)
    return {"spellings": list(zip(words, codes, strict=True)), "factors": factors,
            "bands": bands, "albumin": albumin, "upgrade": upgrade, "judged": bool(bands)}


def kernel_of(rules: dict) -> _labs.TestKernel:
    words = [blabs._word(w) for w, _ in rules["spellings"]]
    return _labs.TestKernel(words, [c for _, c in rules["spellings"]], rules["factors"],
                            rules["bands"], rules["albumin"], rules["upgrade"], rules["judged"])


def reference_run(rules: dict, values: list[float | None], units: list[str | None] | None,
                  albumin: dict[int, float], markers: list[list[int]]) -> tuple:
    """``TestKernel.run``, row by row."""
    known = dict(rules["spellings"])
    factors = rules["factors"]
    rows = [r for r, v in enumerate(values) if v is not None]
    value, unit, si, status = [], [], [], []
    full = [NONE] * len(values)
    for r in rows:
        v = values[r]
        assert v is not None
        spelt = None if units is None else units[r]
        u = NONE if spelt is None else known.get(spelt, ODD)
        s = v * factors[u] if u < len(factors) else math.nan
        value.append(v)
        unit.append(u)
        si.append(s)
        if not rules["judged"]:
            continue
        st_ = NONE
        for cuts, scale, named in rules["bands"]:
            if scale == -1 or scale == u:
                st_ = named[count(s if scale == -1 else v, cuts)]
        a = albumin.get(r, math.nan)
        if rules["albumin"] is not None and not math.isnan(a):
            slope, reference = rules["albumin"]
            cuts, _, named = rules["bands"][0]
            st_ = named[count(s + slope * (reference - a), cuts)]
        if u >= ODD or not math.isfinite(v):
            st_ = NONE
        if rules["upgrade"] is not None:
            raised, eligible, below, edge, to = rules["upgrade"]
            if any(m[r] == raised for m in markers) and (
                    st_ == eligible or (st_ == below and s <= edge)):
                st_ = to
        status.append(st_)
        full[r] = st_
    return (np.array(rows, np.intp), np.array(value, np.float64), np.array(unit, np.uint8),
            np.array(si, np.float64),
            np.array(status, np.uint8) if rules["judged"] else None,
            np.array(full, np.uint8) if rules["judged"] else None)


@settings(max_examples=300, deadline=None, suppress_health_check=SLOW)
@given(kernel_rules(), st.data())
def test_kernel_runs_its_rules_row_by_row(rules: dict, data: st.DataObject) -> None:
    size = data.draw(st.integers(0, 140))
    start = data.draw(st.integers(0, 20))
    words = [w for w, _ in rules["spellings"]]
    values = data.draw(st.lists(st.one_of(st.none(), NUMBERS), min_size=size, max_size=size))
    units = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(words),
                                         st.sampled_from(ODD_SPELLINGS)),
                               min_size=size, max_size=size))
    layout = data.draw(st.sampled_from(["views", "stale", "absent"]))
    columns = {"v": sliced(values, pl.Float64(), start)}
    if layout == "views":
        columns["u"] = sliced(units, pl.String(), start)
    elif layout == "stale":
        columns["u"] = stale(units, start)
    seen = Frame(frame(columns))
    albumin_rows = np.array(sorted(data.draw(st.sets(st.integers(0, max(size - 1, 0)),
                                                     max_size=size))) if size else [], np.intp)
    albumin_values = np.array(data.draw(st.lists(st.one_of(st.just(math.nan), NUMBERS),
                                                 min_size=len(albumin_rows),
                                                 max_size=len(albumin_rows))), np.float64)
    ranks = _labs.Ranks(albumin_rows, albumin_values, size)
    markers = [data.draw(st.lists(st.sampled_from([4, 5, NONE]), min_size=size, max_size=size))
               for _ in range(data.draw(st.integers(0, 2)))]
    marker_arrays = [np.array(m, np.uint8) for m in markers] + [NO_CODES] * (2 - len(markers))
    got = kernel_of(rules).run(seen, 0, seen if "u" in columns else None, 1, ranks,
                               *marker_arrays)
    expected = reference_run(rules, values, units if "u" in columns else None,
                             dict(zip(albumin_rows.tolist(), albumin_values.tolist(),
                                      strict=True)), markers)
    for a, b in zip(got[:6], expected, strict=True):
        assert bits_equal(a, b)
    assert got[6] == int(np.count_nonzero(expected[2] == ODD))


@settings(max_examples=100, deadline=None)
@given(kernel_rules(), st.data())
def test_judge_redoes_the_statuses_from_units_given(rules: dict, data: st.DataObject) -> None:
    size = data.draw(st.integers(0, 60))
    units = len(rules["factors"])
    values = data.draw(st.lists(NUMBERS, min_size=size, max_size=size))
    unit = np.array(data.draw(st.lists(st.sampled_from([*range(units), NONE]), min_size=size,
                                       max_size=size)), np.uint8)
    ranks = _labs.Ranks(np.zeros(0, np.intp), np.zeros(0), size)
    spellings = [f"u{u}" for u in range(units)]
    as_rules = {**rules, "spellings": list(zip(spellings, range(units), strict=True))}
    spelt = [spellings[u] if u != NONE else None for u in unit.tolist()]
    si, status, full = kernel_of(rules).judge(size, np.arange(size), np.array(values, np.float64),
                                              unit, ranks, NO_CODES, NO_CODES)
    _, _, _, si_expected, status_expected, full_expected = reference_run(as_rules, values, spelt,
                                                                         {}, [])
    assert bits_equal(si, si_expected)
    assert bits_equal(status, status_expected)
    assert bits_equal(full, full_expected)


def test_sixteen_spellings_each_find_their_slot() -> None:
    words = ["nmol/L", "ng/mL", "ug/L", "µg/L", "pmol/L", "pg/mL", "ng/L", "umol/L", "mg/L",
             "mmol/L", "mg/dL", "mEq/L", "g/L", "g/dL", "", "twelve bytes"]
    kernel = _labs.TestKernel([blabs._word(w) for w in words], range(16), [1.0] * 16, [], None,
                              None, False)
    seen = Frame(pl.DataFrame({"v": [1.0] * 18, "u": [*words, "nmol/l", "twelve bytes!"]}))
    _, _, unit, _, status, full, odd = kernel.run(seen, 0, seen, 1, None, NO_CODES, NO_CODES)
    assert unit.tolist() == [*range(16), ODD, ODD]
    assert odd == 2 and status is None and full is None


def test_a_spelling_view_is_the_arrow_string_view() -> None:
    for spelling in [*SPELLINGS, "", "twelve bytes"]:
        array = pl.Series([spelling]).to_arrow(compat_level=pl.CompatLevel.newest())
        view = np.frombuffer(array.buffers()[1], np.uint64, count=2, offset=array.offset * 16)
        word = blabs._word(spelling)
        assert word is None if len(spelling.encode()) > 12 else word == tuple(view.tolist())


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.floats(0, 1), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_ranks_find_a_sparse_value_at_any_row(n: int, given_share: float, wanted_share: float,
                                              seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = np.flatnonzero(rng.random(n) < given_share)
    values = rng.choice([np.nan, np.inf, -2.5, 2.5], len(rows)) * rng.random(len(rows))
    wanted = np.flatnonzero(rng.random(n) < wanted_share)
    dense = np.full(n, np.nan)
    dense[rows] = values
    assert bits_equal(_labs.Ranks(rows, values, n)(wanted), dense[wanted])


def test_ranks_refuse_rows_outside_the_morsel() -> None:
    with pytest.raises(IndexError):
        _labs.Ranks(np.array([0, 5]), np.zeros(2), 5)
    with pytest.raises(IndexError):
        _labs.Ranks(np.array([0, 4]), np.zeros(2), 5)(np.array([5]))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.booleans(), st.integers(0, 2**32 - 1))
def test_primary_codes_are_labs_primary_for(n: int, two: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    found = []
    dense = []
    for which in range(2 if two else 1):
        full = rng.choice([*range(4), NONE], n).astype(np.uint8)
        rows = np.flatnonzero(full != NONE)
        if rng.random() < 0.5:  # rows given without a status (no unit) are in the rows too
            rows = np.flatnonzero(rng.random(n) < 0.8)
            full[np.setdiff1d(np.arange(n), rows)] = NONE
        found.append((rows, full[rows], full, which))
        dense.append(full)
    status, primary = _labs.primary_codes(n, found, code("adequate"), blabs._ABNORMAL,
                                          code("not_tested"))
    for r in range(n):
        given = [(i, s[r]) for i, s in enumerate(dense) if s[r] != NONE]
        if len(dense) > 1 and dense[0][r] == code("adequate") and dense[1][r] in (
                code("deficient"), code("high")):
            given = given[1:]
        expected = given[0] if given else (NONE, code("not_tested"))
        assert (int(primary[r]), int(status[r])) == (int(expected[0]), int(expected[1]))


# --- the rules planned from the knowledge base, against the NumPy definitions ---


def reference_columns(rule: blabs.TestRule, values: pl.Series, units: pl.Series | None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows with a value, the values, the unit index of each by the core's ``unit_key`` (NONE
    when missing or unknown) and value times its factor."""
    rows = np.flatnonzero(values.is_not_null().to_numpy())
    value = values.cast(pl.Float64).gather(rows).to_numpy()
    spelt = [None] * len(rows) if units is None else units.cast(pl.String).gather(rows).to_list()
    unit = np.array([NONE if u is None or unit_key(u) not in rule.keys
                     else rule.keys.index(unit_key(u)) for u in spelt], np.uint8)
    with np.errstate(invalid="ignore", over="ignore"):
        si = value * rule.factors[unit.astype(np.intp)]
    return rows, value, unit, si


def reference_status(rule: blabs.TestRule, value: np.ndarray, unit: np.ndarray, si: np.ndarray,
                     albumin: np.ndarray | None) -> np.ndarray:
    """``labs.interpret_labs``' status, one NumPy operation at a time (``albumin``: the SI
    albumin at the test's rows, NaN where none)."""
    with np.errstate(invalid="ignore", over="ignore"):
        if rule.si_bands is not None or rule.unit_bands:
            status = (classify(rule.si_bands, si) if rule.si_bands is not None
                      else np.full(len(si), NONE, np.uint8))
            for index, bands in rule.unit_bands:
                status = np.where(unit == index, classify(bands, value), status)
            if rule.albumin is not None and albumin is not None:
                ac = rule.albumin
                assert rule.si_bands is not None
                corrected = si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l
                                                              - albumin)
                status = np.where(np.isnan(albumin), status, classify(rule.si_bands, corrected))
        else:
            assert rule.elevated_above is not None
            status = np.where(si > rule.elevated_above, code("elevated"), code("normal"))
        return np.where(np.isfinite(value) & (unit != NONE), status, NONE).astype(np.uint8)


def reference_evaluate(rules: LabRules, data: pl.DataFrame) -> blabs.LabColumns:
    """``LabRules.evaluate`` in NumPy: each test's columns, statuses, the B12 upgrade and the
    primary test per nutrient."""
    n = data.height
    out = blabs.LabColumns({}, {}, {}, {})
    for test, rule in rules.rules.items():
        units = data[S.lab_unit(test)] if S.lab_unit(test) in data.columns else None
        out.tests[test] = blabs.TestColumns(*reference_columns(rule, data[S.lab_value(test)],
                                                               units))
    albumin = None
    if "albumin" in out.tests:
        albumin = out.tests["albumin"].scatter(out.tests["albumin"].si, n, np.nan)
    for test, rule in rules.rules.items():
        if rule.judged:
            columns = out.tests[test]
            columns.status = reference_status(
                rule, columns.value, columns.unit, columns.si,
                None if albumin is None or rule.albumin is None else albumin[columns.rows])
    b12 = out.tests.get("vitamin_b12")
    if b12 is not None and b12.status is not None:
        raised = np.zeros(len(b12.rows), bool)
        for test in blabs.B12_MARKERS:
            marker = out.tests.get(test)
            if marker is not None and marker.status is not None:
                raised |= marker.scatter(marker.status, n, NONE)[b12.rows] == code("elevated")
        eligible = b12.status == code("borderline")
        if rules.b12_edge is not None:
            eligible |= (b12.status == code("adequate")) & (b12.si <= rules.b12_edge)
        b12.status = np.where(eligible & raised, code("deficient"), b12.status).astype(np.uint8)
    for test, columns in out.tests.items():
        if columns.status is not None:
            out.status[test] = columns.scatter(columns.status, n, NONE)
    for nutrient in NUTRIENTS:
        status = np.full(n, code("not_tested"), np.uint8)
        primary = np.full(n, NONE, np.uint8)
        found = [(i, out.status[t]) for i, t in enumerate(PRIMARY_TEST[nutrient])
                 if t in out.status]
        for k, (i, test_status) in reversed(list(enumerate(found))):
            use = test_status != NONE
            if k == 0 and len(found) > 1:
                second = found[1][1]
                use &= ~((test_status == code("adequate"))
                         & ((second == code("deficient")) | (second == code("high"))))
            status = np.where(use, test_status, status).astype(np.uint8)
            primary = np.where(use, i, primary).astype(np.uint8)
        out.nutrient[nutrient], out.primary[nutrient] = status, primary
    return out


def assert_same(got: blabs.LabColumns, expected: blabs.LabColumns) -> None:
    assert list(got.tests) == list(expected.tests)
    assert list(got.status) == list(expected.status)
    for test, columns in expected.tests.items():
        for name in ("rows", "value", "unit", "si", "status"):
            assert bits_equal(getattr(got.tests[test], name), getattr(columns, name)), (test, name)
    for table in ("status", "nutrient", "primary"):
        for key, column in getattr(expected, table).items():
            assert bits_equal(getattr(got, table)[key], column), (table, key)


def near_cut_offs(rule: blabs.TestRule) -> list[float]:
    """Every cut-off of the rule, in SI and in every unit, and its neighbours."""
    cuts = [c for cut_offs, _, _ in rule.bands() for c in cut_offs if not math.isnan(c)]
    cuts += [x / f for x in cuts for f in rule.factors[:len(rule.keys)].tolist()]
    return [y for x in cuts for y in (x, math.nextafter(x, -math.inf), math.nextafter(x, math.inf))]


@st.composite
def lab_frame(draw: st.DrawFn, rules: LabRules) -> pl.DataFrame:
    """A frame of every lab test's value and unit columns, each laid out in its own way."""
    size = draw(st.integers(0, 60))
    start = draw(st.integers(0, 20))
    columns: dict[str, pl.Series] = {}
    for test, rule in rules.rules.items():
        near = near_cut_offs(rule)
        numbers = st.one_of(NUMBERS, st.sampled_from(near)) if near else NUMBERS
        values = draw(st.lists(st.one_of(st.none(), numbers), min_size=size, max_size=size))
        units = draw(st.lists(st.one_of(st.none(), st.sampled_from([*SPELLINGS, *ODD_SPELLINGS])),
                              min_size=size, max_size=size))
        layout = draw(st.sampled_from(["views", "views", "stale", "categorical", "absent",
                                       "null"]))
        columns[S.lab_value(test)] = (pl.Series([None] * size, dtype=pl.Null()) if layout == "null"
                                      else sliced(values, pl.Float64(), start))
        if layout == "stale":
            columns[S.lab_unit(test)] = stale(units, start)
        elif layout == "categorical":
            columns[S.lab_unit(test)] = sliced(units, pl.Categorical(), start)
        elif layout == "null":
            columns[S.lab_unit(test)] = pl.Series([None] * size, dtype=pl.Null())
        elif layout == "views":
            columns[S.lab_unit(test)] = sliced(units, pl.String(), start)
    return frame(columns)


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(st.sampled_from(list(RULES)), st.data())
def test_evaluate_is_the_numpy_rules(scheme: str, data: st.DataObject) -> None:
    rules = RULES[scheme]
    frame_ = data.draw(lab_frame(rules))
    assert_same(rules.evaluate(Morsel(frame_)), reference_evaluate(rules, frame_))


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW)
@given(st.data())
def test_evaluate_on_a_slice_of_a_frame(data: st.DataObject) -> None:
    rules = RULES["nam2011"]
    whole = data.draw(lab_frame(rules))
    start = data.draw(st.integers(0, whole.height))
    part = whole.slice(start, data.draw(st.integers(0, whole.height)))
    assert_same(rules.evaluate(Morsel(part)), reference_evaluate(rules, part))


def test_the_b12_markers_make_a_low_b12_deficient() -> None:
    b12 = KB.labs["vitamin_b12"]
    assert b12.low_normal_max_si is not None
    low = b12.low_normal_max_si
    frame_ = pl.DataFrame({
        "vitamin_b12_value": [low, low, low + 50, low, 150.0],
        "vitamin_b12_unit": ["pmol/L"] * 5,
        "methylmalonic_acid_value": [1.0, 0.1, 1.0, None, None],
        "methylmalonic_acid_unit": ["umol/L"] * 5,
        "homocysteine_value": [None, None, None, 30.0, None],
        "homocysteine_unit": ["umol/L"] * 5})
    rules = LabRules(KB, frame_.columns)
    got = rules.evaluate(Morsel(frame_))
    assert_same(got, reference_evaluate(rules, frame_))
    status = got.status["vitamin_b12"]
    assert status[0] == code("deficient") and status[3] == code("deficient")
    assert status[1] != code("deficient")


def test_a_sliced_morsel_with_rows_in_the_middle_of_a_byte() -> None:
    population = pl.DataFrame({
        "calcium_value": [2.0, None, 2.6, 1.9, None, 2.2, 2.4, 3.1, 2.0, 1.0, None, 2.3] * 9,
        "calcium_unit": ["mmol/L", None, "mg/dL", "MMOL/L", None, "mEq/L", "mmol/L", "mmol/L",
                         "furlongs", "mmol/L", None, "mmol/L"] * 9,
        "albumin_value": [40.0, 30.0, None, 3.0, 20.0, 45.0, None, 35.0, 38.0, None, 41.0, 25.0] * 9,
        "albumin_unit": ["g/L", "g/L", None, "g/dL", "g/L", "G/L", None, "g/L", "g/L", None,
                         "g/L", "g/L"] * 9})
    rules = LabRules(KB, population.columns)
    for start in (0, 3, 13, 50):
        part = population.slice(start, 41)
        assert_same(rules.evaluate(Morsel(part)), reference_evaluate(rules, part))


def test_an_empty_morsel_has_no_results() -> None:
    frame_ = pl.DataFrame({c: pl.Series([], dtype=pl.Float64 if c.endswith("_value") else pl.String)
                           for c in ALL_COLUMNS})
    labs = RULES["nam2011"].evaluate(Morsel(frame_))
    assert all(len(t.rows) == len(t.si) == 0 for t in labs.tests.values())
    assert all(len(labs.nutrient[m]) == len(labs.primary[m]) == 0 for m in NUTRIENTS)
    assert_same(labs, reference_evaluate(RULES["nam2011"], frame_))


@pytest.mark.parametrize("nutrient", NUTRIENTS)
def test_a_nutrient_without_its_tests_is_not_tested(nutrient: str) -> None:
    names = [c for t in S.lab_tests if t not in PRIMARY_TEST[nutrient]
             for c in (S.lab_value(t), S.lab_unit(t))]
    frame_ = pl.DataFrame({c: pl.Series([1.0, None] if c.endswith("_value") else ["x", None])
                           for c in names})
    labs = LabRules(KB, names).evaluate(Morsel(frame_))
    assert labs.nutrient[nutrient].tolist() == [code("not_tested")] * 2
    assert labs.primary[nutrient].tolist() == [NONE] * 2
