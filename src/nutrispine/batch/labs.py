"""``nutrispine.labs`` over whole columns: units to SI, albumin correction, cut-off bands, the
B12 marker upgrade and the primary test per nutrient.

Why a second implementation: a Python loop over millions of rows is too slow, so the same rules
are applied to NumPy columns (``batch.columns``). Every number comes from the knowledge base
(``kb.labs``, ``kb.unit_index``); the order of the checks mirrors ``nutrispine.labs`` line by
line, and property tests check the two agree person by person. Statuses are small integer codes
(``CODES``) while computing and text (an Enum) only in the output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl

from nutrispine.batch.columns import Morsel, choose, lookup
from nutrispine.batch.schema import schema
from nutrispine.errors import InputError, Problem, closest
from nutrispine.knowledge import KnowledgeBase, load_knowledge
from nutrispine.knowledge.base import unit_key
from nutrispine.knowledge.models import NUTRIENTS, AlbuminCorrection, Bands
from nutrispine.labs import PRIMARY_TEST

STATUSES = ("deficient", "borderline", "adequate", "high")
CODES = (*STATUSES, "elevated", "normal", "measured", "not_tested")
STATUS_ENUM = pl.Enum(CODES)
VITAMIN_D_SCHEMES = ("nam2011", "endocrine2011")
NONE = 255  # 'no result' (not tested) while computing; never in an output


def code(status: str) -> int:
    return CODES.index(status)


def check_nutrient(nutrient: str) -> None:
    """Refuse an unknown nutrient code with the closest valid ones."""
    if nutrient not in NUTRIENTS:
        raise InputError(Problem("--nutrient", f"unknown nutrient {nutrient!r}",
                                 closest(nutrient, NUTRIENTS)))


def status_column(nutrient: str) -> str:
    """The output column holding a nutrient's lab status (text)."""
    return f"{nutrient}_lab_status"


def code_column(nutrient: str) -> str:
    """The working column holding a nutrient's lab status code."""
    return f"_code_{nutrient}"


def classify(bands: Bands, x: np.ndarray) -> np.ndarray:
    """``labs.classify`` on a column, as the index in ``STATUSES``.

    The loader guarantees deficient_below <= the adequate band's start < high_above, so the
    core's chain of tests is a count of the cut-offs reached, each with the core's own
    strictness: deficient below the first, borderline until the adequate band (``adequate_min``
    excluded, ``adequate_above`` included), high above ``high_above``."""
    k = (x >= bands.deficient_below).view(np.uint8)
    if bands.adequate_min is not None:
        k += x >= bands.adequate_min
    else:
        k += x > bands.adequate_above
    if bands.high_above is not None:
        k += x > bands.high_above
    return k


def _rounded_le(limit: float, decimals: int) -> float:
    """The largest double x with ``round(x, decimals) <= limit`` (Python's exact rounding), so
    that a column can be compared with the core's test on the rounded SI value."""
    x = limit + 0.5 * 10.0 ** -decimals
    while round(x, decimals) > limit:
        x = math.nextafter(x, -math.inf)
    while round(math.nextafter(x, math.inf), decimals) <= limit:
        x = math.nextafter(x, math.inf)
    return x


def _scheme(kb: KnowledgeBase, test: str, vitamin_d_scheme: str) -> str:
    spec = kb.labs[test]
    if test == "vitamin_d_25oh" and vitamin_d_scheme in spec.schemes:
        return vitamin_d_scheme
    assert spec.default_scheme is not None
    return spec.default_scheme


def _table(values: list[float]) -> np.ndarray:
    """A look-up table for uint8 codes: ``values`` then NaN up to code 255 (``NONE``)."""
    table = np.full(256, np.nan)
    table[:len(values)] = values
    return table


@dataclass(frozen=True)
class TestRule:
    """One test's rules, read from the knowledge base once per run."""

    test: str
    spellings: tuple[tuple[str, int], ...]  # usual spellings (the knowledge base's, the labels)
    keys: tuple[str, ...]  # ``unit_key`` of each unit, by unit index
    factors: np.ndarray  # factor to SI by unit index (256 entries, NaN for ``NONE``)
    si_bands: Bands | None
    unit_bands: tuple[tuple[int, Bands], ...]  # cut-offs published in another unit than SI
    elevated_above: float | None
    albumin: AlbuminCorrection | None  # only when the input has albumin

    @property
    def judged(self) -> bool:
        """Whether the test has a status (albumin, without cut-offs, has none)."""
        return bool(self.si_bands or self.unit_bands) or self.elevated_above is not None


@dataclass
class TestColumns:
    """One test in one morsel, on the rows that have a value (``rows``, in order): the value,
    the unit's index (``NONE`` when missing or not one of the test's), the SI value (NaN
    without a usable unit or for a value that is not finite) and the status (``NONE`` when the
    row has no usable result). Lab results are sparse in a population, so working on these
    rows only saves most of the work."""

    rows: np.ndarray
    value: np.ndarray
    unit: np.ndarray
    si: np.ndarray
    status: np.ndarray | None = None

    def scatter(self, values: np.ndarray, n: int, empty: float | int) -> np.ndarray:
        """``values`` (one per row with a value) at their rows of the morsel, ``empty``
        elsewhere."""
        out = np.full(n, empty, dtype=values.dtype)
        out[self.rows] = values
        return out


@dataclass
class LabColumns:
    """The lab results of one morsel: per test its ``TestColumns`` and, for tests with a
    status, the status code of every row (``NONE`` when not tested); per nutrient the status
    of its primary test (``not_tested`` when none) and which primary test it was."""

    tests: dict[str, TestColumns]
    status: dict[str, np.ndarray]
    nutrient: dict[str, np.ndarray]
    primary: dict[str, np.ndarray]


class LabRules:
    """``nutrispine.labs`` for the tests an input has, compiled once per run."""

    def __init__(self, kb: KnowledgeBase, columns: Iterable[str],
                 vitamin_d_scheme: str = "nam2011") -> None:
        s = schema()
        names = set(columns)
        self.kb = kb
        self.rules: dict[str, TestRule] = {}
        for test, spec in kb.labs.items():
            if s.lab_value(test) not in names:
                continue
            units = kb.unit_index[test]
            si_bands, unit_bands = None, []
            if spec.schemes:
                for band_unit, band in spec.schemes[_scheme(kb, test, vitamin_d_scheme)].bands.items():
                    if unit_key(band_unit) == unit_key(spec.si_unit):
                        si_bands = band
                    else:
                        unit_bands.append((list(units).index(unit_key(band_unit)), band))
            albumin = spec.albumin_correction if s.lab_value("albumin") in names else None
            assert albumin is None or si_bands is not None, f"{test}: albumin needs SI cut-offs"
            spellings = {u: list(units).index(unit_key(u)) for u in spec.units}
            spellings.update({label: i for i, (label, _) in enumerate(units.values())})
            self.rules[test] = TestRule(
                test=test, spellings=tuple(spellings.items()), keys=tuple(units),
                factors=_table([f for _, f in units.values()]),
                si_bands=si_bands, unit_bands=tuple(unit_bands),
                elevated_above=spec.elevated_above, albumin=albumin)
        b12 = kb.labs["vitamin_b12"]
        self.b12_edge = (None if b12.low_normal_max_si is None
                         else _rounded_le(b12.low_normal_max_si, b12.decimals))

    def columns(self, rule: TestRule, morsel: Morsel) -> TestColumns:
        """The rows with a value, their unit's index and SI value. The usual spellings are plain
        comparisons; any other goes through the core's ``unit_key``, once per distinct
        spelling."""
        s = schema()
        value = morsel.sparse(s.lab_value(rule.test))
        assert value is not None
        rows = value.rows
        unit = np.full(len(rows), NONE, np.uint8)
        units = morsel.texts(s.lab_unit(rule.test))
        if units is not None and len(rows):
            spelt = units.at(rows)
            left = np.count_nonzero(spelt.valid)
            for spelling, i in rule.spellings:
                same = spelt.equal(spelling)
                found = np.count_nonzero(same)
                if found:
                    unit = choose(same, i, unit)
                    left -= found
                    if not left:
                        break
            else:
                other = np.flatnonzero((unit == NONE) & spelt.valid)
                if len(other):
                    odd = spelt.series().gather(other)
                    known = {u: rule.keys.index(unit_key(u)) for u in odd.unique().to_list()
                             if unit_key(u) in rule.keys}
                    unit[other] = odd.replace_strict(list(known), list(known.values()),
                                                     default=NONE, return_dtype=pl.UInt8).to_numpy()
        return TestColumns(rows, value.values, unit, value.values * lookup(rule.factors, unit))

    def evaluate(self, morsel: Morsel) -> LabColumns:
        out = LabColumns({}, {}, {}, {})
        with np.errstate(invalid="ignore", over="ignore"):
            for test, rule in self.rules.items():
                out.tests[test] = self.columns(rule, morsel)
            albumin = None
            if "albumin" in out.tests:
                albumin = out.tests["albumin"].scatter(out.tests["albumin"].si, morsel.n, np.nan)
            for test, rule in self.rules.items():
                if rule.judged:
                    columns = out.tests[test]
                    columns.status = self._status(rule, columns, albumin)
            if "vitamin_b12" in out.tests and out.tests["vitamin_b12"].status is not None:
                self._b12_with_markers(out.tests, morsel.n)
        for test, columns in out.tests.items():
            if columns.status is not None:
                out.status[test] = columns.scatter(columns.status, morsel.n, NONE)
        for nutrient in NUTRIENTS:
            out.nutrient[nutrient], out.primary[nutrient] = self._primary(nutrient, out, morsel.n)
        return out

    @staticmethod
    def _status(rule: TestRule, columns: TestColumns, albumin: np.ndarray | None) -> np.ndarray:
        """``labs.interpret_labs``' status of one test: in the reported unit when the scheme
        has cut-offs in it, else in SI; albumin-corrected calcium in SI; markers 'elevated'
        or 'normal'. ``albumin`` is the SI albumin of every row (NaN when not given)."""
        si, unit = columns.si, columns.unit
        if rule.si_bands is not None or rule.unit_bands:
            status = (classify(rule.si_bands, si) if rule.si_bands is not None
                      else np.full(len(si), NONE, np.uint8))
            for index, bands in rule.unit_bands:
                status = choose(unit == index, classify(bands, columns.value), status)
            if rule.albumin is not None and rule.si_bands is not None and albumin is not None:
                ac = rule.albumin
                alb = albumin[columns.rows]
                corrected = si + ac.mmol_per_l_per_g_per_l * (ac.reference_albumin_g_per_l - alb)
                status = choose(~np.isnan(alb), classify(rule.si_bands, corrected), status)
        elif rule.elevated_above is not None:
            status = choose(si > rule.elevated_above, code("elevated"), code("normal"))
        else:
            status = np.full(len(si), code("measured"), np.uint8)
        return choose(np.isfinite(columns.value) & (unit != NONE), status, NONE)

    def _b12_with_markers(self, tests: dict[str, TestColumns], n: int) -> None:
        """``labs._b12_with_markers``: borderline B12, or adequate but low-normal (rounded SI
        value at most ``low_normal_max_si``), becomes deficient when MMA or homocysteine is
        raised."""
        b12 = tests["vitamin_b12"]
        assert b12.status is not None
        raised = np.zeros(len(b12.rows), bool)
        for test in ("methylmalonic_acid", "homocysteine"):
            marker = tests.get(test)
            if marker is not None and marker.status is not None:
                status = marker.scatter(marker.status, n, NONE)[b12.rows]
                raised |= status == code("elevated")
        eligible = b12.status == code("borderline")
        if self.b12_edge is not None:
            eligible |= (b12.status == code("adequate")) & (b12.si <= self.b12_edge)
        b12.status = choose(eligible & raised, code("deficient"), b12.status)

    def _primary(self, nutrient: str, labs: LabColumns, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``labs.primary_for``: (status code, index in ``PRIMARY_TEST``) of the first test given,
        except that an abnormal second test (ionized calcium deficient or high) wins over a first
        one in the adequate range; (not_tested, ``NONE``) when none was given."""
        status = np.full(n, code("not_tested"), np.uint8)
        primary = np.full(n, NONE, np.uint8)
        found = [(i, labs.status[t]) for i, t in enumerate(PRIMARY_TEST[nutrient])
                 if t in labs.status]
        for k, (i, test_status) in reversed(list(enumerate(found))):
            use = test_status != NONE
            if k == 0 and len(found) > 1:
                second = found[1][1]
                use &= ~((test_status == code("adequate"))
                         & ((second == code("deficient")) | (second == code("high"))))
            status = choose(use, test_status, status)
            primary = choose(use, i, primary)
        return status, primary



def nutrient_status_frame(frame: pl.LazyFrame, nutrient: str, vitamin_d_scheme: str = "nam2011"
                          ) -> pl.LazyFrame:
    """``frame`` with the nutrient's status code (``code_column``; not_tested when no test was
    given) and ``_value_si`` (the SI value of its first test given, albumin-corrected for
    calcium; null when none)."""
    check_nutrient(nutrient)
    kb = load_knowledge()
    s = schema()
    names = frame.collect_schema().names()
    rules = LabRules(kb, names, vitamin_d_scheme)
    typed = [c for t in rules.rules for c in (s.lab_value(t), s.lab_unit(t)) if c in names]
    frame = frame.with_columns(pl.col(c).cast(pl.Float64 if c.endswith("_value") else pl.String)
                               for c in typed)
    out_schema = {**frame.collect_schema(), code_column(nutrient): pl.UInt8(),
                  "_value_si": pl.Float64()}

    def add(batch: pl.DataFrame) -> pl.DataFrame:
        labs = rules.evaluate(Morsel(batch))
        albumin = labs.tests.get("albumin")
        value = np.full(batch.height, np.nan)
        for test in reversed(PRIMARY_TEST[nutrient]):
            if test not in labs.status:
                continue
            columns, rule = labs.tests[test], rules.rules[test]
            si = columns.scatter(columns.si, batch.height, np.nan)
            if rule.albumin is not None and albumin is not None:
                ac = rule.albumin
                alb = albumin.scatter(albumin.si, batch.height, np.nan)
                si = np.where(np.isnan(alb), si, si + ac.mmol_per_l_per_g_per_l
                              * (ac.reference_albumin_g_per_l - alb))
            value = np.where(labs.status[test] != NONE, si, value)
        return batch.with_columns(pl.Series(code_column(nutrient), labs.nutrient[nutrient]),
                                  pl.Series("_value_si", value).fill_nan(None))

    return frame.map_batches(add, schema=out_schema, streamable=True)


def si_cutoffs(nutrient: str, vitamin_d_scheme: str = "nam2011") -> tuple[str, list[tuple[str, float]]]:
    """The SI unit and the SI cut-offs of the nutrient's first primary test, for charts."""
    kb = load_knowledge()
    test = PRIMARY_TEST[nutrient][0]
    spec = kb.labs[test]
    bands = spec.schemes[_scheme(kb, test, vitamin_d_scheme)].bands
    band = next(b for u, b in bands.items() if unit_key(u) == unit_key(spec.si_unit))
    cuts: list[tuple[str, float]] = [("deficient below", band.deficient_below)]
    if band.adequate_min is not None and band.adequate_min != band.deficient_below:
        cuts.append(("adequate from", band.adequate_min))
    if band.adequate_above is not None:
        cuts.append(("adequate above", band.adequate_above))
    if band.high_above is not None:
        cuts.append(("high above", band.high_above))
    return spec.si_unit, cuts


def test_name(nutrient: str) -> str:
    """The plain name of the nutrient's main blood test."""
    kb = load_knowledge()
    return kb.labs[PRIMARY_TEST[nutrient][0]].plain_name
