"""Red flags first: the triage level and advice, with every reason that led to it.

Red-flag rules and their levels are data (knowledge/triage.yaml); this module only evaluates
their conditions, so the same rule gives the same answer for one person or a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import Condition
from nutrispine.profile import Profile

LEVELS = ("self_care", "routine", "urgent", "emergency")


@dataclass
class Reason:
    code: str
    level: str
    text: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "level": self.level, "text": self.text, "source": self.source}


@dataclass
class Triage:
    level: str
    advice: str
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": [r.to_dict() for r in self.reasons], "advice": self.advice}


def matches(when: Condition, profile: Profile) -> bool:
    """True when every condition the rule names holds for this person."""
    symptoms, risks = profile.symptom_set, profile.risk_set
    pain = profile.pain
    regions = set(pain.regions) if pain else set()
    checks = []
    if when.symptoms_any:
        checks.append(bool(symptoms.intersection(when.symptoms_any)))
    if when.symptoms_all:
        checks.append(symptoms.issuperset(when.symptoms_all))
    if when.risk_factors_any:
        checks.append(bool(risks.intersection(when.risk_factors_any)))
    if when.regions_any:
        checks.append(bool(regions.intersection(when.regions_any)))
    if when.severity_min is not None:
        checks.append(pain is not None and pain.severity is not None and pain.severity >= when.severity_min)
    if when.duration_weeks_above is not None:
        checks.append(
            pain is not None and pain.duration_weeks is not None and pain.duration_weeks > when.duration_weeks_above
        )
    if when.age_min is not None:
        checks.append(profile.person.age >= when.age_min)
    return bool(checks) and all(checks)


def triage(kb: KnowledgeBase, profile: Profile, likely: dict[str, str | None]) -> Triage:
    """Decide the level: the highest of every red flag, routine reason and likely deficiency.

    ``likely`` maps each nutrient judged 'high' likelihood to the blood test that would confirm
    it, or to None when a blood test already shows the deficiency.
    """
    rules = kb.triage
    reasons: list[Reason] = []
    for rule in rules.red_flags:
        if matches(rule.when, profile):
            reasons.append(Reason(rule.code, rule.level, rule.text, kb.cite(rule.source)))
    for rrule in rules.routine_rules:
        if matches(rrule.when, profile):
            reasons.append(Reason(rrule.code, "routine", rrule.text, kb.cite(rrule.source)))
    for nutrient, test in sorted(likely.items(), key=lambda kv: kv[1] is not None):
        ld = rules.likely_deficiency
        template = ld.text if test is not None else ld.confirmed_text
        name = kb.nutrients[nutrient].name
        text = template.format(nutrient=name[0].lower() + name[1:], test=test)
        reasons.append(Reason(f"{ld.code}:{nutrient}", "routine", text, kb.cite(ld.source)))
    level = max((r.level for r in reasons), key=LEVELS.index, default="self_care")
    reasons.sort(key=lambda r: -LEVELS.index(r.level))
    return Triage(level=level, advice=rules.levels[level].advice, reasons=reasons)  # type: ignore[index]
