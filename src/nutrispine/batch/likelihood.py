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

from nutrispine.batch import intake as bintake
from nutrispine.batch import labs as blabs
from nutrispine.batch.schema import Inputs, schema
from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import NUTRIENTS, Effect
from nutrispine.labs import PRIMARY_TEST
from nutrispine.likelihood import prior_for
from nutrispine.supplements import MASS_TO_UG

DIET_RISKS = ("vegan", "vegetarian")


def lr_of(kb: KnowledgeBase, effect: Effect) -> float:
    """``likelihood._lr``: the effect's ratio, inverted when it lowers the odds."""
    ratio = effect.lr if effect.lr is not None else kb.factors.model.strengths[effect.strength]
    return ratio if effect.direction == "raises" else 1.0 / ratio


def strength_lr(kb: KnowledgeBase, strength: str, direction: str) -> float:
    ratio = kb.factors.model.strengths[strength]  # type: ignore[index]
    return ratio if direction == "raises" else 1.0 / ratio


def interval_expr(bounds: list[float]) -> pl.Expr:
    """Index of the age interval: the number of bounds at or below the row's age."""
    return pl.lit(pl.Series(bounds, dtype=pl.Float64)).search_sorted(
        pl.col("age"), side="right").cast(pl.Int64)


def prior_expr(kb: KnowledgeBase, nutrient: str) -> pl.Expr:
    """The prior for the row's age. Priors are constant between the age bands' limits, so the
    core's own ``likelihood.prior_for`` is asked once per interval and looked up per row."""
    bands = kb.factors.priors[nutrient].by_age
    bounds = sorted({a for band in bands for a in band.ages})
    starts = [bounds[0] - 1.0, *bounds]  # a representative age of every interval
    table = [prior_for(kb, nutrient, age)[0] for age in starts]
    if len(set(table)) == 1:
        return pl.lit(table[0], dtype=pl.Float64)
    return pl.lit(pl.Series(table, dtype=pl.Float64)).gather(interval_expr(bounds))


def target_expr(kb: KnowledgeBase, nutrient: str) -> pl.Expr:
    """RDA (or AI) of the row's life stage. Requirements are constant between the life-stage
    age limits, so the core's own ``kb.requirement`` is asked once per (age interval, sex,
    pregnant, lactating) and the answers are looked up per row."""
    stages = kb.requirements[nutrient].life_stages
    bounds = sorted({a for st in stages for a in st.ages})
    table: list[float | None] = []
    for i in range(len(bounds) + 1):
        for sex in ("female", "male"):
            for pregnant, lactating in ((False, False), (True, False), (False, True),
                                        (True, True)):
                try:
                    req = kb.requirement(nutrient, age=bounds[i - 1] if i else -1.0, sex=sex,
                                         pregnant=pregnant, lactating=lactating)
                    table.append(req.rda or req.ai)
                except ValueError:  # KnowledgeError: no life stage at that age
                    table.append(None)
    key = interval_expr(bounds) * 8 + pl.col(PERSON_KEY)
    return pl.lit(pl.Series(table, dtype=pl.Float64)).gather(key)


PERSON_KEY = "_person_key"


def person_key_expr() -> pl.Expr:
    """male x 4 + pregnant + 2 x lactating: the part of the life-stage key that is the same
    for every nutrient (computed once)."""
    return ((pl.col("sex") == "male").cast(pl.Int64) * 4 + pl.col("pregnant").cast(pl.Int64)
            + 2 * pl.col("lactating").cast(pl.Int64))


def per_day_expr(kb: KnowledgeBase, nutrient: str, inputs: Inputs) -> pl.Expr:
    """``supplements.daily_totals`` for one column in the nutrient's unit: to micrograms and
    back, rounded to 0.001 (null when not given)."""
    column = schema().supplement(nutrient)
    if column not in inputs.names:
        return pl.lit(None, dtype=pl.Float64)
    factor = MASS_TO_UG[kb.nutrients[nutrient].unit]
    amount = pl.col(column).cast(pl.Float64)
    if factor != 1.0:  # x * 1.0 / 1.0 is x exactly; otherwise keep the core's arithmetic
        amount = amount * factor / factor
    return amount.round(3)


def supplement_lr_expr(kb: KnowledgeBase, per_day: pl.Expr, target: pl.Expr) -> pl.Expr:
    """``likelihood.supplement_evidence``: the first rule whose fraction of the RDA is met, in
    the rules' order (no evidence without a positive amount and a target)."""
    fraction = pl.when((per_day > 0) & (target > 0)).then(per_day / target)
    expr: Any = pl.when(fraction.is_null()).then(pl.lit(1.0))
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
    (``likelihood.lab_evidence``); needs the columns of ``labs.with_lab_columns``. No floor is
    a floor of 0 and no cap a cap of 1, which leave a probability unchanged.

    The primary's effect is looked up by a key: its status code, plus ``len(CODES)`` when the
    test is a weak marker (an adequate result then counts as ``adequate_weak_marker``)."""
    spec = kb.factors.lab_effect
    primary = pl.col(blabs.primary_col(nutrient))
    status = pl.col(blabs.code_column(nutrient)).cast(pl.Int64)
    weak = [i for i, t in enumerate(PRIMARY_TEST[nutrient]) if kb.labs[t].weak_marker]
    width = len(blabs.CODES)
    if not weak:
        key = status
    elif len(weak) == len(PRIMARY_TEST[nutrient]):
        key = status + width  # every primary test is a weak marker
    else:
        key = status + primary.is_in(weak).fill_null(False).cast(pl.Int64) * width
    # no primary test: status not_tested, which has no entry and keeps the defaults
    tables: list[list[float | None]] = [[1.0 for _ in range(2 * width)],
                                        [0.0 for _ in range(2 * width)],
                                        [1.0 for _ in range(2 * width)]]
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
            tables[0][slot] = effect.lr
            tables[1][slot] = 0.0 if effect.floor is None else effect.floor
            tables[2][slot] = 1.0 if effect.cap is None else effect.cap
    assert blabs.code("not_tested") not in spec.status
    lr, floor, cap = (lookup(table, key) for table in tables)
    for test, marker in reversed(spec.markers.items()):  # the first raised marker wins
        if marker.nutrient != nutrient or not inputs.has_lab(test):
            continue
        raised = primary.is_null() & (
            pl.col(blabs.status_col(test)) == blabs.code("elevated")).fill_null(False)
        lr = pl.when(raised).then(pl.lit(strength_lr(kb, marker.strength, "raises"))).otherwise(lr)
        marker_floor = 0.0 if marker.floor is None else marker.floor
        floor = pl.when(raised).then(pl.lit(marker_floor, dtype=pl.Float64)).otherwise(floor)
    return lr, floor, cap


def with_probability_columns(frame: pl.LazyFrame, kb: KnowledgeBase, inputs: Inputs
                             ) -> pl.LazyFrame:
    """Add ``_p_<nutrient>``: the posterior probability of a shortfall, in stages (lab effect,
    prior, supplement; then the odds product in the core's order; then floor and cap)."""
    if any(schema().supplement(n) in inputs for n in NUTRIENTS):
        frame = frame.with_columns(person_key_expr().alias(PERSON_KEY))
    stage1 = []
    for n in NUTRIENTS:
        lr, floor, cap = lab_effect_exprs(kb, n, inputs)
        stage1 += [lr.alias(f"_lablr_{n}"), floor.alias(f"_floor_{n}"), cap.alias(f"_cap_{n}"),
                   prior_expr(kb, n).alias(f"_prior_{n}")]
        if schema().supplement(n) in inputs:
            stage1 += [per_day_expr(kb, n, inputs).alias(f"_perday_{n}"),
                       target_expr(kb, n).alias(f"_target_{n}")]
    frame = frame.with_columns(stage1)
    stage2 = []
    for n in NUTRIENTS:
        has_supplement = schema().supplement(n) in inputs
        lr = (supplement_lr_expr(kb, pl.col(f"_perday_{n}"), pl.col(f"_target_{n}"))
              if has_supplement else pl.lit(1.0))
        if bintake.column(n) in inputs:  # food (plus supplement) replaces the supplement alone
            per_day = pl.col(f"_perday_{n}") if has_supplement else pl.lit(None, pl.Float64)
            lr = bintake.intake_lr_expr(kb, n, inputs, per_day).fill_null(lr)
        stage2.append(lr.alias(f"_supplr_{n}"))
    frame = frame.with_columns(stage2)
    frame = frame.with_columns(odds_expr(kb, n, inputs).alias(f"_odds_{n}") for n in NUTRIENTS)
    stage3 = []
    for n in NUTRIENTS:
        odds = pl.col(f"_odds_{n}")
        # max(p, floor) then min(p, cap), with 0 and 1 standing for 'no floor' and 'no cap'
        p = (odds / (1.0 + odds)).clip(pl.col(f"_floor_{n}"), pl.col(f"_cap_{n}"))
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
    return pl.lit(pl.Series(LEVELS, dtype=LEVEL_ENUM)).gather(pl.col(column))
