"""Property test: for any valid mix of person, diet, exclusions and supplements, a plan comes
back whose recomputed totals meet each target or name the shortfall, and never pass a UL."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutrispine.recommend.plan import make_plan

EXCLUDE = ["dairy", "eggs", "fish", "shellfish", "nuts", "peanuts", "soy", "gluten", "meat"]


@st.composite
def profiles(draw: Any) -> tuple[dict[str, Any], dict[str, float]]:
    age = draw(st.sampled_from([1, 3, 6, 11, 15, 22, 40, 60, 75, 90]))
    sex = draw(st.sampled_from(["female", "male"]))
    person: dict[str, Any] = {"age": age, "sex": sex}
    if sex == "female" and 18 <= age <= 45:
        person["pregnant"] = draw(st.booleans())
    prefs = {"diet": draw(st.sampled_from(["omnivore", "pescatarian", "vegetarian", "vegan"])),
             "exclude": draw(st.lists(st.sampled_from(EXCLUDE), max_size=3, unique=True)),
             "activity": draw(st.sampled_from(["sedentary", "light", "moderate", "active"]))}
    profile: dict[str, Any] = {"person": person, "preferences": prefs}
    sups: dict[str, float] = {}
    iu = draw(st.sampled_from([0, 400, 1000, 2000]))
    if iu:
        profile["supplements"] = [{"nutrient": "vitamin_d", "amount": iu, "unit": "IU"}]
        sups["vitamin_d"] = iu / 40
    return profile, sups


@pytest.mark.sr28
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=profiles())
def test_any_profile_gets_a_checkable_plan(case: tuple[dict[str, Any], dict[str, float]],
                                           sr28_db: Any, sr28_catalog: Any, check_plan: Any) -> None:
    profile, sups = case
    plan = make_plan(profile, days=1, db=sr28_db, catalog=sr28_catalog).data
    prefs = profile["preferences"]
    forbidden = [k for k in [prefs["diet"], *prefs["exclude"]] if k != "omnivore"]
    check_plan(sr28_db, plan, forbidden, sups)
