"""Normalise a batch input's columns (types, spellings) and flag the rows a profile would refuse.

Why: CSV gives text, Parquet gives whatever the producer wrote; the rules need booleans, numbers
and the contract's codes. Structural mistakes (no age column, a misspelt symptom column) stop the
run with an input error naming the column; a bad value in one row (age 250, a unit that does not
fit the test) does not stop a population run: that row's results stay empty and its ``problem``
column says what is wrong, using the same limits as ``nutrispine.profile_checks``.

Columns that already have the rules' type (a Parquet file written by a typed producer) are read
as they are; only the others are converted, by Polars expressions before the rules run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from nutrispine.batch.columns import Morsel, Numbers, bits, pack, rows_bitmap, unpack
from nutrispine.batch.labs import NONE, LabColumns
from nutrispine.batch.schema import PAIN_REGIONS, Inputs, Schema, schema
from nutrispine.errors import InputError, Problem, closest
from nutrispine.knowledge import KnowledgeBase
from nutrispine.vocabulary import DIETS

TRUE = ("true", "t", "yes", "y", "1", "1.0")
FALSE = ("false", "f", "no", "n", "0", "0.0", "")
SEX = {"female": "female", "f": "female", "woman": "female", "male": "male", "m": "male",
       "man": "male"}
PREFIXES = ("symptom_", "risk_", "med_", "pain_", "supplement_", "intake_")
EXTRA_COLUMNS = {"diet": pl.String()}
UNCHECKED = ("id", "psu", "stratum", "sex", "diet")  # passed through, or normalised by spelling


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


def map_distinct(expr: pl.Expr, function: Callable[[str], Any], dtype: pl.DataType) -> pl.Expr:
    """Apply a Python function to each distinct text value of a column, once per batch.

    Text columns of a population (yes/no answers, diets) hold a handful of spellings, so
    normalising them in Python costs a few calls, whatever the number of rows; and the
    normalisation is the core's own code, not a re-typed copy."""

    def apply(batch: pl.Series) -> pl.Series:
        return _map_series(batch, function, dtype)

    return expr.cast(pl.String).map_batches(apply, return_dtype=dtype, is_elementwise=True)


def _map_series(batch: pl.Series, function: Callable[[str], Any], dtype: pl.DataType
                ) -> pl.Series:
    mapped = {v: function(v) for v in batch.drop_nulls().unique().to_list()}
    keep = {k: v for k, v in mapped.items() if v is not None}
    return batch.replace_strict(list(keep), list(keep.values()), default=None, return_dtype=dtype)


def _bool_word(text: str) -> bool | None:
    word = text.strip().lower()
    return True if word in TRUE else False if word in FALSE else None


def _as_bool(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """(the column as a boolean, its 'bad value' flag), for a column that is not Boolean."""
    col = pl.col(name)
    if dtype.is_numeric():
        return col != 0, (col.is_not_null() & ~col.is_in([0, 1])).fill_null(False)
    value = map_distinct(col, _bool_word, pl.Boolean())
    return value, col.is_not_null() & (col.cast(pl.String).str.strip_chars() != "") & value.is_null()


def _as_number(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr | None]:
    """(the column as Float64, its 'bad value' flag or None), for a column that is not Float64;
    a value that is not finite is flagged by the rules (``Problems``)."""
    col = pl.col(name)
    if dtype.is_numeric():
        return col.cast(pl.Float64), None
    text = col.cast(pl.String).str.strip_chars()
    number = text.cast(pl.Float64, strict=False)
    return number, (text.is_not_null() & (text != "") & number.is_null())


def _diet_word(text: str) -> str | None:
    from nutrispine.vocabulary import normalise_code

    return normalise_code(text)


def is_sparse(name: str) -> bool:
    """Number columns given for some people only (labs, supplements, intakes), whose checks
    and rules run on the rows with a value."""
    return name.endswith("_value") or (name.startswith(("supplement_", "intake_"))
                                       and name != "intake_days")


def bad_column(name: str) -> str:
    return f"_bad_{name}"


def normalise(frame: pl.LazyFrame, id_offset: int = 0) -> tuple[pl.LazyFrame, Inputs]:
    """Columns as the rules read them: yes/no answers Boolean, numbers Float64, units and sex
    text, diet in the contract's spelling; a column converted from another type carries its
    'bad value' flag in ``_bad_<name>``. Without an ``id`` column the row number (from
    ``id_offset``, for partitions) is the id."""
    s = schema()
    types = frame.collect_schema()
    names = types.names()
    check_columns(names, s)
    wanted = s.dtypes()
    exprs: list[pl.Expr] = []
    if "id" not in names:
        frame = frame.with_row_index("id", offset=id_offset)
    for name in names:
        dtype = wanted.get(name) or EXTRA_COLUMNS.get(name)
        if dtype is None or name in ("id", "psu", "stratum", "diet") or types[name] == dtype:
            continue
        bad: pl.Expr | None = None
        if dtype == pl.Boolean:
            value, bad = _as_bool(name, types[name])
        elif dtype == pl.Float64:
            value, bad = _as_number(name, types[name])
        else:
            value = pl.col(name).cast(pl.String)
        if bad is not None:  # judged on the raw column, in the same stage as the conversion
            exprs.append(bad.alias(bad_column(name)))
        exprs.append(value.alias(name))
    if "diet" in names:
        exprs.append(map_distinct(pl.col("diet"), _diet_word, pl.String()).alias("diet"))
    if exprs:
        frame = frame.with_columns(exprs)
    return frame, Inputs([*names, "id"])


@dataclass(frozen=True)
class Person:
    """Who each row is: age (NaN when not given), sex normalised (bitmaps, and as text for the
    few rules that need it), pregnant and lactating (absent or null is 'no')."""

    age: Numbers
    ages: np.ndarray
    male: np.ndarray
    female: np.ndarray
    pregnant: np.ndarray
    lactating: np.ndarray

    def sex_text(self, n: int) -> pl.Series:
        codes = unpack(self.male, n).view(np.uint8) + unpack(self.female, n).view(np.uint8) * 2
        return pl.Series([None, "male", "female"], dtype=pl.String).gather(codes)


def person(morsel: Morsel) -> Person:
    """The person columns of a morsel. Sex spellings other than 'female' and 'male' go through
    the same table as the single assessment's, once per distinct spelling."""
    age = morsel.number("age")
    assert age is not None
    frame_age = morsel.frame["age"]
    ages = age.values if frame_age.null_count() == 0 else frame_age.fill_null(np.nan).to_numpy()
    sex = morsel.frame["sex"]
    male, female = bits(sex == "male"), bits(sex == "female")
    other = bits(sex.is_not_null()) & ~(male | female)
    if other.any():
        rows = np.flatnonzero(unpack(other, morsel.n))
        spelt = _map_series(sex.gather(rows), lambda t: SEX.get(t.strip().lower()), pl.String())
        is_male, is_female = unpack(male, morsel.n).copy(), unpack(female, morsel.n).copy()
        is_male[rows] = (spelt == "male").fill_null(False).to_numpy()
        is_female[rows] = (spelt == "female").fill_null(False).to_numpy()
        male, female = pack(is_male), pack(is_female)
    return Person(age, ages, male, female, morsel.flag("pregnant"), morsel.flag("lactating"))


RANGES = {"age": (1, 120), "pain_severity": (0, 10), "pain_duration_weeks": (0, 5200)}


class Problems:
    """The checks of ``nutrispine.profile_checks`` that a row can fail, in a fixed order (the
    order of the messages in the ``problem`` column)."""

    def __init__(self, kb: KnowledgeBase, names: list[str], normalised: list[str]) -> None:
        """``names``: the input's columns, in order; ``normalised``: the columns after
        ``normalise`` (with the ``_bad_`` flags of converted columns)."""
        s = schema()
        wanted = s.dtypes()
        self.kb = kb
        # the 'must be true or false / a number' checks, in the input's column order:
        # (column, its conversion flag or None, whether it is a number)
        self.values = [(name, bad_column(name) if bad_column(name) in normalised else None,
                        wanted[name] == pl.Float64)
                       for name in names
                       if wanted.get(name) in (pl.Boolean, pl.Float64) and name not in UNCHECKED]
        self.units = {test: sorted(label for label, _ in kb.unit_index[test].values())
                      for test in s.lab_tests}

    def evaluate(self, morsel: Morsel, who: Person, labs: LabColumns) -> pl.Series | None:
        """The messages of the checks each row fails, joined by '; ' (null when none); None
        when no row fails any (the common case costs no text at all)."""
        s = schema()
        n = morsel.n
        flags: list[tuple[np.ndarray, str]] = []

        def check(bitmap: np.ndarray | None, message: str) -> None:
            if bitmap is not None and bitmap.any():
                flags.append((bitmap, message))

        with np.errstate(invalid="ignore"):
            outside = {}  # rows with a value outside the range (NaN is, as Polars orders it)
            for name, (low, high) in RANGES.items():
                value = morsel.number(name)
                if value is not None:
                    inside = pack((value.values >= low) & (value.values <= high))
                    outside[name] = value.valid & ~inside
            for name, converted, number in self.values:
                bad = None if converted is None else morsel.flag(converted)
                if number:
                    non_finite = self._non_finite(morsel, name, outside)
                    if non_finite is not None:
                        bad = non_finite if bad is None else bad | non_finite
                if bad is not None:
                    check(bad, f"{name}: must be {'a number' if number else 'true or false'}")
            check(outside["age"] | ~who.age.valid & morsel.ones(),
                  "age: must be a number between 1 and 120 years")
            check(morsel.ones() & ~(who.male | who.female), "sex: must be 'female' or 'male'")
            child = pack(who.age.values < 9) & who.age.valid
            for state, bitmap in (("pregnant", who.pregnant), ("lactating", who.lactating)):
                check(bitmap & who.male, f"{state}: is true but sex is 'male'")
                check(bitmap & who.female & child, f"{state}: not possible at this age")
            for name in ("pain_severity", "pain_duration_weeks"):
                if name in outside:
                    low, high = RANGES[name]
                    check(outside[name], f"{name}: must be between {low} and {high}")
            if "diet" in morsel:
                diet = morsel.frame["diet"]
                check(bits(diet.is_not_null() & ~diet.is_in(DIETS)),
                      f"diet: must be one of {', '.join(DIETS)}")
            for test in s.lab_tests:
                columns = labs.tests.get(test)
                if columns is None:
                    continue
                check(rows_bitmap(columns.rows[columns.unit == NONE], n),
                      f"{s.lab_unit(test)}: not a unit for {test}; use one of "
                      f"{', '.join(self.units[test])}")
                check(rows_bitmap(columns.rows[columns.value < 0], n),
                      f"{s.lab_value(test)}: must not be negative")
            for nutrient in s.nutrients:
                for name in (s.supplement(nutrient), f"intake_{nutrient}"):
                    given = morsel.sparse(name)
                    if given is not None:
                        check(given.where(given.values < 0, n), f"{name}: must not be negative")
            days = morsel.number("intake_days")
            if days is not None:
                check(days.valid & pack(days.values <= 0), "intake_days: must be above 0")
        if not flags:
            return None
        return _spell(flags, n)

    @staticmethod
    def _non_finite(morsel: Morsel, name: str, outside: dict[str, np.ndarray]
                    ) -> np.ndarray | None:
        """Rows whose value is NaN or infinite. Labs and supplements are checked on the rows
        with a value; a number with a range (age, pain) only where it is outside the range,
        since a value that is not finite always is."""
        if is_sparse(name):
            given = morsel.sparse(name)
            assert given is not None
            return given.where(~np.isfinite(given.values), morsel.n)
        if name in outside and not outside[name].any():
            return None
        value = morsel.number(name)
        assert value is not None
        return value.bad()


def _spell(flags: list[tuple[np.ndarray, str]], n: int) -> pl.Series:
    """Messages per row for the rows with at least one flag: each distinct combination of
    flags is spelled once."""
    anything = np.zeros_like(flags[0][0])
    for bitmap, _ in flags:
        anything |= bitmap
    rows = np.flatnonzero(unpack(anything, n))
    matrix = np.stack([unpack(bitmap, n)[rows] for bitmap, _ in flags], axis=1)
    combos, which = np.unique(matrix, axis=0, return_inverse=True)
    texts = ["; ".join(m for (_, m), on in zip(flags, combo, strict=True) if on) for combo in combos]
    spelt = pl.Series(texts, dtype=pl.String).gather(which.ravel())
    return pl.repeat(None, n, dtype=pl.String, eager=True).scatter(rows, spelt)


__all__ = ["PAIN_REGIONS", "check_columns", "normalise"]
