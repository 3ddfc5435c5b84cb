"""Food-log entries -> which food, how many grams, and the four nutrients in that amount.

Every result names its food and grams so anyone can recompute it; guesses (a default
portion, an assumed density) and implausible amounts are reported as warnings; a nutrient
the database lacks is None (JSON null), never 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from nutrispine.foods.database import Food, FoodDatabase
from nutrispine.foods.portions import MASS_G, VOLUME_ML, grams_for
from nutrispine.foods.quantity import UNIT_SPELLINGS, Phrase, parse_text
from nutrispine.foods.schema import NUTRIENTS
from nutrispine.foods.synonyms import COOKED_WORDS
from nutrispine.foods.text import words

REPORTED = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
UNITS = {code: NUTRIENTS[code][1] for code in REPORTED}
# Above this many grams in one entry the amount is accepted but flagged (about 8 cups of
# milk; no single food is plausibly eaten in such amounts at one sitting).
IMPLAUSIBLE_GRAMS = 2000.0
# A hit that lacks more than a third of the entry's food words is no match at all.
MIN_COVERAGE = 0.6
_MODIFIERS = ("chopped", "sliced", "diced", "shredded", "mashed", "grated", "cubed",
              "pieces", "whole", "halves", "crumbled", "packed", "melted", "ground")


def round_sig(value: float, digits: int = 3) -> float:
    """``value`` to ``digits`` significant figures (2.928 -> 2.93, 292.8 -> 293)."""
    if value == 0 or not math.isfinite(value):
        return 0.0 if value == 0 else value
    places = digits - math.floor(math.log10(abs(value))) - 1
    rounded = round(value, places)
    return float(int(rounded)) if places <= 0 else rounded


@dataclass
class ParsedItem:
    """One diet entry after parsing: the food, its grams and the nutrients in them."""

    text: str
    food: Food | None = None
    grams: float | None = None
    nutrients: dict[str, float | None] = field(default_factory=dict)
    warnings: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    quantity: float | None = None
    unit: str | None = None
    measure: str | None = None
    energy_kcal: float | None = None

    def warn(self, code: str, text: str) -> None:
        self.warnings.append({"code": code, "text": text})

    def to_dict(self) -> dict[str, Any]:
        """The contract's item: text, food (or null), grams, nutrients, warnings[, error]."""
        out: dict[str, Any] = {
            "text": self.text,
            "food": self.food.to_dict() if self.food else None,
            "grams": None if self.grams is None else round(self.grams, 1),
            "nutrients": {
                code: {
                    "amount": None if self.nutrients.get(code) is None
                    else round_sig(float(self.nutrients[code] or 0.0)),
                    "unit": UNITS[code],
                }
                for code in REPORTED
            } if self.food else {},
            "warnings": list(self.warnings),
        }
        if self.food is not None and self.grams is not None:
            out["portion"] = {"quantity": self.quantity, "unit": self.unit,
                              "measure": self.measure}
        if self.error:
            out["error"] = self.error
        return out


def _state(food_text: str) -> str | None:
    ws = set(words(food_text))
    if ws & COOKED_WORDS:
        return "cooked"
    return "raw" if "raw" in ws else None


def _modifier(food_text: str) -> str | None:
    lowered = food_text.lower()
    return next((m for m in _MODIFIERS if m in lowered), None)


def _from_dict(entry: dict[str, Any]) -> tuple[Phrase | None, str | None]:
    food = entry.get("food")
    if not isinstance(food, str) or not food.strip():
        return None, "the entry has no food name"
    amount = entry.get("amount", 1)
    try:
        quantity = float(amount)
    except (TypeError, ValueError):
        return None, f"amount {amount!r} is not a number"
    unit_raw = entry.get("unit")
    unit = None
    if unit_raw not in (None, ""):
        key = str(unit_raw).strip().lower().rstrip(".")
        unit = UNIT_SPELLINGS.get(key) or UNIT_SPELLINGS.get(key.rstrip("s"))
        if unit is None:
            return None, f"unknown unit {unit_raw!r}"
    text = f"{quantity:g} {unit_raw} {food}" if unit else f"{quantity:g} {food}"
    return Phrase(text=text, food=food.strip(), quantity=quantity, unit=unit), None


def _entry_text(entry: Any) -> str:
    if isinstance(entry, dict):
        return " ".join(str(entry.get(k, "")) for k in ("amount", "unit", "food")).strip()
    return str(entry)


def parse_entry(entry: Any, db: FoodDatabase | None) -> ParsedItem:
    """Parse one entry (text, a {food, amount, unit} dict, or an object with those fields)."""
    if not isinstance(entry, str | dict) and hasattr(entry, "food"):
        entry = {"food": entry.food, "amount": getattr(entry, "amount", 1),
                 "unit": getattr(entry, "unit", None)}
    if isinstance(entry, dict):
        phrase, problem = _from_dict(entry)
        if phrase is None:
            return ParsedItem(text=_entry_text(entry), error=problem)
    else:
        phrase = parse_text(str(entry))
    item = ParsedItem(text=_entry_text(entry) if isinstance(entry, dict) else str(entry),
                      quantity=phrase.quantity, unit=phrase.unit)
    for note in phrase.notes:
        item.warn("assumed_quantity", note)
    if not phrase.food or not re.search(r"[a-zA-Z]", phrase.food):
        item.error = "no food named in the entry"
        return item
    if db is None:
        item.error = "no food database imported: run `nutrispine foods import`"
        return item
    quantity = 1.0 if phrase.quantity is None else phrase.quantity
    if phrase.quantity is None and phrase.unit is None:
        item.warn("assumed_quantity", "no amount given; assumed one typical portion")
    if not math.isfinite(quantity) or quantity <= 0:
        item.error = "the amount must be a number above zero"
        return item
    hits = db.search_scored(phrase.food, 1, state=_state(phrase.food))
    if not hits:
        item.error = f"no food in the database matches {phrase.food!r}"
        return item
    food = hits[0].food
    if hits[0].coverage < MIN_COVERAGE:
        item.error = (f"no food in the database matches {phrase.food!r} well "
                      f"(closest: {food.name})")
        return item
    item.food = food
    if hits[0].coverage < 1.0:
        item.warn("uncertain_match", f"not every word of {phrase.food!r} was found in "
                  f"{food.name!r}; please check the food")
    amount = grams_for(quantity, phrase.unit, food, db.portions(food), _modifier(phrase.food))
    item.grams = amount.grams
    item.measure = amount.measure
    item.quantity = quantity
    for code, text in amount.warnings:
        item.warn(code, text)
    _check_plausible(item, phrase)
    per100 = food.per_100g
    grams = item.grams or 0.0
    item.nutrients = {c: (None if per100.get(c) is None else float(per100[c] or 0) * grams / 100)
                      for c in REPORTED}
    kcal = per100.get("energy_kcal")
    item.energy_kcal = None if kcal is None else kcal * grams / 100
    missing = [c for c in REPORTED if per100.get(c) is None]
    if missing:
        item.warn("missing_nutrient", f"the database has no value for {', '.join(missing)} "
                  f"in {food.name}; counted as unknown, not zero")
    return item


def _check_plausible(item: ParsedItem, phrase: Phrase) -> None:
    grams = item.grams or 0.0
    if grams > IMPLAUSIBLE_GRAMS:
        item.warn("implausible_value", f"{grams:,.0f} g of {item.food.name if item.food else 'food'}"
                  " in one entry is unusually large; please check the amount")
    elif phrase.unit in MASS_G and phrase.unit != "mg" and 0 < grams < 0.5:
        item.warn("implausible_value", f"{grams:g} g is a very small amount; please check")
    if phrase.unit in VOLUME_ML and phrase.quantity and phrase.quantity > 12 and \
            phrase.unit in ("cup", "pint", "quart", "l", "gallon") and grams <= IMPLAUSIBLE_GRAMS:
        item.warn("implausible_value", f"{phrase.quantity:g} {phrase.unit} in one entry is "
                  "unusually large; please check the amount")


def parse_entries(entries: list[Any], db: FoodDatabase | None) -> list[ParsedItem]:
    """Parse every entry; a problem with one entry becomes that item's error, never a raise."""
    out = []
    for entry in entries:
        try:
            out.append(parse_entry(entry, db))
        except Exception as exc:  # last resort: one bad entry must not sink a whole log
            out.append(ParsedItem(text=_entry_text(entry), error=f"could not parse: {exc}"))
    return out
