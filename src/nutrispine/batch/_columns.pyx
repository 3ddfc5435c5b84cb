# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled loops shared by the batch rules: reading Arrow bitmaps and sparse number columns."""

from libc.stdint cimport uint8_t, int64_t


def set_rows(const uint8_t[::1] valid, const double[::1] values, Py_ssize_t n):
    """The rows whose bit is set in ``valid`` (an Arrow bitmap of ``n`` rows), in order, and
    their ``values``: one pass over the bitmap, the GIL released."""
    import numpy as np
    cdef Py_ssize_t count = 0, i, r, k = 0
    with nogil:
        for r in range(n):
            count += (valid[r >> 3] >> (r & 7)) & 1
    rows_arr = np.empty(count, np.intp)
    out_arr = np.empty(count, np.float64)
    cdef Py_ssize_t[::1] rows = rows_arr
    cdef double[::1] out = out_arr
    with nogil:
        for r in range(n):
            if (valid[r >> 3] >> (r & 7)) & 1:
                rows[k] = r
                out[k] = values[r]
                k += 1
    return rows_arr, out_arr
