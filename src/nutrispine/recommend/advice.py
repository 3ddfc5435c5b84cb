"""One call for the assessment's "what next" block: supplement guidance for each nutrient
likely short and the lifestyle steps that fit the person (both cited)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from nutrispine.recommend.lifestyle import lifestyle_steps
from nutrispine.recommend.supplements import supplement_guidance


def next_steps(profile: Any, short: Iterable[str], kb: Any = None,
               food_per_day: Mapping[str, float | None] | None = None) -> dict[str, Any]:
    """``{"supplements": {nutrient: guidance}, "lifestyle": [steps]}`` for ``short`` nutrients."""
    nutrients = list(dict.fromkeys(short))
    food = food_per_day or {}
    return {
        "supplements": {n: supplement_guidance(n, profile, kb, food.get(n)) for n in nutrients},
        "lifestyle": lifestyle_steps(profile, nutrients),
    }
