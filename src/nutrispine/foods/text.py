"""Word-level normalisation shared by the importers, search and the parser.

USDA names are comma-separated ("Bananas, raw") and plural; people type singular, casual
words ("banana", "yoghurt", "2% milk"). Both sides go through the same ``words`` so that
matching compares like with like.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9%]+(?:\.[0-9]+)?%?")

# Words that carry no food meaning in a query or a USDA name.
STOPWORDS = frozenset(
    ["a", "an", "and", "the", "of", "with", "w", "in", "or", "for", "to", "on", "from", "as", "at", "by", "ns", "nfs"]
)

# Spelling variants: British/casual -> USDA spelling (applied word by word).
SPELLING = {
    "yoghurt": "yogurt",
    "yoghourt": "yogurt",
    "yogourt": "yogurt",
    "colour": "color",
    "flavoured": "flavored",
    "wholemeal": "whole wheat",
    "wholegrain": "whole grain",
    "porridge": "oatmeal",
    "courgette": "zucchini",
    "aubergine": "eggplant",
    "coriander": "cilantro",
    "prawn": "shrimp",
    "mince": "ground",
    "minced": "ground",
    "chickpea": "chickpeas",
    "garbanzos": "garbanzo",
    "soya": "soy",
    "grey": "gray",
    "fibre": "fiber",
    "skimmed": "skim",
    "semi": "semi",
    "hardboiled": "hard boiled",
    "softboiled": "soft boiled",
    "oj": "orange juice",
    "pb": "peanut butter",
    "veggie": "vegetable",
    "veggies": "vegetables",
    "lowfat": "low fat",
    "nonfat": "nonfat",
    "fatfree": "fat free",
    "cornflakes": "corn flakes",
    "spaghetti": "pasta",
    "blackeyed": "blackeye",
    "sauteed": "sauteed",
}

_IRREGULAR = {
    "leaves": "leaf",
    "loaves": "loaf",
    "halves": "half",
    "knives": "knife",
    "potatoes": "potato",
    "tomatoes": "tomato",
    "mangoes": "mango",
    "cookies": "cookie",
    "anchovies": "anchovy",
    "berries": "berry",
    "cherries": "cherry",
    "strawberries": "strawberry",
    "blueberries": "blueberry",
    "raspberries": "raspberry",
    "blackberries": "blackberry",
    "cranberries": "cranberry",
    "sardines": "sardine",
    "oats": "oat",
    "molasses": "molasses",
    "hummus": "hummus",
    "asparagus": "asparagus",
    "couscous": "couscous",
    "swiss": "swiss",
    "brussels": "brussels",
    "fries": "fry",
    "peas": "pea",
    "chickpeas": "chickpea",
    "lentils": "lentil",
    "mussels": "mussel",
    "grits": "grits",
    "species": "species",
    "series": "series",
}


def singular(word: str) -> str:
    """A crude English singular, good enough for food nouns (bananas -> banana)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("oes"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def fold(text: str) -> str:
    """Lower-case ASCII text (accents dropped, dashes and slashes to spaces)."""
    if not text.isascii():  # ASCII is its own decomposition: skip the per-character pass
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("-", " ").replace("/", " ").replace("_", " ")


# Multi-word USDA phrases that act as one idea, merged into one token on both sides
# (names and queries), so that "dry heat" is not read as a dried food.
_PHRASES = [
    (re.compile(r"\bdry heat\b"), "dryheat"),
    (re.compile(r"\bmoist heat\b"), "moistheat"),
    (re.compile(r"\b(?:without|no) (?:added )?salt(?: added)?\b"), "unsalted"),
    (re.compile(r"\bwith (?:added )?salt(?: added)?\b"), "salted"),
    (re.compile(r"\bwithout added vitamins?(?: a)?(?: and vitamin d| and d)?\b"), "unfortified"),
    (re.compile(r"\bnot fortified\b"), "unfortified"),
    (re.compile(r"\bblack ?eyed?s?\b"), "blackeye"),
]


def words(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """The normalised, singular words of ``text``, with spelling variants mapped."""
    out: list[str] = []
    folded = fold(text)
    for pattern, token in _PHRASES:
        folded = pattern.sub(token, folded)
    for raw in _WORD.findall(folded):
        mapped = SPELLING.get(raw, raw)
        for w in mapped.split():
            if not keep_stopwords and w in STOPWORDS:
                continue
            out.append(singular(w))
    return out


def head_words(name: str) -> list[str]:
    """Words of the first comma segment of a USDA name: the food itself ("Bananas")."""
    return words(name.split(",", 1)[0])
