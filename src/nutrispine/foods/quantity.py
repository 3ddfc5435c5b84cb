"""The grammar of a food-log phrase: how much, of what measure, of which food.

"1 1/2 cups of cooked rice" -> Phrase(quantity=1.5, unit="cup", food="cooked rice").
Pure text work, no database: units are resolved to grams later (portions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FRACTIONS = {
    "½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5",
    "⅗": "3/5", "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8",
    "⅞": "7/8", "⁄": "/",
}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "dozen": 12,
}
# Word quantities, longest first: (pattern, value).
WORD_QUANTITIES: list[tuple[str, float]] = [
    ("one and a half", 1.5), ("a couple of", 2), ("a couple", 2), ("couple of", 2),
    ("a few", 3), ("several", 3), ("half a dozen", 6), ("a dozen", 12),
    ("half of a", 0.5), ("half of an", 0.5), ("half of", 0.5), ("half a", 0.5),
    ("half an", 0.5), ("a half", 0.5), ("half", 0.5), ("a quarter of", 0.25),
    ("a quarter", 0.25), ("quarter of", 0.25), ("a third of", 1 / 3), ("a third", 1 / 3),
    ("an", 1), ("a", 1), ("some", 1),
]

# Unit spellings -> canonical unit. Mass and volume units are converted exactly; the rest
# are household measures looked up in the food's USDA weights (portions.py).
UNIT_SPELLINGS: dict[str, str] = {
    "g": "g", "gr": "g", "gm": "g", "gms": "g", "gram": "g", "grams": "g", "gramme": "g",
    "grammes": "g", "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg",
    "kilograms": "kg", "mg": "mg", "oz": "oz", "ozs": "oz", "ounce": "oz", "ounces": "oz",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
    "ml": "ml", "mls": "ml", "milliliter": "ml", "milliliters": "ml", "millilitre": "ml",
    "millilitres": "ml", "cc": "ml", "l": "l", "liter": "l", "liters": "l", "litre": "l",
    "litres": "l", "dl": "dl", "cl": "cl",
    "cup": "cup", "cups": "cup", "c": "cup",
    "tbsp": "tbsp", "tbsps": "tbsp", "tbs": "tbsp", "tbl": "tbsp", "tablespoon": "tbsp",
    "tablespoons": "tbsp", "tsp": "tsp", "tsps": "tsp", "teaspoon": "tsp", "teaspoons": "tsp",
    "fl oz": "fl oz", "fl. oz": "fl oz", "fl. oz.": "fl oz", "floz": "fl oz",
    "fluid ounce": "fl oz", "fluid ounces": "fl oz", "fl ounce": "fl oz",
    "pint": "pint", "pints": "pint", "pt": "pint", "quart": "quart", "quarts": "quart",
    "qt": "quart", "gallon": "gallon", "gallons": "gallon",
    # household measures (looked up in USDA weights, or a default)
    "slice": "slice", "slices": "slice", "piece": "piece", "pieces": "piece", "pc": "piece",
    "pcs": "piece", "extra large": "extra large", "large": "large", "big": "large",
    "medium": "medium", "small": "small", "jumbo": "jumbo", "can": "can", "cans": "can",
    "tin": "can", "tins": "can", "fillet": "fillet", "fillets": "fillet", "filet": "fillet",
    "filets": "fillet", "stalk": "stalk", "stalks": "stalk", "clove": "clove",
    "cloves": "clove", "leaf": "leaf", "leaves": "leaf", "strip": "strip", "strips": "strip",
    "link": "link", "links": "link", "patty": "patty", "patties": "patty", "wedge": "wedge",
    "wedges": "wedge", "spear": "spear", "spears": "spear", "bar": "bar", "bars": "bar",
    "container": "container", "containers": "container", "carton": "container",
    "pot": "container", "tub": "container", "packet": "packet", "packets": "packet",
    "scoop": "scoop", "scoops": "scoop", "serving": "serving", "servings": "serving",
    "portion": "serving", "portions": "serving", "stick": "stick", "sticks": "stick",
    "pat": "pat", "pats": "pat", "bottle": "bottle", "bottles": "bottle",
    "handful": "handful", "handfuls": "handful", "glass": "glass", "glasses": "glass",
    "mug": "glass", "mugs": "glass", "bowl": "bowl", "bowls": "bowl", "plate": "serving",
    "dash": "dash", "pinch": "dash", "sprinkle": "dash", "splash": "splash",
    "sheet": "sheet", "sheets": "sheet", "cube": "cube", "cubes": "cube",
    "square": "square", "squares": "square", "whole": "whole", "loaf": "loaf",
}
# Words that precede a food to say how it was measured but are not units ("cooked").
_UNIT_PATTERN = re.compile(
    r"^(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(UNIT_SPELLINGS, key=len, reverse=True))
    + r")(?=$|[\s.,)(]|of\b)\.?\s*(?:of\s+)?",
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_QTY_PATTERN = re.compile(
    rf"^(?:(?P<whole>\d+)(?:\s+|\s*-\s*|\s*\+\s*)(?P<n1>\d+)\s*/\s*(?P<d1>\d+)"
    rf"|(?P<n2>\d+)\s*/\s*(?P<d2>\d+)"
    rf"|(?P<lo>{_NUMBER})\s*(?:-|–|to)\s*(?P<hi>{_NUMBER})(?=\s|[a-z])"
    rf"|(?P<num>{_NUMBER}|\.\d+))\s*(?:x\s+)?"
)
_TRAILING = re.compile(
    rf"^(?P<food>.*?)[\s,:(-]+(?P<qty>{_NUMBER}|\d+\s*/\s*\d+)\s*(?P<unit>[a-z. ]{{1,20}}?)\)?$"
)


@dataclass
class Phrase:
    """A parsed phrase: ``quantity`` of ``unit`` (None: a count of the food) of ``food``."""

    text: str
    food: str
    quantity: float | None = None
    unit: str | None = None
    notes: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    out = str(text)
    # Cooks write "T" for tablespoon and "t" for teaspoon: decide before lower-casing.
    out = re.sub(r"(\d\s*)T\b\.?", r"\1tbsp", out)
    out = re.sub(r"(\d\s*)t\b\.?", r"\1tsp", out)
    for char, repl in FRACTIONS.items():
        out = out.replace(char, f" {repl} " if repl != "/" else "/")
    out = re.sub(r"(\d)\s+(\d/\d)", r"\1 \2", out)
    out = re.sub(r"\s+", " ", out.replace("\u00a0", " ")).strip().lower()
    return out.strip(" .;,-*•")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _leading_quantity(text: str) -> tuple[float | None, str, list[str]]:
    notes: list[str] = []
    m = _QTY_PATTERN.match(text)
    if m and m.group(0).strip():
        g = m.groupdict()
        if g["whole"] is not None:
            value = int(g["whole"]) + _fraction(g["n1"], g["d1"])
        elif g["n2"] is not None:
            value = _fraction(g["n2"], g["d2"])
        elif g["lo"] is not None:
            value = (_number(g["lo"]) + _number(g["hi"])) / 2
            notes.append(f"a range ({g['lo']} to {g['hi']}) was read as its middle, {value:g}")
        else:
            value = _number(g["num"])
        rest = text[m.end():]
        and_half = re.match(r"^and (?:a )?half\s+", rest)
        if and_half:
            value += 0.5
            rest = rest[and_half.end():]
        return value, rest, notes
    for phrase, value in WORD_QUANTITIES:
        if re.match(rf"^{re.escape(phrase)}\b\s*", text):
            return float(value), text[len(phrase):].lstrip(), notes
    first, _, rest = text.partition(" ")
    if first in NUMBER_WORDS:
        value = float(NUMBER_WORDS[first])
        and_half = re.match(r"^and (?:a )?half\s+", rest)
        if and_half:
            value += 0.5
            rest = rest[and_half.end():]
        return value, rest, notes
    return None, text, notes


def _fraction(num: str | None, den: str | None) -> float:
    d = int(den or 1)
    return int(num or 0) / d if d else 0.0


_SIZED = re.compile(
    r"^(?P<n>\d+(?:\.\d+)?)\s*-?\s*(?P<u>fl oz|oz|ounce|g|gram|ml)s?\.?\s+"
    r"(?:(?:glass|container|cup|can|bottle|carton|serving|bar|package|pack|piece|jar|tub|pot|"
    r"tin|mug|portion|fillet|steak)e?s?\s+)?(?:of\s+)?"
)
_UNIT_NOTE = re.compile(r"^\s*[\d./\s-]+\s*(?:fl\.? oz|oz|g|ml|cups?|tbsp|tsp|lbs?)\.?\s*$")


def parse_text(text: str) -> Phrase:
    """Split a phrase into quantity, unit and food words. Never raises on any string."""
    body = clean(text)
    quantity, rest, notes = _leading_quantity(body)
    unit = None
    sized = _SIZED.match(rest) if quantity is not None else None
    if sized and quantity is not None and rest[sized.end():].strip():
        # "1 8-oz glass of milk", "2 6-oz containers yogurt": count x size
        quantity *= float(sized.group("n"))
        unit = UNIT_SPELLINGS.get(sized.group("u"), sized.group("u"))
        rest = rest[sized.end():]
    m = _UNIT_PATTERN.match(rest) if unit is None else None
    if m and (quantity is not None or m.group("unit") not in ("c", "l", "g", "large", "small",
                                                              "medium", "whole", "big")):
        candidate = UNIT_SPELLINGS[m.group("unit")]
        remainder = rest[m.end():].strip()
        if remainder and not re.match(r"^(?:of|and|or|with)\b", remainder):
            unit, rest = candidate, remainder
    rest = re.sub(r"^(?:of|the)\s+", "", rest.strip())
    if quantity is None and unit is None:
        trailing = _TRAILING.match(rest)
        if trailing and trailing.group("food").strip():
            unit_text = trailing.group("unit").strip().rstrip(".")
            if unit_text in UNIT_SPELLINGS or unit_text == "":
                qty_text = trailing.group("qty")
                if "/" in qty_text:
                    n, d = qty_text.split("/")
                    quantity = _fraction(n.strip(), d.strip())
                else:
                    quantity = _number(qty_text)
                unit = UNIT_SPELLINGS.get(unit_text) if unit_text else None
                rest = trailing.group("food").strip(" ,:(-")
    # Drop bracketed unit notes ("(8 fl oz)") but keep other bracketed words ("(2%)").
    food = re.sub(r"\(([^)]*)\)", lambda g: " " if _UNIT_NOTE.match(g.group(1)) else
                  f" {g.group(1)} ", rest)
    food = re.sub(r"\s+", " ", food).strip(" ,.;:-")
    return Phrase(text=str(text), food=food, quantity=quantity, unit=unit, notes=notes)
