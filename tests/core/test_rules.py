"""Triage, likelihood and supplement rules, each against the numbers and levels they cite."""

from __future__ import annotations

import pytest

from nutrispine.assess import assess
from nutrispine.knowledge import load_knowledge
from nutrispine.supplements import to_nutrient_unit

KB = load_knowledge()
BASE = {"person": {"age": 45, "sex": "female"}}


def run(**sections):
    return assess({**BASE, **sections}).to_dict()


@pytest.mark.parametrize("rule", KB.triage.red_flags, ids=lambda r: r.code)
def test_every_red_flag_rule_gives_its_level(rule) -> None:
    when = rule.when
    symptoms = list(dict.fromkeys([*when.symptoms_any[:1], *when.symptoms_all]))
    profile = {"symptoms": symptoms} if symptoms else {}
    if when.risk_factors_any:
        profile["risk_factors"] = when.risk_factors_any[:1]
    pain = {}
    if when.regions_any:
        pain["regions"] = when.regions_any[:1]
    if when.severity_min is not None:
        pain["severity"] = when.severity_min
    if pain:
        profile["pain"] = pain
    result = run(**profile)
    codes = [r["code"] for r in result["triage"]["reasons"]]
    assert rule.code in codes
    order = ["self_care", "routine", "urgent", "emergency"]
    assert order.index(result["triage"]["level"]) >= order.index(rule.level)


@pytest.mark.parametrize(
    ("symptom", "level"),
    [
        ("saddle_anesthesia", "emergency"),
        ("bladder_dysfunction", "emergency"),
        ("bowel_incontinence", "emergency"),
        ("progressive_weakness", "emergency"),
        ("chest_pain", "emergency"),
        ("significant_trauma", "emergency"),
        ("fever", "urgent"),
        ("unexplained_weight_loss", "urgent"),
        ("gait_disturbance", "urgent"),
        ("hand_clumsiness", "urgent"),
        ("dizziness_or_drop_attacks", "urgent"),
        ("severe_headache", "urgent"),
        ("shortness_of_breath", "urgent"),
        ("night_pain", "urgent"),
    ],
)
def test_single_red_flag_levels(symptom: str, level: str) -> None:
    assert run(symptoms=[symptom])["triage"]["level"] == level


def test_combinations_escalate() -> None:
    assert run(symptoms=["fever", "severe_headache"])["triage"]["level"] == "emergency"
    assert run(risk_factors=["cancer_history"], pain={"regions": ["neck"]})["triage"]["level"] == "urgent"
    assert run(risk_factors=["cancer_history"], pain={"regions": ["lower_back"]})["triage"]["level"] == "routine"
    assert run(risk_factors=["osteoporosis"], symptoms=["frequent_fractures"])["triage"]["level"] == "urgent"


@pytest.mark.parametrize(
    ("pain", "symptoms", "level"),
    [
        ({"duration_weeks": 6}, [], "self_care"),
        ({"duration_weeks": 7}, [], "routine"),
        ({"severity": 6}, [], "self_care"),
        ({"severity": 7}, [], "routine"),
        ({}, ["tingling"], "routine"),
        ({}, ["numbness"], "routine"),
        ({}, ["fatigue"], "self_care"),
    ],
)
def test_persistent_severe_or_neurological_pain_is_at_least_routine(pain, symptoms, level) -> None:
    assert run(pain=pain, symptoms=symptoms)["triage"]["level"] == level


def test_high_likelihood_suggests_the_blood_test_and_routine() -> None:
    result = run(risk_factors=["vegan", "pernicious_anemia"], medications=["metformin"])
    assert result["nutrients"]["vitamin_b12"]["likelihood"] == "high"
    assert result["triage"]["level"] == "routine"
    assert any("vitamin B12 blood test" in r["text"] for r in result["triage"]["reasons"])
    assert any("vitamin B12 blood test" in s for s in result["nutrients"]["vitamin_b12"]["next_steps"])


def test_no_information_is_low_and_says_so() -> None:
    result = run()
    for n in result["nutrients"].values():
        assert n["likelihood"] == "low"
        assert n["lab"]["status"] == "not_tested"
        assert "no specific information" in n["basis"][0]
        assert n["supplement_per_day"] is None  # unknown, not zero
        assert "intake" not in n
    assert result["triage"]["level"] == "self_care"


def test_lab_is_the_strongest_evidence() -> None:
    deficient = run(labs=[{"test": "vitamin_d_25oh", "value": 20, "unit": "nmol/L"}])
    assert deficient["nutrients"]["vitamin_d"]["likelihood"] == "high"
    adequate = run(
        labs=[{"test": "vitamin_d_25oh", "value": 80, "unit": "nmol/L"}],
        risk_factors=["limited_sun_exposure", "dark_skin", "obesity"],
        symptoms=["bone_pain"],
    )
    assert adequate["nutrients"]["vitamin_d"]["likelihood"] == "low"
    borderline = run(labs=[{"test": "vitamin_d_25oh", "value": 40, "unit": "nmol/L"}])
    assert borderline["nutrients"]["vitamin_d"]["likelihood"] == "moderate"


def test_normal_serum_magnesium_only_weakly_lowers() -> None:
    risky = {
        "medications": ["omeprazole", "furosemide"],
        "risk_factors": ["type2_diabetes", "heavy_alcohol_use"],
        "symptoms": ["muscle_cramps"],
    }
    without = run(**risky)["nutrients"]["magnesium"]
    with_lab = run(**risky, labs=[{"test": "magnesium", "value": 0.9, "unit": "mmol/L"}])["nutrients"]["magnesium"]
    assert with_lab["probability"] < without["probability"]
    assert with_lab["likelihood"] != "low"


def test_evidence_lists_direction_size_and_source() -> None:
    result = run(risk_factors=["limited_sun_exposure"], medications=["Omeprazole"])
    ev = result["nutrients"]["vitamin_d"]["evidence"][0]
    assert ev["factor"] == "limited_sun_exposure"
    assert ev["effect"] == "raises"
    assert ev["likelihood_ratio"] == 4.0
    assert "Office of Dietary Supplements" in ev["source"]
    mg = result["nutrients"]["magnesium"]["evidence"][0]
    assert mg["likelihood_ratio"] == 1.71  # the cited pooled odds ratio


def test_symptom_evidence_is_capped() -> None:
    many = run(
        symptoms=[
            "muscle_cramps",
            "muscle_spasms",
            "muscle_twitching",
            "muscle_tension",
            "fatigue",
            "poor_sleep",
            "palpitations",
        ]
    )["nutrients"]["magnesium"]
    prior = many["prior"]
    cap = KB.factors.model.symptom_lr_cap
    expected = prior / (1 - prior) * cap
    assert many["probability"] == pytest.approx(expected / (1 + expected), abs=1e-3)


def test_supplement_at_the_rda_lowers_the_likelihood() -> None:
    taking = run(
        risk_factors=["limited_sun_exposure"], supplements=[{"nutrient": "vitamin_d", "amount": 800, "unit": "IU"}]
    )
    plain = run(risk_factors=["limited_sun_exposure"])
    assert taking["nutrients"]["vitamin_d"]["probability"] < plain["nutrients"]["vitamin_d"]["probability"]
    assert taking["nutrients"]["vitamin_d"]["supplement_per_day"] == 20.0


@pytest.mark.parametrize(
    ("nutrient", "amount", "unit", "expected"),
    [
        ("vitamin_d", 1000, "IU", 25.0),
        ("vitamin_d", 25, "mcg", 25.0),
        ("vitamin_d", 25, "ug", 25.0),
        ("vitamin_d", 25, "µg", 25.0),
        ("vitamin_d", 0.025, "mg", 25.0),
        ("magnesium", 400, "mg", 400.0),
        ("vitamin_b12", 1, "mg", 1000.0),
        ("calcium", 500000, "µg", 500.0),
    ],
)
def test_supplement_units(nutrient: str, amount: float, unit: str, expected: float) -> None:
    assert to_nutrient_unit(KB, nutrient, amount, unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("supplements", "age", "nutrient", "warn"),
    [
        ([{"nutrient": "vitamin_d", "amount": 4000, "unit": "IU"}], 45, "vitamin_d", False),
        ([{"nutrient": "vitamin_d", "amount": 5000, "unit": "IU"}], 45, "vitamin_d", True),
        ([{"nutrient": "vitamin_d", "amount": 3000, "unit": "IU"}], 3, "vitamin_d", True),
        ([{"nutrient": "magnesium", "amount": 350, "unit": "mg"}], 45, "magnesium", False),
        (
            [
                {"nutrient": "magnesium", "amount": 200, "unit": "mg"},
                {"nutrient": "magnesium", "amount": 200, "unit": "mg"},
            ],
            45,
            "magnesium",
            True,
        ),
        ([{"nutrient": "calcium", "amount": 2600, "unit": "mg"}], 45, "calcium", True),
        ([{"nutrient": "calcium", "amount": 2100, "unit": "mg"}], 60, "calcium", True),
        ([{"nutrient": "vitamin_b12", "amount": 5000, "unit": "mcg"}], 45, "vitamin_b12", False),
    ],
)
def test_upper_limit_warnings(supplements, age: int, nutrient: str, warn: bool) -> None:
    result = assess({"person": {"age": age, "sex": "female"}, "supplements": supplements}).to_dict()
    hits = [w for w in result["warnings"] if w["code"] == "above_upper_limit" and w["nutrient"] == nutrient]
    assert bool(hits) is warn
    if hits:
        assert "doctor" in hits[0]["text"]


@pytest.mark.parametrize(
    ("nutrient", "medication", "words"),
    [
        ("magnesium", "doxycycline", "2 hours"),
        ("magnesium", "ciprofloxacin", "2 hours"),
        ("magnesium", "alendronate", "2 hours"),
        ("calcium", "levothyroxine", "4 hours"),
        ("vitamin_d", "orlistat", "orlistat"),
        ("calcium", "hydrochlorothiazide", "too high"),
        ("vitamin_b12", "metformin", "Metformin"),
    ],
)
def test_interaction_warnings(nutrient: str, medication: str, words: str) -> None:
    unit = "mg" if nutrient in ("magnesium", "calcium") else "µg"
    result = run(supplements=[{"nutrient": nutrient, "amount": 100, "unit": unit}], medications=[medication])
    hits = [w for w in result["warnings"] if w["code"] == "interaction" and w["nutrient"] == nutrient]
    assert hits
    assert words in hits[0]["text"]
    assert medication in hits[0]["text"]


def test_no_interaction_without_the_supplement() -> None:
    result = run(medications=["doxycycline"])
    assert not [w for w in result["warnings"] if w["code"] == "interaction"]


def test_every_result_carries_the_disclaimer_and_versions() -> None:
    result = run()
    assert "not a diagnosis" in result["disclaimer"]
    assert result["meta"]["knowledge_version"] == KB.version


def test_implausible_lab_is_accepted_with_a_warning() -> None:
    result = run(labs=[{"test": "vitamin_d_25oh", "value": 300, "unit": "nmol/L"}])
    assert result["nutrients"]["vitamin_d"]["lab"]["status"] == "high"
    assert any(w["code"] == "implausible_value" for w in result["warnings"])


def test_children_use_child_reference_values() -> None:
    result = assess({"person": {"age": 6, "sex": "male"}}).to_dict()
    assert result["nutrients"]["calcium"]["requirement"]["rda"] == 1000
    assert result["nutrients"]["magnesium"]["requirement"]["ul"] == 110


def test_pregnancy_uses_pregnancy_values() -> None:
    result = assess({"person": {"age": 28, "sex": "female", "pregnant": True}}).to_dict()
    assert result["nutrients"]["magnesium"]["requirement"]["rda"] == 350
    assert result["nutrients"]["vitamin_b12"]["requirement"]["rda"] == 2.6
