"""Supplement totals in the nutrient's own unit, and the upper-limit and interaction checks."""

from __future__ import annotations

from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import NUTRIENTS, Requirement
from nutrispine.profile import Supplement
from nutrispine.vocabulary import SUPPLEMENT_UNITS

MASS_TO_UG = {"µg": 1.0, "mg": 1000.0}


def unit_of(text: str) -> str:
    """Canonical supplement unit: 'µg', 'mg' or 'IU' (input already validated)."""
    key = text.strip().lower()
    if key.startswith(("µ", "μ")):
        key = "u" + key[1:]
    return SUPPLEMENT_UNITS[key]


def to_nutrient_unit(kb: KnowledgeBase, nutrient: str, amount: float, unit: str) -> float:
    """Convert a daily amount to the nutrient's unit (µg or mg); IU only for vitamin D."""
    unit = unit_of(unit)
    target = kb.nutrients[nutrient].unit
    if unit == "IU":
        per = kb.nutrients[nutrient].iu_per_unit
        assert per is not None
        micrograms = amount / per
    else:
        micrograms = amount * MASS_TO_UG[unit]
    return micrograms / MASS_TO_UG[target]


def daily_totals(kb: KnowledgeBase, supplements: list[Supplement] | None) -> dict[str, float]:
    """Sum of each nutrient's supplements per day, in its unit (only nutrients taken)."""
    totals: dict[str, float] = {}
    for s in supplements or ():
        totals[s.nutrient] = totals.get(s.nutrient, 0.0) + to_nutrient_unit(kb, s.nutrient, s.amount, s.unit)
    return {n: round(v, 3) for n, v in totals.items()}


def upper_limit_warnings(
    kb: KnowledgeBase,
    totals: dict[str, float],
    requirements: dict[str, Requirement],
    food_per_day: dict[str, float | None],
) -> list[dict[str, str]]:
    """Warn when supplements, food, or both (where the UL covers total intake) pass the UL."""
    warnings: list[dict[str, str]] = []
    for nutrient in NUTRIENTS:
        req = requirements[nutrient]
        supp = totals.get(nutrient, 0.0)
        food = food_per_day.get(nutrient) if req.ul_applies_to == "total" else None
        if req.ul is None or (supp <= 0 and not food):
            continue
        total = supp + (food or 0.0)
        unit = req.unit
        name = kb.nutrients[nutrient].name
        if total > req.ul:
            what = "Your food" if supp <= 0 else "Your supplements" if not food else "Your supplements plus food"
            scope = (
                " (the magnesium limit counts supplements and medicines only)"
                if req.ul_applies_to == "supplements"
                else ""
            )
            text = (
                f"{what} give {total:g} {unit} of {name} a day, above the upper limit of "
                f"{req.ul:g} {unit} for your age{scope}. Do not take more than the upper limit "
                f"unless your doctor has prescribed it for a set time; talk with your doctor."
            )
            warnings.append(
                {"code": "above_upper_limit", "nutrient": nutrient, "text": text, "source": kb.cite(req.source)}
            )
            if supp > 10 * req.ul:
                warnings.append(
                    {
                        "code": "implausible_value",
                        "nutrient": nutrient,
                        "text": f"A daily {name} supplement of {supp:g} {unit} is more than ten times "
                        "the upper limit; please check the amount and unit.",
                    }
                )
    return warnings


def interaction_warnings(
    kb: KnowledgeBase, supplement_nutrients: set[str], medication_classes: dict[str, list[str]]
) -> list[dict[str, str]]:
    """One warning per supplement taken together with an interacting class of medicine."""
    warnings: list[dict[str, str]] = []
    for inter in kb.interactions:
        if inter.nutrient not in supplement_nutrients or inter.medication_class not in medication_classes:
            continue
        meds = ", ".join(medication_classes[inter.medication_class])
        warnings.append(
            {
                "code": "interaction",
                "nutrient": inter.nutrient,
                "medication": meds,
                "text": f"{inter.text} (You listed: {meds}.)",
                "source": kb.cite(inter.source) + (" [unverified]" if inter.unverified else ""),
            }
        )
    return warnings
