"""The one engine every door calls: profile in, ``Assessment`` out.

Order matters for safety: labs and evidence are gathered, likelihoods computed, and then triage
decides the level from red flags first. Nothing here does I/O except opening the food database
when a diet needs it.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any

from nutrispine import __version__
from nutrispine.advice import food_list, next_steps
from nutrispine.knowledge import KnowledgeBase, load_knowledge
from nutrispine.knowledge.models import NUTRIENTS, Requirement
from nutrispine.labs import interpret_labs, primary_for
from nutrispine.likelihood import Likelihood, assess_likelihood
from nutrispine.profile import Profile, parse_profile
from nutrispine.supplements import daily_totals, interaction_warnings, upper_limit_warnings
from nutrispine.triage import Triage, triage

VITAMIN_D_SCHEMES = ("nam2011", "endocrine2011")
NO_DATABASE = (
    "Your food diary was received but not assessed: no food database is imported yet. "
    "Run `nutrispine foods import PATH` (USDA SR28 or FoodData Central) or `nutrispine foods download`, "
    "or answer the short food-frequency questions (diet.frequency)."
)


@dataclass
class NutrientResult:
    nutrient: str
    likelihood: Likelihood
    requirement: Requirement
    lab: dict[str, Any]
    intake: dict[str, Any] | None
    supplement_per_day: float | None
    pain_link: str
    next_steps: list[str]
    foods: list[str]
    food_suggestions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        lk = self.likelihood
        req = self.requirement
        out: dict[str, Any] = {
            "likelihood": lk.level,
            "probability": lk.probability,
            "lab": self.lab,
        }
        if self.intake is not None:
            out["intake"] = self.intake
        out["supplement_per_day"] = self.supplement_per_day
        out["evidence"] = [e.to_dict() for e in lk.evidence]
        out["pain_link"] = self.pain_link
        out["next_steps"] = self.next_steps
        out["foods"] = self.foods
        if self.food_suggestions:
            out["food_suggestions"] = self.food_suggestions
        out["requirement"] = {
            "unit": req.unit,
            "ear": req.ear,
            "rda": req.rda,
            "ai": req.ai,
            "ul": req.ul,
            "ul_applies_to": req.ul_applies_to,
            "life_stage": req.life_stage,
        }
        out["prior"] = lk.prior
        out["basis"] = lk.basis or ["no specific information: likelihood is the population average for your age"]
        return out


@dataclass
class Assessment:
    """The result of one assessment; ``to_dict()`` is the public JSON contract."""

    triage: Triage
    nutrients: dict[str, NutrientResult]
    labs: list[dict[str, Any]]
    warnings: list[dict[str, str]]
    disclaimer: str
    intake_note: str | None
    knowledge_version: str
    profile: Profile
    guidance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "triage": self.triage.to_dict(),
            "nutrients": {n: r.to_dict() for n, r in self.nutrients.items()},
            "warnings": self.warnings,
            "disclaimer": self.disclaimer,
            "labs": self.labs,
        }
        if self.intake_note:
            out["intake_note"] = self.intake_note
        if self.guidance.get("supplements"):
            out["supplement_guidance"] = self.guidance["supplements"]
        if self.guidance.get("lifestyle"):
            out["lifestyle"] = self.guidance["lifestyle"]
        out["meta"] = {"nutrispine_version": __version__, "knowledge_version": self.knowledge_version}
        return out


def _medication_classes(kb: KnowledgeBase, profile: Profile) -> dict[str, list[str]]:
    classes: dict[str, list[str]] = {}
    for name in profile.medications or ():
        cls = kb.medication_class(name)
        if cls is not None and name not in classes.setdefault(cls, []):
            classes[cls].append(name)
    return {c: names for c, names in classes.items() if names}


def _intake(
    profile: Profile, kb: KnowledgeBase, food_db: Any
) -> tuple[dict[str, dict[str, Any]], str | None, list[dict[str, str]]]:
    """Food intake per nutrient, or why it was not assessed."""
    if profile.diet is None or (not profile.diet.days and not profile.diet.frequency):
        return {}, None, []
    if food_db is None and not profile.diet.frequency:
        from nutrispine.settings import foods_db_path

        if not foods_db_path().is_file():  # skip loading the food modules: nothing to look up
            return {}, NO_DATABASE, []
    try:
        from nutrispine.intake import assess_intake
    except ImportError:
        return (
            {},
            "Diet entries were received, but intake was not assessed: "
            "this installation has no food-composition module.",
            [],
        )
    report = assess_intake(profile, kb, food_db)
    per = {n: v.to_dict() for n, v in report.per_nutrient.items()}
    return per, report.not_assessed_reason, list(report.warnings)


def assess(
    profile: Profile | dict[str, Any],
    *,
    food_db: Any = None,
    vitamin_d_cutoffs: str = "nam2011",
    knowledge: KnowledgeBase | None = None,
) -> Assessment:
    """Assess a person: triage, labs, intake and a likelihood for each nutrient.

    Args:
        profile: a validated ``Profile`` or the contract's plain data (validated here).
        food_db: an open food database; by default the one imported under NUTRISPINE_HOME.
        vitamin_d_cutoffs: 'nam2011' (default, National Academies) or 'endocrine2011'.
        knowledge: a knowledge base (the packaged one by default).
    """
    if not isinstance(profile, Profile):
        profile = parse_profile(profile)
    if vitamin_d_cutoffs not in VITAMIN_D_SCHEMES:
        from nutrispine.errors import InputError, Problem, closest

        raise InputError(
            Problem(
                "vitamin_d_cutoffs",
                f"unknown scheme {vitamin_d_cutoffs!r}",
                closest(vitamin_d_cutoffs, VITAMIN_D_SCHEMES),
            )
        )
    kb = knowledge or load_knowledge()
    person = profile.person
    reqs = {
        n: kb.requirement(n, age=person.age, sex=person.sex, pregnant=person.pregnant, lactating=person.lactating)
        for n in NUTRIENTS
    }
    meds = _medication_classes(kb, profile)
    labs = interpret_labs(profile.labs, kb, vitamin_d_scheme=vitamin_d_cutoffs)
    supp = daily_totals(kb, profile.supplements)
    intake, intake_note, intake_warnings = _intake(profile, kb, food_db)
    results: dict[str, NutrientResult] = {}
    for n in NUTRIENTS:
        supp_n = supp.get(n, 0.0) if profile.supplements is not None else None
        lk = assess_likelihood(
            kb,
            n,
            profile,
            labs=labs,
            requirement=reqs[n],
            supplement_per_day=supp_n,
            intake=intake.get(n),
            medication_classes=meds,
        )
        primary = primary_for(n, labs)
        lab = (
            primary.to_dict()
            if primary
            else {"status": "not_tested", "value": None, "unit": None, "value_si": None, "unit_si": None}
        )
        results[n] = NutrientResult(
            nutrient=n,
            likelihood=lk,
            requirement=reqs[n],
            lab=lab,
            intake=intake.get(n),
            supplement_per_day=supp_n,
            pain_link=kb.nutrients[n].pain_link,
            next_steps=next_steps(kb, n, lk.level, primary, reqs[n]),
            foods=food_list(kb, n),
        )
    _add_food_suggestions(profile, kb, results, food_db)
    likely: dict[str, str | None] = {
        n: None if r.lab["status"] == "deficient" else kb.labs[kb.nutrients[n].lab_test].plain_name
        for n, r in results.items()
        if r.likelihood.level == "high"
    }
    tri = triage(kb, profile, likely)
    warnings = [*profile.warnings, *intake_warnings]
    food_per_day = {n: (intake.get(n) or {}).get("per_day") for n in NUTRIENTS}
    warnings += upper_limit_warnings(kb, supp, reqs, food_per_day)
    warnings += interaction_warnings(kb, {n for n, v in supp.items() if v > 0}, meds)
    guidance = _guidance(profile, kb, results, food_per_day)
    return Assessment(
        guidance=guidance,
        triage=tri,
        nutrients=results,
        labs=[r.to_dict() for r in labs.values()],
        warnings=warnings,
        disclaimer=kb.texts.disclaimer,
        intake_note=intake_note,
        knowledge_version=kb.version,
        profile=profile,
    )


def _add_food_suggestions(
    profile: Profile, kb: KnowledgeBase, results: dict[str, NutrientResult], food_db: Any
) -> None:
    """Personal food suggestions (recommend module) for each nutrient likely short."""
    wanted = [
        n
        for n, r in results.items()
        if r.likelihood.level != "low"
        or (r.intake and (r.intake.get("per_day") or 0) < (r.requirement.rda or r.requirement.ai or 0))
    ]
    if not wanted:
        return
    try:
        from nutrispine.recommend.suggest import suggest_foods
    except ImportError:
        return
    for n in wanted:
        r = results[n]
        target = r.requirement.rda or r.requirement.ai or 0.0
        have = (r.intake or {}).get("per_day") or 0.0
        gap = max(target - have, 0.0) or target
        suggestions = suggest_foods(n, gap, profile, food_db, kb)
        if suggestions:
            r.food_suggestions = suggestions
            r.foods = [_food_text(s) for s in suggestions]


def _guidance(profile: Profile, kb: KnowledgeBase, results: dict[str, NutrientResult],
              food_per_day: dict[str, Any]) -> dict[str, Any]:
    """Supplement guidance (to discuss with a doctor) and lifestyle steps for likely shortfalls."""
    short = [n for n, r in results.items()
             if r.likelihood.level != "low" or r.lab["status"] in ("deficient", "borderline")]
    try:
        from nutrispine.recommend.advice import next_steps as guidance_for
    except ImportError:
        return {}
    return dict(guidance_for(profile, short, kb, food_per_day))


def _food_text(s: dict[str, Any]) -> str:
    """'Salmon, cooked: 1 fillet (154 g) gives 18.1 µg (100% of your gap)'."""
    amount = f"{float(format(s['amount'], '.3g')):g}"
    text = f"{s['food']['name']}: {s['portion']} ({s['grams']:g} g) gives {amount} {s['unit']}"
    return text + f" ({s['closes_gap_percent']}% of your gap)"


def assess_json(profile: Profile | dict[str, Any], **options: Any) -> str:
    """The assessment as the exact JSON text every door returns (CLI, API)."""
    import json

    return json.dumps(assess(profile, **options).to_dict(), indent=2, ensure_ascii=False) + "\n"


class _CallableModule(types.ModuleType):
    """Lets ``nutrispine.assess(profile)`` call the function although this module shares its name
    (importing the submodule binds the module object to ``nutrispine.assess``)."""

    def __call__(self, profile: Profile | dict[str, Any], **options: Any) -> Assessment:
        return assess(profile, **options)


sys.modules[__name__].__class__ = _CallableModule
