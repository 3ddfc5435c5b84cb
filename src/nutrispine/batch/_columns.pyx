# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled loops shared by the batch rules: reading Arrow bitmaps and sparse number columns."""

import numpy as np

from libc.stdint cimport uint8_t


def set_rows(const uint8_t[::1] valid, const double[::1] values, Py_ssize_t n):
    """The rows whose bit is set in ``valid`` (an Arrow bitmap of ``n`` rows, from the first
    row), in order, and their ``values``: two passes over the bitmap, skipping empty bytes,
    without the GIL."""
    cdef Py_ssize_t count = 0, i, j, r, k = 0, size = (n + 7) // 8
    cdef uint8_t byte
    assert valid.shape[0] >= size and values.shape[0] >= n
    with nogil:
        for i in range(size):
            byte = valid[i]
            if i == size - 1 and n % 8:
                byte &= (1 << (n % 8)) - 1
            count += BIT_COUNT[byte]
    rows_array = np.empty(count + 8, np.intp)  # room for the last byte's eight writes
    out_array = np.empty(count + 8, np.float64)
    cdef Py_ssize_t[::1] rows = rows_array
    cdef double[::1] out = out_array
    cdef Py_ssize_t base
    with nogil:
        for i in range(size):
            byte = valid[i]
            if i == size - 1 and n % 8:
                byte &= (1 << (n % 8)) - 1
            if not byte:
                continue
            base = 8 * i
            for j in range(8):  # every place written, the set ones first: no branch per bit
                r = base + BIT_INDEX[byte][j]
                rows[k + j] = r
                out[k + j] = values[r]
            k += BIT_COUNT[byte]
    return rows_array[:count], out_array[:count]


cdef uint8_t BIT_COUNT[256]
cdef uint8_t BIT_INDEX[256][8]


cdef void _tables() noexcept:
    """Per byte value: the number of bits set, and their indices (then the last index again,
    which stays inside the byte's eight rows)."""
    cdef int b, j, k
    for b in range(256):
        k = 0
        for j in range(8):
            if b >> j & 1:
                BIT_INDEX[b][k] = j
                k += 1
        BIT_COUNT[b] = k
        for j in range(k, 8):
            BIT_INDEX[b][j] = BIT_INDEX[b][k - 1] if k else 0


_tables()
