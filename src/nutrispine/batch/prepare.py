"""Normalise a batch input's columns (types, spellings) and flag the rows a profile would refuse.

Why: CSV gives text, Parquet gives whatever the producer wrote; the rules need booleans, numbers
and the contract's codes. Structural mistakes (no age column, a misspelt symptom column) stop the
run with an input error naming the column; a bad value in one row (age 250, a unit that does not
fit the test) does not stop a population run: that row's results stay empty and its ``problem``
column says what is wrong, using the same limits as ``nutrispine.profile_checks``.
"""

from __future__ import annotations

from collections.abc import Callable
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
PREFIXES = ("symptom_", "risk_", "med_", "pain_", "supplement_", "intake_")
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


def map_distinct(expr: pl.Expr, function: Callable[[str], Any], dtype: pl.DataType,
                 fixed: tuple[str, ...] = ()) -> pl.Expr:
    """Apply a Python function to each distinct text value of a column, once per batch.

    Text columns of a population (sex, units, yes/no answers) hold a handful of spellings, so
    normalising them in Python costs a few calls, whatever the number of rows; and the
    normalisation is the core's own code, not a re-typed copy. ``fixed`` lists spellings the
    function leaves as they are (a batch holding only those is passed through).
    """

    def apply(batch: pl.Series) -> pl.Series:
        if dtype == pl.String and fixed and batch.is_in(fixed).all():
            return batch  # already in the wanted spelling (checked without hashing)
        seen = batch.drop_nulls().unique().to_list()
        mapped = {v: function(v) for v in seen}
        keep = {k: v for k, v in mapped.items() if v is not None}
        return batch.replace_strict(list(keep), list(keep.values()), default=None,
                                    return_dtype=dtype)

    return expr.cast(pl.String).map_batches(apply, return_dtype=dtype, is_elementwise=True)


def _bool_word(text: str) -> bool | None:
    word = text.strip().lower()
    return True if word in TRUE else False if word in FALSE else None


def _as_bool(name: str, dtype: pl.DataType) -> tuple[pl.Expr | None, pl.Expr | None]:
    """(normalised boolean or None when already boolean, 'bad value' flag or None)."""
    col = pl.col(name)
    if dtype == pl.Boolean:
        return None, None
    if dtype.is_numeric():
        return col != 0, (col.is_not_null() & ~col.is_in([0, 1])).fill_null(False)
    value = map_distinct(col, _bool_word, pl.Boolean())
    return value, col.is_not_null() & (col.cast(pl.String).str.strip_chars() != "") & value.is_null()


def _number_text(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _as_number(name: str, dtype: pl.DataType) -> tuple[pl.Expr | None, pl.Expr | None]:
    col = pl.col(name)
    if dtype == pl.Float64:
        return None, col.is_nan().fill_null(False)
    if dtype.is_numeric():
        return col.cast(pl.Float64), None
    text = col.cast(pl.String).str.strip_chars()
    number = text.cast(pl.Float64, strict=False)
    return number, (text.is_not_null() & (text != "") & number.is_null())


def problems_expr(flags: list[tuple[pl.Expr, str]]) -> pl.Expr:
    """The messages of the flags that hold, joined by '; ' (null when none). Flags stay
    bit-packed booleans; messages are spelled only for the (normally few) rows with a problem."""
    if not flags:
        return pl.lit(None, dtype=pl.String)
    texts = [message for _, message in flags]

    def spell(batch: pl.Series) -> pl.Series:
        frame = batch.struct.unnest()
        bad = frame.select(pl.any_horizontal(pl.all()).alias("_bad"))["_bad"]
        out = pl.Series("_problem", [None] * len(batch), dtype=pl.String)
        rows = bad.arg_true()
        if len(rows):
            words = ["; ".join(t for t, v in zip(texts, row, strict=True) if v)
                     for row in frame[rows].iter_rows()]
            out = out.scatter(rows, pl.Series(words, dtype=pl.String))
        return out

    fields = [f.fill_null(False).alias(f"f{j}") for j, (f, _) in enumerate(flags)]
    return pl.struct(fields).map_batches(spell, return_dtype=pl.String, is_elementwise=True)


def _sex_word(text: str) -> str | None:
    return SEX.get(text.strip().lower())


def _diet_word(text: str) -> str | None:
    from nutrispine.vocabulary import normalise_code

    return normalise_code(text)


def prepare(frame: pl.LazyFrame, id_offset: int = 0) -> tuple[pl.LazyFrame, Inputs]:
    """Typed, normalised columns plus ``_problem`` (null on rows the rules can assess).

    Without an ``id`` column the row number (from ``id_offset``, for partitions) is the id.
    """
    s = schema()
    kb = load_knowledge()
    types = frame.collect_schema()
    names = types.names()
    check_columns(names, s)
    wanted = s.dtypes()
    exprs: list[pl.Expr] = []
    flags: list[tuple[pl.Expr, str]] = []

    def problem(flag: pl.Expr | None, message: str) -> None:
        if flag is not None:
            flags.append((flag, message))

    if "id" not in names:
        frame = frame.with_row_index("id", offset=id_offset)
    for name in names:
        dtype = wanted.get(name) or EXTRA_COLUMNS.get(name)
        if dtype is None or name in ("id", "psu", "stratum", "sex", "diet"):
            continue
        value: pl.Expr | None
        if dtype in (pl.Boolean, pl.Float64):
            convert = _as_bool if dtype == pl.Boolean else _as_number
            value, bad = convert(name, types[name])
            if bad is not None:  # judged on the raw column, in the same stage as the conversion
                exprs.append(bad.alias(f"_bad_{name}"))
                what = "true or false" if dtype == pl.Boolean else "a number"
                problem(pl.col(f"_bad_{name}"), f"{name}: must be {what}")
        else:
            value = None if types[name] == pl.String else pl.col(name).cast(pl.String)
        if value is not None:
            exprs.append(value.alias(name))
    exprs.append(map_distinct(pl.col("sex"), _sex_word, pl.String(), ("female", "male"))
                 .alias("sex"))
    if "diet" in names:
        exprs.append(map_distinct(pl.col("diet"), _diet_word, pl.String()).alias("diet"))
    for state in ("pregnant", "lactating"):
        if state not in names:
            exprs.append(pl.lit(False).alias(state))
    frame = frame.with_columns(exprs)
    frame = frame.with_columns(pl.col("pregnant").fill_null(False),
                               pl.col("lactating").fill_null(False))
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
            problem((value < low) | (value > high), f"{name}: must be between {low} and {high}")
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
        for column in (s.supplement(nutrient), f"intake_{nutrient}"):
            if column in inputs:
                problem(pl.col(column) < 0, f"{column}: must not be negative")
    if "intake_days" in inputs:
        problem(pl.col("intake_days") <= 0, "intake_days: must be above 0")
    frame = frame.with_columns(problems_expr(flags).alias("_problem"))
    return frame, inputs


__all__ = ["PAIN_REGIONS", "check_columns", "prepare"]
