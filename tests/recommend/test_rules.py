"""The recommendation knowledge files: strict load, every entry cited and dated, values sane."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from nutrispine.recommend.rules import KNOWLEDGE, load_rules

CHECKED = dt.date(2026, 11, 24)


def test_files_load_and_every_citation_resolves() -> None:
    rk = load_rules()
    assert len(rk.food_tags.foods) >= 30
    assert set(rk.guidance) == {"vitamin_d", "magnesium", "vitamin_b12", "calcium"}
    for where, c in rk.citations():
        assert c.locator or c.title, where


@pytest.mark.parametrize("name", ["diet_rules", "food_tags", "supplement_guidance", "lifestyle"])
def test_every_entry_is_checked_on_the_date(name: str) -> None:
    data = yaml.safe_load((KNOWLEDGE / f"{name}.yaml").read_text(encoding="utf-8"))
    rk = load_rules()
    if name == "diet_rules":
        dates = [r.checked for r in rk.diet.tags.values()] + [rk.diet.energy.checked]
    elif name == "food_tags":
        dates = [data["defaults"]["checked"]]
    elif name == "supplement_guidance":
        dates = [g.checked for g in rk.guidance.values()]
    else:
        dates = [s.checked for s in rk.lifestyle.steps]
    assert dates and all(d == CHECKED for d in dates)


def test_dose_ranges_ordered_and_within_ul_unless_doctor_led() -> None:
    uls = {"vitamin_d": 100, "magnesium": 350, "calcium": 2500}
    for code, g in load_rules().guidance.items():
        for d in g.doses:
            assert 0 < d.low <= d.high
            if code in uls and not d.doctor_only:
                assert d.high <= uls[code], (code, d.purpose)


def test_fallback_foods_have_positive_amounts_and_known_tags() -> None:
    rk = load_rules()
    tags = set(rk.diet.tags)
    for f in rk.food_tags.foods:
        assert f.grams > 0 and f.kcal > 0
        amounts = [f.vitamin_d, f.magnesium, f.vitamin_b12, f.calcium]
        assert any(a is not None for a in amounts), f.id
        assert all(a is None or a > 0 for a in amounts), f.id
        assert set(f.tags) <= tags, f.id


def test_lifestyle_covers_the_articles_holistic_steps() -> None:
    ids = {s.id for s in load_rules().lifestyle.steps}
    assert {"gentle_exercise", "hydration", "sunlight", "stress", "sleep"} <= ids
    for s in load_rules().lifestyle.steps:
        assert s.source.id == "article" or s.also is not None


def test_unknown_tag_reference_is_refused() -> None:
    from nutrispine.recommend.rules import DietRules

    data = yaml.safe_load((KNOWLEDGE / "diet_rules.yaml").read_text(encoding="utf-8"))
    data["patterns"]["vegan"]["avoid"].append("unicorn")
    with pytest.raises(ValueError, match="unicorn"):
        DietRules.model_validate(data)
