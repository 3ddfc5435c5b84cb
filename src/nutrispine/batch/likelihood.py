"""``nutrispine.likelihood`` over whole columns: prior by age, likelihood ratios of risk factors,
medicines, symptoms (capped), supplements and the lab, then floor/cap and the level.

Why logarithms: each nutrient's log-odds is one horizontal sum (prior log-odds plus the log of
every ratio that applies), evaluated column-parallel, instead of a chain of products. The core
rounds the posterior to 9 decimals before banding it (``likelihood.combine``), so the order of
the terms cannot move a level; the level is decided in log-odds, against the log-odds of the
smallest probability that rounds up to each threshold.
"""

from __future__ import annotations

import math
from typing import Any, Literal

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
    """Index of the age interval: the number of bounds at or below the row's age (a sum of
    comparisons, several times faster than a binary search per row for a dozen bounds)."""
    age = pl.col("age")
    return pl.sum_horizontal([(age >= b).cast(pl.UInt8) for b in bounds]).cast(pl.Int64)


AGE_KEY = "_age_interval"


def age_bounds(kb: KnowledgeBase, nutrients: tuple[str, ...] = NUTRIENTS) -> list[float]:
    """Every age limit of the priors' bands and the requirements' life stages: priors and
    requirements are constant between two of them, so one interval index per row (``AGE_KEY``)
    serves every look-up by age."""
    ages = {a for n in nutrients for band in kb.factors.priors[n].by_age for a in band.ages}
    ages |= {a for n in nutrients for st in kb.requirements[n].life_stages for a in st.ages}
    return sorted(ages)


def _representative_ages(bounds: list[float]) -> list[float]:
    return [bounds[0] - 1.0, *bounds]  # an age inside every interval (the first is open)


def prior_log_odds_expr(kb: KnowledgeBase, nutrient: str, bounds: list[float]) -> pl.Expr:
    """log(prior / (1 - prior)) for the row's age. The core's own ``likelihood.prior_for`` is
    asked once per age interval and the answer looked up per row (``AGE_KEY``)."""
    table: list[float | None] = []
    for age in _representative_ages(bounds):
        prior = prior_for(kb, nutrient, age)[0]
        table.append(math.log(prior / (1.0 - prior)))
    if len(set(table)) == 1:
        return pl.lit(table[0], dtype=pl.Float64)
    return lookup(table, pl.col(AGE_KEY))


def target_expr(kb: KnowledgeBase, nutrient: str, bounds: list[float]) -> pl.Expr:
    """RDA (or AI) of the row's life stage. The core's own ``kb.requirement`` is asked once per
    (age interval, sex, pregnant, lactating) and the answers are looked up per row."""
    table: list[float | None] = []
    for age in _representative_ages(bounds):
        for sex in ("female", "male"):
            for pregnant, lactating in ((False, False), (True, False), (False, True),
                                        (True, True)):
                try:
                    req = kb.requirement(nutrient, age=age, sex=sex, pregnant=pregnant,
                                         lactating=lactating)
                    table.append(req.rda or req.ai)
                except ValueError:  # KnowledgeError: no life stage at that age
                    table.append(None)
    return lookup(table, pl.col(AGE_KEY) * 8 + pl.col(PERSON_KEY))


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


def supplement_lr_expr(kb: KnowledgeBase, per_day: pl.Expr, target: pl.Expr,
                       log: bool = False) -> pl.Expr:
    """``likelihood.supplement_evidence``: the first rule whose fraction of the RDA is met, in
    the rules' order (no evidence without a positive amount and a target); with ``log`` the
    ratio's logarithm (0 for no evidence)."""
    none = 0.0 if log else 1.0
    fraction = pl.when((per_day > 0) & (target > 0)).then(per_day / target)
    expr: Any = pl.when(fraction.is_null()).then(pl.lit(none))
    for rule in kb.factors.supplement_effect.rules:
        lr = strength_lr(kb, rule.strength, rule.direction)
        expr = expr.when(fraction >= rule.min_fraction_of_rda).then(
            pl.lit(math.log(lr) if log else lr))
    return expr.otherwise(pl.lit(none))


def lookup(values: list[float | None], key: pl.Expr) -> pl.Expr:
    """``values[key]`` per row (null key gives null): one gather instead of a when-chain."""
    return pl.lit(pl.Series(values, dtype=pl.Float64)).gather(key)


def lab_effect_exprs(kb: KnowledgeBase, nutrient: str, inputs: Inputs
                     ) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(log of the likelihood ratio, floor, cap) from the primary lab's status, else a raised marker
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
    tables: list[list[float | None]] = [[0.0 for _ in range(2 * width)],
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
            tables[0][slot] = math.log(effect.lr)
            tables[1][slot] = 0.0 if effect.floor is None else effect.floor
            tables[2][slot] = 1.0 if effect.cap is None else effect.cap
    assert blabs.code("not_tested") not in spec.status
    lr, floor, cap = (lookup(table, key) for table in tables)
    for test, marker in reversed(spec.markers.items()):  # the first raised marker wins
        if marker.nutrient != nutrient or not inputs.has_lab(test):
            continue
        raised = primary.is_null() & (
            pl.col(blabs.status_col(test)) == blabs.code("elevated")).fill_null(False)
        marker_lr = math.log(strength_lr(kb, marker.strength, "raises"))
        lr = pl.when(raised).then(pl.lit(marker_lr)).otherwise(lr)
        marker_floor = 0.0 if marker.floor is None else marker.floor
        floor = pl.when(raised).then(pl.lit(marker_floor, dtype=pl.Float64)).otherwise(floor)
    return lr, floor, cap


def with_probability_columns(frame: pl.LazyFrame, kb: KnowledgeBase, inputs: Inputs,
                             probability: bool = True) -> pl.LazyFrame:
    """Add ``_level_<nutrient>`` (index in ``LEVELS``) and, with ``probability``, ``_p_<n>``:
    the posterior probability of a shortfall, rounded to 9 decimals and floored and capped as
    ``likelihood.combine`` does.

    Why logarithms: the core multiplies the prior odds by every likelihood ratio; here each
    nutrient's log-odds is one horizontal sum of the ratios' logarithms (a boolean column
    chooses a constant or 0), which Polars evaluates column-parallel in one pass. The order of
    the terms cannot change a level: the core rounds the probability to 9 decimals before
    banding it, so the level is decided by comparing the log-odds with the log-odds of the
    smallest probability that rounds to the threshold (``_threshold_log_odds``)."""
    supplemented = [n for n in NUTRIENTS if schema().supplement(n) in inputs]
    bounds = age_bounds(kb)
    keys = [interval_expr(bounds).alias(AGE_KEY), *flag_key_exprs(kb, inputs)]
    if supplemented:
        keys.append(person_key_expr().alias(PERSON_KEY))
    frame = frame.with_columns(keys)
    stage1 = []
    for n in NUTRIENTS:
        lr, floor, cap = lab_effect_exprs(kb, n, inputs)
        stage1 += [lr.alias(f"_lablr_{n}"), floor.alias(f"_floor_{n}"), cap.alias(f"_cap_{n}")]
        if n in supplemented:
            stage1 += [per_day_expr(kb, n, inputs).alias(f"_perday_{n}"),
                       target_expr(kb, n, bounds).alias(f"_target_{n}")]
    frame = frame.with_columns(stage1)
    frame = frame.with_columns(
        log_odds_expr(kb, n, inputs, bounds).alias(f"_logodds_{n}") for n in NUTRIENTS)
    stage3 = []
    for n in NUTRIENTS:
        log_odds, floor, cap = (pl.col(f"_{c}_{n}") for c in ("logodds", "floor", "cap"))
        stage3.append(level_expr(kb, log_odds, floor, cap).alias(f"_level_{n}"))
        if probability:
            p = (1.0 / (1.0 + (-log_odds).exp())).round(9)
            # max(p, floor) then min(p, cap), with 0 and 1 standing for 'no floor' and 'no cap'
            stage3.append(p.clip(floor, cap).alias(f"_p_{n}"))
    return frame.with_columns(stage3)


def supplement_log_lr_expr(kb: KnowledgeBase, nutrient: str, inputs: Inputs) -> pl.Expr:
    """Log of the supplement's ratio, or of the intake's (food plus supplement), which replaces
    it when the row has an intake value (as in ``likelihood.assess_likelihood``); 0 if none."""
    has_supplement = schema().supplement(nutrient) in inputs
    per_day, target = pl.col(f"_perday_{nutrient}"), pl.col(f"_target_{nutrient}")
    if bintake.column(nutrient) not in inputs:
        return supplement_lr_expr(kb, per_day, target, log=True) if has_supplement else pl.lit(0.0)
    lr = supplement_lr_expr(kb, per_day, target) if has_supplement else pl.lit(1.0)
    food = bintake.intake_lr_expr(kb, nutrient, inputs,
                                  per_day if has_supplement else pl.lit(None, pl.Float64))
    return food.fill_null(lr).log()


CHUNK_BITS = 8  # answers packed per key: a table of 256 sums per nutrient and key


def factor_flags(kb: KnowledgeBase, inputs: Inputs) -> tuple[
        list[tuple[pl.Expr, dict[str, float]]], list[tuple[pl.Expr, dict[str, float]]]]:
    """(answers that multiply the odds, symptoms whose product is capped): each a boolean
    expression (null counts as not reported) with the likelihood ratio it carries per
    nutrient, in the core's order: risk factors, diet, medicines; symptoms."""
    s = schema()

    def ratios(effects: dict[str, Effect]) -> dict[str, float]:
        return {n: lr_of(kb, e) for n, e in effects.items() if n in NUTRIENTS}

    odds: list[tuple[pl.Expr, dict[str, float]]] = []
    for code, factor in kb.factors.risk_factors.items():
        if s.risk(code) in inputs and ratios(factor.effects):
            odds.append((pl.col(s.risk(code)), ratios(factor.effects)))
    for code in DIET_RISKS:  # preferences.diet, counted when the risk factor is not also given
        effects = ratios(kb.factors.risk_factors[code].effects)
        if effects and "diet" in inputs:
            odds.append(((pl.col("diet") == code) & ~inputs.flag(s.risk(code)), effects))
    for cls, factor in kb.factors.medication_classes.items():
        if s.med(cls) in inputs and ratios(factor.effects):
            odds.append((pl.col(s.med(cls)), ratios(factor.effects)))
    symptoms = [(pl.col(s.symptom(code)), ratios(factor.effects))
                for code, factor in kb.factors.symptoms.items()
                if s.symptom(code) in inputs and ratios(factor.effects)]
    return odds, symptoms


def _chunks(flags: list[tuple[pl.Expr, dict[str, float]]]
            ) -> list[list[tuple[pl.Expr, dict[str, float]]]]:
    return [flags[i:i + CHUNK_BITS] for i in range(0, len(flags), CHUNK_BITS)]


def flag_key_exprs(kb: KnowledgeBase, inputs: Inputs) -> list[pl.Expr]:
    """One small integer per group of ``CHUNK_BITS`` answers, bit j set when answer j is
    given (``_odds_key_<i>``, ``_symptom_key_<i>``): the answers are packed once for every
    nutrient, and each nutrient then looks its sum of log-ratios up per key."""
    odds, symptoms = factor_flags(kb, inputs)
    exprs = []
    for kind, flags in (("odds", odds), ("symptom", symptoms)):
        for i, chunk in enumerate(_chunks(flags)):
            bits = [pl.when(flag).then(pl.lit(1 << j, dtype=pl.UInt16))
                    .otherwise(pl.lit(0, dtype=pl.UInt16)) for j, (flag, _) in enumerate(chunk)]
            exprs.append(pl.sum_horizontal(bits).cast(pl.UInt16).alias(f"_{kind}_key_{i}"))
    return exprs


def _key_sum(kind: str, flags: list[tuple[pl.Expr, dict[str, float]]], nutrient: str
             ) -> list[pl.Expr]:
    """Per key, the sum of the log-ratios of the answers its bits stand for."""
    terms = []
    for i, chunk in enumerate(_chunks(flags)):
        logs = [math.log(ratio.get(nutrient, 1.0)) for _, ratio in chunk]
        if not any(logs):
            continue
        table = [math.fsum(v for j, v in enumerate(logs) if key >> j & 1)
                 for key in range(1 << len(chunk))]
        terms.append(lookup(table, pl.col(f"_{kind}_key_{i}")))  # type: ignore[arg-type]
    return terms


def log_odds_expr(kb: KnowledgeBase, nutrient: str, inputs: Inputs, bounds: list[float]
                  ) -> pl.Expr:
    """log(prior odds) plus the log of each likelihood ratio that applies: lab, risk factors,
    diet, medicines, supplement (or intake); plus the symptoms' sum, capped at log(cap).
    Needs the keys of ``flag_key_exprs``."""
    s = schema()
    odds, symptoms = factor_flags(kb, inputs)
    terms = [prior_log_odds_expr(kb, nutrient, bounds), pl.col(f"_lablr_{nutrient}"),
             *_key_sum("odds", odds, nutrient)]
    if s.supplement(nutrient) in inputs or bintake.column(nutrient) in inputs:
        terms.append(supplement_log_lr_expr(kb, nutrient, inputs))
    symptom_terms = _key_sum("symptom", symptoms, nutrient)
    if symptom_terms:
        cap = math.log(kb.factors.model.symptom_lr_cap)
        terms.append(pl.min_horizontal(pl.sum_horizontal(symptom_terms), pl.lit(cap)))
    return pl.sum_horizontal(terms)


LEVELS = ("low", "moderate", "high")
LEVEL_ENUM = pl.Enum(LEVELS)


def _threshold_log_odds(threshold: float) -> float:
    """The log-odds of the smallest double that Python's ``round(p, 9)`` takes to at least
    ``threshold``: the core's ``round(p, 9) >= threshold`` is ``log_odds >= this`` (to within
    the rounding error of a few additions, far from any 9-decimal boundary)."""
    lo, hi = threshold - 1e-9, threshold  # round(lo, 9) < threshold <= round(hi, 9)
    while True:
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):
            return math.log(hi / (1.0 - hi))
        if round(mid, 9) >= threshold:
            hi = mid
        else:
            lo = mid


def level_expr(kb: KnowledgeBase, log_odds: pl.Expr, floor: pl.Expr, cap: pl.Expr) -> pl.Expr:
    """``likelihood.level_for`` of ``combine``'s probability as a code (index in ``LEVELS``):
    min(max(round(p, 9), floor), cap) >= t exactly when (log-odds >= the threshold's log-odds
    or floor >= t) and cap >= t."""
    t = kb.factors.model.thresholds

    def reaches(level: Literal["moderate", "high"]) -> pl.Expr:
        return ((log_odds >= _threshold_log_odds(t[level])) | (floor >= t[level])) & (
            cap >= t[level])

    return (pl.when(reaches("high")).then(pl.lit(2, dtype=pl.UInt8))
            .when(reaches("moderate")).then(pl.lit(1, dtype=pl.UInt8))
            .otherwise(pl.lit(0, dtype=pl.UInt8)))


def level_text(column: str) -> pl.Expr:
    return pl.lit(pl.Series(LEVELS, dtype=LEVEL_ENUM)).gather(pl.col(column))
