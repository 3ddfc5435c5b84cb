"""IOM 2005 EER equations against the printed IOM table (30-year-olds, by height and BMI)."""

from __future__ import annotations

import pytest

from nutrispine.errors import InputError
from nutrispine.recommend.energy import energy_target


@pytest.mark.parametrize(("sex", "kg", "cm", "activity", "expected"), [
    ("male", 59.9, 180, "sedentary", 2301), ("male", 81.0, 180, "moderate", 3200),
    ("female", 68.0, 165, "moderate", 2477), ("female", 41.6, 150, "active", 2291),
    ("male", 50.4, 165, "light", 2254),
])
def test_matches_iom_table_at_30(sex: str, kg: float, cm: float, activity: str,
                                 expected: int) -> None:
    assert energy_target(30, sex, kg, cm, activity).kcal == pytest.approx(expected, abs=3)


def test_pregnancy_and_lactation_add_energy() -> None:
    base = energy_target(30, "female", 60, 165).kcal
    assert energy_target(30, "female", 60, 165, pregnant=True).kcal == base + 340
    assert energy_target(30, "female", 60, 165, lactating=True).kcal == base + 330


def test_missing_size_uses_reference_body() -> None:
    t = energy_target(40, "female")
    assert t.assumed_size and t.weight_kg == 57 and t.height_cm == 163


def test_children_and_toddlers() -> None:
    assert energy_target(2, "male", 12, 86).kcal == 89 * 12 - 100 + 20
    girl = energy_target(6, "female", 20, 115, "sedentary").kcal
    assert girl == pytest.approx(135.3 - 30.8 * 6 + 10 * 20 + 934 * 1.15 + 20, abs=1)


def test_infants_refused() -> None:
    with pytest.raises(InputError) as err:
        energy_target(0.5, "female")
    assert err.value.problems[0].field == "person.age"
