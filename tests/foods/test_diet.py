"""assess_intake: a profile's diet through the database or the questionnaire, by hand."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from nutrispine.foods.database import FoodDatabase
from nutrispine.intake import NO_DATABASE, NO_DIET, assess_intake, judge
from nutrispine.knowledge import load_knowledge
from nutrispine.profile import parse_profile

PERSON = {"age": 58, "sex": "female"}
DAYS = [["1 cup 2% milk", "2 large eggs"],
        ["1 oz almonds", {"food": "spinach, cooked", "amount": 1, "unit": "cup"}]]


def _report(db: FoodDatabase | None, diet: dict[str, Any] | None, **extra: Any) -> Any:
    data: dict[str, Any] = {"person": PERSON, **extra}
    if diet is not None:
        data["diet"] = diet
    return assess_intake(parse_profile(data), load_knowledge(), db)


def test_food_log_means_by_hand(mini_db: FoodDatabase) -> None:
    report = _report(mini_db, {"days": DAYS})
    assert report.not_assessed_reason is None
    d = report.per_nutrient["vitamin_d"].to_dict()
    # day 1: milk 1.2 x 2.44 + eggs (82 IU / 40 per 100 g) x 1.00; day 2: almonds 0, spinach n/a
    assert d["per_day"] == pytest.approx((1.2 * 2.44 + 82 / 40) / 2, abs=0.01)
    assert d["unit"] == "µg" and d["days"] == 2 and d["ear"] == 10 and d["rda"] == 15
    assert d["completeness"] == 0.75  # spinach has no vitamin D value: unknown, not zero
    ca = report.per_nutrient["calcium"].to_dict()
    assert ca["per_day"] == pytest.approx((120 * 2.44 + 56 + 269 * 0.2835 + 136 * 1.8) / 2,
                                          abs=0.01)
    assert ca["top_sources"][:2] == [
        "Milk, reduced fat, fluid, 2% milkfat, with added vitamin A and vitamin D",
        "Spinach, cooked, boiled, drained, without salt"]
    mg = report.per_nutrient["magnesium"]
    assert mg.sd_requirement == pytest.approx(26.5) and mg.sd_within == 86
    assert 0 <= (mg.probability_adequate or 0) < 0.05
    assert set(d) >= {"per_day", "unit", "days", "ear", "rda", "ul", "probability_adequate",
                      "top_sources"}


def test_no_diet_and_no_database() -> None:
    assert _report(None, None).not_assessed_reason == NO_DIET
    report = _report(None, {"days": DAYS})  # fresh NUTRISPINE_HOME: nothing imported
    assert report.not_assessed_reason == NO_DATABASE and report.per_nutrient == {}


def test_frequency_without_database(mini_db: FoodDatabase) -> None:
    report = _report(None, {"frequency": {"dairy": "daily", "fatty_fish": "2/week"}})
    d = report.per_nutrient["vitamin_d"].to_dict()
    assert d["method"] == "frequency" and d["days"] is None
    assert d["per_day"] == pytest.approx((7 * 2.93 + 2 * 11.1) / 7, abs=0.01)
    assert "questionnaire" in d["note"]
    both = _report(None, {"days": DAYS, "frequency": {"dairy": "daily"}})
    assert both.per_nutrient["calcium"].method == "frequency"
    assert [w["code"] for w in both.warnings] == ["no_food_database"]


def test_warnings_for_implausible_and_unknown_entries(mini_db: FoodDatabase) -> None:
    report = _report(mini_db, {"days": [["20 cups of milk", "1 cup xylophone"]]})
    codes = [w["code"] for w in report.warnings]
    assert codes == ["implausible_value", "unrecognised_food"]
    assert all(set(w) == {"code", "nutrient", "text"} for w in report.warnings)
    assert "diet.days[0][0]" in report.warnings[0]["text"]


def test_supplements_and_upper_limit(mini_db: FoodDatabase) -> None:
    report = _report(mini_db, {"days": DAYS},
                     supplements=[{"nutrient": "magnesium", "amount": 400, "unit": "mg"},
                                  {"nutrient": "vitamin_d", "amount": 4000, "unit": "IU"}])
    mg = report.per_nutrient["magnesium"].to_dict()
    assert mg["upper_limit"] == {"applies_to": "supplements", "amount": 400.0, "ul": 350.0,
                                 "above": True}
    d = report.per_nutrient["vitamin_d"].to_dict()
    assert d["supplement_per_day"] == 100.0
    assert d["upper_limit"]["above"] is True  # 100 µg + food > 100 µg


def test_ai_only_says_so_instead_of_a_probability() -> None:
    req = SimpleNamespace(ear=None, ai=270.0, cv=None)
    prob, _sd_req, sd_within, _z, note, _src = judge("calcium", 300.0, 3, req, "female")
    assert prob is None and sd_within == 325
    assert note is not None and "only an Adequate Intake" in note


def test_assess_carries_the_intake_block(mini_db: FoodDatabase) -> None:
    from nutrispine.assess import assess

    out = assess({"person": PERSON, "diet": {"days": DAYS}}, food_db=mini_db).to_dict()
    intake = out["nutrients"]["calcium"]["intake"]
    assert intake["unit"] == "mg" and intake["days"] == 2
    assert 0.0 <= intake["probability_adequate"] <= 1.0
