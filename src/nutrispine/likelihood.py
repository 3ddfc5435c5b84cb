"""Evidence to likelihood, per nutrient, with every step kept as an explanation.

The model is Bayesian in odds form: start from the share of people of the same age with the
shortfall (the prior), multiply the odds by a likelihood ratio for each piece of evidence
(risk factors, medicines, symptoms, supplements, intake), then let a blood test, the strongest
evidence, move it further and set a floor or cap. The posterior probability is mapped to low,
moderate or high by thresholds kept in the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import Effect, Requirement
from nutrispine.labs import LabResult, primary_for
from nutrispine.profile import Profile


@dataclass
class Evidence:
    """One piece of evidence and what it did to the odds."""

    factor: str
    kind: str
    effect: str
    text: str
    source: str
    likelihood_ratio: float
    strength: str = ""
    unverified: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "factor": self.factor,
            "effect": self.effect,
            "text": self.text,
            "source": self.source,
            "kind": self.kind,
            "likelihood_ratio": round(self.likelihood_ratio, 3),
        }
        if self.strength:
            out["strength"] = self.strength
        if self.unverified:
            out["unverified"] = True
        return out


@dataclass
class Likelihood:
    nutrient: str
    level: str
    probability: float
    prior: float
    evidence: list[Evidence] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)


def level_for(kb: KnowledgeBase, probability: float) -> str:
    t = kb.factors.model.thresholds
    return "high" if probability >= t["high"] else "moderate" if probability >= t["moderate"] else "low"


def prior_for(kb: KnowledgeBase, nutrient: str, age: float) -> tuple[float, str]:
    prior = kb.factors.priors[nutrient]
    for band in prior.by_age:
        if band.ages[0] <= age < band.ages[1]:
            return band.p, f"{prior.condition}: {kb.cite(prior.source)}"
    return prior.by_age[-1].p, kb.cite(prior.source)


def _lr(kb: KnowledgeBase, effect: Effect) -> float:
    ratio = effect.lr if effect.lr is not None else kb.factors.model.strengths[effect.strength]
    return ratio if effect.direction == "raises" else 1.0 / ratio


def _strength_lr(kb: KnowledgeBase, strength: str, direction: str) -> float:
    ratio = kb.factors.model.strengths[strength]  # type: ignore[index]
    return ratio if direction == "raises" else 1.0 / ratio


def factor_evidence(
    kb: KnowledgeBase, nutrient: str, profile: Profile, medication_classes: dict[str, list[str]]
) -> list[Evidence]:
    """Risk factors, diet pattern, medicines and symptoms that bear on ``nutrient``."""
    out: list[Evidence] = []
    risks = list(profile.risk_factors or ())
    diet = profile.preferences.diet if profile.preferences else None
    if diet in ("vegan", "vegetarian") and diet not in risks:
        risks.append(diet)
    for code in risks:
        factor = kb.factors.risk_factors[code]
        if (effect := factor.effects.get(nutrient)) is not None:
            out.append(_ev(kb, code, "risk_factor", effect))
    for cls, names in medication_classes.items():
        factor = kb.factors.medication_classes[cls]
        if (effect := factor.effects.get(nutrient)) is not None:
            ev = _ev(kb, ", ".join(names), "medication", effect)
            out.append(ev)
    for code in profile.symptoms or ():
        symptom = kb.factors.symptoms.get(code)
        if symptom is not None and (effect := symptom.effects.get(nutrient)) is not None:
            out.append(_ev(kb, code, "symptom", effect))
    return out


def _ev(kb: KnowledgeBase, factor: str, kind: str, effect: Effect) -> Evidence:
    return Evidence(
        factor=factor,
        kind=kind,
        effect=effect.direction,
        text=effect.text,
        source=kb.cite(effect.source),
        likelihood_ratio=_lr(kb, effect),
        strength=effect.strength,
        unverified=effect.unverified,
    )


def supplement_evidence(kb: KnowledgeBase, nutrient: str, per_day: float | None, req: Requirement) -> Evidence | None:
    target = req.rda or req.ai
    if not per_day or not target:
        return None
    rules = kb.factors.supplement_effect
    fraction = per_day / target
    for rule in rules.rules:
        if fraction >= rule.min_fraction_of_rda:
            text = rules.text.format(amount=f"{per_day:g}", unit=req.unit)
            return Evidence(
                factor="supplement",
                kind="supplement",
                effect=rule.direction,
                text=text,
                source=kb.cite(rules.source),
                strength=rule.strength,
                likelihood_ratio=_strength_lr(kb, rule.strength, rule.direction),
            )
    return None


def total_probability_adequate(intake: dict[str, Any], supplement_per_day: float | None) -> float | None:
    """Probability that food plus supplements usually meet the requirement (IOM 2000 ch. 3).

    The intake block reports food only (the contract); for the likelihood what matters is the
    total, so the supplement is added to the mean before the same z-score is taken.
    """
    p = intake.get("probability_adequate")
    if p is None or not supplement_per_day:
        return None if p is None else float(p)
    if any(intake.get(k) is None for k in ("per_day", "ear", "sd_requirement", "sd_within", "days")):
        return float(p)
    from statistics import NormalDist

    sd = (intake["sd_requirement"] ** 2 + intake["sd_within"] ** 2 / intake["days"]) ** 0.5
    mean = intake["per_day"] + supplement_per_day
    if sd == 0:
        return 1.0 if mean >= intake["ear"] else 0.0
    return NormalDist().cdf((mean - intake["ear"]) / sd)


def intake_evidence(
    kb: KnowledgeBase, nutrient: str, intake: dict[str, Any] | None, supplement_per_day: float | None = None
) -> Evidence | None:
    if not intake:
        return None
    p = total_probability_adequate(intake, supplement_per_day)
    if p is None:
        return None
    spec = kb.factors.intake_effect
    for band in spec.bands:
        if p < band.below:
            strength = band.vitamin_d if nutrient == "vitamin_d" else band.other
            per_day, unit = intake.get("per_day"), intake.get("unit", "")
            what = "food and supplements" if supplement_per_day else "food"
            text = (
                f"Your food gives about {per_day:g} {unit} a day; the chance that your {what} usually "
                f"meet your need is {p:.0%}."
                if per_day is not None
                else f"Chance your usual intake is adequate: {p:.0%}."
            )
            return Evidence(
                factor="intake",
                kind="intake",
                effect=band.direction,
                text=text,
                source=kb.cite(spec.source),
                strength=strength,
                likelihood_ratio=_strength_lr(kb, strength, band.direction),
            )
    return None


def lab_evidence(
    kb: KnowledgeBase, nutrient: str, labs: dict[str, LabResult]
) -> tuple[Evidence | None, float | None, float | None]:
    """The primary lab's evidence with its floor and cap, or a marker's evidence without one."""
    spec = kb.factors.lab_effect
    primary = primary_for(nutrient, labs)
    if primary is not None:
        key = primary.status
        weak = kb.labs[primary.test].weak_marker
        if key == "adequate" and weak:
            key = "adequate_weak_marker"
        effect = spec.status[key]
        direction = "raises" if effect.lr > 1 else "lowers"
        text = primary.explanation.split(". ")[0] + "."
        return (
            Evidence(
                factor=primary.test,
                kind="lab",
                effect=direction,
                text=text,
                source=primary.source,
                likelihood_ratio=effect.lr,
            ),
            effect.floor,
            effect.cap,
        )
    for test, marker in spec.markers.items():
        result = labs.get(test)
        if marker.nutrient == nutrient and result is not None and result.status == "elevated":
            text = result.explanation.split(". ")[0] + "."
            return (
                Evidence(
                    factor=test,
                    kind="lab",
                    effect="raises",
                    text=text,
                    source=result.source,
                    strength=marker.strength,
                    likelihood_ratio=_strength_lr(kb, marker.strength, "raises"),
                ),
                marker.floor,
                None,
            )
    return None, None, None


def combine(
    kb: KnowledgeBase,
    nutrient: str,
    prior: float,
    evidence: list[Evidence],
    floor: float | None = None,
    cap: float | None = None,
) -> tuple[float, str]:
    """Multiply the prior odds by each likelihood ratio; apply the lab's floor or cap."""
    odds = prior / (1.0 - prior)
    symptoms = 1.0
    for ev in evidence:
        if ev.kind == "symptom":
            symptoms *= ev.likelihood_ratio
        else:
            odds *= ev.likelihood_ratio
    odds *= min(symptoms, kb.factors.model.symptom_lr_cap)
    # Rounded so the order evidence is multiplied in (profile order here, knowledge-base order in
    # batch screening) cannot move a result across a threshold by a floating-point ulp.
    p = round(odds / (1.0 + odds), 9)
    if floor is not None:
        p = max(p, floor)
    if cap is not None:
        p = min(p, cap)
    return p, level_for(kb, p)


def assess_likelihood(
    kb: KnowledgeBase,
    nutrient: str,
    profile: Profile,
    *,
    labs: dict[str, LabResult],
    requirement: Requirement,
    supplement_per_day: float | None,
    intake: dict[str, Any] | None,
    medication_classes: dict[str, list[str]],
) -> Likelihood:
    """Everything known about one nutrient, combined into a likelihood with its evidence."""
    prior, _ = prior_for(kb, nutrient, profile.person.age)
    evidence = factor_evidence(kb, nutrient, profile, medication_classes)
    basis = []
    if evidence:
        basis.append("risk factors, medicines or symptoms")
    food = intake_evidence(kb, nutrient, intake, supplement_per_day)
    if food is not None:  # adequacy of food plus supplements: one piece of evidence, not two
        evidence.append(food)
        basis.append("food intake" + (" and supplements" if supplement_per_day else ""))
    elif (ev := supplement_evidence(kb, nutrient, supplement_per_day, requirement)) is not None:
        evidence.append(ev)
        basis.append("supplements")
    lab, floor, cap = lab_evidence(kb, nutrient, labs)
    if lab is not None:
        evidence.insert(0, lab)
        basis.insert(0, "blood test")
    p, level = combine(kb, nutrient, prior, evidence, floor, cap)
    return Likelihood(
        nutrient=nutrient, level=level, probability=round(p, 3), prior=prior, evidence=evidence, basis=basis
    )
