"""The food-log parser on the hand-written database: grams, nutrients, warnings, nulls."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutrispine.foods import parse_entries
from nutrispine.foods.database import FoodDatabase
from nutrispine.foods.parser import parse_entry, round_sig


def _one(db: FoodDatabase, entry: object) -> dict:  # type: ignore[type-arg]
    (item,) = parse_entries([entry], db)
    return item.to_dict()


def test_contract_shape_for_one_cup_of_2_percent_milk(mini_db: FoodDatabase) -> None:
    item = _one(mini_db, "1 cup 2% milk")
    assert item["food"] == {"id": "01079", "source": "usda-sr28", "name":
                            "Milk, reduced fat, fluid, 2% milkfat, with added vitamin A and vitamin D"}
    assert item["grams"] == 244.0
    assert item["nutrients"] == {
        "vitamin_d": {"amount": 2.93, "unit": "µg"},
        "magnesium": {"amount": 26.8, "unit": "mg"},
        "vitamin_b12": {"amount": 1.29, "unit": "µg"},
        "calcium": {"amount": 293.0, "unit": "mg"},
    }
    assert item["warnings"] == []
    assert set(item) >= {"text", "food", "grams", "nutrients", "warnings"}


def test_missing_nutrient_is_null_never_zero(mini_db: FoodDatabase) -> None:
    item = _one(mini_db, "1 cup raw spinach")
    assert item["food"]["id"] == "11457" and item["grams"] == 30.0
    assert item["nutrients"]["vitamin_d"]["amount"] is None
    assert item["nutrients"]["vitamin_b12"]["amount"] is None
    assert item["nutrients"]["calcium"]["amount"] == pytest.approx(29.7)
    assert any(w["code"] == "missing_nutrient" for w in item["warnings"])


@pytest.mark.parametrize(("entry", "food_id", "grams"), [
    ("2 large eggs", "01123", 100.0),
    ("a couple of eggs", "01123", 100.0),
    ("1 hard-boiled egg", "01129", 50.0),
    ("1 medium banana", "09040", 118.0),
    ("a banana", "09040", 118.0),
    ("half a cup of mashed banana", "09040", 112.5),
    ("1 oz almonds", "12061", 28.35),
    ("a handful of almonds", "12061", 28.35),
    ("100 g almonds", "12061", 100.0),
    ("0.5 lb almonds", "12061", 226.796),
    ("250 ml milk", "01077", 257.8),
    ("a glass of milk", "01077", 244.0),
    ("8 oz milk", "01077", 244.0),
    ("1 cup soy milk", "16139", 243.0),
    ({"food": "spinach, cooked", "amount": 1, "unit": "cup"}, "11458", 180.0),
    ({"food": "almonds", "amount": 2, "unit": "oz"}, "12061", 56.699),
])
def test_grams_for_everyday_entries(mini_db: FoodDatabase, entry: object, food_id: str,
                                    grams: float) -> None:
    item = _one(mini_db, entry)
    assert item["food"]["id"] == food_id
    assert item["grams"] == pytest.approx(grams, abs=0.1)


def test_guesses_are_flagged(mini_db: FoodDatabase) -> None:
    handful = _one(mini_db, "a handful of almonds")
    assert [w["code"] for w in handful["warnings"]] == ["assumed_portion"]
    ounces = _one(mini_db, "8 oz milk")
    assert "assumed_fluid_ounces" in [w["code"] for w in ounces["warnings"]]
    bare = _one(mini_db, "almonds")
    assert "assumed_quantity" in [w["code"] for w in bare["warnings"]]


def test_implausible_amount_is_accepted_with_warning(mini_db: FoodDatabase) -> None:
    item = _one(mini_db, "20 cups of milk")
    assert item["grams"] == pytest.approx(4880.0)
    assert [w["code"] for w in item["warnings"]] == ["implausible_value"]


def test_unknown_food_and_bad_entries_become_errors(mini_db: FoodDatabase) -> None:
    items = [i.to_dict() for i in parse_entries(
        ["1 cup xylophone", "", "3 cups", {"food": "milk", "amount": "lots", "unit": "cup"},
         {"food": "milk", "amount": 1, "unit": "bucket"}, "0 cups milk"], mini_db)]
    assert all(i["food"] is None and i["error"] for i in items)
    assert "bucket" in items[4]["error"]


def test_without_database_every_item_says_so() -> None:
    (item,) = parse_entries(["1 cup milk"], None)
    assert item.food is None and "nutrispine foods import" in (item.error or "")


def test_round_sig() -> None:
    assert [round_sig(v) for v in (2.928, 26.84, 1.2932, 292.8, 0.0, 12345.0)] == [
        2.93, 26.8, 1.29, 293.0, 0.0, 12300.0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=60),
    st.fixed_dictionaries({"food": st.text(max_size=20),
                           "amount": st.one_of(st.floats(allow_nan=True), st.integers(),
                                               st.text(max_size=5), st.none()),
                           "unit": st.one_of(st.none(), st.text(max_size=6),
                                             st.sampled_from(["cup", "g", "oz", "slice"]))}),
))
def test_parse_entry_never_raises(mini_db: FoodDatabase, entry: object) -> None:
    item = parse_entry(entry, mini_db)  # the inner function, without the last-resort guard
    out = item.to_dict()
    assert (out["food"] is None) == bool(out.get("error")) or out["food"] is not None
    if out["grams"] is not None:
        assert math.isfinite(out["grams"]) and out["grams"] >= 0
