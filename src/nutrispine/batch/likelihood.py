"""``nutrispine.likelihood`` over whole columns: prior by age, likelihood ratios of risk factors,
medicines, symptoms (capped), supplements and the lab, then floor/cap and the level.

Why the care over order: the core multiplies the odds one likelihood ratio at a time (lab first,
then risk factors, medicines, supplement), and floating-point products depend on their order. A
level sits on a threshold when the odds are exactly 1 (p = 0.5), which the ratios in the
knowledge base can reach (1/9 x 0.6 x 2.5 x 4 x 1.5); multiplying by 1.0 for an absent factor is
exact, so building the same left-to-right product gives bit-identical probabilities.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from nutrispine.batch import labs as blabs
from nutrispine.batch.schema import Inputs, schema
from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import NUTRIENTS, Effect
from nutrispine.labs import PRIMARY_TEST
from nutrispine.supplements import MASS_TO_UG

DIET_RISKS = ("vegan", "vegetarian")


def lr_of(kb: KnowledgeBase, effect: Effect) -> float:
    """``likelihood._lr``: the effect's ratio, inverted when it lowers the odds."""
    ratio = effect.lr if effect.lr is not None else kb.factors.model.strengths[effect.strength]
    return ratio if effect.direction == "raises" else 1.0 / ratio


def strength_lr(kb: KnowledgeBase, strength: str, direction: str) -> float:
    ratio = kb.factors.model.strengths[strength]  # type: ignore[index]
    return ratio if direction == "raises" else 1.0 / ratio


def prior_expr(kb: KnowledgeBase, nutrient: str) -> pl.Expr:
    """The prior for the row's age: the first age band that holds it, else the last band."""
    bands = kb.factors.priors[nutrient].by_age
    expr: pl.Expr = pl.lit(bands[-1].p)
    for band in reversed(bands):
        inside = (pl.col("age") >= band.ages[0]) & (pl.col("age") < band.ages[1])
        expr = pl.when(inside).then(pl.lit(band.p)).otherwise(expr)
    return expr


def stage_key_expr(boundaries: list[float]) -> pl.Expr:
    """Index of the age interval [b_i, b_i+1) holding the row's age (0 below the first)."""
    if not boundaries:
        return pl.lit(0, dtype=pl.Int32)
    return pl.sum_horizontal([(pl.col("age") >= b).cast(pl.Int32) for b in boundaries])


def target_expr(kb: KnowledgeBase, nutrient: str) -> pl.Expr:
    """RDA (or AI) of the row's life stage. Requirements are constant between the life-stage
    age limits, so the core's own ``kb.requirement`` is asked once per (age interval, sex,
    pregnant, lactating) and the answers are looked up per row."""
    stages = kb.requirements[nutrient].life_stages
    bounds = sorted({a for st in stages for a in st.ages})
    table: dict[int, float | None] = {}
    for i, low in enumerate(bounds, start=1):
        for sx, sex in enumerate(("female", "male")):
            for state, (pregnant, lactating) in enumerate(((False, False), (True, False),
                                                           (False, True), (True, True))):
                try:
                    req = kb.requirement(nutrient, age=low, sex=sex, pregnant=pregnant,
                                         lactating=lactating)
                except ValueError:  # KnowledgeError: no life stage (age beyond the table)
                    continue
                table[(i * 2 + sx) * 4 + state] = req.rda or req.ai
    key = ((stage_key_expr(bounds) * 2 + (pl.col("sex") == "male").cast(pl.Int32)) * 4
           + pl.col("pregnant").cast(pl.Int32) + 2 * pl.col("lactating").cast(pl.Int32))
    return key.replace_strict(list(table), list(table.values()), default=None,
                              return_dtype=pl.Float64)


def per_day_expr(kb: KnowledgeBase, nutrient: str, inputs: Inputs) -> pl.Expr:
    """``supplements.daily_totals`` for one column in the nutrient's unit: to micrograms and
    back, rounded to 0.001 (null when not given)."""
    column = schema().supplement(nutrient)
    if column not in inputs.names:
        return pl.lit(None, dtype=pl.Float64)
    factor = MASS_TO_UG[kb.nutrients[nutrient].unit]
    return (pl.col(column).cast(pl.Float64) * factor / factor).round(3)


def supplement_lr_expr(kb: KnowledgeBase, per_day: pl.Expr, target: pl.Expr) -> pl.Expr:
    """``likelihood.supplement_evidence``: the first rule whose fraction of the RDA is met;
    ``per_day`` and ``target`` should be column references (they are used several times)."""
    fraction = per_day / target
    expr: Any = pl.when(per_day.is_null() | (per_day == 0) | target.is_null() | (target == 0))
    expr = expr.then(pl.lit(1.0))
    for rule in kb.factors.supplement_effect.rules:
        expr = expr.when(fraction >= rule.min_fraction_of_rda).then(
            pl.lit(strength_lr(kb, rule.strength, rule.direction)))
    return expr.otherwise(pl.lit(1.0))


def lookup(values: list[float | None], key: pl.Expr) -> pl.Expr:
    """``values[key]`` per row (null key gives null): one gather instead of a when-chain."""
    return pl.lit(pl.Series(values, dtype=pl.Float64)).gather(key)


def lab_effect_exprs(kb: KnowledgeBase, nutrient: str, inputs: Inputs
                     ) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(likelihood ratio, floor, cap) from the primary lab's status, else a raised marker
    (``likelihood.lab_evidence``); needs the columns of ``labs.with_lab_columns``.

    The primary's effect is looked up by a key: its status code, plus ``len(CODES)`` when the
    test is a weak marker (an adequate result then counts as ``adequate_weak_marker``)."""
    spec = kb.factors.lab_effect
    primary = pl.col(blabs.primary_col(nutrient))
    status = pl.col(blabs.code_column(nutrient)).cast(pl.Int64)
    weak = [i for i, t in enumerate(PRIMARY_TEST[nutrient]) if kb.labs[t].weak_marker]
    is_weak = primary.is_in(weak).fill_null(False) if weak else pl.lit(False)
    width = len(blabs.CODES)
    tables: list[list[float | None]] = [[1.0 for _ in range(2 * width)],
                                        [None for _ in range(2 * width)],
                                        [None for _ in range(2 * width)]]
    for name, effect in spec.status.items():
        if name == "adequate_weak_marker":
            slots = [width + blabs.code("adequate")]
        elif name in blabs.CODES:
            slots = [blabs.code(name)]
            if not (name == "adequate" and "adequate_weak_marker" in spec.status):
                slots.append(width + blabs.code(name))
        else:
            continue
        for slot in slots:
            tables[0][slot], tables[1][slot], tables[2][slot] = effect.lr, effect.floor, effect.cap
    key = pl.when(primary.is_not_null()).then(status + is_weak.cast(pl.Int64) * width)
    lr = lookup(tables[0], key).fill_null(1.0)
    floor, cap = lookup(tables[1], key), lookup(tables[2], key)
    for test, marker in reversed(spec.markers.items()):  # the first raised marker wins
        if marker.nutrient != nutrient or not inputs.has_lab(test):
            continue
        raised = primary.is_null() & (
            pl.col(blabs.status_col(test)) == blabs.code("elevated")).fill_null(False)
        lr = pl.when(raised).then(pl.lit(strength_lr(kb, marker.strength, "raises"))).otherwise(lr)
        floor = pl.when(raised).then(pl.lit(marker.floor, dtype=pl.Float64)).otherwise(floor)
    return lr, floor, cap


def with_probability_columns(frame: pl.LazyFrame, kb: KnowledgeBase, inputs: Inputs
                             ) -> pl.LazyFrame:
    """Add ``_p_<nutrient>``: the posterior probability of a shortfall, in stages (lab effect,
    prior, supplement; then the odds product in the core's order; then floor and cap)."""
    stage1 = []
    for n in NUTRIENTS:
        lr, floor, cap = lab_effect_exprs(kb, n, inputs)
        stage1 += [lr.alias(f"_lablr_{n}"), floor.alias(f"_floor_{n}"), cap.alias(f"_cap_{n}"),
                   prior_expr(kb, n).alias(f"_prior_{n}")]
        if schema().supplement(n) in inputs:
            stage1 += [per_day_expr(kb, n, inputs).alias(f"_perday_{n}"),
                       target_expr(kb, n).alias(f"_target_{n}")]
    frame = frame.with_columns(stage1)
    frame = frame.with_columns(
        (supplement_lr_expr(kb, pl.col(f"_perday_{n}"), pl.col(f"_target_{n}"))
         if schema().supplement(n) in inputs else pl.lit(1.0)).alias(f"_supplr_{n}")
        for n in NUTRIENTS)
    frame = frame.with_columns(odds_expr(kb, n, inputs).alias(f"_odds_{n}") for n in NUTRIENTS)
    stage3 = []
    for n in NUTRIENTS:
        odds, floor, cap = pl.col(f"_odds_{n}"), pl.col(f"_floor_{n}"), pl.col(f"_cap_{n}")
        p = odds / (1.0 + odds)
        p = pl.when(floor.is_not_null()).then(pl.max_horizontal(p, floor)).otherwise(p)
        p = pl.when(cap.is_not_null()).then(pl.min_horizontal(p, cap)).otherwise(p)
        stage3.append(p.alias(f"_p_{n}"))
    return frame.with_columns(stage3)


def odds_expr(kb: KnowledgeBase, nutrient: str, inputs: Inputs) -> pl.Expr:
    """Prior odds times each likelihood ratio, left to right in the core's order: lab, risk
    factors, diet, medicines, supplement; then the symptoms' product, capped."""
    s = schema()
    prior = pl.col(f"_prior_{nutrient}")
    odds = prior / (1.0 - prior) * pl.col(f"_lablr_{nutrient}")
    for code, factor in kb.factors.risk_factors.items():
        effect = factor.effects.get(nutrient)
        if effect is not None and s.risk(code) in inputs:
            odds = odds * pl.when(inputs.flag(s.risk(code))).then(
                pl.lit(lr_of(kb, effect))).otherwise(pl.lit(1.0))
    for code in DIET_RISKS:  # preferences.diet, appended after the listed risk factors
        effect = kb.factors.risk_factors[code].effects.get(nutrient)
        if effect is not None and "diet" in inputs:
            implied = (pl.col("diet") == code).fill_null(False) & ~inputs.flag(s.risk(code))
            odds = odds * pl.when(implied).then(pl.lit(lr_of(kb, effect))).otherwise(pl.lit(1.0))
    for cls, factor in kb.factors.medication_classes.items():
        effect = factor.effects.get(nutrient)
        if effect is not None and s.med(cls) in inputs:
            odds = odds * pl.when(inputs.flag(s.med(cls))).then(
                pl.lit(lr_of(kb, effect))).otherwise(pl.lit(1.0))
    odds = odds * pl.col(f"_supplr_{nutrient}")
    symptoms: pl.Expr = pl.lit(1.0)
    for code, factor in kb.factors.symptoms.items():
        effect = factor.effects.get(nutrient)
        if effect is not None and s.symptom(code) in inputs:
            symptoms = symptoms * pl.when(inputs.flag(s.symptom(code))).then(
                pl.lit(lr_of(kb, effect))).otherwise(pl.lit(1.0))
    return odds * pl.min_horizontal(symptoms, pl.lit(kb.factors.model.symptom_lr_cap))


LEVELS = ("low", "moderate", "high")
LEVEL_ENUM = pl.Enum(LEVELS)


def level_expr(kb: KnowledgeBase, probability: pl.Expr) -> pl.Expr:
    """``likelihood.level_for`` as a code (index in ``LEVELS``) by the knowledge base's
    thresholds."""
    t = kb.factors.model.thresholds
    return (pl.when(probability >= t["high"]).then(pl.lit(2, dtype=pl.UInt8))
            .when(probability >= t["moderate"]).then(pl.lit(1, dtype=pl.UInt8))
            .otherwise(pl.lit(0, dtype=pl.UInt8)))


def level_text(column: str) -> pl.Expr:
    return pl.col(column).replace_strict([0, 1, 2], list(LEVELS), return_dtype=LEVEL_ENUM)
