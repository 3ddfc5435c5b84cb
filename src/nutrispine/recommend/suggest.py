"""Five realistic foods for a nutrient a person is likely short of: they fit the diet, the
exclusions and dislikes, and the medicines (fortified B12 sources first when stomach-acid
reducers, metformin or age cut food-bound B12 absorption; spacing notes for minerals that bind
antibiotics, bisphosphonates or levothyroxine), each with an ordinary portion and how much of
the gap that portion closes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nutrispine.recommend.codes import UNITS, check_nutrient, get, med_classes
from nutrispine.recommend.diet import filter_for_profile
from nutrispine.recommend.shortlist import MAX_PORTION_KCAL, for_database, from_catalog

if TYPE_CHECKING:
    from nutrispine.recommend.catalog import Catalog

__all__ = ["MAX_PORTION_KCAL", "suggest_foods"]

COUNT = 5
PER_GROUP = 2
# Food-bound B12 needs stomach acid; crystalline B12 (fortified foods) does not (IOM 1998 p.306).
B12_ABSORPTION_CLASSES = {"metformin", "ppi", "h2_blocker"}
B12_ABSORPTION_RISKS = {"atrophic_gastritis", "gastric_surgery", "bariatric_surgery"}
B12_NOTE = ("Fortified foods first: their B12 is free (crystalline) and absorbed even when stomach "
            "acid is low (IOM 1998, NAP 6015 p.306).")


def suggest_foods(nutrient: str, gap_amount: float, profile: Any, db: Any = None,
                  kb: Any = None, *, catalog: Catalog | None = None,
                  count: int = COUNT) -> list[dict[str, Any]]:
    """Up to ``count`` foods, best first, as dicts (food, portion, grams, amount, unit,
    closes_gap_percent, note).

    Walks the precomputed per-nutrient ranking (shortlist.py) and stops once ``count`` foods
    from different families (at most two per USDA group) fit the person: a few milliseconds,
    without NumPy, even over the full SR28 database.
    """
    code = check_nutrient(nutrient)
    if kb is None:
        from nutrispine.knowledge import load_knowledge

        kb = load_knowledge()
    foods = from_catalog(catalog) if catalog is not None else for_database(db)
    diet = filter_for_profile(profile)
    classes = med_classes(profile, kb)
    person = get(profile, "person")
    age = float(get(person, "age") or 0)
    risks = set(get(profile, "risk_factors") or ())
    prefer_fortified = code == "vitamin_b12" and bool(
        classes & B12_ABSORPTION_CLASSES or risks & B12_ABSORPTION_RISKS or age > 50)
    notes = _notes(code, classes, kb, prefer_fortified)
    note = " ".join(notes) if notes else None
    gap = float(gap_amount) if gap_amount and gap_amount > 0 else None
    amounts = foods.amounts[code]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    groups: dict[str, int] = {}
    for i in foods.ranking(code, prefer_fortified):
        fam = foods.families[i]
        g = foods.groups[i]
        if fam in seen or (g and groups.get(g, 0) >= PER_GROUP):
            continue
        if not diet.allows(foods.tags[i], foods.names[i]):
            continue
        seen.add(fam)
        groups[g] = groups.get(g, 0) + 1
        amount = amounts[i]
        out.append({
            "food": foods.food_ref(i), "portion": foods.portions[i],
            "grams": round(foods.grams[i], 1), "amount": round(amount, 2),
            "unit": UNITS[code],
            "closes_gap_percent": round(min(100.0, amount / gap * 100.0)) if gap else 100,
            "note": note,
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
