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

import polars as pl

from nutrispine.batch.schema import Inputs
from nutrispine.intake import UNITS, NutrientIntake, judge
from nutrispine.knowledge import KnowledgeBase
from nutrispine.likelihood import intake_evidence

DAYS = "intake_days"


def column(nutrient: str) -> str:
    return f"intake_{nutrient}"


def intake_lr_expr(kb: KnowledgeBase, nutrient: str, inputs: Inputs, per_day: pl.Expr
                   ) -> pl.Expr:
    """Likelihood ratio of the intake evidence per row (null when there is none, so that the
    supplement's evidence applies instead, as in ``likelihood.assess_likelihood``)."""
    fields = [pl.col(column(nutrient)).cast(pl.Float64).alias("mean"),
              (pl.col(DAYS).cast(pl.Float64) if DAYS in inputs else pl.lit(1.0)).alias("days"),
              pl.col("age"), pl.col("sex"), pl.col("pregnant"), pl.col("lactating"),
              per_day.alias("supplement")]
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

    def ratios(batch: pl.Series) -> pl.Series:
        frame = batch.struct.unnest()
        out: list[float | None] = [None] * frame.height
        given = frame["mean"].is_not_null() & frame["sex"].is_not_null() & frame["age"].is_not_null()
        for i in given.arg_true().to_list():
            row = frame.row(i, named=True)
            req = requirement(row["age"], row["sex"], bool(row["pregnant"]), bool(row["lactating"]))
            days = row["days"] if row["days"] is not None else 1.0
            if req is None or not days > 0 or not math.isfinite(row["mean"]):
                continue
            block = NutrientIntake(
                nutrient=nutrient, per_day=row["mean"], unit=UNITS[nutrient],
                days=int(days) if float(days).is_integer() else None, ear=req.ear, rda=req.rda,
                ai=req.ai, ul=req.ul, probability_adequate=None, top_sources=[],
                completeness=1.0, method="batch")
            prob, sd_req, sd_within, z, _, _ = judge(nutrient, row["mean"], days, req, row["sex"])
            block.probability_adequate, block.sd_requirement = prob, sd_req
            block.sd_within, block.z = sd_within, z
            summary = block.to_dict()
            summary["days"] = days if summary["days"] is None else summary["days"]
            evidence = intake_evidence(kb, nutrient, summary, row["supplement"])
            if evidence is not None:
                out[i] = evidence.likelihood_ratio
        return pl.Series(out, dtype=pl.Float64)

    return pl.struct(fields).map_batches(ratios, return_dtype=pl.Float64, is_elementwise=True)
