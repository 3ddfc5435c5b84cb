"""Typed, frozen knowledge-base entries. Validation happens here, once, at load.

Entries are standard-library dataclasses that pydantic validates (strict keys, types, the checks
in ``__post_init__``) when the YAML is loaded. This module does not import pydantic (its config
is a plain dict, its few constraints are checks in ``__post_init__``): a command that reads the
cached knowledge base then never loads pydantic at all, which keeps the command line fast.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

NUTRIENTS: tuple[str, ...] = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
Strength = Literal["weak", "moderate", "strong"]
Direction = Literal["raises", "lowers"]


def _yaml_key(name: str) -> str:
    """A field's key in the YAML: its name, without the underscore that avoids a Python keyword."""
    return name.removesuffix("_")


class Entry:
    """Base for every knowledge entry: unknown keys are refused (pydantic's ``ConfigDict``)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "alias_generator": _yaml_key}


@dataclass(frozen=True, repr=False, eq=False)
class Source(Entry):
    """A cited document (sources.yaml) and the date its figures were last checked."""

    title: str
    url: str
    checked: dt.date


@dataclass(frozen=True, repr=False, eq=False)
class Cite(Entry):
    """A citation: a source id plus where in it (table, page, section)."""

    id: str
    locator: str = ""


@dataclass(frozen=True, repr=False, eq=False)
class Nutrient(Entry):
    """One of the four nutrients: its role, its link to back and neck pain, its foods."""

    name: str
    unit: Literal["µg", "mg"]
    role: str
    pain_link: str
    symptoms: list[str]
    foods: list[str]
    lab_test: str
    sources: list[Cite]
    iu_per_unit: float | None = None
    iu_source: Cite | None = None


@dataclass(frozen=True, repr=False, eq=False)
class LifeStage(Entry):
    """One row of a DRI table: EAR, RDA or AI and UL for an age band, sex and state."""

    ages: tuple[float, float]
    sex: Literal["any", "female", "male"]
    state: Literal["none", "pregnant", "lactating"]
    ear: float | None = None
    rda: float | None = None
    ai: float | None = None
    ul: float | None = None

    def __post_init__(self) -> None:
        if self.ages[0] >= self.ages[1]:
            raise ValueError(f"ages {self.ages} must be [from, to) with from < to")
        if self.ear is not None and self.rda is not None and self.ear > self.rda:
            raise ValueError("EAR must not exceed the RDA")


@dataclass(frozen=True, repr=False, eq=False)
class NutrientRequirements(Entry):
    """A nutrient's DRI table, with the requirement's CV and what its UL covers."""

    unit: Literal["µg", "mg"]
    ul_applies_to: Literal["total", "supplements"]
    cv: float | None
    cv_note: str
    source: Cite
    life_stages: list[LifeStage]


@dataclass(frozen=True, repr=False, eq=False)
class Requirement(Entry):
    """The requirement that applies to one person, resolved from the life-stage table."""

    nutrient: str
    unit: str
    ear: float | None
    rda: float | None
    ai: float | None
    ul: float | None
    ul_applies_to: Literal["total", "supplements"]
    cv: float | None
    cv_basis: str
    life_stage: str
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class Bands(Entry):
    """The cut-offs of one lab scheme in one unit (deficient, adequate, high)."""

    deficient_below: float
    adequate_min: float | None = None
    adequate_above: float | None = None
    high_above: float | None = None

    def __post_init__(self) -> None:
        if (self.adequate_min is None) == (self.adequate_above is None):
            raise ValueError("give exactly one of adequate_min or adequate_above")
        low = self.adequate_min if self.adequate_min is not None else self.adequate_above
        assert low is not None
        if low < self.deficient_below:
            raise ValueError("the adequate band must start at or above deficient_below")
        if self.high_above is not None and self.high_above <= low:
            raise ValueError("high_above must lie above the adequate band's start")


@dataclass(frozen=True, repr=False, eq=False)
class Scheme(Entry):
    """A named set of cut-offs for a lab test (e.g. National Academies 2011)."""

    label: str
    source: Cite
    bands: dict[str, Bands]
    unverified_note: str | None = None


@dataclass(frozen=True, repr=False, eq=False)
class LoincCode(Entry):
    """A LOINC code that identifies a lab test."""

    code: str
    note: str
    corrected: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{1,7}-\d", self.code):
            raise ValueError(f"{self.code!r} is not a LOINC code (digits, a hyphen, a check digit)")


@dataclass(frozen=True, repr=False, eq=False)
class AlbuminCorrection(Entry):
    """The formula that corrects serum calcium for albumin."""

    reference_albumin_g_per_l: float
    mmol_per_l_per_g_per_l: float
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class LabTest(Entry):
    """A blood test: units and their factors to SI, LOINC codes, cut-offs, explanation."""

    name: str
    plain_name: str
    si_unit: str
    decimals: int
    units: dict[str, float]
    units_source: Cite
    loinc: list[LoincCode]
    loinc_source: Cite
    plausible_si: tuple[float, float]
    explanation: str
    explanation_source: Cite | None = None
    nutrient: str | None = None
    marker_for: str | None = None
    weak_marker: bool = False
    default_scheme: str | None = None
    schemes: dict[str, Scheme] = field(default_factory=dict)
    elevated_above: float | None = None
    elevated_source: Cite | None = None
    low_normal_max_si: float | None = None
    low_normal_source: Cite | None = None
    albumin_correction: AlbuminCorrection | None = None

    def __post_init__(self) -> None:
        if self.schemes and self.default_scheme not in self.schemes:
            raise ValueError(f"default_scheme {self.default_scheme!r} is not among the schemes")
        for name, scheme in self.schemes.items():
            for unit in scheme.bands:
                if unit not in self.units:
                    raise ValueError(f"scheme {name}: cut-off unit {unit!r} is not an accepted unit")
        if self.si_unit.replace("µ", "u") not in self.units:
            raise ValueError(f"the SI unit {self.si_unit!r} must be among the accepted units")


@dataclass(frozen=True, repr=False, eq=False)
class Effect(Entry):
    """What an answer does to one nutrient's odds: direction, strength (or ratio), source."""

    direction: Direction
    strength: Strength
    text: str
    source: Cite
    lr: float | None = None
    unverified: bool = False


@dataclass(frozen=True, repr=False, eq=False)
class Factor(Entry):
    """A risk factor, medication class or symptom, with its effect on each nutrient."""

    label: str
    effects: dict[str, Effect]


@dataclass(frozen=True, repr=False, eq=False)
class Medication(Entry):
    """A medicine's name mapped to its class (the class carries the effects)."""

    class_: str  # "class" in the YAML
    also: list[str] = field(default_factory=list)


@dataclass(frozen=True, repr=False, eq=False)
class AgeValue(Entry):
    """The prior probability of a shortfall for one age band."""

    ages: tuple[float, float]
    p: float
    unverified: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.p < 1.0:
            raise ValueError(f"prior p={self.p} must lie strictly between 0 and 1")


@dataclass(frozen=True, repr=False, eq=False)
class Prior(Entry):
    """A nutrient's prior probability of a shortfall by age, and its source."""

    condition: str
    source: Cite
    by_age: list[AgeValue]
    unverified_note: str | None = None


@dataclass(frozen=True, repr=False, eq=False)
class Model(Entry):
    """The likelihood model's parameters: level thresholds, strength ratios, symptom cap."""

    thresholds: dict[Literal["moderate", "high"], float]
    strengths: dict[Strength, float]
    symptom_lr_cap: float
    source: Cite
    unverified: bool = False


@dataclass(frozen=True, repr=False, eq=False)
class SupplementRule(Entry):
    """A supplement's effect once it covers a fraction of the RDA."""

    min_fraction_of_rda: float
    direction: Direction
    strength: Strength


@dataclass(frozen=True, repr=False, eq=False)
class SupplementEffect(Entry):
    """How a daily supplement changes the odds of a shortfall."""

    text: str
    rules: list[SupplementRule]
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class IntakeBand(Entry):
    """The effect of an intake below a share of the requirement."""

    below: float
    vitamin_d: Strength
    other: Strength
    direction: Direction


@dataclass(frozen=True, repr=False, eq=False)
class IntakeEffect(Entry):
    """How the adequacy of total intake changes the odds of a shortfall."""

    source: Cite
    bands: list[IntakeBand]


@dataclass(frozen=True, repr=False, eq=False)
class LabStatusEffect(Entry):
    """What a lab status does to the odds: ratio, and probability floor or cap."""

    lr: float
    floor: float | None = None
    cap: float | None = None


@dataclass(frozen=True, repr=False, eq=False)
class MarkerEffect(Entry):
    """A functional marker (MMA, homocysteine) that raises a nutrient's odds."""

    nutrient: str
    strength: Strength
    floor: float | None = None


@dataclass(frozen=True, repr=False, eq=False)
class LabEffect(Entry):
    """How lab results change the odds, by status and by marker."""

    source: Cite
    status: dict[str, LabStatusEffect]
    markers: dict[str, MarkerEffect]


@dataclass(frozen=True, repr=False, eq=False)
class Factors(Entry):
    """Everything the likelihood model reads: priors, factors, medicines, symptoms, effects."""

    model: Model
    priors: dict[str, Prior]
    risk_factors: dict[str, Factor]
    medications: dict[str, Medication]
    medication_classes: dict[str, Factor]
    symptoms: dict[str, Factor]
    supplement_effect: SupplementEffect
    intake_effect: IntakeEffect
    lab_effect: LabEffect


@dataclass(frozen=True, repr=False, eq=False)
class Condition(Entry):
    """When a triage rule applies: symptoms, risk factors, regions, severity, duration, age."""

    symptoms_any: list[str] = field(default_factory=list)
    symptoms_all: list[str] = field(default_factory=list)
    risk_factors_any: list[str] = field(default_factory=list)
    regions_any: list[str] = field(default_factory=list)
    severity_min: float | None = None
    duration_weeks_above: float | None = None
    age_min: float | None = None


@dataclass(frozen=True, repr=False, eq=False)
class Level(Entry):
    """A triage level's rank and the advice it gives."""

    rank: int
    advice: str


@dataclass(frozen=True, repr=False, eq=False)
class RedFlag(Entry):
    """A red-flag rule: its condition, its triage level, what to tell the person."""

    code: str
    level: Literal["emergency", "urgent", "routine"]
    when: Condition
    text: str
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class RoutineRule(Entry):
    """A rule that raises triage to at least routine (persistent, severe, neurological)."""

    code: str
    when: Condition
    text: str
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class LikelyDeficiency(Entry):
    """The step suggested when a shortfall is likely: which blood test to ask for."""

    code: str
    text: str
    confirmed_text: str
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class Triage(Entry):
    """The triage rules: levels, red flags, routine rules."""

    red_flag_symptoms: list[str]
    levels: dict[Literal["emergency", "urgent", "routine", "self_care"], Level]
    red_flags: list[RedFlag]
    routine_rules: list[RoutineRule]
    likely_deficiency: LikelyDeficiency


@dataclass(frozen=True, repr=False, eq=False)
class Interaction(Entry):
    """A supplement-medicine interaction, with any spacing in hours."""

    nutrient: str
    medication_class: str
    text: str
    source: Cite
    spacing_hours: float | None = None
    unverified: bool = False


@dataclass(frozen=True, repr=False, eq=False)
class Faq(Entry):
    """A question from the source article, answered in our own words, with sources."""

    id: str
    question: str
    answer: str
    sources: list[Cite]


@dataclass(frozen=True, repr=False, eq=False)
class Texts(Entry):
    """Fixed texts every result carries (disclaimer, first steps)."""

    disclaimer: str
    not_tested_step: str
    supplement_step: str
    no_ul_step: str
    food_step: str
