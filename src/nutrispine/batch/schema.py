"""The batch input schema: one row per person, one column per answer, derived from the
knowledge base so that a new symptom, risk factor, medication class or lab test in the YAML is a
new column without a code change.

Columns (all optional except age and sex; an absent column or an empty cell means "not known",
which the rules treat exactly as the single assessment treats an answer that was not given):

- ``id``: any text or number, copied to the output (the row number when absent)
- ``age`` (years), ``sex`` (female/male), ``pregnant``, ``lactating`` (true/false)
- ``pain_neck``, ``pain_upper_back``, ``pain_lower_back``, ``pain_widespread`` (true/false),
  ``pain_duration_weeks``, ``pain_severity`` (0-10)
- ``symptom_<code>``, ``risk_<code>``, ``med_<class>``: true/false, one per code
- ``<test>_value`` with ``<test>_unit`` for every lab test (e.g. ``vitamin_d_25oh_value``)
- ``supplement_<nutrient>``: daily supplement amount in the nutrient's unit (µg or mg)
- ``intake_<nutrient>``: usual food intake per day in that unit, ``intake_days`` behind it
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from nutrispine.knowledge import load_knowledge

PAIN_REGIONS = ("neck", "upper_back", "lower_back", "widespread")
PERSON = {"age": pl.Float64, "sex": pl.String, "pregnant": pl.Boolean, "lactating": pl.Boolean}
PAIN_NUMBERS = {"pain_duration_weeks": pl.Float64, "pain_severity": pl.Float64}
DESIGN = {"weight": pl.Float64, "psu": pl.Int64, "stratum": pl.Int64}


@dataclass(frozen=True)
class Schema:
    """Column names by role, in a stable order (the order of the knowledge base)."""

    symptoms: tuple[str, ...]
    risk_factors: tuple[str, ...]
    medication_classes: tuple[str, ...]
    lab_tests: tuple[str, ...]
    nutrients: tuple[str, ...]

    def symptom(self, code: str) -> str:
        return f"symptom_{code}"

    def risk(self, code: str) -> str:
        return f"risk_{code}"

    def med(self, cls: str) -> str:
        return f"med_{cls}"

    def region(self, region: str) -> str:
        return f"pain_{region}"

    def lab_value(self, test: str) -> str:
        return f"{test}_value"

    def lab_unit(self, test: str) -> str:
        return f"{test}_unit"

    def supplement(self, nutrient: str) -> str:
        return f"supplement_{nutrient}"

    def dtypes(self) -> dict[str, pl.DataType]:
        """Every known input column and its type (used to read CSV without guessing)."""
        out: dict[str, pl.DataType] = {"id": pl.String(), **{k: v() for k, v in PERSON.items()}}
        out.update({self.region(r): pl.Boolean() for r in PAIN_REGIONS})
        out.update({k: v() for k, v in PAIN_NUMBERS.items()})
        for name in (*map(self.symptom, self.symptoms), *map(self.risk, self.risk_factors),
                     *map(self.med, self.medication_classes)):
            out[name] = pl.Boolean()
        for test in self.lab_tests:
            out[self.lab_value(test)] = pl.Float64()
            out[self.lab_unit(test)] = pl.String()
        out.update({self.supplement(n): pl.Float64() for n in self.nutrients})
        out.update({f"intake_{n}": pl.Float64() for n in self.nutrients})
        out["intake_days"] = pl.Float64()
        out.update({k: v() for k, v in DESIGN.items()})
        return out


@lru_cache(maxsize=1)
def schema() -> Schema:
    """The schema of the packaged knowledge base."""
    kb = load_knowledge()
    symptoms = tuple(dict.fromkeys([*kb.factors.symptoms, *sorted(kb.red_flag_symptoms)]))
    return Schema(
        symptoms=symptoms,
        risk_factors=tuple(kb.factors.risk_factors),
        medication_classes=tuple(kb.factors.medication_classes),
        lab_tests=tuple(kb.labs),
        nutrients=tuple(kb.nutrients),
    )


class Inputs:
    """The columns present in an input after ``screen.prepare``, with safe accessors: an absent
    column reads as 'not reported' (False) or unknown (null), never as an error."""

    def __init__(self, names: list[str] | tuple[str, ...] | set[str]) -> None:
        self.names = list(names)
        self._set = set(names)

    def __contains__(self, name: str) -> bool:
        return name in self._set

    def flag(self, name: str) -> pl.Expr:
        """A boolean answer: null and absent mean 'not reported', as in a profile's lists."""
        return pl.col(name).fill_null(False) if name in self._set else pl.lit(False)

    def number(self, name: str) -> pl.Expr:
        return pl.col(name) if name in self._set else pl.lit(None, dtype=pl.Float64)

    def has_lab(self, test: str) -> bool:
        return f"{test}_value" in self._set
