"""The phrase grammar: quantities, units and food words (table tests + hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutrispine.foods.quantity import parse_text

TABLE = [
    ("1 cup 2% milk", 1.0, "cup", "2% milk"),
    ("1.5 cups of rice", 1.5, "cup", "rice"),
    ("1/2 cup black beans", 0.5, "cup", "black beans"),
    ("1 1/2 cups skim milk", 1.5, "cup", "skim milk"),
    ("1-1/2 tbsp peanut butter", 1.5, "tbsp", "peanut butter"),
    ("½ avocado", 0.5, None, "avocado"),
    ("1½ cups milk", 1.5, "cup", "milk"),
    ("half a cup of oatmeal", 0.5, "cup", "oatmeal"),
    ("half an apple", 0.5, None, "apple"),
    ("a handful of almonds", 1.0, "handful", "almonds"),
    ("a glass of milk", 1.0, "glass", "milk"),
    ("a couple of eggs", 2.0, None, "eggs"),
    ("two slices of bread", 2.0, "slice", "bread"),
    ("an apple", 1.0, None, "apple"),
    ("3 oz cooked Atlantic salmon", 3.0, "oz", "cooked atlantic salmon"),
    ("200g yogurt", 200.0, "g", "yogurt"),
    ("0.25 kg cheddar", 0.25, "kg", "cheddar"),
    ("1 lb ground beef", 1.0, "lb", "ground beef"),
    ("250 ml soy milk", 250.0, "ml", "soy milk"),
    ("1 l orange juice", 1.0, "l", "orange juice"),
    ("8 fl oz orange juice", 8.0, "fl oz", "orange juice"),
    ("2 tablespoons peanut butter", 2.0, "tbsp", "peanut butter"),
    ("1 tsp butter", 1.0, "tsp", "butter"),
    ("1 pint of milk", 1.0, "pint", "milk"),
    ("2 large eggs", 2.0, "large", "eggs"),
    ("1 medium banana", 1.0, "medium", "banana"),
    ("1 can tuna", 1.0, "can", "tuna"),
    ("1 fillet salmon", 1.0, "fillet", "salmon"),
    ("3 slices swiss cheese", 3.0, "slice", "swiss cheese"),
    ("one piece of chicken", 1.0, "piece", "chicken"),
    ("almonds, 30 g", 30.0, "g", "almonds"),
    ("milk (250 ml)", 250.0, "ml", "milk"),
    ("spinach", None, None, "spinach"),
    ("large eggs", None, None, "large eggs"),
    ("2-3 eggs", 2.5, None, "eggs"),
    ("1 cup (8 fl oz) milk", 1.0, "cup", "milk"),
    ("1 cup milk (2%)", 1.0, "cup", "milk 2%"),
    ("1 T butter", 1.0, "tbsp", "butter"),
    ("1 t salt", 1.0, "tsp", "salt"),
    ("1 8-oz glass of milk", 8.0, "oz", "milk"),
    ("2 6 oz containers yogurt", 12.0, "oz", "yogurt"),
    ("1 c. milk", 1.0, "cup", "milk"),
]


@pytest.mark.parametrize(("text", "quantity", "unit", "food"), TABLE)
def test_table(text: str, quantity: float | None, unit: str | None, food: str) -> None:
    phrase = parse_text(text)
    assert (phrase.quantity, phrase.unit, phrase.food) == (
        pytest.approx(quantity) if quantity is not None else None, unit, food)


def test_a_range_is_noted() -> None:
    assert parse_text("2-3 eggs").notes


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_parses_without_raising(text: str) -> None:
    phrase = parse_text(text)
    assert isinstance(phrase.food, str)
    assert phrase.quantity is None or phrase.quantity >= 0


WORDS = st.sampled_from(["1", "1/2", "½", "a", "half", "2.5", "cup", "cups", "of", "oz",
                         "fl", "g", "milk", "eggs", "large", "couple", "-", "/", "0", "x",
                         "slice", "(", ")", ",", "3/0", "1e9", "tbsp", "9" * 30])


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=8).map(" ".join))
def test_food_like_text_parses_without_raising(text: str) -> None:
    phrase = parse_text(text)
    assert phrase.unit is None or isinstance(phrase.unit, str)
