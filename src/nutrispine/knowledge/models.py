"""Typed, frozen knowledge-base entries. Validation happens here, once, at load.

Entries are standard-library dataclasses that pydantic validates (strict keys, types, the checks
in ``__post_init__``) when the YAML is loaded; at run time they cost almost nothing to import,
which keeps the command line fast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

NUTRIENTS: tuple[str, ...] = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
Strength = Literal["weak", "moderate", "strong"]
Direction = Literal["raises", "lowers"]


class Entry:
    """Base for every knowledge entry: unknown keys are refused."""

    __pydantic_config__ = ConfigDict(extra="forbid")


@dataclass(frozen=True, repr=False, eq=False)
class Source(Entry):
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
    label: str
    source: Cite
    bands: dict[str, Bands]
    unverified_note: str | None = None


@dataclass(frozen=True, repr=False, eq=False)
class LoincCode(Entry):
    code: Annotated[str, Field(pattern=r"^\d{1,7}-\d$")]
    note: str
    corrected: bool = False


@dataclass(frozen=True, repr=False, eq=False)
class AlbuminCorrection(Entry):
    reference_albumin_g_per_l: float
    mmol_per_l_per_g_per_l: float
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class LabTest(Entry):
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
    class_: Annotated[str, Field(alias="class")]
    also: list[str] = field(default_factory=list)


@dataclass(frozen=True, repr=False, eq=False)
class AgeValue(Entry):
    ages: tuple[float, float]
    p: Annotated[float, Field(gt=0, lt=1)]
    unverified: bool = False


@dataclass(frozen=True, repr=False, eq=False)
class Prior(Entry):
    condition: str
    source: Cite
    by_age: list[AgeValue]
    unverified_note: str | None = None


@dataclass(frozen=True, repr=False, eq=False)
class Model(Entry):
    thresholds: dict[Literal["moderate", "high"], float]
    strengths: dict[Strength, float]
    symptom_lr_cap: float
    source: Cite
    unverified: bool = False


@dataclass(frozen=True, repr=False, eq=False)
class SupplementRule(Entry):
    min_fraction_of_rda: float
    direction: Direction
    strength: Strength


@dataclass(frozen=True, repr=False, eq=False)
class SupplementEffect(Entry):
    text: str
    rules: list[SupplementRule]
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class IntakeBand(Entry):
    below: float
    vitamin_d: Strength
    other: Strength
    direction: Direction


@dataclass(frozen=True, repr=False, eq=False)
class IntakeEffect(Entry):
    source: Cite
    bands: list[IntakeBand]


@dataclass(frozen=True, repr=False, eq=False)
class LabStatusEffect(Entry):
    lr: float
    floor: float | None = None
    cap: float | None = None


@dataclass(frozen=True, repr=False, eq=False)
class MarkerEffect(Entry):
    nutrient: str
    strength: Strength
    floor: float | None = None


@dataclass(frozen=True, repr=False, eq=False)
class LabEffect(Entry):
    source: Cite
    status: dict[str, LabStatusEffect]
    markers: dict[str, MarkerEffect]


@dataclass(frozen=True, repr=False, eq=False)
class Factors(Entry):
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
    symptoms_any: list[str] = field(default_factory=list)
    symptoms_all: list[str] = field(default_factory=list)
    risk_factors_any: list[str] = field(default_factory=list)
    regions_any: list[str] = field(default_factory=list)
    severity_min: float | None = None
    duration_weeks_above: float | None = None
    age_min: float | None = None


@dataclass(frozen=True, repr=False, eq=False)
class Level(Entry):
    rank: int
    advice: str


@dataclass(frozen=True, repr=False, eq=False)
class RedFlag(Entry):
    code: str
    level: Literal["emergency", "urgent", "routine"]
    when: Condition
    text: str
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class RoutineRule(Entry):
    code: str
    when: Condition
    text: str
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class LikelyDeficiency(Entry):
    code: str
    text: str
    confirmed_text: str
    source: Cite


@dataclass(frozen=True, repr=False, eq=False)
class Triage(Entry):
    red_flag_symptoms: list[str]
    levels: dict[Literal["emergency", "urgent", "routine", "self_care"], Level]
    red_flags: list[RedFlag]
    routine_rules: list[RoutineRule]
    likely_deficiency: LikelyDeficiency


@dataclass(frozen=True, repr=False, eq=False)
class Interaction(Entry):
    nutrient: str
    medication_class: str
    text: str
    source: Cite
    spacing_hours: float | None = None
    unverified: bool = False


@dataclass(frozen=True, repr=False, eq=False)
class Faq(Entry):
    id: str
    question: str
    answer: str
    sources: list[Cite]


@dataclass(frozen=True, repr=False, eq=False)
class Texts(Entry):
    disclaimer: str
    not_tested_step: str
    supplement_step: str
    no_ul_step: str
    food_step: str
