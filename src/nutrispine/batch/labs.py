"""``nutrispine.labs`` over whole columns: units to SI, albumin correction, cut-off bands, the
B12 marker upgrade and the primary test per nutrient.

Why a second implementation: a Python loop over millions of rows is too slow, so the same rules
run in compiled loops (``batch._labs``) over each morsel's Arrow buffers, one call per test,
without the GIL. The rules are planned here, in Python, and handed to those loops as plain
numbers: every number comes from the knowledge base (``kb.labs``, ``kb.unit_index``); the order
of the checks mirrors ``nutrispine.labs`` line by line, and property tests check the two agree
person by person. Statuses are small integer codes (``CODES``) while computing and text (an
Enum) only in the output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl

from nutrispine.batch import _labs
from nutrispine.batch._arrow import Frame
from nutrispine.batch.columns import Morsel
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
NONE = _labs.NONE  # 'no result' (not tested), 'no unit' while computing; never in an output
B12_MARKERS = ("methylmalonic_acid", "homocysteine")  # raised, they make a low B12 deficient
_NO_CODES = np.zeros(0, np.uint8)  # an absent column of status codes
# the second primary test's statuses that win over a first one in the adequate range
_ABNORMAL = np.isin(np.arange(256), [CODES.index("deficient"), CODES.index("high")]).astype(np.uint8)


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


def _above(cut: float) -> float:
    """``x > cut`` as ``x >= _above(cut)``: no double lies between the two."""
    assert math.isfinite(cut), cut
    return math.nextafter(cut, math.inf)


def _cut_offs(bands: Bands) -> list[float]:
    """``classify``'s three tests as 'at or above': deficient below, the adequate band's start
    (``adequate_min`` included, ``adequate_above`` excluded), high above (NaN when absent:
    never reached)."""
    adequate = (bands.adequate_min if bands.adequate_min is not None
                else _above(bands.adequate_above) if bands.adequate_above is not None else None)
    assert adequate is not None
    high = _above(bands.high_above) if bands.high_above is not None else math.nan
    return [bands.deficient_below, adequate, high]


def _word(spelling: str) -> tuple[int, int] | None:
    """The Arrow string view of a row holding exactly ``spelling`` (its length, then its bytes
    zero-padded, as two little-endian words), or None when longer than 12 bytes (not held in
    the view)."""
    data = spelling.encode()
    if len(data) > 12:
        return None
    view = len(data).to_bytes(4, "little") + data.ljust(12, b"\0")
    return int.from_bytes(view[:8], "little"), int.from_bytes(view[8:], "little")


def _at(frame: Frame, morsel: Morsel, name: str, kind: str, dtype: pl.DataType) -> tuple[Frame, int]:
    """A column as the compiled loops read it: its position in the morsel's Arrow export, or,
    when it is not of the kind they read (a categorical unit, an all-null column), cast to
    ``dtype`` and exported alone."""
    if frame.kind(name) == kind or not morsel.n:
        return frame, frame.positions[name]
    return Frame(morsel.frame.select(pl.col(name).cast(dtype))), 0


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
    upgrade: tuple[int, int, int, float, int] | None = None  # the B12 upgrade (``_b12_upgrade``)

    @property
    def judged(self) -> bool:
        """Whether the test has a status (albumin, without cut-offs, has none)."""
        return bool(self.si_bands or self.unit_bands) or self.elevated_above is not None

    def bands(self) -> list[tuple[list[float], int, list[int]]]:
        """The status rules as the compiled loop applies them, in turn (the last that applies
        wins): per set of cut-offs the three 'at or above' cut-offs, the unit index it applies
        to (-1: the SI value, always) and the status per number of cut-offs reached. A
        marker's 'elevated' is one cut-off on the SI value."""
        counted = [code(s) for s in STATUSES]
        if self.si_bands is not None or self.unit_bands:
            out = [(_cut_offs(b), -1, counted) for b in [self.si_bands] if b is not None]
            return out + [(_cut_offs(b), unit, counted) for unit, b in self.unit_bands]
        if self.elevated_above is not None:
            return [([_above(self.elevated_above), math.nan, math.nan], -1,
                     [code("normal"), code("elevated"), NONE, NONE])]
        return []

    def kernel(self) -> _labs.TestKernel:
        """The rules as plain numbers for ``_labs.TestKernel``. The usual spellings are
        compared in place as string views; any other unit given, or a spelling longer than a
        view holds, is read by the caller with the core's ``unit_key``: the two agree."""
        words = [(w, i) for u, i in self.spellings if (w := _word(u)) is not None][:_labs.MAX_WORDS]
        ac = self.albumin
        return _labs.TestKernel(
            [w for w, _ in words], [i for _, i in words], self.factors[:len(self.keys)].tolist(),
            self.bands(), None if ac is None else (ac.mmol_per_l_per_g_per_l,
                                                   ac.reference_albumin_g_per_l),
            self.upgrade, self.judged)


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
        b12 = kb.labs["vitamin_b12"]
        self.b12_edge = (None if b12.low_normal_max_si is None
                         else _rounded_le(b12.low_normal_max_si, b12.decimals))
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
            assert all(list(units).index(unit_key(u)) == i for u, i in spellings.items()), test
            self.rules[test] = TestRule(
                test=test, spellings=tuple(spellings.items()), keys=tuple(units),
                factors=_table([f for _, f in units.values()]),
                si_bands=si_bands, unit_bands=tuple(unit_bands),
                elevated_above=spec.elevated_above, albumin=albumin,
                upgrade=self._b12_upgrade() if test == "vitamin_b12" else None)
        self.kernels = {test: rule.kernel() for test, rule in self.rules.items()}
        self.names = {test: (s.lab_value(test), s.lab_unit(test)) for test in self.rules}
        # albumin before the tests it corrects, the markers before B12
        self.order = sorted(self.rules, key=lambda t: (t != "albumin", t not in B12_MARKERS))

    def _b12_upgrade(self) -> tuple[int, int, int, float, int]:
        """``labs._b12_with_markers`` for the compiled loop: borderline B12, or adequate but
        low-normal (rounded SI value at most ``low_normal_max_si``: at most ``b12_edge``, NaN
        when there is no such limit), becomes deficient when MMA or homocysteine is raised."""
        edge = math.nan if self.b12_edge is None else self.b12_edge
        return code("elevated"), code("borderline"), code("adequate"), edge, code("deficient")

    def columns(self, rule: TestRule, morsel: Morsel, albumin: _labs.Ranks | None = None,
                markers: tuple[np.ndarray, np.ndarray] = (_NO_CODES, _NO_CODES)
                ) -> tuple[TestColumns, np.ndarray | None]:
        """One test's columns and the status of every row (None when the test has no status),
        in one compiled pass over its value and unit columns' Arrow buffers. The usual unit
        spellings are compared there; any other goes through the core's ``unit_key``, once per
        distinct spelling, and the statuses are then redone. ``albumin``: the SI albumin (for
        calcium); ``markers``: the B12 markers' statuses of every row (empty when absent)."""
        value_name, unit_name = self.names[rule.test]
        frame = morsel.arrow()
        values, value_at = _at(frame, morsel, value_name, "float64", pl.Float64())
        units, unit_at = (None, 0) if unit_name not in morsel else _at(frame, morsel, unit_name,
                                                                        "view", pl.String())
        kernel = self.kernels[rule.test]
        rows, value, unit, si, status, full, odd = kernel.run(values, value_at, units, unit_at,
                                                              albumin, *markers)
        if odd:
            at = np.flatnonzero(unit == _labs.ODD)
            spelt = morsel.frame[unit_name].gather(rows[at]).cast(pl.String)
            known = {u: rule.keys.index(unit_key(u)) for u in spelt.unique().to_list()
                     if unit_key(u) in rule.keys}
            unit[at] = spelt.replace_strict(list(known), list(known.values()), default=NONE,
                                            return_dtype=pl.UInt8).to_numpy()
            si, status, full = kernel.judge(morsel.n, rows, value, unit, albumin, *markers)
        return TestColumns(rows, value, unit, si, status), full

    def evaluate(self, morsel: Morsel) -> LabColumns:
        """Every test's columns and statuses, and each nutrient's primary status, of one
        morsel: one compiled call per test and one per nutrient."""
        tests: dict[str, TestColumns] = {}
        full: dict[str, np.ndarray] = {}
        albumin = None
        for test in self.order:
            rule = self.rules[test]
            markers = (_NO_CODES, _NO_CODES)
            if rule.upgrade is not None:
                markers = (full.get(B12_MARKERS[0], _NO_CODES), full.get(B12_MARKERS[1], _NO_CODES))
            tests[test], status = self.columns(rule, morsel, albumin, markers)
            if status is not None:
                full[test] = status
            if test == "albumin":
                albumin = _labs.Ranks(tests[test].rows, tests[test].si, morsel.n)
        out = LabColumns({t: tests[t] for t in self.rules},
                         {t: full[t] for t in self.rules if t in full}, {}, {})
        for nutrient in NUTRIENTS:
            out.nutrient[nutrient], out.primary[nutrient] = self._primary(nutrient, out, morsel.n)
        return out

    @staticmethod
    def _primary(nutrient: str, labs: LabColumns, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``labs.primary_for``: (status code, index in ``PRIMARY_TEST``) of the first test given,
        except that an abnormal second test (ionized calcium deficient or high) wins over a first
        one in the adequate range; (not_tested, ``NONE``) when none was given."""
        found = [(labs.tests[t].rows, labs.tests[t].status, labs.status[t], i)
                 for i, t in enumerate(PRIMARY_TEST[nutrient]) if t in labs.status]
        return _labs.primary_codes(n, found, code("adequate"), _ABNORMAL, code("not_tested"))


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
