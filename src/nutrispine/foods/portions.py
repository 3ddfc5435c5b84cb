"""Grams for "quantity × unit" of a food: exact mass units, volumes through the food's own
density (from its USDA household weights), household measures from the USDA weights, and
clearly flagged defaults (a handful, a glass, a piece) when the data has nothing better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nutrispine.foods.database import Food, Portion

# Exact unit definitions (US customary, as used by USDA household measures).
MASS_G = {"g": 1.0, "kg": 1000.0, "mg": 0.001, "oz": 28.349523125, "lb": 453.59237}
VOLUME_ML = {
    "ml": 1.0, "cl": 10.0, "dl": 100.0, "l": 1000.0,
    "tsp": 4.92892159375, "tbsp": 14.78676478125, "fl oz": 29.5735295625,
    "cup": 236.5882365, "pint": 473.176473, "quart": 946.352946, "gallon": 3785.411784,
}
# How USDA weight descriptions spell volume measures.
_VOLUME_WORDS = {"tsp": "tsp", "teaspoon": "tsp", "tbsp": "tbsp", "tablespoon": "tbsp",
                 "cup": "cup", "fl oz": "fl oz", "pint": "pint", "quart": "quart",
                 "ml": "ml", "liter": "l", "gallon": "gallon"}
SIZE_WORDS = ("medium", "large", "small", "extra large", "jumbo")
# USDA descriptions of one whole item ("fruit (2-5/8\" dia)", "breast, bone and skin removed").
ITEM_WORDS = ("fruit", "breast", "fillet", "steak", "chop", "patty", "link", "item", "each",
              "whole", "piece", "bagel", "muffin", "roll", "bun", "thigh", "drumstick", "leg")
# Defaults when a measure has no USDA weight: (unit, amount in that unit, why).
DEFAULTS: dict[str, tuple[str, float, str]] = {
    "glass": ("cup", 1.0, "a glass was taken as 1 cup (8 fl oz)"),
    "bowl": ("cup", 1.5, "a bowl was taken as 1.5 cups"),
    "handful": ("g", 30.0, "a handful was taken as 30 g"),
    "dash": ("g", 0.5, "a dash or pinch was taken as 0.5 g"),
    "splash": ("ml", 15.0, "a splash was taken as 1 tablespoon (15 ml)"),
    "serving": ("g", 100.0, "a serving was taken as 100 g"),
    "piece": ("g", 50.0, "a piece was taken as 50 g"),
    "square": ("g", 10.0, "a square (of chocolate) was taken as 10 g"),
}
BEVERAGE_HINTS = ("milk", "juice", "beverage", "drink", "soymilk", "water", "coffee", "tea",
                  "soda", "beer", "wine", "smoothie", "kefir", "buttermilk")


@dataclass
class Amount:
    """The grams for an entry, which USDA measure gave them, and any guesses made."""

    grams: float | None
    measure: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _volume_of(portion: Portion) -> float | None:
    """Millilitres of one unit of a USDA volume measure ("cup, chopped" -> 236.6)."""
    desc = portion.description.lower()
    for word, unit in _VOLUME_WORDS.items():
        if re.match(rf"^{re.escape(word)}s?\b", desc):
            return VOLUME_ML[unit]
    return None


def is_beverage(food: Food, portions: list[Portion]) -> bool:
    name = food.name.lower()
    return (food.group == "Beverages" or name.split(",")[0].strip() in BEVERAGE_HINTS
            or any(h in name.split(",")[0] for h in BEVERAGE_HINTS)
            or any(p.description.lower().startswith("fl oz") for p in portions))


def density(portions: list[Portion], prefer: str | None = None) -> tuple[float, str] | None:
    """Grams per millilitre from the food's volume measures (cup first)."""
    best: tuple[int, float, str] | None = None
    for p in portions:
        ml = _volume_of(p)
        if ml is None:
            continue
        desc = p.description.lower()
        rank = 0 if desc == "cup" else 1 if desc.startswith("cup") else 2
        if prefer and prefer in desc:
            rank -= 3
        g_per_ml = p.grams_per_unit / ml
        if best is None or rank < best[0]:
            best = (rank, g_per_ml, p.description)
    return (best[1], best[2]) if best else None


def _find_measure(portions: list[Portion], unit: str, modifier: str | None) -> Portion | None:
    word = unit.rstrip("s")
    hits = [p for p in portions if re.search(rf"\b{re.escape(word)}(?:s|es)?\b",
                                             p.description.lower())]
    if not hits:
        return None
    if modifier:
        mod = [p for p in hits if modifier in p.description.lower()]
        if mod:
            hits = mod
    starts = [p for p in hits if p.description.lower().startswith(word)]
    plain = [p for p in starts if not re.search(r"hull|shell|yield|refuse|bone|pit",
                                                p.description.lower())]
    exact = [p for p in plain if p.description.lower().split(" (")[0].strip(" ,") == word]
    starts = exact or plain or starts
    if unit in SIZE_WORDS:
        exact = [p for p in hits if p.description.lower().split(" (")[0].strip(" ,") == word]
        starts = exact or starts
    return (starts or hits)[0]


def _count_measure(portions: list[Portion], food_name: str = "") -> Portion | None:
    """The USDA measure for "2 eggs" / "an apple": the typical single item."""
    if not portions:
        return None
    first = portions[0].description.lower()
    if first.split(" (")[0].strip(" ,") in SIZE_WORDS and food_name.lower().startswith("egg"):
        return portions[0]  # USDA lists the reference egg (large) first
    for size in ("medium", ITEM_WORDS, "large", "small"):
        for p in portions:
            desc = p.description.lower()
            if desc.startswith(size) and not desc.startswith("extra"):
                return p
    for p in portions:
        desc = p.description.lower()
        if (_volume_of(p) is None and not re.match(r"^(?:oz|lb|g\b|nlea|serving|package)", desc)
                and "serving" not in desc):
            return p
    for p in portions:
        if "serving" in p.description.lower():
            return p
    return None


def grams_for(quantity: float, unit: str | None, food: Food, portions: list[Portion],
              modifier: str | None = None) -> Amount:
    """Grams of ``quantity`` ``unit`` of ``food`` (unit None = a count of items)."""
    warnings: list[tuple[str, str]] = []
    if unit == "oz" and is_beverage(food, portions):
        unit = "fl oz"
        warnings.append(("assumed_fluid_ounces", "oz of a drink was read as fluid ounces"))
    if unit in MASS_G:
        return Amount(quantity * MASS_G[unit], unit, warnings)
    if unit in VOLUME_ML:
        ml = quantity * VOLUME_ML[unit]
        dens = density(portions, modifier)
        if dens is None:
            warnings.append(("assumed_density", f"no USDA volume measure for {food.name}; "
                             "assumed 1 g per ml"))
            return Amount(ml, unit, warnings)
        exact = _find_measure(portions, unit, modifier) if unit in ("cup", "tbsp", "tsp") else None
        if exact is not None and _volume_of(exact) == VOLUME_ML[unit]:
            return Amount(quantity * exact.grams_per_unit, exact.description, warnings)
        return Amount(ml * dens[0], f"{unit} (density from USDA '{dens[1]}')", warnings)
    if unit is None or unit == "whole":
        measure = _count_measure(portions, food.name)
        if measure is not None:
            return Amount(quantity * measure.grams_per_unit, measure.description, warnings)
        warnings.append(("assumed_portion", "no USDA measure for one item; assumed 100 g each"))
        return Amount(quantity * 100.0, None, warnings)
    measure = _find_measure(portions, unit, modifier)
    if unit == "handful":
        measure = measure or next((p for p in portions if p.description.lower().startswith("oz")),
                                  None)
        if measure is not None:
            warnings.append(("assumed_portion", f"a handful was taken as {measure.amount:g} "
                             f"{measure.description}"))
            return Amount(quantity * measure.grams_per_unit, measure.description, warnings)
    if measure is not None:
        return Amount(quantity * measure.grams_per_unit, measure.description, warnings)
    if unit in SIZE_WORDS:
        sized = _count_measure(portions, food.name)
        if sized is not None:
            warnings.append(("assumed_portion", f"no '{unit}' measure; used '{sized.description}'"))
            return Amount(quantity * sized.grams_per_unit, sized.description, warnings)
    if unit in DEFAULTS:
        base, amount, why = DEFAULTS[unit]
        warnings.append(("assumed_portion", why))
        inner = grams_for(quantity * amount, base, food, portions, modifier)
        return Amount(inner.grams, inner.measure, warnings + inner.warnings)
    if unit == "serving" or unit in ("container", "packet", "bottle", "can", "bar", "scoop"):
        nlea = next((p for p in portions if "serving" in p.description.lower()), None)
        if nlea is not None:
            warnings.append(("assumed_portion", f"'{unit}' was taken as '{nlea.description}'"))
            return Amount(quantity * nlea.grams_per_unit, nlea.description, warnings)
    count = _count_measure(portions, food.name)
    if count is not None:
        warnings.append(("assumed_portion", f"no '{unit}' measure for this food; used "
                         f"'{count.description}'"))
        return Amount(quantity * count.grams_per_unit, count.description, warnings)
    warnings.append(("assumed_portion", f"no '{unit}' measure for this food; assumed 100 g"))
    return Amount(quantity * 100.0, None, warnings)
