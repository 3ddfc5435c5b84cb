"""The column helpers the batch rules are built on, against plain (slow) definitions: bitmaps
read from Arrow, the bit-matrix transpose, short-string comparisons on string views, the
count of cut-offs against ``labs.classify``, Polars' rounding, and the compiled likelihood
sums against NumPy."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutrispine.batch import columns as cols
from nutrispine.batch import likelihood as blk
from nutrispine.batch._columns import set_rows
from nutrispine.batch._likelihood import person_keys
from nutrispine.batch.labs import LabRules, classify
from nutrispine.batch.prepare import normalise, person
from nutrispine.batch.screen import Screener
from nutrispine.batch.synthetic import population
from nutrispine.knowledge import load_knowledge
from nutrispine.knowledge.models import Bands
from nutrispine.labs import classify as core_classify

KB = load_knowledge()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans()), min_size=1, max_size=300),
       st.integers(0, 40))
def test_bits_read_arrow_bitmaps_of_slices_and_nulls(values: list[bool | None], start: int
                                                     ) -> None:
    series = pl.Series(values, dtype=pl.Boolean).slice(min(start, len(values) - 1))
    expected = series.fill_null(False).to_numpy()
    bitmap = cols.bits(series)
    assert np.array_equal(cols.unpack(bitmap, len(series)), expected)
    assert not bitmap[-1] >> (len(series) % 8 or 8)  # bits past the last row are clear


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 16), st.integers(1, 200), st.integers(0, 2**32))
def test_keys_pack_up_to_sixteen_answers_per_row(count: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    answers = [rng.random(n) < 0.3 for _ in range(count)]
    got = cols.keys([cols.pack(a) for a in answers], n)
    expected = sum(a.astype(np.int64) << j for j, a in enumerate(answers))
    assert np.array_equal(got, expected)


def test_short_strings_compare_on_views_and_long_ones_fall_back() -> None:
    spellings = ["nmol/L", "ng/mL", None, "µg/L", "a unit longer than twelve", "nmol/L"]
    # a null whose view still holds 'ng/mL' (as Polars leaves it after a when/then)
    series = pl.select(pl.when(pl.Series([True, True, False, True, True, True]))
                       .then(pl.Series(["nmol/L", "ng/mL", "ng/mL", "µg/L",
                                        "a unit longer than twelve", "nmol/L"]))).to_series()
    rows = np.arange(len(spellings))
    texts = cols.Texts(series).at(rows)
    for spelling in ("nmol/L", "ng/mL", "µg/L", "a unit longer than twelve", "g/L"):
        assert texts.equal(spelling).tolist() == [s == spelling for s in spellings]


BANDS = [b for spec in KB.labs.values() for scheme in spec.schemes.values()
         for b in scheme.bands.values()]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(BANDS), st.data())
def test_counting_cut_offs_is_the_core_classify(bands: Bands, data: st.DataObject) -> None:
    cuts = [v for v in (bands.deficient_below, bands.adequate_min, bands.adequate_above,
                        bands.high_above) if v is not None]
    near = st.sampled_from(cuts).flatmap(lambda v: st.sampled_from(
        [v, np.nextafter(v, -np.inf), np.nextafter(v, np.inf), v - 0.01, v + 0.01]))
    values = data.draw(st.lists(st.one_of(near, st.floats(0, 1000)), min_size=1, max_size=20))
    codes = classify(bands, np.array(values, dtype=np.float64))
    assert [("deficient", "borderline", "adequate", "high")[c] for c in codes] == [
        core_classify(bands, v) for v in values]


def test_round3_is_pythons_round() -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate([np.round(rng.uniform(0, 5000, 20_000), 3),
                             rng.uniform(0, 100, 20_000),
                             np.arange(0, 20_000) / 1000 + 0.0005,
                             [0.0005, 0.1235, 2.0625, 1e12, 1e15 + 0.3, 0.0, 5e-4 - 1e-12]])
    assert blk.round3(values).tolist() == [round(float(v), 3) for v in values]


def _likelihood_terms(frame: pl.DataFrame, start: int = 0
                      ) -> tuple[blk.LikelihoodRules, cols.Morsel, blk.Terms]:
    """The likelihood rules (with probabilities) for ``frame`` from row ``start``, its morsel
    and the morsel's terms other than the answers."""
    lazy, inputs = normalise(frame.lazy())
    frame = lazy.collect().slice(start)
    rules = Screener(KB, frame.columns, frame.columns, inputs, "nam2011", False, True).likelihood
    morsel = cols.Morsel(frame)
    who = person(morsel)
    labs = LabRules(KB, frame.columns).evaluate(morsel)
    key = blk.person_key(cols.unpack(who.male, morsel.n), cols.unpack(who.pregnant, morsel.n),
                         cols.unpack(who.lactating, morsel.n))
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = rules._terms(morsel, labs, who.ages, key, pl.Series([], dtype=pl.String))
    return rules, morsel, terms


def _reference_log_odds(rules: blk.LikelihoodRules, morsel: cols.Morsel, terms: blk.Terms
                        ) -> np.ndarray:
    """The kernel's sum, term by term with NumPy (rows x nutrients)."""
    n = morsel.n

    def answered(answers: list[blk.Answer]) -> np.ndarray:
        return np.stack([cols.unpack(a.bitmap(morsel), n) for a in answers], axis=1).astype(float)

    log_odds = rules.prior[terms.interval] + answered(rules.odds) @ rules.odds_logs
    log_odds += np.minimum(answered(rules.symptoms) @ rules.symptom_logs, rules.symptom_cap)
    for j in np.flatnonzero(terms.lab_used):
        log_odds[:, j] += rules.lab_lr[j][terms.lab_keys[j]]
    for j, (rows, logs) in terms.supplement.items():
        log_odds[rows, j] += logs
    for j, term in terms.intake.items():
        log_odds[:, j] += term
    return log_odds


@pytest.mark.parametrize(("rows", "start"), [(20_000, 0), (3_001, 13), (77, 5)])
def test_compiled_sums_and_levels_equal_numpy(rows: int, start: int) -> None:
    """Every term, on whole frames and on slices whose columns start inside a byte (read from
    copies), with answers that are null."""
    frame = population(rows + start, seed=4).with_columns(
        pl.when(pl.col("id") % 7 == 0).then(None).otherwise(pl.col("symptom_fatigue"))
        .alias("symptom_fatigue"))
    rules, morsel, terms = _likelihood_terms(frame, start)
    level, log_odds = rules.sums(morsel, terms, keep=True)
    expected = _reference_log_odds(rules, morsel, terms)
    assert np.allclose(log_odds, expected, rtol=0, atol=1e-12)
    assert any(terms.supplement) and terms.lab_used.any()
    levels = blk.log_odds_level(KB, expected)
    for j in range(len(blk.NUTRIENTS)):
        if terms.lab_used[j]:
            lab = rules.lab[blk.NUTRIENTS[j]]
            levels[:, j] = blk.clamp(levels[:, j], lab["floor_level"][terms.lab_keys[j]],
                                     lab["cap_level"][terms.lab_keys[j]])
    assert np.array_equal(level.T, levels)
    assert len(np.unique(level)) == 3  # every level occurs


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), max_size=300), st.integers(0, 255))
def test_set_rows_are_the_rows_with_a_value(valid: list[bool], junk: int) -> None:
    n = len(valid)
    bitmap = cols.pack(np.array(valid, bool))
    if n % 8:  # bits past the last row must be ignored
        bitmap[-1] |= (junk << (n % 8)) & 0xFF
    values = np.arange(n, dtype=float) * 1.5
    rows, taken = set_rows(bitmap, values, n)
    assert rows.tolist() == np.flatnonzero(valid).tolist()
    assert taken.tolist() == values[np.array(valid, bool)].tolist()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_numbers_that_are_not_finite_are_row_problems(bad: float) -> None:
    from nutrispine.batch.screen import screen_frame

    frame = population(5, seed=1).with_columns(
        pl.Series("vitamin_d_25oh_value", [bad, 20.0, None, None, None]),
        pl.Series("vitamin_d_25oh_unit", ["nmol/L"] * 5),
        pl.Series("pain_severity", [3.0, bad, None, 2.0, 2.0]))
    got = screen_frame(frame)
    negative = "; vitamin_d_25oh_value: must not be negative" if bad < 0 else ""
    assert got["problem"][0] == f"vitamin_d_25oh_value: must be a number{negative}"
    assert got["problem"][1] == ("pain_severity: must be a number; pain_severity: must be "
                                 "between 0 and 10")
    assert got["triage_level"][:2].is_null().all()
    assert got["problem"][2:].is_null().all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=100))
def test_person_keys_from_bitmaps_equal_person_key(rows: list[tuple[bool, bool, bool]]) -> None:
    male, pregnant, lactating = (np.array(column, bool) for column in zip(*rows, strict=True))
    got = person_keys(cols.pack(male), cols.pack(pregnant), cols.pack(lactating), len(rows))
    assert np.array_equal(got, blk.person_key(male, pregnant, lactating))


def test_compiled_sums_refuse_an_age_interval_outside_the_prior_table() -> None:
    """The kernel checks the one index it reads tables by without a bound, not memory past
    the table."""
    rules, morsel, terms = _likelihood_terms(population(50, seed=5))
    terms.interval[7] = len(rules.prior)
    with pytest.raises(IndexError, match="age interval"):
        rules.sums(morsel, terms, keep=False)
