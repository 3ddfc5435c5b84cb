"""The batch engine gives, for every person, exactly what ``nutrispine.assess.assess`` gives.

Hypothesis draws random people (answers, medicines, supplements, labs in random units, values on
and around the cut-offs), screens them as one table and assesses each as a profile; triage level,
reasons, likelihood and lab status per nutrient must be equal, probabilities equal to 0.001.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutrispine.assess import assess
from nutrispine.batch.schema import PAIN_REGIONS, schema
from nutrispine.batch.screen import screen_frame
from nutrispine.errors import InputError
from nutrispine.knowledge import load_knowledge
from nutrispine.knowledge.models import NUTRIENTS
from nutrispine.profile import parse_profile

KB = load_knowledge()
S = schema()
# one generic name per medication class, for the profile side
GENERIC = {cls: next(name for name, med in KB.factors.medications.items() if med.class_ == cls)
           for cls in S.medication_classes}


def _cutoffs(test: str) -> list[float]:
    """Every cut-off of a test in any unit, and the marker limits: the edge cases."""
    spec = KB.labs[test]
    values: list[float] = []
    for scheme in spec.schemes.values():
        for band in scheme.bands.values():
            values += [v for v in (band.deficient_below, band.adequate_min, band.adequate_above,
                                   band.high_above) if v is not None]
    for v in (spec.elevated_above, spec.low_normal_max_si):
        if v is not None:
            values.append(v)
    return values


@st.composite
def lab(draw: st.DrawFn, test: str) -> tuple[float, str]:
    units = sorted(label for label, _ in KB.unit_index[test].values())
    unit = draw(st.sampled_from(units))
    low, high = KB.labs[test].plausible_si
    factor = KB.unit_index[test][next(k for k, (lbl, _) in KB.unit_index[test].items()
                                      if lbl == unit)][1]
    anywhere = st.floats(low / factor * 0.5, high / factor * 1.2).map(lambda x: round(x, 2))
    choices = [anywhere]
    if _cutoffs(test):
        choices.append(st.sampled_from(_cutoffs(test)).flatmap(lambda v: st.sampled_from(
            [v, v / factor, round(v / factor, 2), v - 0.01, v + 0.01])))
    value = draw(st.one_of(*choices).filter(lambda x: x >= 0))
    return float(value), unit


@st.composite
def person(draw: st.DrawFn) -> dict[str, Any]:
    age = draw(st.one_of(st.integers(1, 120).map(float), st.floats(1, 120)))
    sex = draw(st.sampled_from(["female", "male"]))
    can_carry = sex == "female" and age >= 9
    row: dict[str, Any] = {
        "age": age, "sex": sex,
        "pregnant": draw(st.booleans()) if can_carry else False,
        "lactating": draw(st.booleans()) if can_carry else False,
        "pain_severity": draw(st.one_of(st.none(), st.integers(0, 10).map(float))),
        "pain_duration_weeks": draw(st.one_of(st.none(), st.floats(0, 60))),
        "diet": draw(st.sampled_from([None, "omnivore", "pescatarian", "vegetarian", "vegan"])),
    }
    for region in PAIN_REGIONS:
        row[S.region(region)] = draw(st.booleans())
    symptoms = draw(st.sets(st.sampled_from(S.symptoms), max_size=6))
    risks = draw(st.sets(st.sampled_from(S.risk_factors), max_size=5))
    meds = draw(st.sets(st.sampled_from(S.medication_classes), max_size=4))
    for code in S.symptoms:
        row[S.symptom(code)] = code in symptoms
    for code in S.risk_factors:
        row[S.risk(code)] = code in risks
    for cls in S.medication_classes:
        row[S.med(cls)] = cls in meds
    for test in S.lab_tests:
        given_lab = draw(st.one_of(st.none(), lab(test)))
        row[S.lab_value(test)] = None if given_lab is None else given_lab[0]
        row[S.lab_unit(test)] = None if given_lab is None else given_lab[1]
    for nutrient in S.nutrients:
        row[S.supplement(nutrient)] = draw(st.one_of(
            st.none(), st.sampled_from([0.0, 5.0, 7.5, 10.0, 15.0, 20.0, 100.0, 400.0]),
            st.floats(0, 2000).map(lambda x: round(x, 1)),
            # halves of a thousandth: the core's rounding of the daily amount decides
            st.integers(0, 4000).map(lambda k: k / 1000 + 0.0005)))
    return row


def as_profile(row: dict[str, Any]) -> dict[str, Any]:
    """The same person in the contract's profile shape (codes listed in schema order)."""
    profile: dict[str, Any] = {"person": {k: row[k] for k in ("age", "sex", "pregnant",
                                                              "lactating")}}
    pain: dict[str, Any] = {"regions": [r for r in PAIN_REGIONS if row[S.region(r)]]}
    for key in ("severity", "duration_weeks"):
        if row[f"pain_{key}"] is not None:
            pain[key] = row[f"pain_{key}"]
    profile["pain"] = pain
    profile["symptoms"] = [c for c in S.symptoms if row[S.symptom(c)]]
    profile["risk_factors"] = [c for c in S.risk_factors if row[S.risk(c)]]
    profile["medications"] = [GENERIC[c] for c in S.medication_classes if row[S.med(c)]]
    supplements = [{"nutrient": n, "amount": row[S.supplement(n)],
                    "unit": KB.nutrients[n].unit}
                   for n in S.nutrients if row[S.supplement(n)] is not None]
    if supplements:
        profile["supplements"] = supplements
    profile["labs"] = [{"test": t, "value": row[S.lab_value(t)], "unit": row[S.lab_unit(t)]}
                       for t in S.lab_tests if row[S.lab_value(t)] is not None]
    if row["diet"] is not None:
        profile["preferences"] = {"diet": row["diet"]}
    return profile


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    dtypes = {**S.dtypes(), "diet": pl.String(), "id": pl.Int64()}
    data = [{"id": i, **row} for i, row in enumerate(rows)]
    return pl.DataFrame(data, schema={k: dtypes[k] for k in data[0]})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person(), min_size=1, max_size=25))
def test_batch_equals_single_assessment(rows: list[dict[str, Any]]) -> None:
    result = screen_frame(_frame(rows), reasons=True, probability=True)
    # without the probability, levels come from fixed-point sums (doubles near a threshold)
    plain = screen_frame(_frame(rows))
    for n in NUTRIENTS:
        assert plain[f"{n}_likelihood"].equals(result[f"{n}_likelihood"])
    for row, got in zip(rows, result.iter_rows(named=True), strict=True):
        expected = assess(as_profile(row)).to_dict()
        assert got["problem"] is None, got["problem"]
        assert got["triage_level"] == expected["triage"]["level"]
        reasons = [r["code"] for r in expected["triage"]["reasons"]]
        assert (got["triage_reasons"] or "").split(";") == (reasons or [""])
        for n in NUTRIENTS:
            want = expected["nutrients"][n]
            assert got[f"{n}_lab_status"] == want["lab"]["status"], n
            assert got[f"{n}_likelihood"] == want["likelihood"], n
            assert abs(got[f"{n}_probability"] - want["probability"]) <= 0.0011, n


BAD = st.sampled_from([
    {"age": 0.5}, {"age": 130.0}, {"sex": "other"}, {"pregnant": True, "sex": "male"},
    {"pain_severity": 11.0}, {"pain_duration_weeks": -1.0},
    {"vitamin_d_25oh_value": 20.0, "vitamin_d_25oh_unit": "mg"},
    {"magnesium_value": -0.1, "magnesium_unit": "mmol/L"},
    {"supplement_calcium": -5.0}, {"diet": "carnivore"},
])


@settings(max_examples=25, deadline=None)
@given(person(), BAD)
def test_rows_a_profile_would_refuse_get_a_problem(row: dict[str, Any], bad: dict[str, Any]
                                                   ) -> None:
    row = {**row, **bad}
    got = screen_frame(_frame([row])).row(0, named=True)
    try:
        parse_profile(as_profile(row))
    except InputError:
        refused = True
    else:
        refused = False
    assert refused
    assert got["problem"] is not None
    assert got["triage_level"] is None
    assert all(got[f"{n}_likelihood"] is None for n in NUTRIENTS)


@st.composite
def person_with_intake(draw: st.DrawFn) -> dict[str, Any]:
    row = draw(person())
    for nutrient in S.nutrients:
        row[f"intake_{nutrient}"] = draw(st.one_of(
            st.none(), st.floats(0, 3000).map(lambda x: round(x, 2)),
            st.sampled_from([0.0, 2.0, 10.0, 255.0, 320.0, 800.0, 1000.0])))
    row["intake_days"] = draw(st.sampled_from([None, 1.0, 3.0, 7.0]))
    return row


def _core_intake(row: dict[str, Any]) -> Any:
    """The core's intake blocks for a diary whose daily mean is the row's intake value."""
    from nutrispine.foods.diet import _block
    from nutrispine.supplements import daily_totals

    def fake(profile: Any, kb: Any, db: Any) -> tuple[dict[str, Any], None, list[Any]]:
        totals = daily_totals(kb, profile.supplements)
        days = row["intake_days"] or 1.0
        blocks = {n: _block(n, row[f"intake_{n}"], int(days), 1.0, "food_log", {}, profile, kb,
                            totals, days).to_dict()
                  for n in S.nutrients if row[f"intake_{n}"] is not None}
        return blocks, None, []

    return fake


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person_with_intake(), min_size=1, max_size=15))
def test_intake_columns_equal_the_core_intake_evidence(rows: list[dict[str, Any]]) -> None:
    from unittest import mock

    import nutrispine.assess as core

    dtypes = {**S.dtypes(), "diet": pl.String(), "id": pl.Int64()}
    data = [{"id": i, **row} for i, row in enumerate(rows)]
    result = screen_frame(pl.DataFrame(data, schema={k: dtypes[k] for k in data[0]}),
                          probability=True)
    for row, got in zip(rows, result.iter_rows(named=True), strict=True):
        with mock.patch.object(core, "_intake", _core_intake(row)):
            expected = assess(as_profile(row)).to_dict()
        assert got["triage_level"] == expected["triage"]["level"]
        for n in NUTRIENTS:
            want = expected["nutrients"][n]
            assert got[f"{n}_likelihood"] == want["likelihood"], n
            assert abs(got[f"{n}_probability"] - want["probability"]) <= 0.0011, n
