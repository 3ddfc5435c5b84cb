"""Top foods and per-person suggestions, from the cited list and from SR28."""

from __future__ import annotations

from typing import Any

import pytest

from nutrispine.errors import InputError
from nutrispine.knowledge import load_knowledge
from nutrispine.recommend.suggest import suggest_foods
from nutrispine.recommend.top import top_foods


def test_fallback_top_calcium_vegan_excludes_dairy_and_ranks_down() -> None:
    r = top_foods("calcium", diets=["vegan"], limit=20)
    assert r["source"] == "knowledge"
    names = [f["food"]["name"] for f in r["foods"]]
    assert names and not any(w in n.lower() for n in names
                             for w in ("milk, 2%", "yogurt", "cheese", "sardine"))
    values = [f["per_serving"] for f in r["foods"]]
    assert values == sorted(values, reverse=True)
    assert all(f["food"]["source"] == "nutrispine-kb" for f in r["foods"])


def test_fallback_top_per_100kcal_and_dislikes() -> None:
    r = top_foods("magnesium", per="100kcal", dislikes=["spinach"], limit=40)
    assert "Spinach, boiled" not in [f["food"]["name"] for f in r["foods"]]
    values = [f["per_100kcal"] for f in r["foods"]]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(("kw", "field"), [({"nutrient": "potassium"}, "nutrient"),
                                           ({"nutrient": "calcium", "per": "cup"}, "per"),
                                           ({"nutrient": "calcium", "diets": ["keto"]},
                                            "filters.exclude")])
def test_bad_arguments(kw: dict[str, Any], field: str) -> None:
    nutrient = kw.pop("nutrient")
    with pytest.raises(InputError) as err:
        top_foods(nutrient, **kw)
    assert err.value.problems[0].field == field


@pytest.mark.sr28
@pytest.mark.parametrize("per", ["serving", "100g", "100kcal"])
def test_sr28_top_sorted_and_one_per_family(per: str, sr28_catalog: Any) -> None:
    r = top_foods("vitamin_d", per=per, limit=15, catalog=sr28_catalog)
    key = {"serving": "per_serving", "100g": "per_100g", "100kcal": "per_100kcal"}[per]
    values = [f[key] for f in r["foods"]]
    assert len(values) == 15 and values == sorted(values, reverse=True)
    fams = [",".join(f["food"]["name"].lower().split(",")[:2]) for f in r["foods"]]
    assert len(set(fams)) == len(fams)


@pytest.mark.sr28
def test_sr28_filters(sr28_catalog: Any) -> None:
    r = top_foods("magnesium", diets=["nut-free", "gluten-free"], limit=30, catalog=sr28_catalog)
    for f in r["foods"]:
        n = f["food"]["name"].lower()
        assert not any(w in n for w in ("almond", "cashew", "wheat", "bran", "brazil"))
    r = top_foods("calcium", diets=["lactose-free", "fish-free"], limit=30, catalog=sr28_catalog)
    for f in r["foods"]:
        n = f["food"]["name"].lower()
        assert not n.startswith(("milk,", "yogurt")) and "sardine" not in n and "salmon" not in n


def test_suggestions_fallback_fit_diet_and_report_gap() -> None:
    profile = {"person": {"age": 35, "sex": "female"}, "preferences": {"diet": "vegan"}}
    out = suggest_foods("calcium", 500, profile, None, load_knowledge())
    assert 1 <= len(out) <= 5
    for s in out:
        assert s["closes_gap_percent"] == min(100, round(s["amount"] / 500 * 100))
        assert s["portion"] and s["grams"] > 0
        assert not any(w in s["food"]["name"].lower() for w in ("milk, 2%", "yogurt", "cheese"))


@pytest.mark.sr28
def test_sr28_five_suggestions_with_medicine_awareness(sr28_db: Any, sr28_catalog: Any) -> None:
    profile = {"person": {"age": 62, "sex": "male"}, "medications": ["metformin", "doxycycline"],
               "preferences": {"diet": "vegetarian", "dislikes": ["yogurt"]}}
    b12 = suggest_foods("vitamin_b12", 1.2, profile, sr28_db, load_knowledge(),
                        catalog=sr28_catalog)
    assert len(b12) == 5
    assert "fortified" in b12[0]["food"]["name"].lower() or "cereals" in b12[0]["food"]["name"].lower()
    assert "crystalline" in (b12[0]["note"] or "")
    ca = suggest_foods("calcium", 300, profile, sr28_db, load_knowledge(), catalog=sr28_catalog)
    assert len(ca) == 5
    assert all("tetracycline" in (s["note"] or "") for s in ca)
    for s in b12 + ca:
        n = s["food"]["name"].lower()
        assert "yogurt" not in n and not any(w in n for w in ("beef", "chicken", "fish", "pork"))
        assert len({s["food"]["id"] for s in ca}) == 5
