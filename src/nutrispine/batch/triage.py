"""``nutrispine.triage`` over whole columns: every red-flag and routine rule of
knowledge/triage.yaml on bitmaps of the answers (eight rows to a byte), the level as the highest
rank that fired, and the reasons in the core's order (by level, then rule order).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from nutrispine.batch.columns import Morsel, all_of, any_of, keys, pack, unpack
from nutrispine.batch.schema import PAIN_REGIONS, Inputs, schema
from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import NUTRIENTS, Condition
from nutrispine.triage import LEVELS

LEVEL_ENUM = pl.Enum(LEVELS)
Fired = list[tuple[str, str, np.ndarray]]  # (code, level, bitmap of the rows it fired for)
# a condition: (any or all, yes/no columns) groups, and (column, operator, limit) comparisons
Checks = tuple[list[tuple[bool, list[str]]], list[tuple[str, str, float]]]


class TriageRules:
    """``triage.triage`` for the columns an input has."""

    def __init__(self, kb: KnowledgeBase, inputs: Inputs) -> None:
        self.inputs = inputs
        rules = [(r.code, r.level, r.when) for r in kb.triage.red_flags]
        rules += [(r.code, "routine", r.when) for r in kb.triage.routine_rules]
        assert set(PAIN_REGIONS) >= {r for _, _, when in rules for r in when.regions_any}
        self.rules = [(code, level, self._checks(when)) for code, level, when in rules]
        self.likely_code = kb.triage.likely_deficiency.code

    @staticmethod
    def _checks(when: Condition) -> Checks:
        """A rule's condition as column names, spelled once per run: groups of yes/no columns
        of which any (or all) must hold, and comparisons of numbers."""
        s = schema()
        flags: list[tuple[bool, list[str]]] = []
        if when.symptoms_any:
            flags.append((True, [s.symptom(c) for c in when.symptoms_any]))
        if when.symptoms_all:
            flags.append((False, [s.symptom(c) for c in when.symptoms_all]))
        if when.risk_factors_any:
            flags.append((True, [s.risk(c) for c in when.risk_factors_any]))
        if when.regions_any:
            flags.append((True, [s.region(r) for r in when.regions_any]))
        numbers = [(column, op, limit) for column, op, limit in (
            ("pain_severity", ">=", when.severity_min),
            ("pain_duration_weeks", ">", when.duration_weeks_above),
            ("age", ">=", when.age_min)) if limit is not None]
        return flags, numbers

    def _condition(self, checks: Checks, morsel: Morsel,
                   numbers: dict[tuple[str, str, float], np.ndarray]) -> np.ndarray:
        """``triage.matches``: every named condition holds (and at least one is named)."""
        flags, comparisons = checks
        if not flags and not comparisons:
            return morsel.zeros()
        out = morsel.ones()
        for any_, names in flags:
            out &= (any_of if any_ else all_of)([morsel.flag(c) for c in names], morsel.size)
        for column, op, limit in comparisons:
            out &= self._compare(morsel, column, op, limit, numbers)
        return out

    @staticmethod
    def _compare(morsel: Morsel, column: str, op: str, limit: float,
                 numbers: dict[tuple[str, str, float], np.ndarray]) -> np.ndarray:
        """Rows whose number compares with ``limit`` (an unknown number never does); rules share
        comparisons, so each is computed once per morsel."""
        key = (column, op, limit)
        if key not in numbers:
            value = morsel.number(column)
            if value is None:
                numbers[key] = morsel.zeros()
            else:
                with np.errstate(invalid="ignore"):
                    holds = value.values >= limit if op == ">=" else value.values > limit
                numbers[key] = pack(holds) & value.valid
        return numbers[key]

    def fired(self, morsel: Morsel, likely: dict[str, np.ndarray],
              confirmed: dict[str, np.ndarray]) -> Fired:
        """(code, level, bitmap) for every rule, in the core's order; ``likely`` maps each
        nutrient to the bitmap 'likelihood is high' (the likely-deficiency reason), ``confirmed``
        to 'the blood test shows a deficiency'. The core lists the confirmed likely deficiencies
        first, so each nutrient's reason is two mutually exclusive rules: confirmed, in the first
        group, and not confirmed, in the second."""
        numbers: dict[tuple[str, str, float], np.ndarray] = {}
        out: Fired = [(code, level, self._condition(checks, morsel, numbers))
                      for code, level, checks in self.rules]
        out += [(f"{self.likely_code}:{n}", "routine", likely[n] & confirmed[n])
                for n in NUTRIENTS]
        out += [(f"{self.likely_code}:{n}", "routine", likely[n] & ~confirmed[n])
                for n in NUTRIENTS]
        return out


def level_codes(fired: Fired, n: int) -> np.ndarray:
    """The highest level among the rules that fired (index in ``LEVELS``); self_care when none
    did. The rules of each level are or-ed as bitmaps, then one choice is made per row."""
    code = np.zeros(n, np.uint8)
    size = (n + 7) // 8
    for rank, level in enumerate(LEVELS[1:], start=1):
        bitmap = any_of([f for _, lvl, f in fired if lvl == level], size)
        if bitmap.any():
            np.maximum(code, unpack(bitmap, n).view(np.uint8) * np.uint8(rank), out=code)
    return code


def reasons(fired: Fired, n: int) -> pl.Series:
    """The codes of the rules that fired, most serious level first (the core's stable sort),
    joined by ';'. Each row's rules are packed into 64-bit masks and each distinct mask is
    spelled out once, so the text costs a few Python calls per morsel, not one per row."""
    ordered = [(code, f) for code, level, f in sorted(fired, key=lambda i: -LEVELS.index(i[1]))]
    groups = [ordered[i:i + 64] for i in range(0, len(ordered), 64)]
    if not groups:
        return pl.Series([""] * n, dtype=pl.String)
    masks = {}
    for g, group in enumerate(groups):
        mask = np.zeros(n, np.uint64)
        for b in range(0, len(group), 8):
            byte = keys([f for _, f in group[b:b + 8]], n)
            mask |= byte.astype(np.uint64) << np.uint64(b)
        masks[f"m{g}"] = mask
    frame = pl.DataFrame(masks)
    distinct = frame.unique()
    text = [";".join(code for g, value in enumerate(row) for j, (code, _) in enumerate(groups[g])
                     if value >> j & 1) for row in distinct.iter_rows()]
    spelt = distinct.with_columns(pl.Series("_text", text, dtype=pl.String))
    return frame.join(spelt, on=frame.columns, how="left", maintain_order="left")["_text"]
