"""The short food-frequency questionnaire (``diet.frequency``): answers -> intake per day.

Each answer says how often a person eats a food group ("daily", "3/week", "never", or a number
of servings a week); each group's nutrients per serving are cited USDA values in
``knowledge/ffq.yaml``, so an estimate needs no imported food database.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nutrispine.errors import InputError, Problem, closest
from nutrispine.pickle_cache import cached_yaml

FFQ_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "ffq.yaml"
MAX_PER_WEEK = 70.0  # ten servings a day of one group: above this an answer is not credible
_PER = {"day": 7.0, "d": 7.0, "daily": 7.0, "week": 1.0, "wk": 1.0, "w": 1.0, "weekly": 1.0,
        "month": 7 / 30.4, "mo": 7 / 30.4, "monthly": 7 / 30.4, "year": 7 / 365.0, "yr": 7 / 365.0}
_ALIASES = {"milk": "dairy", "yogurt": "dairy", "yoghurt": "dairy", "fish": "fatty_fish",
            "oily_fish": "fatty_fish", "egg": "eggs", "greens": "leafy_greens",
            "nuts": "nuts_seeds", "seeds": "nuts_seeds", "beans": "legumes",
            "pulses": "legumes", "grains": "whole_grains", "cereal": "fortified_cereals",
            "fortified_cereal": "fortified_cereals", "plant_milk": "fortified_plant_drinks",
            "soy_milk": "fortified_plant_drinks", "fortified_plant_milk": "fortified_plant_drinks",
            "red_meat": "meat", "chicken": "poultry", "shellfish": "other_fish",
            "vegetable": "vegetables", "fruits": "fruit"}


@dataclass(frozen=True)
class FfqItem:
    code: str
    question: str
    serving: str
    source: str
    nutrients: dict[str, float | None]


@lru_cache(maxsize=1)
def load_ffq() -> tuple[dict[str, FfqItem], dict[str, float]]:
    """The questionnaire's items and answer words (servings per week), from ffq.yaml."""
    data = cached_yaml(FFQ_FILE)
    items = {
        code: FfqItem(code, entry["question"], entry["serving"], entry["source"],
                      {k: (None if v is None else float(v)) for k, v in entry["nutrients"].items()})
        for code, entry in data["items"].items()
    }
    words = {str(k).lower(): float(v) for k, v in data["frequency_words"]["words"].items()}
    return items, words


def item_code(name: str) -> str | None:
    items, _ = load_ffq()
    key = re.sub(r"[\s-]+", "_", str(name).strip().lower())
    if key in items:
        return key
    return _ALIASES.get(key)


def servings_per_week(answer: Any) -> float:
    """One answer as servings a week; raises ValueError with a readable reason."""
    if isinstance(answer, bool):
        raise ValueError("expected how often (e.g. 'daily', '3/week', 'never' or a number)")
    value = float(answer) if isinstance(answer, int | float) else _parse_words(str(answer))
    if not math.isfinite(value) or value < 0:
        raise ValueError("servings a week cannot be negative")
    if value > MAX_PER_WEEK:
        raise ValueError(f"{value:g} servings a week is not plausible (at most {MAX_PER_WEEK:g})")
    return value


def _parse_words(text: str) -> float:
    _, words = load_ffq()
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in words:
        return words[t]
    t = t.replace("times", "x").replace("×", "x")
    t = t.replace("per ", "/").replace(" a ", " / ").replace(" an ", " / ").replace("every ", "/")
    t = re.sub(r"\s*/\s*", "/", t)
    if t in words:
        return words[t]
    if t in ("once/week", "once/wk"):
        return 1.0
    t = t.replace("once", "1").replace("twice", "2").replace("thrice", "3")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s*(?:-|to)\s*(\d+(?:\.\d+)?))?\s*x?\s*"
                     r"(?:/\s*([a-z]+)|([a-z]+))?", t)
    if not m:
        raise ValueError(f"cannot read {text!r}; use e.g. 'daily', '3/week', 'never' or a number")
    lo = float(m.group(1))
    value = (lo + float(m.group(2))) / 2 if m.group(2) else lo
    period = m.group(3) or m.group(4)
    if period is None:
        return value
    period = {"days": "day", "weeks": "week", "months": "month", "years": "year"}.get(period,
                                                                                      period)
    if period not in _PER:
        raise ValueError(f"unknown period {period!r}; use day, week or month")
    return value * _PER[period]


def validate_answers(answers: dict[str, Any]) -> dict[str, float]:
    """Answers keyed by item -> servings per week; InputError names ``diet.frequency.<item>``."""
    if not isinstance(answers, dict):
        raise InputError(Problem("diet.frequency", "expected a mapping of food group to how often"))
    items, _ = load_ffq()
    problems: list[Problem] = []
    out: dict[str, float] = {}
    for name, answer in answers.items():
        code = item_code(str(name))
        if code is None:
            problems.append(Problem(f"diet.frequency.{name}", "unknown food group",
                                    closest(str(name), items)))
            continue
        try:
            out[code] = out.get(code, 0.0) + servings_per_week(answer)
        except ValueError as exc:
            problems.append(Problem(f"diet.frequency.{name}", str(exc)))
    if problems:
        raise InputError(problems)
    return out


@dataclass(frozen=True)
class FrequencyEstimate:
    """Nutrient intake per day implied by the answers, and what it rests on."""

    per_day: dict[str, float | None]
    contributions: dict[str, dict[str, float]]
    answered: int
    total_items: int

    @property
    def completeness(self) -> float:
        return self.answered / self.total_items if self.total_items else 0.0


def estimate(answers: dict[str, Any]) -> FrequencyEstimate:
    """Intake per day from the answers (validated here), with each group's contribution."""
    servings = validate_answers(answers)
    items, _ = load_ffq()
    nutrients = ("vitamin_d", "magnesium", "vitamin_b12", "calcium", "energy")
    per_day: dict[str, float | None] = {}
    contributions: dict[str, dict[str, float]] = {n: {} for n in nutrients}
    for n in nutrients:
        total = 0.0
        for code, per_week in servings.items():
            value = items[code].nutrients.get(n)
            if value is None:
                continue
            amount = per_week * value / 7.0
            total += amount
            if amount > 0:
                contributions[n][items[code].question] = amount
        per_day[n] = total
    return FrequencyEstimate(per_day, contributions, len(servings), len(items))
