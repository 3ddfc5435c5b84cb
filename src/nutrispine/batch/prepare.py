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
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from nutrispine.batch._checks import (
    EQ,
    LE,
    LT,
    NONFINITE,
    OUTSIDE,
    Compiled,
    Program,
    fill_invalid,
    match_texts,
)
from nutrispine.batch.columns import Morsel, Numbers, bits, rows_bitmap, unpack
from nutrispine.batch.labs import NONE, LabColumns
from nutrispine.batch.schema import PAIN_REGIONS, Inputs, Schema, schema
from nutrispine.errors import InputError, Problem, closest
from nutrispine.knowledge import KnowledgeBase
from nutrispine.vocabulary import DIETS

if TYPE_CHECKING:
    from nutrispine.batch._checks import Literal

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
    """The person columns of a morsel. 'female' and 'male' are matched in one compiled pass
    over the column's string views; other spellings go through the same table as the single
    assessment's, once per distinct spelling."""
    age = morsel.number("age")
    assert age is not None
    n = morsel.n
    ages = (age.values if morsel.frame["age"].null_count() == 0
            else fill_invalid(age.values, age.valid, n, np.nan))
    male, female = _sexes(morsel)
    return Person(age, ages, male, female, morsel.flag("pregnant"), morsel.flag("lactating"))


def _sexes(morsel: Morsel) -> tuple[np.ndarray, np.ndarray]:
    """The bitmaps of the rows that are male and female."""
    n = morsel.n
    texts = morsel.texts("sex")
    if texts is None or texts.views is None:  # another layout: Polars compares
        sex = morsel.frame["sex"]
        male, female = bits(sex == "male"), bits(sex == "female")
        other = bits(sex.is_not_null()) & ~(male | female)
        count = int(other.any())
    else:
        matches, other, count = match_texts(texts.views, texts.valid, n, [b"male", b"female"])
        male, female = matches[0], matches[1]
    if count:
        rows = np.flatnonzero(unpack(other, n))
        sex = morsel.frame["sex"]
        spelt = _map_series(sex.gather(rows), lambda t: SEX.get(t.strip().lower()), pl.String())
        for bitmap, word in ((male, "male"), (female, "female")):
            found = rows_bitmap(rows[(spelt == word).fill_null(False).to_numpy()], n)
            if found is not None:
                bitmap |= found
    return male, female


RANGES = {"age": (1, 120), "pain_severity": (0, 10), "pain_duration_weeks": (0, 5200)}
CARRY_AGE = 9  # below it, pregnant or lactating is refused (``nutrispine.profile_checks``)


@dataclass(frozen=True)
class _Checks:
    """The checks for one set of columns, compiled: one formula per message, in order, and
    the sources the compiled program reads, in its order."""

    compiled: Compiled
    messages: list[str]
    bitmaps: list[tuple[str, str]]
    numbers: list[str]
    sparse: list[tuple[str, str]]


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
        # the columns whose checks run only when a morsel has them
        self.optional = [*RANGES, "diet", "intake_days",
                         *(name for nutrient in s.nutrients
                           for name in (s.supplement(nutrient), f"intake_{nutrient}"))]
        self._compiled: dict[tuple[object, ...], _Checks] = {}

    def evaluate(self, morsel: Morsel, who: Person, labs: LabColumns) -> pl.Series | None:
        """The messages of the checks each row fails, joined by '; ' (null when none); None
        when no row fails any. One compiled call finds the rows that fail and which checks
        they fail; only those rows' messages are spelled, so the common case costs no text."""
        key = (tuple(labs.tests), tuple(name in morsel for name in self.optional))
        checks = self._compiled.get(key)
        if checks is None:
            checks = self._compiled[key] = self._program(morsel, labs)
        if not morsel.n:
            return None
        bitmaps = [_bitmap(source, morsel, who) for source in checks.bitmaps]
        numbers = []
        for name in checks.numbers:
            value = morsel.number(name)
            assert value is not None
            numbers.append((value.values, value.valid))
        sparse = [_entries(source, morsel, labs) for source in checks.sparse]
        found = checks.compiled.problems(bitmaps, numbers, sparse, [], morsel.n)
        if found is None:
            return None
        return _spell(*found, checks.messages, morsel.n)

    def _program(self, morsel: Morsel, labs: LabColumns) -> _Checks:
        """The checks as formulas (see ``_checks``), in the order of their messages; a
        check's limits are those of ``RANGES`` and the knowledge base."""
        s = schema()
        p = Program()
        messages: list[str] = []

        def check(message: str, *clauses: list[Literal]) -> None:
            p.formula(clauses)
            messages.append(message)

        # rows with a value outside the range (NaN is, as Polars orders it)
        outside = {name: p.derive(p.number(name, OUTSIDE, low, high))
                   for name, (low, high) in RANGES.items() if name in morsel}
        for name, converted, number in self.values:
            bad = [] if converted is None else [p.bit(("flag", converted))]
            message = f"{name}: must be {'a number' if number else 'true or false'}"
            if not number:
                if bad:
                    check(message, bad)
            elif is_sparse(name):  # checked on the rows with a value
                check(message, [*bad, p.entries(_sparse_source(name, labs), NONFINITE)])
            elif name in outside:  # a value that is not finite is outside the range
                check(message, [*bad, outside[name]], [*bad, p.number(name, NONFINITE, 0)])
            else:
                check(message, [*bad, p.number(name, NONFINITE, 0)])
        low, high = RANGES["age"]
        check(f"age: must be a number between {low} and {high} years",
              [p.bit(("valid", "age"), negate=True), outside["age"]])
        male, female = p.bit(("who", "male")), p.bit(("who", "female"))
        check("sex: must be 'female' or 'male'",
              [p.bit(("who", "male"), negate=True)], [p.bit(("who", "female"), negate=True)])
        child = p.number("age", LT, CARRY_AGE)
        for state in ("pregnant", "lactating"):
            bitmap = p.bit(("who", state))
            check(f"{state}: is true but sex is 'male'", [bitmap], [male])
            check(f"{state}: not possible at this age", [bitmap], [female], [child])
        for name in ("pain_severity", "pain_duration_weeks"):
            if name in outside:
                low, high = RANGES[name]
                check(f"{name}: must be between {low} and {high}", [outside[name]])
        if "diet" in morsel:
            check(f"diet: must be one of {', '.join(DIETS)}", [p.bit(("diet", ""))])
        for test in s.lab_tests:
            if test in labs.tests:
                check(f"{s.lab_unit(test)}: not a unit for {test}; use one of "
                      f"{', '.join(self.units[test])}", [p.entries(("lab", test), EQ, NONE)])
                check(f"{s.lab_value(test)}: must not be negative",
                      [p.entries(("lab", test), LT, 0)])
        for nutrient in s.nutrients:
            for name in (s.supplement(nutrient), f"intake_{nutrient}"):
                if name in morsel:
                    check(f"{name}: must not be negative", [p.entries(("sparse", name), LT, 0)])
        if "intake_days" in morsel:
            check("intake_days: must be above 0", [p.number("intake_days", LE, 0)])
        return _Checks(p.compile(), messages, p.bitmaps, p.numbers, p.sparse)


def _sparse_source(name: str, labs: LabColumns) -> tuple[str, str]:
    """A lab value column is read from the lab results (its rows with a value), any other
    sparse column from the morsel."""
    s = schema()
    test = next((t for t in labs.tests if s.lab_value(t) == name), None)
    return ("sparse", name) if test is None else ("lab", test)


def _bitmap(source: tuple[str, str], morsel: Morsel, who: Person) -> np.ndarray:
    kind, name = source
    if kind == "flag":
        return morsel.flag(name)
    if kind == "who":
        bitmap: np.ndarray = getattr(who, name)
        return bitmap
    if kind == "valid":
        value = morsel.number(name)
        assert value is not None
        return value.valid
    return _diet_problems(morsel)


def _entries(source: tuple[str, str], morsel: Morsel, labs: LabColumns
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    kind, name = source
    if kind == "lab":
        columns = labs.tests[name]
        return np.asarray(columns.rows, np.int64), columns.value, columns.unit
    given = morsel.sparse(name)
    assert given is not None
    return np.asarray(given.rows, np.int64), given.values, None


def _diet_problems(morsel: Morsel) -> np.ndarray:
    """The rows with a diet that is not one of ``DIETS``."""
    texts = morsel.texts("diet")
    assert texts is not None
    spellings = [d.encode() for d in DIETS]
    if texts.views is None or max(map(len, spellings)) > 12:
        diet = morsel.frame["diet"]
        return bits(diet.is_not_null() & ~diet.is_in(DIETS))
    return match_texts(texts.views, texts.valid, morsel.n, spellings)[1]


def _spell(rows: np.ndarray, masks: np.ndarray, messages: list[str], n: int) -> pl.Series:
    """Messages per row for the rows that fail a check (``masks``: bit k for ``messages[k]``):
    each distinct combination of checks is spelled once."""
    combos, which = np.unique(masks, axis=0, return_inverse=True)
    texts = ["; ".join(m for k, m in enumerate(messages) if combo[k >> 6] >> (k & 63) & 1)
             for combo in combos.tolist()]
    spelt = pl.Series(texts, dtype=pl.String).gather(which.ravel())
    return pl.repeat(None, n, dtype=pl.String, eager=True).scatter(rows, spelt)


__all__ = ["PAIN_REGIONS", "check_columns", "normalise"]
