"""Supplement guidance to discuss with a doctor: dose range capped at the person's UL, form,
how to take it, spacing from the person's interacting medicines (interactions.yaml), cautions,
and which blood test to recheck and when (supplement_guidance.yaml)."""

from __future__ import annotations

from typing import Any

from nutrispine.recommend.codes import NAMES, check_nutrient, get, med_classes
from nutrispine.recommend.ruleview import cite, rules
from nutrispine.recommend.targets import person_targets


def supplement_guidance(nutrient: str, profile: Any, kb: Any = None,
                        food_per_day: float | None = None) -> dict[str, Any]:
    """Guidance for one nutrient; ``food_per_day`` (nutrient unit) narrows the room under a
    total-intake UL."""
    code = check_nutrient(nutrient)
    if kb is None:
        from nutrispine.knowledge import load_knowledge

        kb = load_knowledge()
    if isinstance(profile, dict):
        from nutrispine.profile import parse_profile

        profile = parse_profile(profile)
    guide = rules().guidance[code]
    target = person_targets(kb, profile.person, profile.supplements)[code]
    room = None
    if target.ul is not None:
        room = target.ul - target.supplements
        if target.ul_applies_to == "total" and food_per_day:
            room -= food_per_day
        room = max(0.0, room)
    doses = []
    for d in guide.doses:
        high = d.high if d.doctor_only or room is None else min(d.high, room)
        low = min(d.low, high)
        entry: dict[str, Any] = {"purpose": d.purpose, "low": low, "high": high,
                                 "unit": target.unit, "doctor_only": d.doctor_only,
                                 "note": d.note, "source": cite(kb, d.source)}
        if code == "vitamin_d":
            entry["iu"] = [round(low * 40), round(high * 40)]
        doses.append(entry)
    classes = med_classes(profile, kb)
    spacing, cautions = [], []
    for inter in kb.interactions:
        if inter.nutrient != code or inter.medication_class not in classes:
            continue
        item = {"medication_class": inter.medication_class, "text": inter.text,
                "source": kb.cite(inter.source)}
        if inter.spacing_hours:
            spacing.append({**item, "hours": inter.spacing_hours})
        else:
            cautions.append(item)
    risks = set(get(profile, "risk_factors") or ())
    for c in guide.cautions:
        if risks & set(c.risk_factors):
            cautions.append({"risk_factors": sorted(risks & set(c.risk_factors)), "text": c.text,
                             "source": cite(kb, c.source)})
    scope = ("food and supplements together" if target.ul_applies_to == "total"
             else "from supplements and medicines only, not food")
    ul_text = ("No upper limit has been set." if target.ul is None else
               f"Upper limit {target.ul:g} {target.unit} a day ({scope}).")
    r = guide.recheck
    return {
        "nutrient": code, "name": NAMES[code],
        "discuss_with_doctor": True,
        "forms": [{"name": f.name, "note": f.note} for f in guide.forms],
        "doses": doses, "take_with": guide.take_with,
        "upper_limit": {"amount": target.ul, "unit": target.unit,
                        "applies_to": target.ul_applies_to, "text": ul_text,
                        "already_from_supplements": target.supplements,
                        "room": None if room is None else round(room, 2)},
        "spacing": spacing, "cautions": cautions,
        "recheck": {"test": r.test, "after_weeks": r.after_weeks, "note": r.note,
                    "source": cite(kb, r.source)},
        "source": cite(kb, guide.source),
    }
