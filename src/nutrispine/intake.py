"""Food intake per day and the probability that a person's usual intake is adequate.

The maths follows the National Academies' method for assessing one individual's intake
(IOM 2000, "DRI: Applications in Dietary Assessment", NAP 9956, ch. 3 and Appendix B):

    z = (mean intake over n days - EAR) / sqrt(SD_req^2 + SD_within^2 / n)
    probability adequate = Phi(z),  SD_req = CV x EAR

SD_within (day-to-day variation) is cited data in knowledge/intake_variation.yaml. Nutrients
with only an AI get no probability: above the AI intake is likely adequate, below it nothing
can be concluded (IOM 2000 p.60-61). The pure functions come first; ``assess_intake`` reads the
profile and the food database and puts them together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nutrispine.pickle_cache import cached_yaml

NUTRIENTS = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
UNITS = {"vitamin_d": "µg", "magnesium": "mg", "vitamin_b12": "µg", "calcium": "mg"}
VARIATION_FILE = Path(__file__).resolve().parent / "knowledge" / "intake_variation.yaml"
NO_DIET = "no diet given"
NO_DATABASE = "no food database imported: run `nutrispine foods import`"


# --- pure maths -----------------------------------------------------------------------------
def mean_per_day(day_totals: list[float]) -> float:
    """Mean intake per day over the days given (each day's total from food)."""
    if not day_totals:
        raise ValueError("at least one day is needed")
    return sum(day_totals) / len(day_totals)


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def adequacy_z(mean: float, ear: float, sd_requirement: float, sd_within: float, days: float) -> float:
    """IOM 2000's z: (mean - EAR) / sqrt(SD_req^2 + SD_within^2 / n)."""
    if days <= 0:
        raise ValueError("days must be positive")
    sd = math.sqrt(sd_requirement**2 + sd_within**2 / days)
    if sd == 0:
        return math.inf if mean > ear else -math.inf if mean < ear else 0.0
    return (mean - ear) / sd


def probability_adequate(
    mean: float, ear: float, sd_requirement: float, sd_within: float, days: float
) -> float:
    """Probability that usual intake meets the requirement (IOM 2000 ch. 3)."""
    return normal_cdf(adequacy_z(mean, ear, sd_requirement, sd_within, days))


def confidence_above_ai(mean: float, ai: float, sd_within: float, days: float) -> float:
    """Confidence that usual intake exceeds the AI: Phi((mean - AI) / (SD_within / sqrt n))."""
    if sd_within <= 0:
        return 1.0 if mean > ai else 0.0
    return normal_cdf((mean - ai) / (sd_within / math.sqrt(days)))


def top_sources(contributions: dict[str, float], n: int = 3) -> list[str]:
    """The foods giving the most of a nutrient (names, largest first; zeros left out)."""
    ranked = sorted(((v, k) for k, v in contributions.items() if v > 0), key=lambda p: (-p[0], p[1]))
    return [k for _v, k in ranked[:n]]


def upper_limit_check(
    food_per_day: float | None, supplement_per_day: float, ul: float | None, applies_to: str
) -> dict[str, Any] | None:
    """Compare intake with the UL: food + supplements, or supplements only (magnesium)."""
    if ul is None:
        return None
    counted = supplement_per_day + ((food_per_day or 0.0) if applies_to == "total" else 0.0)
    amount = round(counted, 2) if math.isfinite(counted) else counted
    return {"applies_to": applies_to, "amount": amount, "ul": ul, "above": counted > ul}


# --- cited variation data ---------------------------------------------------------------------
@dataclass(frozen=True)
class Variation:
    sd_within: float
    source: str
    unverified: bool


@lru_cache(maxsize=1)
def _variation_data() -> dict[str, Any]:
    data: dict[str, Any] = cached_yaml(VARIATION_FILE)
    return data


def within_person_sd(nutrient: str, sex: str) -> Variation:
    """The pooled day-to-day SD of intake for adults of ``sex`` (intake_variation.yaml)."""
    entry = _variation_data()["sd_within"][nutrient]
    sex = sex if sex in ("female", "male") else "female"
    return Variation(float(entry[sex]), str(entry[f"{sex}_source"]),
                     bool(entry.get(f"{sex}_unverified", False)))


def method_settings() -> dict[str, Any]:
    return dict(_variation_data()["method"])


# --- report -------------------------------------------------------------------------------------
@dataclass
class NutrientIntake:
    """One nutrient's intake block (the contract's ``intake`` plus explanations)."""

    nutrient: str
    per_day: float | None
    unit: str
    days: int | None
    ear: float | None
    rda: float | None
    ai: float | None
    ul: float | None
    probability_adequate: float | None
    top_sources: list[str]
    completeness: float
    method: str
    sd_within: float | None = None
    sd_requirement: float | None = None
    z: float | None = None
    note: str | None = None
    supplement_per_day: float = 0.0
    upper_limit: dict[str, Any] | None = None
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        rnd = (lambda v, d=2: None if v is None or not math.isfinite(v) else round(v, d))  # noqa: E731
        out: dict[str, Any] = {
            "per_day": rnd(self.per_day),
            "unit": self.unit,
            "days": self.days,
            "ear": self.ear,
            "rda": self.rda,
            "ul": self.ul,
            "probability_adequate": rnd(self.probability_adequate, 3),
            "top_sources": list(self.top_sources),
            "completeness": round(self.completeness, 3),
            "method": self.method,
        }
        if self.ai is not None:
            out["ai"] = self.ai
        if self.sd_within is not None:
            out["sd_within"] = self.sd_within
        if self.sd_requirement is not None:
            out["sd_requirement"] = round(self.sd_requirement, 3)
        if self.z is not None and math.isfinite(self.z):
            out["z"] = round(self.z, 3)
        if self.supplement_per_day:
            out["supplement_per_day"] = rnd(self.supplement_per_day)
            out["total_per_day"] = rnd((self.per_day or 0.0) + self.supplement_per_day)
        if self.upper_limit is not None:
            out["upper_limit"] = {**self.upper_limit, "amount": rnd(self.upper_limit["amount"])}
        if self.note:
            out["note"] = self.note
        if self.sources:
            out["sources"] = list(self.sources)
        return out


@dataclass
class IntakeReport:
    per_nutrient: dict[str, NutrientIntake] = field(default_factory=dict)
    not_assessed_reason: str | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    items: list[list[dict[str, Any]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "per_nutrient": {k: v.to_dict() for k, v in self.per_nutrient.items()},
            "not_assessed_reason": self.not_assessed_reason,
            "warnings": list(self.warnings),
        }


def judge(
    nutrient: str, mean: float, days: float, requirement: Any, sex: str
) -> tuple[float | None, float | None, float | None, float | None, str | None, list[str]]:
    """(probability, SD_req, SD_within, z, note, sources) for one nutrient's mean intake."""
    variation = within_person_sd(nutrient, sex)
    settings = method_settings()
    sources = [str(settings["source"]), variation.source]
    notes: list[str] = []
    if variation.unverified:
        notes.append("the day-to-day variation used is an unconfirmed estimate")
    ear, cv = requirement.ear, requirement.cv
    if ear is None:
        ai = requirement.ai
        if ai is None:
            return None, None, variation.sd_within, None, "no EAR or AI for this life stage", sources
        conf = confidence_above_ai(mean, ai, variation.sd_within, days)
        text = (f"only an Adequate Intake ({ai:g}) exists, so no probability can be given; "
                + ("intake above the AI is likely adequate" if mean >= ai
                   else "intake below the AI cannot be judged adequate or inadequate")
                + f" (confidence usual intake exceeds the AI: {conf:.0%})")
        return None, None, variation.sd_within, None, "; ".join([text, *notes]), sources
    sd_req = (cv or 0.0) * ear
    z = adequacy_z(mean, ear, sd_req, variation.sd_within, days)
    if mean > 0 and variation.sd_within / mean > float(settings["nonnormal_cv_above"]):
        notes.append("day-to-day intake of this nutrient varies so much that the estimate is "
                     "rough (IOM 2000 p.194)")
    return normal_cdf(z), sd_req, variation.sd_within, z, "; ".join(notes) or None, sources


def assess_intake(profile: Any, kb: Any, db: Any = None) -> IntakeReport:
    """Intake per nutrient from the profile's diet (day logs, else the questionnaire)."""
    from nutrispine.foods.diet import collect

    return collect(profile, kb, db)
