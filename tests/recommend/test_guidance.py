"""Supplement guidance, lifestyle steps and shortfall advice for a person."""

from __future__ import annotations

from nutrispine.recommend.lifestyle import lifestyle_steps
from nutrispine.recommend.supplements import supplement_guidance

PERSON = {"person": {"age": 72, "sex": "female"},
          "medications": ["alendronate", "hydrochlorothiazide", "levothyroxine"],
          "risk_factors": ["chronic_kidney_disease", "limited_sun_exposure"],
          "supplements": [{"nutrient": "vitamin_d", "amount": 2000, "unit": "IU"}],
          "symptoms": ["poor_sleep"]}


def test_vitamin_d_dose_capped_by_ul_minus_current_supplement() -> None:
    g = supplement_guidance("vitamin_d", PERSON, food_per_day=10)
    maintenance = g["doses"][0]
    assert maintenance["high"] == 40  # UL 100 - 50 already taken - 10 from food
    assert maintenance["iu"] == [600, 1600]
    assert g["doses"][1]["doctor_only"] is True
    assert g["recheck"]["test"] == "vitamin_d_25oh" and g["recheck"]["after_weeks"] == 12
    assert any(c["medication_class"] == "thiazide" for c in g["cautions"])


def test_calcium_spacing_from_the_persons_medicines() -> None:
    g = supplement_guidance("calcium", PERSON, food_per_day=900)
    classes = {s["medication_class"] for s in g["spacing"]}
    assert {"bisphosphonate", "levothyroxine"} <= classes
    assert all(s["hours"] > 0 and s["source"] for s in g["spacing"])
    assert g["upper_limit"]["amount"] == 2000 and g["upper_limit"]["room"] == 1100


def test_magnesium_ul_is_supplements_only_and_kidney_caution() -> None:
    g = supplement_guidance("magnesium", PERSON)
    assert g["upper_limit"]["applies_to"] == "supplements"
    assert "not food" in g["upper_limit"]["text"]
    assert any("chronic_kidney_disease" in c.get("risk_factors", []) for c in g["cautions"])


def test_b12_has_no_ul() -> None:
    g = supplement_guidance("vitamin_b12", {"person": {"age": 30, "sex": "male"}})
    assert g["upper_limit"]["amount"] is None and g["spacing"] == []


def test_lifestyle_steps_are_cited_and_personal() -> None:
    steps = {s["id"]: s for s in lifestyle_steps(PERSON, ["magnesium"])}
    assert {"gentle_exercise", "hydration", "sunlight", "stress", "sleep"} <= set(steps)
    assert "limited_sun_exposure" in steps["sunlight"]["because"]
    assert all(s["sources"] for s in steps.values())
    plain = {s["id"] for s in lifestyle_steps({"person": {"age": 30, "sex": "male"}}, [])}
    assert "sunlight" not in plain and "gentle_exercise" in plain


def test_next_steps_bundles_guidance_and_lifestyle() -> None:
    from nutrispine.recommend.advice import next_steps

    out = next_steps(PERSON, ["magnesium", "vitamin_d", "magnesium"], food_per_day={"vitamin_d": 5})
    assert list(out["supplements"]) == ["magnesium", "vitamin_d"]
    assert out["supplements"]["vitamin_d"]["upper_limit"]["room"] == 45
    assert any(s["id"] == "stress" for s in out["lifestyle"])
