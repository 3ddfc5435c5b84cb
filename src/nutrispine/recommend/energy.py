"""The daily energy target for a meal plan: the IOM 2005 Estimated Energy Requirement (EER)
equations, with coefficients in diet_rules.yaml (``energy``)."""

from __future__ import annotations

from dataclasses import dataclass

from nutrispine.errors import InputError, Problem
from nutrispine.recommend.rules import Energy, load_rules


@dataclass(frozen=True)
class EnergyTarget:
    kcal: float
    activity: str
    weight_kg: float
    height_cm: float
    assumed_size: bool  # weight or height taken from the reference body size
    source: str


def _in(ages: tuple[float, float], sex_rule: str, age: float, sex: str) -> bool:
    return ages[0] <= age < ages[1] and sex_rule in ("any", sex)


def energy_target(age: float, sex: str, weight_kg: float | None = None,
                  height_cm: float | None = None, activity: str | None = None,
                  pregnant: bool = False, lactating: bool = False,
                  energy: Energy | None = None) -> EnergyTarget:
    """EER in kcal/day. Missing weight or height falls back to the IOM reference size."""
    e = energy or load_rules().diet.energy
    level = activity or e.default_activity
    if level not in e.activity_levels:
        raise InputError(Problem("preferences.activity", f"unknown activity {activity!r}",
                                 sorted(e.activity_levels)))
    pa_key = e.activity_levels[level]
    eq = next((q for q in e.equations if _in(q.ages, q.sex, age, sex)), None)
    if eq is None:
        raise InputError(Problem("person.age", f"no energy equation for age {age:g}: meal plans "
                                 "are for ages 1 and over"))
    assumed = weight_kg is None or height_cm is None
    if assumed:
        ref = next(r for r in e.reference_sizes if _in(r.ages, r.sex, age, sex))
        weight_kg = weight_kg if weight_kg is not None else ref.weight_kg
        height_cm = height_cm if height_cm is not None else ref.height_cm
    assert weight_kg is not None and height_cm is not None
    pa = 1.0 if eq.pa_free else eq.pa[pa_key]
    kcal = (eq.intercept + eq.age_coef * age
            + pa * (eq.weight_coef * weight_kg + eq.height_coef * height_cm / 100.0) + eq.growth)
    if pregnant:
        kcal += e.pregnancy_extra
    elif lactating:
        kcal += e.lactation_extra
    title = e.source.title or e.source.id
    return EnergyTarget(kcal=round(kcal), activity=level, weight_kg=weight_kg,
                        height_cm=height_cm, assumed_size=assumed,
                        source=f"{title}, {e.source.locator}")
