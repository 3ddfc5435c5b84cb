"""Lifestyle steps from the article's holistic approach (lifestyle.yaml), chosen for a person:
the general steps always, and the nutrient- or situation-specific ones when they apply."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nutrispine.recommend.codes import get
from nutrispine.recommend.ruleview import cite, rules


def lifestyle_steps(profile: Any = None, nutrients: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Steps in file order; each with why it was chosen and its citation."""
    from nutrispine.knowledge import load_knowledge

    kb = load_knowledge()
    short = set(nutrients)
    codes = set(get(profile, "risk_factors") or ()) | set(get(profile, "symptoms") or ())
    out = []
    for step in rules().lifestyle.steps:
        hits = sorted(codes & set(step.when))
        for_nutrients = sorted(short & set(step.nutrients))
        general = not step.nutrients and not step.when
        if not (general or hits or for_nutrients):
            continue
        cites = [step.source] + ([step.also] if step.also else [])
        out.append({
            "id": step.id, "title": step.title, "text": step.text,
            "because": hits + for_nutrients,
            "sources": [cite(kb, c) for c in cites],
        })
    return out
