"""The compiled checks (``batch._checks``) against plain NumPy and Python on random inputs:
formulas of every kind of literal (bitmaps with stray bits past the rows, numbers with NaN,
infinities and nulls, sparse values and codes, per-row codes, Boolean columns read in place from
frames sliced inside a byte), the level codes, the string-view matches, and the person, problem
and triage columns on rows with every kind of problem."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutrispine.batch import _checks as K
from nutrispine.batch.columns import Morsel, pack, unpack
from nutrispine.batch.labs import NONE, LabColumns, LabRules
from nutrispine.batch.prepare import CARRY_AGE, RANGES, SEX, Problems, normalise, person
from nutrispine.batch.schema import schema
from nutrispine.batch.triage import DEFICIENT, HIGH, TriageRules, level_codes
from nutrispine.knowledge import load_knowledge
from nutrispine.knowledge.models import NUTRIENTS
from nutrispine.triage import LEVELS
from nutrispine.vocabulary import DIETS

KB = load_knowledge()
S = schema()
SPECIAL = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1.0, 9.0, 120.0, 7.0, 6.0, -1.0, 0.5]
OPS = {K.OUTSIDE: lambda v, a, b: ~((v >= a) & (v <= b)), K.GE: lambda v, a, b: v >= a,
       K.GT: lambda v, a, b: v > a, K.LT: lambda v, a, b: v < a, K.LE: lambda v, a, b: v <= a,
       K.NONFINITE: lambda v, a, b: ~np.isfinite(v)}


def make_program(seed: int, n: int, formulas: int) -> dict[str, Any]:
    """A random program of ``formulas`` formulas over ``n`` rows, its inputs and the rows where
    each formula holds (NumPy)."""
    rng = np.random.default_rng(seed)
    p = K.Program()
    bitmaps: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    numbers: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    sparse: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    codes: dict[tuple[str, str], np.ndarray] = {}

    def some(values: list[Any], size: int) -> np.ndarray:
        return np.array(values)[rng.integers(0, len(values), size)]

    def literal() -> tuple[tuple[int, int, int, bool, float, float], np.ndarray]:
        kind = some(["bit", "never", "number", "entries", "code", "derived"], 1)[0]
        negate = bool(rng.integers(2))
        if kind == "bit":  # with stray bits past the rows, and a spare byte
            key = ("b", str(rng.integers(4)))
            if key not in bitmaps:
                stray = rng.random(8 * ((n + 7) // 8) + 8) < rng.random()
                bitmaps[key] = np.packbits(stray, bitorder="little"), stray[:n]
            return p.bit(key, negate), bitmaps[key][1] ^ negate
        if kind == "never":
            return p.never(negate), np.full(n, negate)
        if kind in ("number", "derived"):
            name = str(rng.integers(3))
            if name not in numbers:
                values = np.where(rng.random(n) < 0.5, some(SPECIAL, n), rng.uniform(-20, 200, n))
                valid = rng.random(n) < 0.8
                numbers[name] = values, np.packbits(valid, bitorder="little"), valid
            op = int(some(sorted(OPS), 1)[0])
            a = float(some([0.0, 1.0, 7.0, -1.0, 9.0], 1)[0])
            values, _, valid = numbers[name]
            with np.errstate(invalid="ignore"):
                holds = OPS[op](values, a, a + 100) & valid
            lit = p.number(name, op, a, a + 100)
            return (p.derive(lit, negate), holds ^ negate) if kind == "derived" else (lit, holds)
        if kind == "entries":
            key = ("s", str(rng.integers(3)))
            if key not in sparse:
                rows = np.flatnonzero(rng.random(n) < rng.random()).astype(np.int64)
                sparse[key] = (rows, some(SPECIAL, len(rows)).astype(np.float64),
                               some([0, 3, NONE], len(rows)).astype(np.uint8))
            rows, vals, units = sparse[key]
            op = int(some([*sorted(OPS), K.EQ], 1)[0])
            holds = np.zeros(n, bool)
            with np.errstate(invalid="ignore"):
                holds[rows] = units == NONE if op == K.EQ else OPS[op](vals, 0.0, 5.0)
            return p.entries(key, op, NONE if op == K.EQ else 0.0, 5.0), holds
        key = ("c", str(rng.integers(2)))
        if key not in codes:
            codes[key] = rng.integers(0, 4, n).astype(np.uint8)
        value = int(rng.integers(4))
        if rng.integers(2):
            return p.derive(p.code(key, value), negate), (codes[key] == value) ^ negate
        return p.code(key, value, negate), (codes[key] == value) ^ negate

    expected = []
    for _ in range(formulas):
        clauses, holds = [], np.ones(n, bool)
        for _ in range(rng.integers(0, 4)):
            pairs = [literal() for _ in range(rng.integers(1, 4))]
            clauses.append([lit for lit, _ in pairs])
            holds &= np.logical_or.reduce([h for _, h in pairs])
        p.formula(clauses)
        expected.append(holds if clauses else np.zeros(n, bool))
    return {"n": n, "compiled": p.compile(), "expected": expected,
            "bitmaps": [bitmaps[k][0] for k in p.bitmaps],
            "numbers": [numbers[k][:2] for k in p.numbers],
            "sparse": [sparse[k] for k in p.sparse], "codes": [codes[k] for k in p.codes]}


@pytest.fixture(params=[True, False], ids=["avx2", "sse2"])
def simd(request: pytest.FixtureRequest) -> Any:
    """Each test with the AVX2 loops (where the processor has them) and with the SSE2 ones;
    the setting holds for every example."""
    previous = K.use_avx2(request.param)
    yield
    K.use_avx2(previous)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1), st.one_of(st.integers(1, 70), st.integers(100, 700)),
       st.integers(1, 8))
def test_formulas_equal_numpy(simd: None, seed: int, n: int, formulas: int) -> None:
    case = make_program(seed, n, formulas)
    compiled, expected = case["compiled"], case["expected"]
    inputs = (case["bitmaps"], case["numbers"], case["sparse"], case["codes"])
    found = compiled.problems(*inputs, n)
    holds = np.stack(expected, axis=1)
    rows = np.flatnonzero(holds.any(axis=1))
    if not len(rows):
        assert found is None
    else:
        assert found is not None
        assert np.array_equal(found[0], rows)
        bits = np.unpackbits(found[1].view(np.uint8), axis=1, bitorder="little")
        assert np.array_equal(bits[:, :len(expected)].astype(bool), holds[rows])
    ranks = np.arange(len(expected), dtype=np.int32) % 4
    codes, fired = compiled.levels(ranks, 4, *inputs, n, True)
    assert fired is not None
    for f, want in enumerate(expected):
        assert np.array_equal(fired[f], pack(want)), f
    want_codes = np.zeros(n, np.uint8)
    for f, want in enumerate(expected):
        want_codes = np.where(want, np.maximum(want_codes, ranks[f]), want_codes)
    assert np.array_equal(codes, want_codes)
    assert np.array_equal(compiled.levels(ranks, 4, *inputs, n, False)[0], want_codes)
    assert np.array_equal(K.level_codes([pack(e) for e in expected], ranks, 4, n), want_codes)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans()), min_size=1, max_size=200), st.integers(0, 9),
       st.booleans())
def test_columns_are_read_in_place_at_any_offset(values: list[bool | None], start: int,
                                                 negate: bool) -> None:
    """Boolean columns of a frame sliced inside a byte, with nulls, read by name; an absent
    column reads as no row."""
    frame = pl.DataFrame({"a": [True] * start + values, "b": [None] * start + values[::-1]},
                         schema={"a": pl.Boolean, "b": pl.Boolean})
    frame = frame.slice(start)
    n = frame.height
    p = K.Program()
    p.formula([[p.bit(("f", "a"), negate)]])
    p.formula([[p.bit(("f", "a"))], [p.bit(("f", "b"))]])
    p.formula([[p.bit(("f", "absent"), negate)]])
    a, b = (frame[c].fill_null(False).to_numpy() for c in "ab")
    codes, fired = p.compile().levels(np.array([1, 2, 3], np.int32), 4, ["a", "b", "absent"],
                                      [], [], [], n, True, Morsel(frame).arrow())
    assert fired is not None
    assert np.array_equal(fired[0], pack(a ^ negate))
    assert np.array_equal(fired[1], pack(a & b))
    assert np.array_equal(fired[2], pack(np.full(n, negate)))
    expected = np.where(negate, 3, np.where(a & b, 2, np.where(a ^ negate, 1, 0)))
    assert np.array_equal(codes, expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(
    ["male", "female", "Male", " female", "m", "fema", "femalefemale", "female0", "woman",
     "", "x" * 13, "malemalemalemale", "é", "fe\0male"])), min_size=1, max_size=150),
    st.integers(0, 9))
def test_text_matches_equal_polars(texts: list[str | None], start: int) -> None:
    series = pl.Series("s", ["male"] * start + texts, dtype=pl.String).slice(start)
    n = len(series)
    array = series.to_arrow(compat_level=pl.CompatLevel.newest())
    views = np.frombuffer(array.buffers()[1], np.uint64, count=2 * n,
                          offset=16 * array.offset).reshape(n, 2)
    valid = pack(series.is_not_null().to_numpy())
    spellings = ["male", "female", "fema", "x" * 12]
    matches, other, count = K.match_texts(views, valid, n, [s.encode() for s in spellings])
    for i, spelling in enumerate(spellings):
        assert np.array_equal(matches[i], pack((series == spelling).fill_null(False).to_numpy()))
    rest = series.is_not_null() & ~series.is_in(spellings)
    assert np.array_equal(other, pack(rest.to_numpy()))
    assert count == rest.sum()


def test_levels_and_fill() -> None:
    rng = np.random.default_rng(1)
    n = 1001
    bitmaps = [pack(rng.random(n) < 0.3) for _ in range(5)]
    ranks = np.array([1, 3, 2, 1, 0], np.int32)
    expected = np.zeros(n, np.uint8)
    for bitmap, rank in zip(bitmaps, ranks, strict=True):
        expected = np.where(unpack(bitmap, n), np.maximum(expected, rank), expected)
    assert np.array_equal(K.level_codes(bitmaps, ranks, 4, n), expected)
    many = np.array([9, 1, 17, 4, 0], np.int32)  # more than four levels: more bit planes
    expected = np.zeros(n, np.uint8)
    for bitmap, rank in zip(bitmaps, many, strict=True):
        expected = np.where(unpack(bitmap, n), np.maximum(expected, rank), expected)
    assert np.array_equal(K.level_codes(bitmaps, many, 20, n), expected)
    values = rng.random(n)
    valid = rng.random(n) < 0.5
    assert np.array_equal(K.fill_invalid(values, pack(valid), n, math.nan),
                          np.where(valid, values, math.nan), equal_nan=True)
    with pytest.raises(ValueError, match="expected"):
        K.level_codes([np.zeros(3, np.uint8)], ranks[:1], 4, n)  # a bitmap too short


# the person, problem and triage columns on rows with every kind of problem

BAD_VALUES: dict[str, list[Any]] = {
    "age": [math.nan, math.inf, -math.inf, None, 0.5, 130.0, 120.0, 1.0, 8.5, 9.0, -0.0, 44.0],
    "sex": [None, "F", " Male ", "other", "MALE", "", "femalefemalefemale", "male", "female"],
    "pregnant": [True, False, None], "lactating": [True, False, None],
    "pain_severity": [11.0, -1.0, math.nan, math.inf, None, 10.0, 0.0, 7.0, 3.0],
    "pain_duration_weeks": [5201.0, -0.5, math.nan, 5200.0, 7.0, None],
    "symptom_fever": [True, False, None], "symptom_severe_headache": [True, False, None],
    "risk_cancer_history": [True, False, None], "pain_neck": [True, None],
    "magnesium_value": [-0.1, math.nan, math.inf, 0.8, None, -0.0],
    "magnesium_unit": ["mg", None, "mmol/L", "furlongs", "mg/dL"],
    "supplement_calcium": [-5.0, math.nan, 500.0, None, -0.0],
    "intake_days": [0.0, -1.0, 3.0, math.nan, None],
    "diet": ["vegan", "carnivore", None, "", "omnivore"],
}


@st.composite
def bad_frames(draw: st.DrawFn) -> pl.DataFrame:
    rows = draw(st.lists(st.fixed_dictionaries({c: st.sampled_from(v) for c, v in BAD_VALUES.items()}),
                         min_size=1, max_size=90))
    dtypes = {**S.dtypes(), "diet": pl.String()}
    return pl.DataFrame(rows, schema={c: dtypes[c] for c in BAD_VALUES})


def _reference_problems(frame: pl.DataFrame, problems: Problems, labs: LabColumns) -> list[str | None]:
    """The ``problem`` column row by row, in plain Python."""
    units = problems.units
    out = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        messages = []
        for name, converted, number in problems.values:
            bad = bool(converted and row.get(converted))
            if number and row[name] is not None and not math.isfinite(row[name]):
                bad = True
            if bad:
                messages.append(f"{name}: must be {'a number' if number else 'true or false'}")
        age = row["age"]
        if age is None or not RANGES["age"][0] <= age <= RANGES["age"][1]:
            messages.append("age: must be a number between 1 and 120 years")
        sex = None if row["sex"] is None else SEX.get(row["sex"].strip().lower())
        if sex is None:
            messages.append("sex: must be 'female' or 'male'")
        for state in ("pregnant", "lactating"):
            if row[state] and sex == "male":
                messages.append(f"{state}: is true but sex is 'male'")
            if row[state] and sex == "female" and age is not None and age < CARRY_AGE:
                messages.append(f"{state}: not possible at this age")
        for name in ("pain_severity", "pain_duration_weeks"):
            low, high = RANGES[name]
            if row[name] is not None and not low <= row[name] <= high:
                messages.append(f"{name}: must be between {low} and {high}")
        if row["diet"] is not None and row["diet"] not in DIETS:
            messages.append(f"diet: must be one of {', '.join(DIETS)}")
        test = labs.tests["magnesium"]
        at = np.flatnonzero(test.rows == i)
        if len(at) and test.unit[at[0]] == NONE:
            messages.append(f"magnesium_unit: not a unit for magnesium; use one of "
                            f"{', '.join(units['magnesium'])}")
        if len(at) and test.value[at[0]] < 0:
            messages.append("magnesium_value: must not be negative")
        if row["supplement_calcium"] is not None and row["supplement_calcium"] < 0:
            messages.append("supplement_calcium: must not be negative")
        if row["intake_days"] is not None and row["intake_days"] <= 0:
            messages.append("intake_days: must be above 0")
        out.append("; ".join(messages) or None)
    return out


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(bad_frames(), st.integers(0, 9))
def test_person_problems_and_triage_equal_python(simd: None, raw: pl.DataFrame, start: int
                                                 ) -> None:
    lazy, inputs = normalise(pl.concat([raw.head(1)] * start + [raw]).lazy())
    frame = lazy.collect().slice(start)  # columns that start inside a byte
    morsel = Morsel(frame)
    n = morsel.n
    who = person(morsel)
    spelt = [None if s is None else SEX.get(s.strip().lower()) for s in frame["sex"].to_list()]
    assert np.array_equal(unpack(who.male, n), np.array([s == "male" for s in spelt]))
    assert np.array_equal(unpack(who.female, n), np.array([s == "female" for s in spelt]))
    assert np.array_equal(who.ages, frame["age"].fill_null(math.nan).to_numpy(), equal_nan=True)
    labs = LabRules(KB, frame.columns).evaluate(morsel)
    problems = Problems(KB, raw.columns, frame.columns)
    got = problems.evaluate(morsel, who, labs)
    expected = _reference_problems(frame, problems, labs)
    assert (got.to_list() if got is not None else [None] * n) == expected
    rng = np.random.default_rng(start)
    level = {m: rng.integers(0, 3, n).astype(np.uint8) for m in NUTRIENTS}
    status = {m: rng.integers(0, 8, n).astype(np.uint8) for m in NUTRIENTS}
    rules = TriageRules(KB, inputs)
    codes, fired = rules.levels(morsel, level, status, keep=True)
    assert fired is not None
    expected_codes = np.zeros(n, np.uint8)
    for (code, lvl, bitmap), (_, _, checks) in zip(fired, rules.rules, strict=False):
        flags, numbers = checks
        holds = np.ones(n, bool) if flags or numbers else np.zeros(n, bool)
        for any_, names in flags:
            answers = np.stack([frame[c].fill_null(False).to_numpy() if c in frame.columns
                                else np.zeros(n, bool) for c in names])
            holds &= answers.any(axis=0) if any_ else answers.all(axis=0)
        for column, op, limit in numbers:
            value = frame[column].to_numpy() if column in frame.columns else np.full(n, math.nan)
            with np.errstate(invalid="ignore"):
                holds &= (value >= limit) if op == ">=" else (value > limit)
        assert np.array_equal(bitmap, pack(holds)), code
        expected_codes = np.where(holds, np.maximum(expected_codes, LEVELS.index(lvl)),
                                  expected_codes)
    likely = fired[len(rules.rules):]
    for k, nutrient in enumerate(NUTRIENTS):
        high, deficient = level[nutrient] == HIGH, status[nutrient] == DEFICIENT
        assert np.array_equal(likely[k][2], pack(high & deficient))
        assert np.array_equal(likely[k + len(NUTRIENTS)][2], pack(high & ~deficient))
        expected_codes = np.where(high, np.maximum(expected_codes, LEVELS.index("routine")),
                                  expected_codes)
    assert np.array_equal(codes, expected_codes)
    assert np.array_equal(rules.levels(morsel, level, status)[0], expected_codes)
    bitmaps = {m: pack(level[m] == HIGH) for m in NUTRIENTS}
    confirmed = {m: pack(status[m] == DEFICIENT) for m in NUTRIENTS}
    old_style = rules.fired(morsel, bitmaps, confirmed)
    assert all(np.array_equal(a[2], b[2]) for a, b in zip(old_style, fired, strict=True))
    assert np.array_equal(level_codes(old_style, n), expected_codes)
