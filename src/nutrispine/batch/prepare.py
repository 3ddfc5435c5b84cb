"""Normalise a batch input's columns (types, spellings) and flag the rows a profile would refuse.

Why: CSV gives text, Parquet gives whatever the producer wrote; the rules need booleans, numbers
and the contract's codes. Structural mistakes (no age column, a misspelt symptom column) stop the
run with an input error naming the column; a bad value in one row (age 250, a unit that does not
fit the test) does not stop a population run: that row's results stay empty and its ``problem``
column says what is wrong, using the same limits as ``nutrispine.profile_checks``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from nutrispine.batch.labs import factor_col, with_unit_columns
from nutrispine.batch.schema import PAIN_REGIONS, Inputs, Schema, schema
from nutrispine.errors import InputError, Problem, closest
from nutrispine.knowledge import load_knowledge
from nutrispine.vocabulary import DIETS

TRUE = ("true", "t", "yes", "y", "1", "1.0")
FALSE = ("false", "f", "no", "n", "0", "0.0", "")
SEX = {"female": "female", "f": "female", "woman": "female", "male": "male", "m": "male",
       "man": "male"}
PREFIXES = ("symptom_", "risk_", "med_", "pain_", "supplement_")
EXTRA_COLUMNS = {"diet": pl.String()}


def check_columns(names: list[str], s: Schema | None = None) -> None:
    """Refuse inputs without age or sex, and columns that look like schema columns but are not
    (a typo would otherwise be silently ignored)."""
    s = s or schema()
    known = set(s.dtypes()) | set(EXTRA_COLUMNS)
    problems = [Problem(c, "required column is missing") for c in ("age", "sex") if c not in names]
    for name in names:
        looks = name.startswith(PREFIXES) or name.endswith(("_value", "_unit"))
        if looks and name not in known:
            problems.append(Problem(name, "unknown column", closest(name, known)))
    if problems:
        raise InputError(problems)


def _as_bool(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """(normalised boolean, 'bad value' flag) for one column of any type."""
    col = pl.col(name)
    if dtype == pl.Boolean:
        return col, pl.lit(False)
    if dtype.is_numeric():
        return col != 0, (col.is_not_null() & ~col.is_in([0, 1])).fill_null(False)
    text = col.cast(pl.String).str.strip_chars().str.to_lowercase()
    value = (pl.when(text.is_in(TRUE)).then(pl.lit(True))
             .when(text.is_in(FALSE)).then(pl.lit(False)))
    bad = text.is_not_null() & ~text.is_in((*TRUE, *FALSE))
    return value.otherwise(pl.lit(None, dtype=pl.Boolean)), bad


def _as_number(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    col = pl.col(name)
    if dtype.is_numeric():
        number = col.cast(pl.Float64)
        return number, number.is_nan().fill_null(False)
    text = col.cast(pl.String).str.strip_chars()
    number = text.cast(pl.Float64, strict=False)
    return number, (text.is_not_null() & (text != "") & number.is_null())


def prepare(frame: pl.LazyFrame) -> tuple[pl.LazyFrame, Inputs]:
    """Typed, normalised columns plus ``_problem`` (null on rows the rules can assess)."""
    s = schema()
    kb = load_knowledge()
    names = frame.collect_schema().names()
    types = frame.collect_schema()
    check_columns(names, s)
    wanted = s.dtypes()
    exprs: list[pl.Expr] = []
    problems: list[pl.Expr] = []

    def problem(flag: pl.Expr, message: str) -> None:
        problems.append(pl.when(flag).then(pl.lit(message)))

    if "id" not in names:
        frame = frame.with_row_index("id")
    for name in names:
        dtype = wanted.get(name) or EXTRA_COLUMNS.get(name)
        if dtype is None or name == "id":
            continue
        if dtype == pl.Boolean:
            value, bad = _as_bool(name, types[name])
            problem(bad, f"{name}: must be true or false")
        elif dtype == pl.Float64:
            value, bad = _as_number(name, types[name])
            problem(bad, f"{name}: must be a number")
        elif name in ("psu", "stratum"):
            continue
        else:
            value = pl.col(name).cast(pl.String).str.strip_chars()
        exprs.append(value.alias(name))
    frame = frame.with_columns(exprs)
    adds = [pl.lit(False).alias(c) for c in ("pregnant", "lactating") if c not in names]
    frame = frame.with_columns(adds) if adds else frame
    raw_sex = pl.col("sex").str.to_lowercase()
    frame = frame.with_columns(
        raw_sex.replace_strict(list(SEX), list(SEX.values()), default=None).alias("sex"),
        pl.col("pregnant").fill_null(False), pl.col("lactating").fill_null(False),
        *([pl.col("diet").str.to_lowercase().str.replace_all(r"[\s\-]+", "_")]
          if "diet" in names else []),
    )
    inputs = Inputs([*names, "pregnant", "lactating", "id"])
    age, sex = pl.col("age"), pl.col("sex")
    problem(age.is_null() | (age < 1) | (age > 120),
            "age: must be a number between 1 and 120 years")
    problem(sex.is_null(), "sex: must be 'female' or 'male'")
    for state in ("pregnant", "lactating"):
        problem(pl.col(state) & (sex == "male"), f"{state}: is true but sex is 'male'")
        problem(pl.col(state) & (sex == "female") & (age < 9), f"{state}: not possible at this age")
    for name, low, high in (("pain_severity", 0, 10), ("pain_duration_weeks", 0, 5200)):
        if name in inputs:
            value = pl.col(name)
            problem(((value < low) | (value > high)).fill_null(False),
                    f"{name}: must be between {low} and {high}")
    if "diet" in inputs:
        problem(pl.col("diet").is_not_null() & ~pl.col("diet").is_in(DIETS),
                f"diet: must be one of {', '.join(DIETS)}")
    frame = with_unit_columns(frame, kb, inputs.names)
    for test in s.lab_tests:
        value_col, unit_col = s.lab_value(test), s.lab_unit(test)
        if value_col not in inputs:
            continue
        accepted = sorted(label for label, _ in kb.unit_index[test].values())
        given = pl.col(value_col).is_not_null()
        problem(given & pl.col(factor_col(test)).is_null(),
                f"{unit_col}: not a unit for {test}; use one of {', '.join(accepted)}")
        problem(given & (pl.col(value_col) < 0), f"{value_col}: must not be negative")
    for nutrient in s.nutrients:
        column = s.supplement(nutrient)
        if column in inputs:
            problem((pl.col(column) < 0).fill_null(False), f"{column}: must not be negative")
    joined: Any = pl.concat_str(problems, separator="; ", ignore_nulls=True)
    frame = frame.with_columns(pl.when(joined != "").then(joined).alias("_problem"))
    return frame, inputs


__all__ = ["PAIN_REGIONS", "check_columns", "prepare"]
