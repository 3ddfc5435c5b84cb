"""Optional intake columns: the likelihood evidence of a usual daily intake from food.

Why per row in Python: the core judges intake with the IOM 2000 z-score, rounds the food-only
probability to 0.001 for its JSON, then adds any supplement and takes the normal CDF again
(``likelihood.total_probability_adequate``) before banding it. Reproducing those roundings and
``math.erf`` bit for bit in column arithmetic is fragile, so rows that have an intake value are
judged by the core's own functions (``intake.judge``, ``NutrientIntake.to_dict``,
``likelihood.intake_evidence``), a few microseconds each; rows without one cost nothing.

Columns: ``intake_<nutrient>`` (mean food intake per day, in the nutrient's unit: µg for
vitamin D and B12, mg for magnesium and calcium) and ``intake_days`` (days behind the mean;
1 when absent, as the core assumes for its food-frequency questionnaire).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from nutrispine.batch.columns import Morsel, unpack
from nutrispine.intake import UNITS, NutrientIntake, judge
from nutrispine.knowledge import KnowledgeBase
from nutrispine.likelihood import intake_evidence

DAYS = "intake_days"


def column(nutrient: str) -> str:
    return f"intake_{nutrient}"


def intake_ratios(kb: KnowledgeBase, nutrient: str, morsel: Morsel, age: np.ndarray,
                  person: np.ndarray, sex: pl.Series, per_day: np.ndarray | None) -> np.ndarray:
    """Likelihood ratio of the intake evidence per row (NaN when there is none, so that the
    supplement's evidence applies instead, as in ``likelihood.assess_likelihood``); ``person``
    is the likelihood's ``person_key`` (pregnant is bit 0, lactating bit 1), ``per_day`` the
    supplement per day (NaN when none)."""
    out = np.full(morsel.n, np.nan)
    mean = morsel.number(column(nutrient))
    days = morsel.number(DAYS)
    if mean is None:
        return out
    given = unpack(mean.valid, morsel.n) & sex.is_not_null().to_numpy() & ~np.isnan(age)
    cache: dict[tuple[Any, ...], Any] = {}

    def requirement(age: float, sex: str, pregnant: bool, lactating: bool) -> Any:
        key = (age, sex, pregnant, lactating)
        if key not in cache:
            try:
                cache[key] = kb.requirement(nutrient, age=age, sex=sex, pregnant=pregnant,
                                            lactating=lactating)
            except ValueError:
                cache[key] = None
        return cache[key]

    rows = np.flatnonzero(given)
    sexes = sex.gather(rows).to_list()
    day_given = (np.ones(len(rows), bool) if days is None
                 else unpack(days.valid, morsel.n)[rows])
    for row, row_sex, has_days in zip(rows.tolist(), sexes, day_given.tolist(), strict=True):
        req = requirement(float(age[row]), row_sex, bool(person[row] & 1), bool(person[row] & 2))
        value = float(mean.values[row])
        n_days = float(days.values[row]) if days is not None and has_days else 1.0
        if req is None or not n_days > 0 or not math.isfinite(value):
            continue
        block = NutrientIntake(
            nutrient=nutrient, per_day=value, unit=UNITS[nutrient],
            days=int(n_days) if n_days.is_integer() else None, ear=req.ear, rda=req.rda,
            ai=req.ai, ul=req.ul, probability_adequate=None, top_sources=[],
            completeness=1.0, method="batch")
        prob, sd_req, sd_within, z, _, _ = judge(nutrient, value, n_days, req, row_sex)
        block.probability_adequate, block.sd_requirement = prob, sd_req
        block.sd_within, block.z = sd_within, z
        summary = block.to_dict()
        summary["days"] = n_days if summary["days"] is None else summary["days"]
        supplement = None
        if per_day is not None and not math.isnan(per_day[row]):
            supplement = float(per_day[row])
        evidence = intake_evidence(kb, nutrient, summary, supplement)
        if evidence is not None:
            out[row] = evidence.likelihood_ratio
    return out
