"""What to say when food alone cannot reach a target: how far short, and what to discuss with a
doctor (sunlight, fortified foods, a supplement that keeps the total within the UL)."""

from __future__ import annotations

from typing import Any

from nutrispine.recommend.diet import DietFilter
from nutrispine.recommend.rules import Dose, load_rules
from nutrispine.recommend.targets import Target

NAMES = {"vitamin_d": "vitamin D", "magnesium": "magnesium", "vitamin_b12": "vitamin B12",
         "calcium": "calcium"}
FORTIFIED = {
    "vitamin_d": "fortified milk or plant drinks, fortified cereals, UV-exposed mushrooms",
    "vitamin_b12": "fortified plant drinks, fortified breakfast cereals, fortified nutritional yeast",
    "calcium": "calcium-fortified plant drinks or juice, calcium-set tofu",
    "magnesium": "seeds, beans, whole grains and leafy greens",
}


def _fmt(x: float) -> str:
    return f"{x:,.1f}".rstrip("0").rstrip(".") if x < 100 else f"{x:,.0f}"


def _dose_text(code: str, dose: Dose, target: Target, gap: float) -> str:
    high = dose.high
    room = None
    if target.ul is not None:
        room = target.ul - target.supplements - (target.goal - gap if target.ul_applies_to ==
                                                 "total" else 0.0)
        high = min(high, max(room, 0.0))
    unit = target.unit
    low = min(dose.low, high)
    iu = f" ({low * 40:,.0f}-{high * 40:,.0f} IU)" if code == "vitamin_d" else ""
    text = f"a supplement of {_fmt(low)}-{_fmt(high)} {unit} a day{iu}"
    if target.ul is not None:
        scope = "food plus supplements" if target.ul_applies_to == "total" else "supplements"
        text += f", keeping {scope} under the UL of {_fmt(target.ul)} {unit}"
    else:
        text += " (no UL has been set)"
    return text


def shortfall_advice(target: Target, reached: float, diet: DietFilter) -> dict[str, Any]:
    """The contract's shortfall entry for one nutrient."""
    rk = load_rules()
    code = target.nutrient
    gap = max(0.0, target.goal - reached)
    name = NAMES[code]
    where = f"a {diet.pattern} diet" if diet.pattern != "omnivore" else "your diet"
    if diet.avoid - set(rk.diet.patterns[diet.pattern].avoid):
        where += " with your exclusions"
    parts = [f"Within {where}, ordinary foods reach {_fmt(reached)} of the {_fmt(target.goal)} "
             f"{target.unit} {target.kind.upper()} for {name} on the plan's weakest day "
             f"({_fmt(gap)} {target.unit} short)."]
    if target.food_limit is not None and target.food_limit < target.goal:
        parts.append(f"Your supplements already use most of the upper limit "
                     f"({_fmt(target.supplements)} of {_fmt(target.ul or 0)} {target.unit}), so the "
                     "plan keeps food sources down.")
        if target.supplements >= target.goal:
            parts.append(f"The supplements alone give more than the {target.kind.upper()}, so "
                         f"your total {name} intake is not short; discuss with your doctor whether "
                         "the dose is right for you.")
            parts.append(f"Recheck: {rk.guidance[code].recheck.note}")
            guide = rk.guidance[code]
            return {"nutrient": code, "amount": round(gap, 2), "unit": target.unit,
                    "reached": round(reached, 2), "target": target.goal, "covered_by_supplements": True,
                    "advice": " ".join(parts), "sources": [_cite(guide.recheck.source)]}
    discuss = []
    if code == "vitamin_d":
        sun = next(s for s in rk.lifestyle.steps if s.id == "sunlight")
        discuss.append("safe sunlight: " + sun.text)
    discuss.append(f"fortified foods ({FORTIFIED[code]})")
    guide = rk.guidance[code]
    dose = next((d for d in guide.doses if not d.doctor_only), guide.doses[0])
    if not (target.food_limit is not None and target.food_limit <= target.goal - gap + 1e-9
            and target.ul_applies_to == "total" and target.supplements > 0):
        discuss.append(_dose_text(code, dose, target, gap))
    parts.append("Discuss with your doctor: " + "; ".join(discuss) + ".")
    parts.append(f"Recheck: {guide.recheck.note}")
    return {"nutrient": code, "amount": round(gap, 2), "unit": target.unit,
            "reached": round(reached, 2), "target": target.goal, "advice": " ".join(parts),
            "sources": [_cite(dose.source), _cite(guide.recheck.source)]}


def _cite(c: Any) -> str:
    return f"{c.title or c.id}: {c.locator}" if c.locator else (c.title or c.id)
