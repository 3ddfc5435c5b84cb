"""Words shared by the text and HTML renderers, so both say the same thing."""

from __future__ import annotations

from typing import Any

LEVEL_TITLES = {
    "emergency": "EMERGENCY: get help now",
    "urgent": "URGENT: see a doctor within a day or two",
    "routine": "See your doctor: book an appointment",
    "self_care": "Self-care: start with food and lifestyle",
}
LIKELIHOOD_WORDS = {"high": "likely", "moderate": "possible", "low": "unlikely"}
NAMES = {"vitamin_d": "Vitamin D", "magnesium": "Magnesium", "vitamin_b12": "Vitamin B12", "calcium": "Calcium"}


def first_steps(result: dict[str, Any]) -> list[str]:
    """The one or two things to do first: triage advice, then the most pressing nutrient step."""
    tri = result["triage"]
    steps = [tri["advice"]]
    if tri["level"] in ("emergency", "urgent"):
        return steps
    ranked = sorted(result["nutrients"].items(), key=lambda kv: -kv[1].get("probability", 0))
    for _, n in ranked:
        if n["likelihood"] != "low" and n["next_steps"]:
            steps.append(n["next_steps"][0])
            break
    return steps[:2]


def lab_line(lab: dict[str, Any]) -> str:
    if lab["status"] == "not_tested":
        return "Blood test: not tested."
    text = f"Blood test: {lab['value']:g} {lab['unit']}"
    if lab.get("value_si") is not None and lab["unit"] != lab["unit_si"]:
        text += f" = {lab['value_si']:g} {lab['unit_si']}"
    return text + f" ({lab['status']})."


def intake_line(intake: dict[str, Any] | None, unit: str, supplement: float | None = None) -> str | None:
    if not intake or intake.get("per_day") is None:
        return None
    unit = intake.get("unit", unit)
    text = f"Food intake: about {sig(intake['per_day'])} {unit} a day"
    if supplement:
        text += f", plus {sig(supplement)} {unit} from supplements"
    target = intake.get("rda") or intake.get("ai")
    if target:
        text += f" (recommended {target:g})"
    if intake.get("probability_adequate") is not None:
        what = "food alone" if supplement else "it"
        text += f"; chance {what} meets your need: {intake['probability_adequate']:.0%}"
    return text + "."


def supplement_line(guide: dict[str, Any] | None) -> str | None:
    """One plain sentence on the usual supplement dose to discuss with a doctor."""
    if not guide:
        return None
    doses = [d for d in guide.get("doses", []) if not d.get("doctor_only")]
    if not doses:
        return None
    d = doses[0]
    form = guide.get("forms", [{}])[0].get("name", "")
    text = f"To discuss with your doctor: {form + ', ' if form else ''}{d['low']:g}-{d['high']:g} {d['unit']} a day"
    if d.get("iu"):
        text += f" ({d['iu'][0]:,}-{d['iu'][1]:,} IU)"
    recheck = guide.get("recheck")
    if recheck and recheck.get("after_weeks"):
        text += f"; recheck the blood test after about {recheck['after_weeks']:g} weeks"
    return text + "."


def sig(value: float, digits: int = 3) -> str:
    """A number to three significant figures, without trailing noise: 236.18 -> 236, 2.67 -> 2.67."""
    return f"{float(f'{value:.{digits}g}'):g}"
