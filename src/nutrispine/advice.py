"""Plain-language next steps and food lists for one nutrient: informs, never prescribes."""

from __future__ import annotations

from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import Requirement
from nutrispine.labs import LabResult


def food_list(kb: KnowledgeBase, nutrient: str) -> list[str]:
    """The knowledge base's everyday food sources (replaced by personal suggestions when known)."""
    return list(kb.nutrients[nutrient].foods[:5])


def next_steps(kb: KnowledgeBase, nutrient: str, level: str, lab: LabResult | None, req: Requirement) -> list[str]:
    """What a person could do next about this nutrient, safest first."""
    n = kb.nutrients[nutrient]
    name = n.name[0].lower() + n.name[1:]
    t = kb.texts
    steps: list[str] = []
    test = kb.labs[n.lab_test].plain_name
    if lab is not None and lab.status == "deficient":
        steps.append(
            f"Your blood test shows a {name} deficiency: see your doctor about treatment "
            f"and about what may be causing it."
        )
    elif lab is not None and lab.status == "high":
        steps.append(
            f"Your {test} result is above the usual range: show it to your doctor, and do "
            f"not take {n.name} supplements unless they advise it."
        )
    elif level in ("moderate", "high") and lab is None:
        steps.append(t.not_tested_step.format(test=test))
    if level in ("moderate", "high") or (lab is not None and lab.status in ("deficient", "borderline")):
        steps.append(t.food_step.format(nutrient=name, foods="; ".join(n.foods[:3])))
        if req.ul is not None:
            steps.append(t.supplement_step.format(nutrient=name, ul=f"{req.ul:g}", unit=req.unit))
        else:
            steps.append(t.no_ul_step.format(nutrient=name))
    else:
        steps.append(
            f"No specific action needed for {n.name} now; keep including foods such as {', '.join(n.foods[:2])}."
        )
    return steps
