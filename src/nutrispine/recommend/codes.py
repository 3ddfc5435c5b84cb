"""Nutrient codes, units and names, and small profile helpers shared by the recommenders.

Kept free of NumPy and of the pydantic rule models so that the ``assess`` path (food
suggestions, supplement guidance, lifestyle steps) can import it at almost no cost.
"""

from __future__ import annotations

from typing import Any

from nutrispine.errors import InputError, Problem, closest

NUTRIENTS: tuple[str, ...] = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
UNITS = {"vitamin_d": "µg", "magnesium": "mg", "vitamin_b12": "µg", "calcium": "mg"}
NAMES = {"vitamin_d": "vitamin D", "magnesium": "magnesium", "vitamin_b12": "vitamin B12",
         "calcium": "calcium"}
_ALIASES = {"d": "vitamin_d", "vitd": "vitamin_d", "b12": "vitamin_b12", "mg": "magnesium",
            "ca": "calcium", "vitamin_b_12": "vitamin_b12"}


def check_nutrient(nutrient: str, field: str = "nutrient") -> str:
    """The nutrient code for a name or alias ("B12", "vitamin d"); InputError if unknown."""
    code = nutrient.strip().lower().replace(" ", "_").replace("-", "_")
    code = _ALIASES.get(code, code)
    if code not in NUTRIENTS:
        raise InputError(Problem(field, f"unknown nutrient {nutrient!r}", closest(code, NUTRIENTS)))
    return code


def family(name: str) -> str:
    """Near-duplicate key: the first two parts of a USDA name ("Seeds, pumpkin ...")."""
    return ",".join(name.lower().split(",")[:2]).strip()


def get(obj: Any, key: str) -> Any:
    """``obj[key]`` for a contract-shaped dict, ``obj.key`` for a parsed profile; None if absent."""
    if obj is None:
        return None
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def med_classes(profile: Any, kb: Any) -> set[str]:
    """The medication classes (knowledge base names) of the profile's medicines."""
    out = set()
    for med in get(profile, "medications") or ():
        cls = kb.medication_class(str(med)) if kb is not None else None
        if cls:
            out.add(cls)
    return out
