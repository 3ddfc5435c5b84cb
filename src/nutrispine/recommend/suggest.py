"""Five realistic foods for a nutrient a person is likely short of: they fit the diet, the
exclusions and dislikes, and the medicines (fortified B12 sources first when stomach-acid
reducers, metformin or age cut food-bound B12 absorption; spacing notes for minerals that bind
antibiotics, bisphosphonates or levothyroxine), each with an ordinary portion and how much of
the gap that portion closes."""

from __future__ import annotations

from typing import Any

import numpy as np

from nutrispine.recommend.candidates import usable
from nutrispine.recommend.catalog import UNITS, Catalog, load_catalog
from nutrispine.recommend.diet import filter_for_profile
from nutrispine.recommend.top import check_nutrient, family, scores

COUNT = 5
PER_GROUP = 2
MAX_PORTION_KCAL = 350.0
# Food-bound B12 needs stomach acid; crystalline B12 (fortified foods) does not (IOM 1998 p.306).
B12_ABSORPTION_CLASSES = {"metformin", "ppi", "h2_blocker"}
B12_ABSORPTION_RISKS = {"atrophic_gastritis", "gastric_surgery", "bariatric_surgery"}
B12_NOTE = ("Fortified foods first: their B12 is free (crystalline) and absorbed even when stomach "
            "acid is low (IOM 1998, NAP 6015 p.306).")
FORTIFIED_WORDS = ("fortified", "cereals ready-to-eat", "nutritional yeast")


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _med_classes(profile: Any, kb: Any) -> set[str]:
    out = set()
    for med in _get(profile, "medications") or ():
        cls = kb.medication_class(str(med)) if kb is not None else None
        if cls:
            out.add(cls)
    return out


def _fortified(name: str) -> bool:
    low = name.lower()
    return any(w in low for w in FORTIFIED_WORDS)


def suggest_foods(nutrient: str, gap_amount: float, profile: Any, db: Any = None,
                  kb: Any = None, *, catalog: Catalog | None = None,
                  count: int = COUNT) -> list[dict[str, Any]]:
    """Up to ``count`` foods, best first, as dicts (food, portion, grams, amount, unit,
    closes_gap_percent, note)."""
    code = check_nutrient(nutrient)
    if kb is None:
        from nutrispine.knowledge import load_knowledge

        kb = load_knowledge()
    cat = catalog if catalog is not None else load_catalog(db)
    diet = filter_for_profile(profile)
    classes = _med_classes(profile, kb)
    per_portion = scores(cat, code, "serving")
    kcal = cat.kcal100 * cat.portion_grams / 100.0
    mask = usable(cat, diet, plan=False) & ~np.isnan(per_portion) & (per_portion > 0)
    mask &= ~(kcal > MAX_PORTION_KCAL)
    if cat.kind == "database":
        mask &= ~cat.branded
    person = _get(profile, "person")
    age = float(_get(person, "age") or 0)
    risks = set(_get(profile, "risk_factors") or ())
    prefer_fortified = code == "vitamin_b12" and bool(
        classes & B12_ABSORPTION_CLASSES or risks & B12_ABSORPTION_RISKS or age > 50)
    rows = np.flatnonzero(mask)
    key = per_portion[rows].copy()
    if prefer_fortified:
        boost = np.array([_fortified(cat.names[i]) for i in rows])
        key = key + boost * 1e6  # fortified first, then by amount
    order = rows[np.argsort(-key, kind="stable")]
    notes = _notes(code, classes, kb, prefer_fortified)
    gap = float(gap_amount) if gap_amount and gap_amount > 0 else None
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    groups: dict[str, int] = {}
    for i in order:
        fam = family(cat.names[i])
        g = cat.groups[i]
        if fam in seen or (g and groups.get(g, 0) >= PER_GROUP):
            continue
        seen.add(fam)
        groups[g] = groups.get(g, 0) + 1
        amount = float(per_portion[i])
        out.append({
            "food": cat.food_ref(int(i)), "portion": cat.portion_label[i],
            "grams": round(float(cat.portion_grams[i]), 1), "amount": round(amount, 2),
            "unit": UNITS[code],
            "closes_gap_percent": round(min(100.0, amount / gap * 100.0)) if gap else 100,
            "note": " ".join(notes) if notes else None,
        })
        if len(out) >= count:
            break
    return out


def _notes(code: str, classes: set[str], kb: Any, prefer_fortified: bool) -> list[str]:
    notes = [B12_NOTE] if prefer_fortified else []
    for inter in getattr(kb, "interactions", []) or []:
        if inter.nutrient == code and inter.medication_class in classes and inter.spacing_hours:
            notes.append(f"Rich sources count too: {inter.text}")
    return notes
