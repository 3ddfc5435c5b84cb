# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled loops of the lab rules (``batch.labs``): one call per test and morsel reads the
test's value and unit columns where they lie (the morsel's Arrow export, ``_arrow.Frame``) and
writes every column the rules need, the GIL released.

Why one fused pass: a lab result is given for some rows only, and reading the value and unit
columns at those rows from memory is most of the cost; each further pass over the results, or
each NumPy call between them, costs as much again. So the rows with a value are listed first (a
pass over the validity bitmap), then one loop reads each row's value and unit, fetching rows
``AHEAD`` of it into the cache (the processor does not guess so irregular a pattern), and works
out the unit (a hash of the string view), SI value and status (the cut-offs that apply to the
row's unit) by table look-ups rather than branches on the row's data, which random data would
mispredict. Every number of the rules (spellings, factors, cut-offs, codes) is given by the
caller, read from the knowledge base; none is written here.
"""

cimport cython
from libc.math cimport INFINITY, NAN, fabs, isnan
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

from nutrispine.batch._arrow cimport FLOAT64, VIEW, Frame
from nutrispine.batch._arrow cimport Column as Arrow

import numpy as np

NONE = 255  # no code: a unit missing or not one of the test's, a result without a status
ODD = 254  # a unit given that is none of the usual spellings: the caller reads it as text

cdef enum:
    C_NONE = 255
    C_ODD = 254
    C_MAX_WORDS = 16
    SLOTS = 64  # hash table of the usual spellings (at most 16: a free slot is easy to find)
    SLOT_BITS = 6
    AHEAD = 128  # rows fetched ahead of the one being read

MAX_WORDS = C_MAX_WORDS  # usual spellings compared in place; more are read as text by the caller


cdef extern from *:
    int __builtin_ctzll(unsigned long long) nogil
    void __builtin_prefetch(const void*, int, int) nogil


cdef uint8_t BIT_COUNT[256]  # per byte value: the number of bits set
cdef int _byte
for _byte in range(256):
    BIT_COUNT[_byte] = bin(_byte).count("1")


cdef struct Rules:
    uint64_t slot[SLOTS][2]  # string views of the usual spellings by hash; free: all ones
    uint8_t slot_code[SLOTS]  # their unit index; ODD in a free slot
    uint64_t mul  # the hash's multiplier (odd), chosen so that no two spellings collide
    double factor[256]  # to SI by unit index; NaN for ODD and NONE
    bint judged  # whether results have a status
    # per unit index: three 'at or above' cut-offs (NaN: never reached), whether they apply to
    # the value as given (else to the SI value), the status per number of cut-offs reached
    # (NONE for a unit without cut-offs, ODD and NONE)
    double cut[256][3]
    uint8_t raw[256]
    uint8_t named[256][4]
    bint corrected  # albumin correction with the SI cut-offs (the first band)
    double si_cut[3]
    uint8_t si_named[4]
    double slope, reference
    bint upgrade  # the B12 marker upgrade
    uint8_t raised, eligible, below, to
    double edge


cdef inline uint64_t _popcount(uint64_t x) noexcept nogil:
    x = x - ((x >> 1) & 0x5555555555555555ULL)
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL
    return (x * 0x0101010101010101ULL) >> 56


cdef inline uint64_t _hash(uint64_t low, uint64_t high, uint64_t mul) noexcept nogil:
    return ((low ^ (high * mul)) * mul) >> (64 - SLOT_BITS)


cdef Py_ssize_t _aligned(const signed char* src, Py_ssize_t offset, Py_ssize_t n,
                         uint64_t* out) noexcept nogil:
    """The ``n`` bits of an Arrow bitmap from bit ``offset`` as words from bit 0, bits past the
    last row clear (all set when ``src`` is NULL: no nulls); returns the number of bits set.
    The bitmap holds ``offset + n`` bits: its last byte is not read past."""
    cdef Py_ssize_t nw = (n + 63) >> 6, nb = (n + 7) >> 3, i, q = offset >> 3, count = 0
    cdef Py_ssize_t size = (offset + n + 7) >> 3
    cdef int s = offset & 7
    cdef uint8_t* bytes_out = <uint8_t*>out
    memset(out, 0, 8 * nw)
    if src == NULL:
        memset(out, 0xFF, nb)
    elif s == 0:
        memcpy(out, src + q, nb)
    else:
        for i in range(nb):
            bytes_out[i] = ((<uint8_t>src[q + i] >> s)
                            | ((<uint8_t>src[q + i + 1] << (8 - s)) if q + i + 1 < size else 0))
    if n & 63:
        out[nw - 1] &= (1ULL << (n & 63)) - 1
    for i in range(nw):
        count += _popcount(out[i])
    return count


cdef void _expand(const uint64_t* bitmap, Py_ssize_t nw, Py_ssize_t* rows) noexcept nogil:
    """The indices of the bits set, in order."""
    cdef Py_ssize_t w, k = 0
    cdef uint64_t bits
    for w in range(nw):
        bits = bitmap[w]
        while bits:
            rows[k] = (w << 6) + __builtin_ctzll(bits)
            k += 1
            bits &= bits - 1


cdef struct Rank:
    const uint8_t* bitmap
    const uint32_t* before
    const double* values
    Py_ssize_t count


cdef inline double _at(const Rank* k, Py_ssize_t r) noexcept nogil:
    """A sparse column's value at row ``r`` (its ``values`` in the order of its rows, set in
    ``bitmap``), NaN when it has none there: the rows before ``r`` are the count before its
    byte plus the bits set below it in the byte."""
    if k.count == 0:
        return NAN
    cdef uint8_t b = k.bitmap[r >> 3]
    cdef int bit = r & 7
    cdef Py_ssize_t i = k.before[r >> 3] + BIT_COUNT[b & ((1 << bit) - 1)]
    cdef double found = k.values[i if i < k.count else k.count - 1]
    return found if (b >> bit) & 1 else NAN


@cython.final
cdef class Ranks:
    """The rows of a sparse column (as a bitmap with the count of rows before each byte), so
    that its value at any row is found in constant time without walking two lists in step."""

    cdef uint8_t[::1] bitmap
    cdef uint32_t[::1] before
    cdef const double[::1] values
    cdef Py_ssize_t count
    cdef readonly Py_ssize_t n  # rows of the morsel

    def __init__(self, const Py_ssize_t[::1] rows, const double[::1] values, Py_ssize_t n):
        cdef Py_ssize_t nb = (n + 7) >> 3, i, r
        cdef uint32_t total = 0
        cdef bint outside = 0
        assert rows.shape[0] == values.shape[0]
        self.bitmap = np.zeros(nb, np.uint8)
        self.before = np.empty(nb, np.uint32)
        self.values = values
        self.count = rows.shape[0]
        self.n = n
        with nogil:
            for i in range(self.count):
                r = rows[i]
                if r < 0 or r >= n:
                    outside = 1
                    break
                self.bitmap[r >> 3] |= 1 << (r & 7)
        if outside:
            raise IndexError("a row outside the morsel")
        with nogil:
            for i in range(nb):
                self.before[i] = total
                total += BIT_COUNT[self.bitmap[i]]

    cdef Rank rank(self) noexcept:
        cdef Rank out
        out.count = self.count
        out.bitmap = &self.bitmap[0] if self.bitmap.shape[0] else NULL
        out.before = &self.before[0] if self.before.shape[0] else NULL
        out.values = &self.values[0] if self.count else NULL
        return out

    def __call__(self, const Py_ssize_t[::1] rows):
        """The values at ``rows`` (NaN where none)."""
        out_arr = np.empty(rows.shape[0], np.float64)
        cdef double[::1] out = out_arr
        cdef Py_ssize_t i
        cdef Rank k = self.rank()
        for i in range(rows.shape[0]):
            if rows[i] < 0 or rows[i] >= self.n:
                raise IndexError("a row outside the morsel")
        with nogil:
            for i in range(rows.shape[0]):
                out[i] = _at(&k, rows[i])
        return out_arr


cdef inline void _loop(const Rules* R, Py_ssize_t m, const Py_ssize_t* rows, const double* data,
                       const char* views, const signed char* unit_valid, Py_ssize_t unit_offset,
                       const Rank* albumin, const uint8_t* marker_a, const uint8_t* marker_b,
                       double* value, uint8_t* unit, double* si, uint8_t* status, uint8_t* full,
                       const bint read, const bint match, const bint judged,
                       const bint corrected, const bint upgrade) noexcept nogil:
    """The loop of ``TestKernel.run`` and ``judge``: with ``read`` the value of each row is
    read in ``data`` (the value column), else in ``value``; with ``match`` its unit is matched
    in ``views`` (``unit_valid``: NULL when none is null), else read in ``unit`` (``run``
    without a unit column: NONE). The flags are constants where ``_rows`` calls it, so that
    the compiler writes one loop per case without the tests of the others."""
    cdef Py_ssize_t i, r, p, ahead
    cdef uint64_t low, high, h, mul = R.mul
    cdef uint8_t u, st, found
    cdef double v, s, x, a
    cdef bint raised
    for i in range(m):
        r = rows[i]
        if read:
            if i + AHEAD < m:
                ahead = rows[i + AHEAD]
                __builtin_prefetch(data + ahead, 0, 3)
                if match:
                    __builtin_prefetch(views + 16 * (unit_offset + ahead), 0, 3)
            v = data[r]
            value[i] = v
        else:
            v = value[i]
        if match:
            p = unit_offset + r
            memcpy(&low, views + 16 * p, 8)
            memcpy(&high, views + 16 * p + 8, 8)
            h = _hash(low, high, mul)
            u = R.slot_code[h] if (low == R.slot[h][0]) & (high == R.slot[h][1]) else C_ODD
            if unit_valid != NULL:
                u = u if (<uint8_t>unit_valid[p >> 3] >> (p & 7)) & 1 else C_NONE
            unit[i] = u
        elif read:
            u = C_NONE
            unit[i] = u
        else:
            u = unit[i]
        s = v * R.factor[u]
        si[i] = s
        if not judged:
            continue
        x = v if R.raw[u] else s
        st = R.named[u][(x >= R.cut[u][0]) + (x >= R.cut[u][1]) + (x >= R.cut[u][2])]
        if corrected:
            a = _at(albumin, r)
            x = s + R.slope * (R.reference - a)
            found = R.si_named[(x >= R.si_cut[0]) + (x >= R.si_cut[1]) + (x >= R.si_cut[2])]
            st = st if isnan(a) else found
            st = st if u < C_ODD else C_NONE
        st = st if fabs(v) < INFINITY else C_NONE
        if upgrade:
            raised = 0
            if marker_a != NULL:
                raised = marker_a[r] == R.raised
            if marker_b != NULL:
                raised = raised | (marker_b[r] == R.raised)
            raised = raised & ((st == R.eligible) | ((st == R.below) & (s <= R.edge)))
            st = R.to if raised else st
        status[i] = st
        full[r] = st


cdef void _rows(const Rules* R, Py_ssize_t m, const Py_ssize_t* rows, const double* data,
                const char* views, const signed char* unit_valid, Py_ssize_t unit_offset,
                const Rank* albumin, const uint8_t* marker_a, const uint8_t* marker_b,
                double* value, uint8_t* unit, double* si, uint8_t* status,
                uint8_t* full) noexcept nogil:
    """``_loop`` for the case at hand: the value read in ``data`` unless NULL, the unit
    matched in ``views`` unless NULL, and the test's kind of status."""
    cdef bint read = data != NULL, match = views != NULL
    cdef bint judged = R.judged, corrected = R.corrected, upgrade = R.upgrade
    if read and match and judged and not corrected and not upgrade:
        _loop(R, m, rows, data, views, unit_valid, unit_offset, albumin, marker_a, marker_b,
              value, unit, si, status, full, 1, 1, 1, 0, 0)
    elif read and match and not judged:
        _loop(R, m, rows, data, views, unit_valid, unit_offset, albumin, marker_a, marker_b,
              value, unit, si, status, full, 1, 1, 0, 0, 0)
    elif read and match and judged and corrected and not upgrade:
        _loop(R, m, rows, data, views, unit_valid, unit_offset, albumin, marker_a, marker_b,
              value, unit, si, status, full, 1, 1, 1, 1, 0)
    elif read and match and judged and upgrade and not corrected:
        _loop(R, m, rows, data, views, unit_valid, unit_offset, albumin, marker_a, marker_b,
              value, unit, si, status, full, 1, 1, 1, 0, 1)
    else:  # rarer: no unit column, units read as text (``judge``), both albumin and markers
        _loop(R, m, rows, data, views, unit_valid, unit_offset, albumin, marker_a, marker_b,
              value, unit, si, status, full, read, match, judged, corrected, upgrade)


cdef class TestKernel:
    """One test's rules as plain C numbers, built once per run; ``run`` reads a morsel's
    columns of the test, ``judge`` redoes the SI values and statuses from units the caller
    read itself."""

    cdef Rules R

    def __init__(self, words, codes, factors, bands, albumin, upgrade, bint judged):
        """``words``: (low, high) string views of the usual spellings (at most 16), ``codes``
        their unit index; ``factors`` to SI by unit index; ``bands``: (three 'at or above'
        cut-offs, the unit index they apply to or -1 for the SI value, the status per number
        of cut-offs reached) each, in turn, the last that applies winning; ``albumin``:
        (slope, reference) for the first band (SI), or None; ``upgrade``: (raised, eligible,
        below, edge, to) or None."""
        cdef int i, j, u
        cdef uint64_t mul = 0, seed = 0
        words, codes = list(words), list(codes)
        assert len(words) == len(codes) <= C_MAX_WORDS
        assert len(factors) < C_ODD
        while True:  # a multiplier under which the spellings fall in distinct slots
            seed += 1
            mul = (seed * 0x9E3779B97F4A7C15ULL) | 1
            if len({_hash(low, high, mul) for low, high in words}) == len(words):
                break
        self.R.mul = mul
        for i in range(SLOTS):
            self.R.slot[i][0] = self.R.slot[i][1] = ~(<uint64_t>0)  # length 2^32 - 1: no view
            self.R.slot_code[i] = C_ODD
        for (low, high), code in zip(words, codes):
            i = _hash(low, high, mul)
            self.R.slot[i][0], self.R.slot[i][1], self.R.slot_code[i] = low, high, code
        self.R.judged = judged
        for u in range(256):
            self.R.factor[u] = factors[u] if u < len(factors) else NAN
            self.R.cut[u][0] = self.R.cut[u][1] = self.R.cut[u][2] = NAN
            self.R.raw[u] = 0
            for j in range(4):
                self.R.named[u][j] = C_NONE
        for cuts, scale, named in bands:
            assert len(cuts) == 3 and len(named) == 4 and -1 <= scale < len(factors)
            for u in (range(len(factors)) if scale == -1 else [scale]):
                for j in range(3):
                    self.R.cut[u][j] = cuts[j]
                for j in range(4):
                    self.R.named[u][j] = named[j]
                self.R.raw[u] = scale != -1
        self.R.corrected = albumin is not None
        if albumin is not None:
            assert bands and bands[0][1] == -1, "albumin corrects with the SI cut-offs"
            for j in range(3):
                self.R.si_cut[j] = bands[0][0][j]
            for j in range(4):
                self.R.si_named[j] = bands[0][2][j]
            self.R.slope, self.R.reference = albumin
        self.R.upgrade = upgrade is not None
        if upgrade is not None:
            self.R.raised, self.R.eligible, self.R.below, self.R.edge, self.R.to = upgrade

    def run(self, Frame values, Py_ssize_t value_at, Frame units, Py_ssize_t unit_at,
            Ranks albumin, const uint8_t[::1] marker_a, const uint8_t[::1] marker_b):
        """The test's columns in one morsel: the rows with a value, the values, their unit
        index (ODD: given but to be read as text by the caller), the SI values, the statuses
        and the status of every row (NONE where none; both None when the test has no status),
        and the number of ODD units.

        ``values``, ``value_at``: the Float64 column (a frame and its position there);
        ``units``, ``unit_at``: the unit column as string views (``units`` None when the input
        has none); ``albumin``: the albumin SI values (when corrected); ``marker_*``: the B12
        markers' statuses of every row (empty when absent)."""
        cdef Py_ssize_t n = values.n
        status_arr = full_arr = None
        if self.R.judged:
            status_arr, full_arr = np.empty(0, np.uint8), np.empty(n, np.uint8)
        if n == 0:  # an empty frame exports no columns' buffers
            empty = np.empty(0)
            return (np.empty(0, np.intp), empty, np.empty(0, np.uint8), empty.copy(), status_arr,
                    full_arr, 0)
        assert 0 <= value_at < len(values.positions)
        cdef const Arrow* v = &values.columns[value_at]
        assert v.kind == FLOAT64 and v.length == n, "values must be Float64"
        cdef const Arrow* w = NULL
        if units is not None:
            assert 0 <= unit_at < len(units.positions)
            w = &units.columns[unit_at]
            assert w.kind == VIEW and w.length == n, "units must be string views"
        cdef Py_ssize_t nw = (n + 63) >> 6
        assert not self.R.corrected or albumin is not None and albumin.n == n
        assert marker_a.shape[0] in (0, n) and marker_b.shape[0] in (0, n)
        cdef Py_ssize_t value_offset = v.offset
        cdef const signed char* valid = <const signed char*>v.valid
        cdef const double* data = <const double*>v.data
        cdef const signed char* uvalid = NULL
        cdef const char* uviews = NULL
        cdef Py_ssize_t unit_offset = 0
        if w != NULL:
            uvalid = <const signed char*>w.valid
            uviews = <const char*>w.data
            unit_offset = w.offset
        assert n == 0 or data != NULL and (w == NULL or uviews != NULL)
        bitmap_arr = np.empty(max(nw, 1), np.uint64)
        cdef uint64_t[::1] bitmap = bitmap_arr
        cdef Py_ssize_t count
        with nogil:
            count = _aligned(valid, value_offset, n, &bitmap[0])
        rows_arr = np.empty(count, np.intp)
        value_arr = np.empty(count, np.float64)
        unit_arr = np.empty(count, np.uint8)
        si_arr = np.empty(count, np.float64)
        status_arr = full_arr = None
        if self.R.judged:
            status_arr = np.empty(count, np.uint8)
            full_arr = np.full(n, C_NONE, np.uint8)
        if not count:
            return rows_arr, value_arr, unit_arr, si_arr, status_arr, full_arr, 0
        cdef Py_ssize_t[::1] rows = rows_arr
        cdef double[::1] value = value_arr, si = si_arr
        cdef uint8_t[::1] unit = unit_arr
        cdef uint8_t[::1] status, full
        cdef uint8_t* status_p = NULL
        cdef uint8_t* full_p = NULL
        if self.R.judged:
            status, full = status_arr, full_arr
            status_p, full_p = &status[0], &full[0]
        cdef const uint8_t* ma = &marker_a[0] if marker_a.shape[0] else NULL
        cdef const uint8_t* mb = &marker_b[0] if marker_b.shape[0] else NULL
        cdef Py_ssize_t i, odd = 0
        cdef Rank alb
        if self.R.corrected:
            alb = albumin.rank()
        with nogil:
            _expand(&bitmap[0], nw, &rows[0])
            _rows(&self.R, count, &rows[0], data + value_offset, uviews, uvalid, unit_offset,
                  &alb, ma, mb, &value[0], &unit[0], &si[0], status_p, full_p)
            if uviews != NULL:
                for i in range(count):
                    odd += unit[i] == C_ODD
        return rows_arr, value_arr, unit_arr, si_arr, status_arr, full_arr, odd

    def judge(self, Py_ssize_t n, const Py_ssize_t[::1] rows, const double[::1] value,
              const uint8_t[::1] unit, Ranks albumin, const uint8_t[::1] marker_a,
              const uint8_t[::1] marker_b):
        """The SI values, statuses and status of every row (as ``run``) from the units given."""
        cdef Py_ssize_t m = rows.shape[0], i
        assert value.shape[0] == m and unit.shape[0] == m
        assert not self.R.corrected or albumin is not None and albumin.n == n
        assert marker_a.shape[0] in (0, n) and marker_b.shape[0] in (0, n)
        with nogil:
            for i in range(m):
                if rows[i] < 0 or rows[i] >= n:
                    with gil:
                        raise IndexError("a row outside the morsel")
        si_arr = np.empty(m, np.float64)
        status_arr = full_arr = None
        cdef uint8_t[::1] status, full
        cdef uint8_t* status_p = NULL
        cdef uint8_t* full_p = NULL
        if self.R.judged:
            status_arr = np.empty(m, np.uint8)
            full_arr = np.full(n, C_NONE, np.uint8)
            status, full = status_arr, full_arr
            status_p, full_p = &status[0] if m else NULL, &full[0] if n else NULL
        if not m:
            return si_arr, status_arr, full_arr
        cdef double[::1] si = si_arr
        cdef const uint8_t* ma = &marker_a[0] if marker_a.shape[0] else NULL
        cdef const uint8_t* mb = &marker_b[0] if marker_b.shape[0] else NULL
        cdef Rank alb
        if self.R.corrected:
            alb = albumin.rank()
        with nogil:
            _rows(&self.R, m, &rows[0], NULL, NULL, NULL, 0, &alb, ma, mb, <double*>&value[0],
                  <uint8_t*>&unit[0], &si[0], status_p, full_p)  # only read without data
        return si_arr, status_arr, full_arr


def primary_codes(Py_ssize_t n, list found, uint8_t yields, const uint8_t[::1] wins,
                  uint8_t empty):
    """``labs.primary_for`` for every row: ``found`` holds per test given, in the order of
    preference, (its rows, their statuses, the status of every row, its index); the first
    test given wins, except that a first one with status ``yields`` gives way to a second one
    whose status is set in ``wins`` (256 entries); ``empty`` and NONE when none was given."""
    status_arr = np.full(n, empty, np.uint8)
    primary_arr = np.full(n, C_NONE, np.uint8)
    cdef uint8_t[::1] status = status_arr, primary = primary_arr
    cdef const Py_ssize_t[::1] rows
    cdef const uint8_t[::1] given, other
    cdef uint8_t which, a
    cdef bint use, rival
    cdef Py_ssize_t i, r, k
    assert wins.shape[0] == 256
    for k in reversed(range(len(found))):
        rows, given, _, which = found[k]
        rival = k == 0 and len(found) > 1
        other = found[1][2] if rival else given
        assert rows.shape[0] == given.shape[0] and other.shape[0] >= (n if rival else 0)
        with nogil:
            for i in range(rows.shape[0]):
                r = rows[i]
                if r < 0 or r >= n:
                    with gil:
                        raise IndexError("a row outside the morsel")
                a = given[i]
                use = a != C_NONE
                if rival:
                    use = use & ((a != yields) | (wins[other[r]] == 0))
                status[r] = a if use else status[r]
                primary[r] = which if use else primary[r]
    return status_arr, primary_arr
