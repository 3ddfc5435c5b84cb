"""Shared fixtures: the SR28 catalogue and home (tests/conftest.py imports SR28 once per session)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def sr28_catalog(sr28_db: object) -> object:
    from nutrispine.recommend.catalog import load_catalog

    return load_catalog(sr28_db)


@pytest.fixture
def sr28_home(sr28_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """NUTRISPINE_HOME pointing at the imported SR28 (for CLI tests)."""
    monkeypatch.setenv("NUTRISPINE_HOME", str(sr28_db_path.parent))
    return sr28_db_path.parent


# --- an independent check of a plan against the food database ---------------------------
NUTRIENTS = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
# Independent of diet_rules.yaml: plain words that must not appear in a food's name.
FORBIDDEN = {
    "vegan": ["beef", "pork", "chicken", "turkey", "fish", "salmon", "tuna", "sardine", "^milk,",
              "cheese", "(?<!tofu )yogurt", "egg,", "eggs", "^butter,", "(?<!coconut )cream", "honey",
              "shrimp", "ham,"],
    "vegetarian": ["beef", "pork", "chicken", "turkey", "fish", "salmon", "tuna", "sardine",
                   "shrimp", "ham,", "bacon", "gelatin", r"\blamb\b", "veal"],
    "pescatarian": ["beef", "pork", "chicken", "turkey", "ham,", "bacon", r"\blamb\b", "veal",
                    "sausage"],
    "nuts": ["almond", "cashew", "walnut", "pecan", "pistachio", "hazelnut", "macadamia"],
    "eggs": [r"\begg\b", r"\beggs\b", "mayonnaise", "omelet"],
    "fish": ["fish", "salmon", "tuna", "sardine", "cod,", "trout", "mackerel", "herring"],
    "dairy": ["^milk,", "cheese", "(?<!tofu )yogurt", "^butter,", "(?<!coconut )cream"],
    "soy": [r"\bsoy", "tofu", "tempeh", "edamame", "miso"],
    "meat": ["beef", "pork", "chicken", "turkey", r"\bham\b", "bacon", r"\blamb\b", "veal"],
    "shellfish": ["shrimp", "crab", "lobster", "clam", "oyster", "mussel", "scallop"],
    "peanuts": ["peanut"],
    "gluten": [r"(?<!buck)wheat", "bread", "pasta", "barley", r"\brye\b", "bagel", "muffin",
               "cracker", r"\boat"],
    "lactose": ["^milk,", "(?<!tofu )yogurt", "ice cream", "cottage cheese"],
    "pregnant": ["liver", "swordfish", "shark", "king mackerel"],
}

def _recompute(db: Any, plan: dict[str, Any]) -> list[dict[str, float]]:
    out = []
    for day in plan["days"]:
        tot = dict.fromkeys((*NUTRIENTS, "energy"), 0.0)
        for item in day["items"]:
            ref = item["food"]
            per100 = db.nutrients_per_100g(ref["id"], ref["source"])
            for n in NUTRIENTS:
                tot[n] += (per100[n] or 0.0) * item["grams"] / 100.0
            tot["energy"] += (per100["energy_kcal"] or 0.0) * item["grams"] / 100.0
        out.append(tot)
    return out


def _check(db: Any, plan: dict[str, Any], forbidden: list[str], supplements: dict[str, float]
           ) -> None:
    totals = _recompute(db, plan)
    short = {s["nutrient"]: s for s in plan["shortfalls"]}
    for n in NUTRIENTS:
        t = plan["targets"][n]
        goal = t.get("rda", t.get("ai"))
        for day in totals:
            if day[n] < goal - 1e-6:
                assert n in short, f"{n}: {day[n]:.2f} < {goal} and no shortfall named"
                assert short[n]["amount"] >= goal - day[n] - 0.01
                assert short[n]["advice"]
            if t["ul"] is not None and t["ul_applies_to"] == "total":
                room = max(0.0, t["ul"] - supplements.get(n, 0.0))
                assert day[n] <= room + 1e-6, f"{n}: food passes the UL minus supplements"
        mean = sum(d[n] for d in totals) / len(totals)
        assert plan["totals_per_day"][n]["amount"] == pytest.approx(mean, abs=0.02)
    for day in plan["days"]:
        for item in day["items"]:
            name = item["food"]["name"].lower() + ","
            for word in (w for key in forbidden for w in FORBIDDEN[key]):
                assert not re.search(word, name), f"{item['food']['name']} breaks {forbidden}"


@pytest.fixture(scope="session")
def check_plan() -> Any:
    """``check(db, plan, forbidden_keys, supplements)``: recompute and assert the plan is sound."""
    return _check
