"""``nutrispine.triage`` over whole columns: every red-flag and routine rule of
knowledge/triage.yaml on bitmaps of the answers (eight rows to a byte), the level as the highest
rank that fired, and the reasons in the core's order (by level, then rule order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from nutrispine.batch._checks import GE, GT, Compiled, Program
from nutrispine.batch._checks import level_codes as compiled_level_codes
from nutrispine.batch.columns import Morsel, keys
from nutrispine.batch.labs import code as status_code
from nutrispine.batch.likelihood import LEVELS as LIKELIHOOD_LEVELS
from nutrispine.batch.schema import PAIN_REGIONS, Inputs, schema
from nutrispine.knowledge import KnowledgeBase
from nutrispine.knowledge.models import NUTRIENTS, Condition
from nutrispine.triage import LEVELS

if TYPE_CHECKING:
    from nutrispine.batch._checks import Literal

LEVEL_ENUM = pl.Enum(LEVELS)
Fired = list[tuple[str, str, np.ndarray]]  # (code, level, bitmap of the rows it fired for)
# a condition: (any or all, yes/no columns) groups, and (column, operator, limit) comparisons
Checks = tuple[list[tuple[bool, list[str]]], list[tuple[str, str, float]]]
HIGH = LIKELIHOOD_LEVELS.index("high")  # the likelihood level that is a likely deficiency
DEFICIENT = status_code("deficient")  # the lab status that confirms it


class TriageRules:
    """``triage.triage`` for the columns an input has: every rule a formula of a compiled
    program (``_checks``), built once per run."""

    def __init__(self, kb: KnowledgeBase, inputs: Inputs) -> None:
        self.inputs = inputs
        rules = [(r.code, r.level, r.when) for r in kb.triage.red_flags]
        rules += [(r.code, "routine", r.when) for r in kb.triage.routine_rules]
        assert set(PAIN_REGIONS) >= {r for _, _, when in rules for r in when.regions_any}
        self.rules = [(code, level, self._checks(when)) for code, level, when in rules]
        self.likely_code = kb.triage.likely_deficiency.code
        # (code, level) of each formula: the rules, then the likely deficiencies; the core lists
        # the confirmed ones first, so each nutrient's reason is two mutually exclusive rules:
        # confirmed, in the first group, and not confirmed, in the second
        self.order = [(code, level) for code, level, _ in self.rules]
        self.order += [(f"{self.likely_code}:{n}", "routine") for _ in range(2) for n in NUTRIENTS]
        self.ranks = np.array([LEVELS.index(level) for _, level in self.order], np.int32)
        self.coded, self.coded_sources = self._compile(codes=True)
        self.bitmapped, self.bitmapped_sources = self._compile(codes=False)

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

    def _compile(self, codes: bool) -> tuple[Compiled, Program]:
        """Every formula of ``order``. The likely-deficiency rules read, with ``codes``, the
        likelihood level and lab status codes of each row, else bitmaps ('likelihood is
        high', 'the blood test shows a deficiency')."""
        program = Program()
        for _, _, checks in self.rules:
            program.formula(self._clauses(program, checks))
        for negate in (False, True):
            for n in NUTRIENTS:
                if codes:
                    high = program.derive(program.code(("level", n), HIGH))
                    confirmed = program.derive(program.code(("status", n), DEFICIENT), negate)
                else:
                    high = program.bit(("likely", n))
                    confirmed = program.bit(("confirmed", n), negate=negate)
                program.formula([[high], [confirmed]])
        return program.compile(), program

    def _clauses(self, program: Program, checks: Checks) -> list[list[Literal]]:
        """``triage.matches`` as clauses: every named condition holds (and at least one is
        named; a formula without clauses holds for no row). An answer the input does not have
        is 'not reported', a number it does not have never compares. Comparisons are computed
        once per morsel, as rules share them."""
        flags, comparisons = checks
        clauses: list[list[Literal]] = []
        for any_, names in flags:
            literals = [program.bit(("flag", c)) if c in self.inputs else program.never()
                        for c in names]
            clauses += [literals] if any_ else [[literal] for literal in literals]
        for column, op, limit in comparisons:
            if column in self.inputs:
                clauses.append([program.derive(program.number(column, GE if op == ">=" else GT,
                                                              limit))])
            else:
                clauses.append([program.never()])
        return clauses

    def levels(self, morsel: Morsel, level: dict[str, np.ndarray], status: dict[str, np.ndarray],
               keep: bool = False) -> tuple[np.ndarray, Fired | None]:
        """The level code of each row (``level_codes``) and, with ``keep``, the rules that fired
        (as ``fired`` gives them), in one compiled call; ``level`` maps each nutrient to its
        likelihood level codes (``likelihood.LEVELS``), ``status`` to its lab status codes
        (``labs.CODES``). The rules' bitmaps are only written out when they are kept."""
        codes = [np.ascontiguousarray(level[n] if kind == "level" else status[n])
                 for kind, n in self.coded_sources.codes]
        return self._run(self.coded, self.coded_sources, morsel, {}, codes, keep)

    def fired(self, morsel: Morsel, likely: dict[str, np.ndarray],
              confirmed: dict[str, np.ndarray]) -> Fired:
        """(code, level, bitmap) for every rule, in the core's order; ``likely`` maps each
        nutrient to the bitmap 'likelihood is high' (the likely-deficiency reason), ``confirmed``
        to 'the blood test shows a deficiency'."""
        fired = self._run(self.bitmapped, self.bitmapped_sources, morsel,
                          {"likely": likely, "confirmed": confirmed}, [], True)[1]
        assert fired is not None
        return fired

    def _run(self, compiled: Compiled, sources: Program, morsel: Morsel,
             given: dict[str, dict[str, np.ndarray]], codes: list[np.ndarray], keep: bool
             ) -> tuple[np.ndarray, Fired | None]:
        # the answers are read in place, by name, from the morsel's Arrow buffers
        bitmaps: list[np.ndarray | str] = [given[kind][name] if kind in given else name
                                           for kind, name in sources.bitmaps]
        numbers = []
        for name in sources.numbers:
            value = morsel.number(name)
            numbers.append((np.zeros(morsel.n), morsel.zeros()) if value is None
                           else (value.values, value.valid))
        out, fired = compiled.levels(self.ranks, len(LEVELS), bitmaps, numbers, [], codes,
                                     morsel.n, keep, morsel.arrow())
        if fired is None:
            return out, None
        return out, [(code, level, fired[i]) for i, (code, level) in enumerate(self.order)]


def level_codes(fired: Fired, n: int) -> np.ndarray:
    """The highest level among the rules that fired (index in ``LEVELS``); self_care when none
    did (one compiled pass; ``TriageRules.levels`` gives the same without the bitmaps)."""
    ranks = np.array([LEVELS.index(level) for _, level, _ in fired], np.int32)
    return compiled_level_codes([f for _, _, f in fired], ranks, len(LEVELS), n)


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
