"""Meal plans for many kinds of people, recomputed independently from the food database."""

from __future__ import annotations

from typing import Any

import pytest

from nutrispine.errors import InputError
from nutrispine.recommend.plan import make_plan

PEOPLE: dict[str, tuple[dict[str, Any], list[str]]] = {
    "vegan": ({"person": {"age": 34, "sex": "female", "weight_kg": 62, "height_cm": 168},
               "preferences": {"diet": "vegan", "activity": "moderate"}}, ["vegan"]),
    "pregnant": ({"person": {"age": 29, "sex": "female", "pregnant": True, "weight_kg": 66,
                             "height_cm": 165}, "preferences": {"diet": "omnivore"}}, ["pregnant"]),
    "over_70": ({"person": {"age": 78, "sex": "male", "weight_kg": 72, "height_cm": 172},
                 "preferences": {"activity": "sedentary"}}, []),
    "lactose_intolerant": ({"person": {"age": 45, "sex": "female"},
                            "risk_factors": ["lactose_intolerance"]}, ["lactose"]),
    "on_diuretic": ({"person": {"age": 66, "sex": "female", "weight_kg": 80, "height_cm": 160},
                     "medications": ["furosemide", "hydrochlorothiazide"],
                     "risk_factors": ["postmenopausal"]}, []),
    "child": ({"person": {"age": 6, "sex": "male", "weight_kg": 21, "height_cm": 117},
               "preferences": {"activity": "active"}}, []),
    "nut_allergy": ({"person": {"age": 25, "sex": "male", "weight_kg": 80, "height_cm": 182},
                     "preferences": {"exclude": ["nuts", "peanuts"]}}, ["nuts", "peanuts"]),
    "pescatarian_coeliac": ({"person": {"age": 52, "sex": "female"},
                             "risk_factors": ["celiac_disease"],
                             "preferences": {"diet": "pescatarian", "dislikes": ["sardines"]}},
                            ["pescatarian", "gluten"]),
    "teen_vegetarian": ({"person": {"age": 15, "sex": "female", "weight_kg": 52, "height_cm": 160},
                         "preferences": {"diet": "vegetarian", "exclude": ["eggs"]}},
                        ["vegetarian"]),
    "vitd_supplement_at_ul": ({"person": {"age": 50, "sex": "male"},
                               "supplements": [{"nutrient": "vitamin_d", "amount": 4000,
                                                "unit": "IU"}]}, []),
}


@pytest.mark.sr28
@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_plans_recomputed_from_the_database(who: str, sr28_db: Any, sr28_catalog: Any,
                                            check_plan: Any) -> None:
    profile, forbidden = PEOPLE[who]
    result = make_plan(profile, days=2, db=sr28_db, catalog=sr28_catalog)
    plan = result.data
    sups = {"vitamin_d": 100.0} if who == "vitd_supplement_at_ul" else {}
    check_plan(sr28_db, plan, forbidden, sups)
    days = [tuple(sorted((i["food"]["id"], i["grams"]) for i in d["items"])) for d in plan["days"]]
    assert len(set(days)) == len(days), "two identical days"
    for day in plan["days"]:
        assert 5 <= len(day["items"]) <= 12
        for item in day["items"]:
            assert item["food"]["source"] == "usda-sr28"
            weights = [p.grams for p in sr28_db.portions(sr28_db.get(item["food"]["id"]))]
            count = int(item["portion"].split(" x ")[0])
            assert 1 <= count <= 3
            assert any(abs(item["grams"] - count * w) < 0.05 for w in weights), item
    if not plan["shortfalls"]:
        energy = plan["targets"]["energy"]["amount"]
        assert all(abs(d["totals"]["energy"]["amount"] - energy) <= 0.2 * energy
                   for d in plan["days"])


@pytest.mark.sr28
def test_vitamin_d_supplement_at_ul_leaves_no_room_and_is_explained(sr28_db: Any,
                                                                     sr28_catalog: Any) -> None:
    profile, _ = PEOPLE["vitd_supplement_at_ul"]
    plan = make_plan(profile, db=sr28_db, catalog=sr28_catalog).data
    assert plan["targets"]["vitamin_d"]["food_limit"] == 0
    short = {s["nutrient"]: s for s in plan["shortfalls"]}
    assert "vitamin_d" in short and "upper limit" in short["vitamin_d"]["advice"]


@pytest.mark.sr28
def test_seven_days_all_distinct(sr28_db: Any, sr28_catalog: Any, check_plan: Any) -> None:
    plan = make_plan(PEOPLE["over_70"][0], days=7, db=sr28_db, catalog=sr28_catalog).data
    sets = [frozenset(i["food"]["id"] for i in d["items"]) for d in plan["days"]]
    assert len(set(sets)) == 7
    check_plan(sr28_db, plan, [], {})


def test_fallback_plan_without_a_database_uses_cited_foods() -> None:
    plan = make_plan({"person": {"age": 40, "sex": "female"},
                      "preferences": {"diet": "vegan"}}).data
    assert plan["food_source"] == "nutrispine-kb"
    names = [i["food"]["name"].lower() for d in plan["days"] for i in d["items"]]
    assert names and not any(w in n for n in names for w in ("milk, 2%", "salmon", "egg", "yogurt"))
    for s in plan["shortfalls"]:
        assert s["amount"] > 0 and "doctor" in s["advice"]


@pytest.mark.parametrize(("profile", "days", "field"), [
    ({"person": {"age": 40, "sex": "female"}}, 0, "days"),
    ({"person": {"age": 40, "sex": "female"}, "preferences": {"diet": "carnivore"}}, 1,
     "preferences.diet"),
])
def test_bad_input(profile: dict[str, Any], days: int, field: str) -> None:
    with pytest.raises(InputError) as err:
        make_plan(profile, days=days)
    assert err.value.problems[0].field.startswith(field)


def test_supplement_at_the_calcium_ul_is_warned_and_explained() -> None:
    plan = make_plan({"person": {"age": 60, "sex": "female"},
                      "supplements": [{"nutrient": "calcium", "amount": 2000, "unit": "mg"}]}).data
    assert plan["targets"]["calcium"]["food_limit"] == 0
    assert any(w["nutrient"] == "calcium" for w in plan["warnings"])
    assert "calcium" in {s["nutrient"] for s in plan["shortfalls"]}
    for day in plan["days"]:
        assert all((i["nutrients"]["calcium"]["amount"] or 0) == 0 for i in day["items"])


@pytest.mark.sr28
def test_toddler_plan_avoids_choking_hazards(sr28_db: Any, sr28_catalog: Any,
                                            check_plan: Any) -> None:
    plan = make_plan({"person": {"age": 2, "sex": "female"}}, days=3, db=sr28_db,
                     catalog=sr28_catalog).data
    check_plan(sr28_db, plan, [], {})
    for day in plan["days"]:
        for item in day["items"]:
            name = item["food"]["name"].lower()
            whole_nut = name.startswith(("nuts,", "seeds,")) and not any(
                w in name for w in ("coconut water", "coconut milk", "butter", "flour", "oil"))
            assert not whole_nut and "popcorn" not in name
            assert "frankfurter" not in name and "peanut" not in name
