# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The likelihood's per-row sums and levels, compiled and run without Python's GIL.

Why: summed with NumPy, each term is a pass over memory and the GIL is held between passes, so
two morsels screened at once share one core for much of the time. Here the rows are taken in
tiles that stay in the core's cache: each answer adds its log-ratios to the rows whose bit is
set (answers are rare, so this is a few additions per row), and each row's sum is then finished
and banded in registers. The values (what each answer, prior band and lab key is worth) are
built by ``batch.likelihood`` from the knowledge base; this module only adds them up.
"""

import numpy as np

from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

from nutrispine.batch._arrow cimport BOOLEAN, Column, Frame

cdef enum:
    LANES = 4  # nutrients, in the order of ``NUTRIENTS``
    TILE = 2048  # rows summed together: 2 x 64 KiB of sums, in the core's cache


cdef extern from *:
    int __builtin_ctzll(unsigned long long) nogil


# A row's four log-odds (one per nutrient)
cdef struct Lanes:
    double v[LANES]


# An answer's bitmaps, from the morsel's first row: its data and what it is and-ed with (its
# validity, or NULL when it has no nulls).
cdef struct Bitmap:
    const uint8_t* data
    const uint8_t* valid


cdef inline uint64_t word(const uint8_t* bits, int64_t w, int64_t size) noexcept nogil:
    """64 bits from byte 8w of a bitmap of ``size`` bytes (zero past its end)."""
    cdef uint64_t out = 0
    if 8 * w + 8 <= size:
        memcpy(&out, bits + 8 * w, 8)
    elif 8 * w < size:
        memcpy(&out, bits + 8 * w, size - 8 * w)
    return out


cdef inline void add_rows(Bitmap answer, const double* logs, int64_t first, int64_t last,
                          int64_t size, Lanes* sums) noexcept nogil:
    """Add ``logs`` to the sums of the rows ``first`` (a multiple of 64) to ``last`` (excluded)
    whose bit is set; ``sums`` starts at row ``first``. An answer that moves one nutrient
    only (most do) adds to that one alone."""
    cdef int64_t w, r, base
    cdef uint64_t bits
    cdef int lane = -1, j
    for j in range(LANES):
        if logs[j] != 0.0:
            lane = j if lane == -1 else LANES
    if lane == -1:
        return
    for w in range(first // 64, (last + 63) // 64):
        bits = word(answer.data, w, size)
        if answer.valid != NULL:
            bits &= word(answer.valid, w, size)
        base = 64 * w
        if base + 64 > last:
            bits &= (1ULL << (last - base)) - 1
        if lane < LANES:
            while bits:
                sums[base + __builtin_ctzll(bits) - first].v[lane] += logs[lane]
                bits &= bits - 1
        else:
            while bits:
                r = base + __builtin_ctzll(bits) - first
                sums[r].v[0] += logs[0]
                sums[r].v[1] += logs[1]
                sums[r].v[2] += logs[2]
                sums[r].v[3] += logs[3]
                bits &= bits - 1


cdef Bitmap* bitmaps(Frame frame, const int64_t[::1] columns, const uint8_t[:, ::1] extra
                     ) except NULL:
    """Where each answer's bits are: a Boolean column of the frame starting on a whole byte
    (``columns`` >= 0) or one of ``extra``'s bitmaps (<= -2: bitmap -2 - column)."""
    cdef Py_ssize_t k, c, count = columns.shape[0]
    cdef const Column* column
    cdef Bitmap* out = <Bitmap*> malloc(max(count, 1) * sizeof(Bitmap))
    if out == NULL:
        raise MemoryError()
    for k in range(count):
        c = columns[k]
        out[k].valid = NULL
        if c >= len(frame.positions) or -2 - c >= extra.shape[0]:
            free(out)
            raise IndexError("an answer's column is not in the frame")
        if c >= 0:
            column = &frame.columns[c]
            if column.kind != BOOLEAN or column.offset % 8:
                free(out)
                raise ValueError("answer columns must be Boolean and start on a whole byte")
            out[k].data = column.data + column.offset // 8
            if column.valid != NULL:
                out[k].valid = column.valid + column.offset // 8
        elif c <= -2:
            out[k].data = &extra[-2 - c, 0]
        else:
            free(out)
            raise ValueError("an answer has no bitmap")
    return out


def intervals(const double[::1] age, const Py_ssize_t[::1] table):
    """Each row's age interval: ``table`` at the whole part of the age, clipped to the table
    (NaN takes the last entry), as ``likelihood.age_interval`` for whole-year bounds."""
    cdef Py_ssize_t n = age.shape[0], r, top = table.shape[0] - 1
    cdef double a
    out_array = np.empty(n, np.intp)
    cdef Py_ssize_t[::1] out = out_array
    with nogil:
        for r in range(n):
            a = age[r]
            if not (a < top):  # NaN too, as NumPy's fmin(NaN, top) is top
                a = top
            if a < 0:
                a = 0
            out[r] = table[<Py_ssize_t> a]
    return out_array


def log_odds_levels(Frame frame, const Py_ssize_t[::1] interval, const double[:, ::1] prior,
                    const int64_t[::1] odds_columns, const double[:, ::1] odds_logs,
                    const int64_t[::1] symptom_columns, const double[:, ::1] symptom_logs,
                    double symptom_cap, const uint8_t[:, ::1] extra,
                    const uint8_t[:, ::1] lab_keys, const double[:, ::1] lab_lr,
                    const uint8_t[:, ::1] floor_level, const uint8_t[:, ::1] cap_level,
                    const Py_ssize_t[::1] supplement_rows, const double[::1] supplement_logs,
                    const Py_ssize_t[::1] supplement_start,
                    const double[:, ::1] intake, const uint8_t[::1] intake_used,
                    double moderate, double high,
                    uint8_t[:, ::1] level, double[:, ::1] log_odds):
    """Every row's log-odds per nutrient and its level.

    Terms: the prior by age interval; the log-ratios (``*_logs``, answers x nutrients) of the
    answers given (``*_columns``: a frame column's position, or -2 - k for bitmap k of
    ``extra``); the supplement's (``supplement_rows`` in order, nutrient j's from
    ``supplement_start[j]`` to ``supplement_start[j + 1]``); the intake term (nutrients with
    ``intake_used``); the symptoms' sum capped at ``symptom_cap``; the lab's log-ratio by lab
    key (``lab_keys``, nutrients x rows; a nutrient without a lab term has keys 0 and a table
    of zeros). The level is the number of thresholds (log-odds ``moderate`` and ``high``)
    reached, raised to the lab's floor level and lowered to its cap level (0 and 2 where there
    are none). ``level`` is nutrients x rows; ``log_odds``, rows x nutrients, is written when
    it has rows. The order of the additions differs from the core's products by rounding only
    (about 1e-15), far below the thresholds' 1e-9 (``threshold_log_odds``)."""
    cdef int64_t n = frame.n, size = (n + 7) // 8, first, last, r, i, j, k, key
    cdef Py_ssize_t odds_count = odds_columns.shape[0], symptom_count = symptom_columns.shape[0]
    cdef bint keep = log_odds.shape[0] > 0
    cdef double x
    cdef uint8_t v
    cdef Py_ssize_t cursor[LANES]
    cdef Py_ssize_t end[LANES]
    cdef bint with_intake[LANES]
    assert odds_logs.shape[0] == odds_count and symptom_logs.shape[0] == symptom_count
    assert prior.shape[1] == LANES
    assert extra.shape[0] == 0 or extra.shape[1] >= size
    assert interval.shape[0] >= n and lab_keys.shape[1] >= n and level.shape[1] >= n
    assert lab_lr.shape[0] == LANES and floor_level.shape[0] == LANES and cap_level.shape[0] == LANES
    assert lab_lr.shape[1] == 256 and floor_level.shape[1] == 256 and cap_level.shape[1] == 256
    assert symptom_cap >= 0  # so that no symptom at all (a sum of 0) adds nothing
    assert log_odds.shape[0] == 0 or log_odds.shape[0] >= n
    cdef bint outside = False
    with nogil:
        for r in range(n):
            outside |= interval[r] < 0 or interval[r] >= prior.shape[0]
    if outside:
        raise IndexError("an age interval outside the prior's table")
    for j in range(LANES):
        with_intake[j] = intake_used[j] != 0
        assert not with_intake[j] or intake.shape[1] >= n
        cursor[j] = supplement_start[j]
        end[j] = supplement_start[j + 1]
    cdef Bitmap* odds = bitmaps(frame, odds_columns, extra)
    cdef Bitmap* symptoms = NULL
    try:
        symptoms = bitmaps(frame, symptom_columns, extra)
    except ValueError:
        free(odds)
        raise
    cdef Lanes* sums = <Lanes*> malloc(TILE * sizeof(Lanes))
    cdef Lanes* capped = <Lanes*> malloc(TILE * sizeof(Lanes))
    if sums == NULL or capped == NULL:
        free(sums)
        free(capped)
        free(odds)
        free(symptoms)
        raise MemoryError()
    cdef const Lanes* priors = <const Lanes*> &prior[0, 0]
    cdef const double* lr_at = &lab_lr[0, 0]
    cdef const uint8_t* floor_at = &floor_level[0, 0]
    cdef const uint8_t* cap_at = &cap_level[0, 0]
    cdef int64_t m
    with nogil:
        first = 0
        while first < n:
            last = min(first + TILE, n)
            for r in range(first, last):
                sums[r - first] = priors[interval[r]]
            memset(capped, 0, (last - first) * sizeof(Lanes))
            for k in range(odds_count):
                add_rows(odds[k], &odds_logs[k, 0], first, last, size, sums)
            for k in range(symptom_count):
                add_rows(symptoms[k], &symptom_logs[k, 0], first, last, size, capped)
            m = last - first
            for j in range(LANES):
                while cursor[j] < end[j] and supplement_rows[cursor[j]] < last:
                    sums[supplement_rows[cursor[j]] - first].v[j] += supplement_logs[cursor[j]]
                    cursor[j] += 1
                if with_intake[j]:
                    for i in range(m):
                        sums[i].v[j] += intake[j, first + i]
            for i in range(m):
                r = first + i
                for j in range(LANES):
                    x = capped[i].v[j]
                    x = sums[i].v[j] + (x if x < symptom_cap else symptom_cap)
                    key = j * 256 + lab_keys[j, r]
                    x += lr_at[key]
                    v = (x >= moderate) + (x >= high)
                    v = v if v > floor_at[key] else floor_at[key]
                    level[j, r] = v if v < cap_at[key] else cap_at[key]
                    if keep:
                        log_odds[r, j] = x
            first = last
    free(sums)
    free(capped)
    free(odds)
    free(symptoms)


def supplement_logs(const double[::1] per_day, const Py_ssize_t[::1] rows,
                    const Py_ssize_t[::1] interval, const uint8_t[::1] person,
                    const double[::1] targets, const double[::1] min_fractions,
                    const double[::1] logs):
    """Log of ``likelihood.supplement_evidence``'s ratio for each daily amount ``per_day`` (at
    ``rows``): the first rule whose fraction (``min_fractions``) of the row's target is met,
    the target looked up by life stage (``interval`` x 8 + ``person``); ``logs[rule]``, or the
    last entry (no effect) without a positive amount and a positive target. NaN compares as
    false, as in NumPy."""
    cdef Py_ssize_t m = per_day.shape[0], k, i, r, rule, rules = min_fractions.shape[0]
    cdef double target, fraction
    assert logs.shape[0] == rules + 1 and rows.shape[0] == m
    out_array = np.empty(m, np.float64)
    cdef double[::1] out = out_array
    with nogil:
        for k in range(m):
            r = rows[k]
            target = targets[interval[r] * 8 + person[r]]
            rule = rules
            if per_day[k] > 0 and target > 0:
                fraction = per_day[k] / target
                for i in range(rules):
                    if fraction >= min_fractions[i]:
                        rule = i
                        break
            out[k] = logs[rule]
    return out_array


cdef uint64_t SPREAD[256]  # a byte's eight bits as eight bytes of 0 or 1 (bit i: byte i)


cdef void _spread() noexcept:
    cdef int b, i
    for b in range(256):
        SPREAD[b] = 0
        for i in range(8):
            SPREAD[b] |= (<uint64_t> ((b >> i) & 1)) << (8 * i)


_spread()


def person_keys(const uint8_t[::1] male, const uint8_t[::1] pregnant,
                const uint8_t[::1] lactating, Py_ssize_t n):
    """``likelihood.person_key`` from the three bitmaps: male x 4 + pregnant + 2 x lactating,
    eight rows at a time (each bitmap byte spread to eight bytes by a table)."""
    cdef Py_ssize_t b, size = (n + 7) // 8
    cdef uint64_t word
    assert male.shape[0] >= size and pregnant.shape[0] >= size and lactating.shape[0] >= size
    out_array = np.empty(8 * size, np.uint8)
    cdef uint8_t[::1] out = out_array
    with nogil:
        for b in range(size):
            word = SPREAD[male[b]] * 4 + SPREAD[pregnant[b]] + SPREAD[lactating[b]] * 2
            memcpy(&out[8 * b], &word, 8)
    return out_array[:n]


cdef extern from "math.h" nogil:
    double rint(double)
    double floor(double)
    double fabs(double)
    bint isfinite(double)


def round3_near(const double[::1] values):
    """(each value to the nearest thousandth, the positions that Python must round itself):
    ``likelihood.round3``'s arithmetic, where those positions are the values within 1e-6 of a
    tie (a half of a thousandth) or beyond a million, if finite."""
    cdef Py_ssize_t m = values.shape[0], k, count = 0
    cdef double x, thousandths
    out_array = np.empty(m, np.float64)
    odd_array = np.empty(m, np.intp)
    cdef double[::1] out = out_array
    cdef Py_ssize_t[::1] odd = odd_array
    with nogil:
        for k in range(m):
            x = values[k]
            thousandths = x * 1000.0
            out[k] = rint(thousandths) / 1000.0
            if isfinite(x) and (fabs(fabs(thousandths - floor(thousandths)) - 0.5) < 1e-6
                                or not fabs(x) < 1e6):
                odd[count] = k
                count += 1
    return out_array, odd_array[:count]
