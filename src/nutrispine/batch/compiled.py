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
