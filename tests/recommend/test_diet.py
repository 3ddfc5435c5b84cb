"""Diet rules: food classification by USDA group and name, filters, and bad codes."""

from __future__ import annotations

import numpy as np
import pytest

from nutrispine.errors import InputError
from nutrispine.recommend.diet import classifier, filter_for_profile, make_filter

DAIRY = "Dairy and Egg Products"
CASES = [
    ("Milk, reduced fat, fluid, 2% milkfat, with added vitamin A and vitamin D", DAIRY,
     {"dairy", "lactose"}),
    ("Cheese, cheddar", DAIRY, {"dairy"}),
    ("Milk, lactose reduced, with added vitamin A and vitamin D", DAIRY, {"dairy"}),
    ("Egg, whole, cooked, hard-boiled", DAIRY, {"eggs"}),
    ("Soymilk, original and vanilla, with added calcium, vitamins A and D", "Legumes and Legume Products",
     {"soy"}),
    ("Beverages, almond milk, unsweetened, shelf stable", "Beverages", {"nuts"}),
    ("Peanut butter, smooth style, without salt", "Legumes and Legume Products", {"peanuts"}),
    ("Nuts, coconut water (liquid from coconuts)", "Nut and Seed Products", set()),
    ("Squash, winter, butternut, cooked, baked", "Vegetables and Vegetable Products", set()),
    ("Eggplant, cooked, boiled, drained", "Vegetables and Vegetable Products", set()),
    ("Bread, whole-wheat, commercially prepared", "Baked Products", {"gluten", "baked_animal"}),
    ("Rice, brown, long-grain, cooked", "Cereal Grains and Pasta", set()),
    ("Fish, salmon, Atlantic, farmed, cooked, dry heat", "Finfish and Shellfish Products", {"fish", "animal_other"}),
    ("Crustaceans, shrimp, cooked", "Finfish and Shellfish Products", {"shellfish", "animal_other"}),
    ("Chicken, broilers or fryers, breast, meat only, cooked, roasted", "Poultry Products", {"meat"}),
    ("Frankfurter, meatless", "Legumes and Legume Products", {"composite", "soy", "choking_risk"}),
    ("Tofu, firm, prepared with calcium sulfate and magnesium chloride (nigari)",
     "Legumes and Legume Products", {"soy"}),
    ("Beef, variety meats and by-products, liver, cooked, pan-fried", "Beef Products",
     {"meat", "plan_avoid", "pregnancy_avoid"}),
]


@pytest.mark.parametrize(("name", "group", "expected"), CASES)
def test_classification(name: str, group: str, expected: set[str]) -> None:
    tags = {t for t in classifier().tags(name, group) if not t.endswith("_group")}
    assert tags == expected


def test_exclusions_also_drop_the_whole_usda_group() -> None:
    tags = classifier().tags("Seeds, pumpkin and squash seed kernels, roasted", "Nut and Seed Products")
    assert "nut_seed_group" in tags and not make_filter(None, ["nuts"]).allows(tags, "Seeds")
    egg = classifier().tags("Egg, whole, cooked, hard-boiled", DAIRY)
    assert not make_filter(None, ["dairy"]).allows(egg, "Egg")
    assert make_filter(None, ["nuts"]).allows(egg, "Egg")


@pytest.mark.parametrize(("name", "group", "ok"), [
    ("Chicken, broilers or fryers, breast, meat only, raw", "Poultry Products", False),
    ("Fish, salmon, Atlantic, farmed, cooked, dry heat", "Finfish and Shellfish Products", True),
    ("Spices, pepper, black", "Spices and Herbs", False),
    ("Oil, olive, salad or cooking", "Fats and Oils", False),
    ("Leavening agents, yeast, baker's, active dry", "Baked Products", False),
    ("Bananas, raw", "Fruits and Fruit Juices", True),
    ("Milk, canned, evaporated, without added vitamin A", DAIRY, False),
])
def test_realism(name: str, group: str, ok: bool) -> None:
    assert classifier().realistic(name, group) is ok


def test_patterns_and_exclusions() -> None:
    vegan = make_filter("vegan")
    assert {"meat", "fish", "shellfish", "dairy", "eggs"} <= vegan.avoid
    assert make_filter("pescatarian").avoid == {"meat"}
    f = make_filter(None, ["nuts", "gluten-free", "lactose-free"])
    assert {"nuts", "gluten", "lactose"} <= f.avoid
    assert make_filter(None, ["vegan"]).pattern == "vegan"


def test_conditions_imply_exclusions() -> None:
    f = filter_for_profile({"person": {"age": 40, "sex": "female", "pregnant": True},
                            "risk_factors": ["lactose_intolerance", "celiac_disease", "vegan"]})
    assert {"lactose", "gluten", "pregnancy_avoid", "dairy"} <= f.avoid
    assert f.pattern == "vegan"


def test_dislikes_match_plurals_and_word_starts() -> None:
    f = make_filter(dislikes=["mushrooms", "Liver"])
    assert not f.allows(frozenset(), "Mushrooms, white, cooked")
    assert not f.allows(frozenset(), "Beef, variety meats and by-products, liver, cooked")
    assert f.allows(frozenset(), "Spinach, cooked")


def test_restricted_diets_drop_composite_dishes() -> None:
    assert make_filter().allows(frozenset({"composite"}), "Lasagna")
    assert not make_filter("vegetarian").allows(frozenset({"composite"}), "Lasagna")


@pytest.mark.parametrize(("diet", "exclude", "field"), [
    ("vegam", [], "preferences.diet"), (None, ["nutz"], "preferences.exclude")])
def test_unknown_codes_name_the_field_and_suggest(diet: str | None, exclude: list[str],
                                                  field: str) -> None:
    with pytest.raises(InputError) as err:
        make_filter(diet, exclude)
    problem = err.value.problems[0]
    assert problem.field == field and problem.suggestions


@pytest.mark.sr28
def test_vegan_filter_over_all_sr28_foods(sr28_catalog: object) -> None:
    cat = sr28_catalog
    allowed = cat.allowed(make_filter("vegan"))  # type: ignore[attr-defined]
    animal_groups = {"Poultry Products", "Beef Products", "Pork Products", "Finfish and Shellfish Products",
                     "Lamb, Veal, and Game Products", "Sausages and Luncheon Meats", "Dairy and Egg Products"}
    names = np.array(cat.names)  # type: ignore[attr-defined]
    groups = np.array(cat.groups)  # type: ignore[attr-defined]
    bad = [n for n, g in zip(names[allowed], groups[allowed], strict=True) if g in animal_groups]
    assert bad == []
    words = (" beef", " chicken", " cheese", " yogurt", " egg,", "salmon", " tuna", " pork")
    leaks = [n for n in names[allowed] if any(w in f" {n.lower()}" for w in words)
             and "meatless" not in n.lower() and "tofu yogurt" not in n.lower()]
    assert leaks == []
    assert allowed.sum() > 1500  # plenty of plant foods remain
