"""The food-frequency questionnaire: answers, validation messages, intake per day."""

from __future__ import annotations

import pytest

from nutrispine.errors import InputError
from nutrispine.foods.frequency import estimate, load_ffq, servings_per_week, validate_answers


@pytest.mark.parametrize(("answer", "per_week"), [
    ("daily", 7), ("every day", 7), ("never", 0), ("weekly", 1), ("3/week", 3),
    ("3 times a week", 3), ("3 per week", 3), ("2x/week", 2), ("twice a day", 14),
    ("2/day", 14), ("1-2/week", 1.5), ("once a week", 1), ("4 per month", 4 * 7 / 30.4),
    (2, 2), (0.5, 0.5), ("5", 5), ("Daily", 7),
])
def test_answers_to_servings_per_week(answer: object, per_week: float) -> None:
    assert servings_per_week(answer) == pytest.approx(per_week)


@pytest.mark.parametrize("answer", ["lots", "-1", -2, 500, "3/fortnight", True, ""])
def test_bad_answers(answer: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        servings_per_week(answer)


def test_validate_names_the_field_and_suggests() -> None:
    with pytest.raises(InputError) as err:
        validate_answers({"dary": "daily", "eggs": "lots", "dairy": "daily"})
    fields = {p.field: p for p in err.value.problems}
    assert set(fields) == {"diet.frequency.dary", "diet.frequency.eggs"}
    assert fields["diet.frequency.dary"].suggestions == ["dairy"]


def test_aliases_and_sums() -> None:
    assert validate_answers({"milk": "daily", "yogurt": 2, "nuts": "3/week"}) == {
        "dairy": 9.0, "nuts_seeds": 3.0}
    with pytest.raises(InputError):
        validate_answers(["dairy"])  # type: ignore[arg-type]


def test_every_item_is_cited_and_complete() -> None:
    items, words = load_ffq()
    assert {"dairy", "fatty_fish", "eggs", "leafy_greens", "nuts_seeds", "legumes",
            "whole_grains", "fortified_cereals", "fortified_plant_drinks", "meat"} <= set(items)
    for item in items.values():
        assert item.source.startswith("USDA SR28, NDB ")
        assert set(item.nutrients) == {"vitamin_d", "magnesium", "vitamin_b12", "calcium",
                                       "energy"}
    assert words["daily"] == 7


def test_estimate_by_hand() -> None:
    # 7 cups of 2% milk a week (2.93 µg D each) + 2 servings of salmon (11.1 µg): per day
    result = estimate({"dairy": "daily", "fatty_fish": "2/week"})
    assert result.per_day["vitamin_d"] == pytest.approx((7 * 2.93 + 2 * 11.1) / 7)
    assert result.per_day["calcium"] == pytest.approx((7 * 293 + 2 * 12.8) / 7)
    assert result.answered == 2 and 0 < result.completeness < 1
    assert max(result.contributions["vitamin_d"], key=result.contributions["vitamin_d"].get
               ).startswith("Oily fish")  # 3.17 µg a day beats 2.93
