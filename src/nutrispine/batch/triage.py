"""``nutrispine.triage`` over whole columns: every red-flag and routine rule of
knowledge/triage.yaml as a boolean expression, the level as the highest rank that fired, and the
reasons in the core's order (by level, then rule order).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from nutrispine.batch.schema import Inputs, schema
from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import Condition
from nutrispine.triage import LEVELS


def condition_expr(when: Condition, inputs: Inputs) -> pl.Expr:
    """``triage.matches``: every named condition holds (and at least one is named)."""
    s = schema()
    checks: list[pl.Expr] = []
    if when.symptoms_any:
        checks.append(pl.any_horizontal([inputs.flag(s.symptom(c)) for c in when.symptoms_any]))
    if when.symptoms_all:
        checks.append(pl.all_horizontal([inputs.flag(s.symptom(c)) for c in when.symptoms_all]))
    if when.risk_factors_any:
        checks.append(pl.any_horizontal([inputs.flag(s.risk(c)) for c in when.risk_factors_any]))
    if when.regions_any:
        checks.append(pl.any_horizontal([inputs.flag(s.region(r)) for r in when.regions_any]))
    if when.severity_min is not None:
        checks.append((inputs.number("pain_severity") >= when.severity_min).fill_null(False))
    if when.duration_weeks_above is not None:
        checks.append((inputs.number("pain_duration_weeks") > when.duration_weeks_above)
                      .fill_null(False))
    if when.age_min is not None:
        checks.append((pl.col("age") >= when.age_min).fill_null(False))
    return pl.all_horizontal(checks) if checks else pl.lit(False)


def rules(kb: KnowledgeBase, inputs: Inputs, likely: dict[str, pl.Expr],
          confirmed: dict[str, pl.Expr] | None = None) -> list[tuple[str, str, pl.Expr]]:
    """(code, level, fired) for every rule, in the core's order; ``likely`` maps each nutrient
    to a boolean column 'likelihood is high' (the likely-deficiency reason), ``confirmed`` to
    'the blood test shows a deficiency'. The core lists the confirmed likely deficiencies first
    (``triage.triage``), so each nutrient's reason is two mutually exclusive rules: confirmed,
    in the first group, and not confirmed, in the second."""
    out: list[tuple[str, str, pl.Expr]] = [
        (r.code, r.level, condition_expr(r.when, inputs)) for r in kb.triage.red_flags]
    out += [(r.code, "routine", condition_expr(r.when, inputs)) for r in kb.triage.routine_rules]
    code = kb.triage.likely_deficiency.code
    if confirmed is None:
        out += [(f"{code}:{n}", "routine", fired) for n, fired in likely.items()]
        return out
    out += [(f"{code}:{n}", "routine", fired & confirmed[n]) for n, fired in likely.items()]
    out += [(f"{code}:{n}", "routine", fired & ~confirmed[n]) for n, fired in likely.items()]
    return out


LEVEL_ENUM = pl.Enum(LEVELS)


def level_expr(fired: list[tuple[str, str, pl.Expr]]) -> pl.Expr:
    """The highest level among the rules that fired; self_care when none did. The rules of
    each level are or-ed as bit-packed booleans (cheap), then one choice is made per row."""
    expr: Any = pl.when(pl.lit(False)).then(pl.lit(None, dtype=LEVEL_ENUM))
    for level in reversed(LEVELS[1:]):
        flags = [f for _, lvl, f in fired if lvl == level]
        if flags:
            expr = expr.when(pl.any_horizontal(flags)).then(pl.lit(level, dtype=LEVEL_ENUM))
    return expr.otherwise(pl.lit(LEVELS[0], dtype=LEVEL_ENUM))


def reasons_expr(fired: list[tuple[str, str, pl.Expr]]) -> pl.Expr:
    """The codes of the rules that fired, most serious level first (the core's stable sort),
    joined by ';'. The rules that fired are packed into bit masks and each distinct mask is
    spelled out once, so the text costs a few Python calls per batch, not one per row."""
    ordered = [(code, f) for code, level, f in sorted(fired, key=lambda i: -LEVELS.index(i[1]))]
    chunks = [ordered[i:i + 63] for i in range(0, len(ordered), 63)]
    masks = [pl.sum_horizontal([f.cast(pl.Int64) * (1 << j) for j, (_, f) in enumerate(chunk)])
             for chunk in chunks]
    codes = [[code for code, _ in chunk] for chunk in chunks]

    def spell(batch: pl.Series) -> pl.Series:
        frame = batch.struct.unnest()
        keys = frame.unique()
        text = [";".join(code for k, value in enumerate(row) for j, code in enumerate(codes[k])
                         if value >> j & 1) for row in keys.iter_rows()]
        mapped = keys.with_columns(pl.Series("_text", text, dtype=pl.String))
        joined = frame.join(mapped, on=frame.columns, how="left", maintain_order="left")
        return joined["_text"]

    if not masks:
        return pl.lit("")
    return pl.struct([m.alias(f"m{i}") for i, m in enumerate(masks)]).map_batches(
        spell, return_dtype=pl.String, is_elementwise=True)
