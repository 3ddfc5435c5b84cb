"""Recommendations: top foods, food suggestions, the meal-plan optimiser, supplement guidance,
lifestyle steps and answers to questions, all from cited knowledge and the USDA database."""

from __future__ import annotations

from typing import Any


def plan_json(profile: Any, days: int = 1) -> str:
    """The plan exactly as ``nutrispine plan --format json`` prints it (the API uses this too)."""
    import json

    from nutrispine.recommend.plan import make_plan

    return json.dumps(make_plan(profile, days=days).data, indent=2, ensure_ascii=False) + "\n"
