"""Typed, validated access to the recommendation knowledge files (diet rules, fallback foods,
supplement guidance, lifestyle steps), loaded strictly once like the rest of the knowledge base.

Like ``load_knowledge``, the validated object is pickled in the package's ``__pycache__`` keyed
by a hash of the YAML files and of this module (a stale cache cannot be used: its key would
differ). The ``assess`` path uses ``ruleview.rules()``, the same data without the model classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from nutrispine.knowledge.loader import KnowledgeError, read_yaml, validate
from nutrispine.pickle_cache import load_or_build
from nutrispine.recommend.ruleview import CACHE_DIR, KNOWLEDGE, Record, cite, rules_key

__all__ = ["CHECKED", "KNOWLEDGE", "RecommendKnowledge", "cite", "load_rules", "rules_key",
           "view_of"]
CHECKED = dt.date(2026, 11, 24)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """A source: a bibliography id (sources.yaml) plus a locator; ``title`` when not listed."""

    id: str
    locator: str = ""
    title: str | None = None


class TagRule(_Strict):
    description: str
    groups: list[str]
    keywords: list[str]
    unless: list[str]
    group_unless: list[str] = []
    source: Citation
    checked: dt.date
    unverified: bool = False


class Pattern(_Strict):
    avoid: list[str]


class Unrealistic(_Strict):
    groups: list[str]
    keywords: list[str]
    keep: list[str]
    source: Citation
    checked: dt.date


class EnergyEquation(_Strict):
    ages: tuple[float, float]
    sex: str
    intercept: float
    age_coef: float
    weight_coef: float
    height_coef: float
    growth: float
    pa: dict[str, float]
    pa_free: bool = False


class ReferenceSize(_Strict):
    ages: tuple[float, float]
    sex: str
    weight_kg: float
    height_cm: float


class Energy(_Strict):
    source: Citation
    checked: dt.date
    activity_levels: dict[str, str]
    default_activity: str
    equations: list[EnergyEquation]
    pregnancy_extra: float
    lactation_extra: float
    reference_sizes: list[ReferenceSize]
    reference_sizes_source: Citation
    reference_sizes_unverified: bool = False


class ChildExclusions(_Strict):
    under_age: float
    tags: list[str]


class DietRules(_Strict):
    tags: dict[str, TagRule]
    patterns: dict[str, Pattern]
    pattern_synonyms: dict[str, str]
    exclusions: dict[str, list[str]]
    exclusion_synonyms: dict[str, list[str]]
    risk_factor_exclusions: dict[str, list[str]]
    risk_factor_patterns: dict[str, str]
    risk_factor_source: Citation
    child_exclusions: ChildExclusions
    unrealistic: Unrealistic
    energy: Energy

    @model_validator(mode="after")
    def _references(self) -> DietRules:
        known = set(self.tags)
        used = [t for p in self.patterns.values() for t in p.avoid]
        used += [t for ts in self.exclusions.values() for t in ts]
        used += [t for ts in self.risk_factor_exclusions.values() for t in ts]
        used += self.child_exclusions.tags
        used += [t for ts in self.exclusion_synonyms.values() for t in ts if t not in self.exclusions]
        bad = sorted({t for t in used if t not in known})
        if bad:
            raise ValueError(f"unknown tag(s) {bad}")
        for p in list(self.pattern_synonyms.values()) + list(self.risk_factor_patterns.values()):
            if p not in self.patterns:
                raise ValueError(f"unknown diet pattern {p!r}")
        return self


class KbFood(_Strict):
    id: str
    name: str
    portion: str
    grams: float
    kcal: float
    vitamin_d: float | None
    magnesium: float | None
    vitamin_b12: float | None
    calcium: float | None
    tags: list[str]
    source: Citation


class FoodTags(_Strict):
    defaults: dict[str, object]
    foods: list[KbFood]


class Form(_Strict):
    name: str
    note: str


class Dose(_Strict):
    purpose: str
    low: float
    high: float
    note: str
    source: Citation
    doctor_only: bool = False
    unverified: bool = False


class Recheck(_Strict):
    test: str
    after_weeks: float | None
    note: str
    source: Citation
    unverified: bool = False


class Caution(_Strict):
    risk_factors: list[str]
    text: str
    source: Citation


class Guidance(_Strict):
    forms: list[Form]
    doses: list[Dose]
    take_with: str
    recheck: Recheck
    cautions: list[Caution] = []
    checked: dt.date
    source: Citation


class LifestyleStep(_Strict):
    id: str
    title: str
    text: str
    nutrients: list[str]
    when: list[str]
    source: Citation
    also: Citation | None = None
    checked: dt.date
    unverified: bool = False


class Lifestyle(_Strict):
    steps: list[LifestyleStep]


@dataclass(frozen=True)
class RecommendKnowledge:
    """The four recommendation files, validated."""

    diet: DietRules
    food_tags: FoodTags
    guidance: dict[str, Guidance]
    lifestyle: Lifestyle

    def citations(self) -> list[tuple[str, Citation]]:
        """Every citation with where it sits, for the source check."""
        out: list[tuple[str, Citation]] = [(f"diet_rules.tags.{k}", r.source)
                                           for k, r in self.diet.tags.items()]
        out += [("diet_rules.energy", self.diet.energy.source),
                ("diet_rules.unrealistic", self.diet.unrealistic.source)]
        out += [(f"food_tags.{f.id}", f.source) for f in self.food_tags.foods]
        for n, g in self.guidance.items():
            out += [(f"supplement_guidance.{n}", g.source), (f"supplement_guidance.{n}.recheck",
                                                             g.recheck.source)]
            out += [(f"supplement_guidance.{n}.doses.{i}", d.source) for i, d in enumerate(g.doses)]
            out += [(f"supplement_guidance.{n}.cautions.{i}", c.source)
                    for i, c in enumerate(g.cautions)]
        out += [(f"lifestyle.{s.id}", s.source) for s in self.lifestyle.steps]
        return out


def view_of(obj: Any) -> Any:
    """The same data as plain ``Record``s, lists, dicts and values (see ruleview.py)."""
    if isinstance(obj, BaseModel):
        return Record(**{name: view_of(getattr(obj, name)) for name in type(obj).model_fields})
    if isinstance(obj, RecommendKnowledge):
        return Record(**{f.name: view_of(getattr(obj, f.name)) for f in fields(obj)})
    if isinstance(obj, dict):
        return {k: view_of(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(view_of(v) for v in obj)
    return obj


def _load(name: str, model: object) -> object:
    path = KNOWLEDGE / f"{name}.yaml"
    return validate(path, model, read_yaml(path))


@lru_cache(maxsize=1)
def load_rules() -> RecommendKnowledge:
    """Load and validate the recommendation knowledge (cached in memory and on disk)."""
    cache = CACHE_DIR / f"recommend-rules-{rules_key()}.pickle"
    return load_or_build(cache, RecommendKnowledge, _load_all, stale="recommend-rules-*.pickle")


def _load_all() -> RecommendKnowledge:
    from pydantic import TypeAdapter

    rk = RecommendKnowledge(
        diet=_load("diet_rules", DietRules),  # type: ignore[arg-type]
        food_tags=_load("food_tags", FoodTags),  # type: ignore[arg-type]
        guidance=_load("supplement_guidance", TypeAdapter(dict[str, Guidance])),  # type: ignore[arg-type]
        lifestyle=_load("lifestyle", Lifestyle),  # type: ignore[arg-type]
    )
    bad = [f"{where}: {c.id}" for where, c in rk.citations()
           if c.title is None and c.id not in _bibliography()]
    if bad:
        raise KnowledgeError("unknown source id(s): " + ", ".join(bad))
    return rk


@lru_cache(maxsize=1)
def _bibliography() -> frozenset[str]:
    data = read_yaml(KNOWLEDGE / "sources.yaml")
    return frozenset(data) | {"usda_sr28"}
