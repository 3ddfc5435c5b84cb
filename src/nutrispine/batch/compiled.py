"""The batch rules' innermost loops, compiled with Numba and run without Python's GIL.

Why: NumPy over whole columns makes a pass over memory per operation and holds the GIL between
operations, so two morsels screened at once share one core for much of the time. A loop compiled
here visits each row once, keeps its intermediate values in registers, and releases the GIL, so
the streaming engine's threads screen their morsels truly in parallel. Compiled code is cached
on disk (``cache=True``): the first run in a fresh install compiles it once.

Only loops live here; what they compute (tables, cut-offs) is built from the knowledge base by
the rule modules that call them.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

jit: Any = numba.njit(nogil=True, cache=True, error_model="numpy")

# Four signed 16-bit lanes in one 64-bit word: the lane-wise sum (each lane modulo 2**16, no
# carry between lanes), SWAR addition as in Hacker's Delight 2-18.
_HIGH = np.uint64(0x8000800080008000)
_LOW = np.uint64(0x7FFF7FFF7FFF7FFF)


@numba.njit(nogil=True, cache=True, inline="always")
def add_lanes(a: np.uint64, b: np.uint64) -> np.uint64:
    return ((a & _LOW) + (b & _LOW)) ^ ((a ^ b) & _HIGH)


@numba.njit(nogil=True, cache=True, inline="always")
def _signed_lane(word: np.uint64, lane: int) -> int:
    """Lane ``lane`` (0 to 3) of a packed word as a signed integer."""
    v = np.int64((word >> np.uint64(16 * lane)) & np.uint64(0xFFFF))
    return (v ^ 0x8000) - 0x8000


@numba.njit(nogil=True, cache=True, inline="always")
def _transpose8(x: np.uint64) -> np.uint64:
    """An 8 x 8 bit matrix (byte j: bit i is row i of answer j) transposed, so that byte i holds
    row i's eight answers (Hacker's Delight 7-3)."""
    t = (x ^ (x >> np.uint64(7))) & np.uint64(0x00AA00AA00AA00AA)
    x ^= t ^ (t << np.uint64(7))
    t = (x ^ (x >> np.uint64(14))) & np.uint64(0x0000CCCC0000CCCC)
    x ^= t ^ (t << np.uint64(14))
    t = (x ^ (x >> np.uint64(28))) & np.uint64(0x00000000F0F0F0F0)
    x ^= t ^ (t << np.uint64(28))
    return x


@numba.njit(nogil=True, cache=True, inline="always")
def _group_sums(bits: np.ndarray, tables: np.ndarray, b: int, acc: np.ndarray) -> None:
    """The packed sums of the eight rows of block ``b`` into ``acc``: each group of eight
    answers is one key per row, which reads the group's table of packed sums."""
    acc[:] = 0
    for g in range(tables.shape[0]):
        x = np.uint64(0)
        for j in range(8):
            x |= np.uint64(bits[8 * g + j, b]) << np.uint64(8 * j)
        x = _transpose8(x)
        table = tables[g]
        for i in range(8):
            acc[i] = add_lanes(acc[i], table[(x >> np.uint64(8 * i)) & np.uint64(0xFF)])


@jit
def fixed_log_odds(interval: np.ndarray, prior: np.ndarray, odds_bits: np.ndarray,
                   odds_tables: np.ndarray, symptom_bits: np.ndarray, symptom_tables: np.ndarray,
                   symptom_cap: int, lab_keys: np.ndarray, lab_tables: np.ndarray,
                   out: np.ndarray) -> None:
    """Every row's log-odds in fixed point, ``out`` (rows x 4 nutrients, int16): the prior by age
    interval, plus the answers' sums, plus the symptoms' sum capped at ``symptom_cap``, plus the
    lab's term (``lab_tables[nutrient, lab_keys[nutrient, row]]``; a nutrient without a lab term
    has a table of zeros).

    ``*_bits``: one bitmap per answer (rows of bytes, Arrow's bit order, zero past the last row),
    in groups of eight (padded with empty bitmaps); ``*_tables``: per group, the packed sums of
    the answers of each of its 256 keys."""
    n = out.shape[0]
    odds = np.zeros(8, np.uint64)
    symptoms = np.zeros(8, np.uint64)
    for b in range((n + 7) // 8):
        _group_sums(odds_bits, odds_tables, b, odds)
        _group_sums(symptom_bits, symptom_tables, b, symptoms)
        for i in range(min(8, n - 8 * b)):
            r = 8 * b + i
            word = add_lanes(odds[i], prior[interval[r]])
            for lane in range(4):
                capped = min(_signed_lane(symptoms[i], lane), symptom_cap)
                out[r, lane] = (_signed_lane(word, lane) + capped
                                + lab_tables[lane, lab_keys[lane, r]])


@jit
def fixed_levels(log_odds: np.ndarray, bands: np.ndarray, lab_keys: np.ndarray,
                 floor_level: np.ndarray, cap_level: np.ndarray, level: np.ndarray,
                 unsure: np.ndarray) -> None:
    """Each row's level per nutrient (``level``, nutrients x rows) from its fixed-point
    log-odds, raised to the lab's floor and lowered to its cap; ``unsure`` marks the rows with a
    log-odds inside a band around a threshold (``bands``: low and high bound of the moderate
    band, then of the high band, both exclusive), whose level the caller decides in doubles."""
    low_m, high_m, low_h, high_h = bands[0], bands[1], bands[2], bands[3]
    for r in range(log_odds.shape[0]):
        doubt = False
        for lane in range(4):
            x = log_odds[r, lane]
            v = np.uint8(x >= high_m) + np.uint8(x >= high_h)
            doubt |= ((x > low_m) & (x < high_m)) | ((x > low_h) & (x < high_h))
            key = lab_keys[lane, r]
            v = max(v, floor_level[lane, key])
            level[lane, r] = min(v, cap_level[lane, key])
        unsure[r] = doubt


@jit
def exact_log_odds(rows: np.ndarray, interval: np.ndarray, prior: np.ndarray,
                   odds_bits: np.ndarray, odds_tables: np.ndarray, symptom_bits: np.ndarray,
                   symptom_tables: np.ndarray, symptom_cap: float, lab_keys: np.ndarray,
                   lab_tables: np.ndarray, out: np.ndarray) -> None:
    """``fixed_log_odds`` in doubles for the given rows (``out``: len(rows) x 4), the terms
    added in the same order: prior, each group of answers, the capped symptoms, the lab."""
    for k in range(rows.shape[0]):
        r = rows[k]
        byte, bit = r >> 3, r & 7
        for lane in range(4):
            out[k, lane] = prior[interval[r], lane]
        for g in range(odds_tables.shape[0]):
            key = 0
            for j in range(8):
                key |= ((odds_bits[8 * g + j, byte] >> bit) & 1) << j
            for lane in range(4):
                out[k, lane] += odds_tables[g, key, lane]
        for lane in range(4):
            symptoms = 0.0
            for g in range(symptom_tables.shape[0]):
                key = 0
                for j in range(8):
                    key |= ((symptom_bits[8 * g + j, byte] >> bit) & 1) << j
                symptoms += symptom_tables[g, key, lane]
            out[k, lane] += min(symptoms, symptom_cap)
            out[k, lane] += lab_tables[lane, lab_keys[lane, r]]


# --- lab kernels ---

# The lab columns are sparse (a value for some rows only) and read where they lie, at those rows:
# memory, not arithmetic, sets the pace. So the loops below branch only on what is the same for
# every row (a branch on a row's data would be mispredicted for random data, and stalls the
# reads in flight), and keep each loop simple enough for LLVM to run several rows per
# instruction.

NONE = 255  # no code: a unit not recognised, a test not done (``labs.NONE``)
# per byte value: the number of bits set, and the indices of the bits set (then zeros)
_BIT_COUNT = np.array([bin(b).count("1") for b in range(256)], np.intp)
_BIT_INDEX = np.array([[j for j in range(8) if b >> j & 1] + [0] * (8 - bin(b).count("1"))
                       for b in range(256)], np.intp)


@jit
def set_rows(valid: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose bit is set in ``valid`` (an Arrow bitmap of ``n`` rows; bits past the last
    row are ignored), in order, and their ``values``. Each byte writes eight rows (its set ones
    first; the others are overwritten by the next byte) and moves on by its number of set bits;
    only the last few, with no room for eight, write their set rows alone."""
    size = (n + 7) // 8
    tail = (1 << (n % 8)) - 1 if n % 8 else 0xFF
    count = 0
    for i in range(size):
        count += _BIT_COUNT[valid[i] & (tail if i == size - 1 else 0xFF)]
    rows = np.empty(count, np.intp)
    out = np.empty(count, values.dtype)
    # positions as unsigned integers: no test for negative indices at every access
    k, room = np.uintp(0), np.uintp(max(count - 8, -1) + 1)
    for i in range(size):
        b = valid[i] & (tail if i == size - 1 else 0xFF)
        base = np.uintp(8 * i)
        for j in range(8 if k < room else _BIT_COUNT[b]):
            r = base + np.uintp(_BIT_INDEX[b, j])
            rows[k + np.uintp(j)] = r
            out[k + np.uintp(j)] = values[r]
        k += np.uintp(_BIT_COUNT[b])
    return rows, out


@jit
def unit_codes(rows: np.ndarray, values: np.ndarray, views: np.ndarray, valid: np.ndarray,
               words: np.ndarray, codes: np.ndarray, factors: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row with a value (``rows``, ``values``): the code of its unit, ``codes[j]`` when the
    unit's Arrow string view (two words) is ``words[j]``, ``NONE`` when it is none of them or
    missing, and the value times ``factors[code]``; and the positions (in ``rows``) of the units
    given that are none of ``words``, for the caller to read as text. ``views``, ``valid``: the
    whole unit column (its views unread when there are no words).

    Three passes: the views at the rows (the reads from memory, in a loop that does nothing
    else), one comparison per word over them, then validity and factors."""
    m = rows.shape[0]
    unit = np.full(m, NONE, np.uint8)
    if codes.shape[0]:
        low = np.empty(m, np.uint64)
        high = np.empty(m, np.uint64)
        for i in range(m):
            r = rows[i]
            low[i] = views[r, 0]
            high[i] = views[r, 1]
        for j in range(codes.shape[0]):
            a, b, code = words[j, 0], words[j, 1], codes[j]
            for i in range(m):
                unit[i] = code if (low[i] == a) & (high[i] == b) else unit[i]
    si = np.empty(m, np.float64)
    odd = 0
    for i in range(m):
        r = rows[i]
        given = ((valid[r >> 3] >> (r & 7)) & 1) == 1
        u = unit[i]
        u = u if given else NONE
        unit[i] = u
        si[i] = values[i] * factors[u]
        odd += given & (u == NONE)
    positions = np.empty(odd, np.intp)
    k = 0
    for i in range(m if odd else 0):
        r = rows[i]
        if (valid[r >> 3] >> (r & 7)) & 1 and unit[i] == NONE:
            positions[k] = i
            k += 1
    return unit, si, positions


@numba.njit(nogil=True, cache=True, inline="always")
def _band(x: float, cuts: tuple[float, float, float], named: tuple[int, int, int, int]) -> int:
    """``named`` at the number of ``cuts`` that ``x`` is at or above (NaN: none). Both are
    tuples of numbers held in registers: arrays would be read again for every row."""
    k = (x >= cuts[0]) + (x >= cuts[1]) + (x >= cuts[2])
    return named[0] if k == 0 else named[1] if k == 1 else named[2] if k == 2 else named[3]


@numba.njit(nogil=True, cache=True, inline="always")
def _row(cuts: np.ndarray, named: np.ndarray, b: int
         ) -> tuple[tuple[float, float, float], tuple[int, int, int, int]]:
    """Band ``b``'s cut-offs and status codes as tuples, for ``_band``."""
    return ((cuts[b, 0], cuts[b, 1], cuts[b, 2]),
            (named[b, 0], named[b, 1], named[b, 2], named[b, 3]))


@jit
def lab_status(value: np.ndarray, unit: np.ndarray, si: np.ndarray, cuts: np.ndarray,
               scale: np.ndarray, named: np.ndarray, albumin: np.ndarray, slope: float,
               reference: float) -> np.ndarray:
    """Each result's status code: ``NONE`` without a unit or a finite value; else per band in
    turn (the last that applies wins) ``named[band, cut-offs reached]`` (``cuts``: three per
    band), a band applying to the SI value (``scale`` -1) or to the value when given in unit
    ``scale``; then, where ``albumin`` (SI, per result; empty when not corrected) is not NaN,
    band 0 on the SI value corrected by ``slope * (reference - albumin)``."""
    m = value.shape[0]
    out = np.full(m, NONE, np.uint8)
    for b in range(scale.shape[0]):
        c, names = _row(cuts, named, b)
        only = scale[b]
        if only < 0:
            for i in range(m):
                out[i] = _band(si[i], c, names)
        else:
            for i in range(m):
                found = _band(value[i], c, names)
                out[i] = found if unit[i] == only else out[i]
    if albumin.shape[0]:
        c, names = _row(cuts, named, 0)
        for i in range(m):
            a = albumin[i]
            found = _band(si[i] + slope * (reference - a), c, names)
            out[i] = out[i] if np.isnan(a) else found
    for i in range(m):
        out[i] = out[i] if (unit[i] != NONE) & (np.abs(value[i]) < np.inf) else NONE
    return out


@jit
def sparse_at(valid: np.ndarray, values: np.ndarray, wanted: np.ndarray, empty: float
              ) -> np.ndarray:
    """A sparse column's value at each of the rows ``wanted``, ``empty`` where it has none. Its
    value at row r is ``values[k]``, k the number of bits set before r in ``valid`` (the order
    of ``set_rows``): the counts before each byte are summed first, so that each wanted row is
    found on its own, without walking two lists of rows in step."""
    before = np.empty(valid.shape[0], np.intp)
    total = 0
    for i in range(valid.shape[0]):
        before[i] = total
        total += _BIT_COUNT[valid[i]]
    out = np.full(wanted.shape[0], empty, values.dtype)
    last = values.shape[0] - 1
    for i in range(wanted.shape[0] if last >= 0 else 0):
        r = wanted[i]
        byte, bit = np.intp(valid[r >> 3]), r & 7
        found = values[min(before[r >> 3] + _BIT_COUNT[byte & ((1 << bit) - 1)], last)]
        out[i] = found if (byte >> bit) & 1 else empty
    return out


@jit
def scatter_codes(rows: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """``codes`` (uint8, one per row of ``rows``) at their rows of ``n``, ``NONE`` elsewhere."""
    out = np.full(n, NONE, np.uint8)
    for i in range(rows.shape[0]):
        out[rows[i]] = codes[i]
    return out


@jit
def upgrade_codes(rows: np.ndarray, status: np.ndarray, si: np.ndarray, marker: np.ndarray,
                  raised: int, eligible: int, below: int, edge: float, to: int) -> None:
    """In place: ``status`` (one per row of ``rows``) becomes ``to`` where the ``marker`` status
    (of every row) is ``raised`` and the status is ``eligible``, or ``below`` with an SI value
    at most ``edge`` (never when NaN)."""
    for i in range(rows.shape[0]):
        s = status[i]
        up = (marker[rows[i]] == raised) & ((s == eligible) | ((s == below) & (si[i] <= edge)))
        status[i] = to if up else s


@jit
def primary_codes(first: np.ndarray, second: np.ndarray, which: np.ndarray, yields: int,
                  wins: np.ndarray, empty: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the status of the first test given and ``which[0]``, or of the second and
    ``which[1]``; the first yields to a second one in ``wins`` (a 256-entry table) when it is
    ``yields``; ``empty`` and ``NONE`` when neither is given. ``second`` is empty when there is
    only one test."""
    n = first.shape[0]
    status = np.empty(n, np.uint8)
    primary = np.empty(n, np.uint8)
    one, two = which[0], which[1]
    if second.shape[0] == 0:
        for r in range(n):
            a = first[r]
            status[r] = a if a != NONE else empty
            primary[r] = one if a != NONE else NONE
        return status, primary
    for r in range(n):
        a, b = first[r], second[r]
        use_a = (a != NONE) & ~((a == yields) & wins[b])
        use_b = b != NONE
        status[r] = a if use_a else b if use_b else empty
        primary[r] = one if use_a else two if use_b else NONE
    return status, primary
