# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled loops of the batch problem checks, the triage rules and the person columns.

Why: a check or a rule is a few ANDs and ORs of yes/no answers (bitmaps, eight rows to a
byte) and comparisons of numbers with limits; as NumPy calls each is a pass over memory and a
Python call, hundreds per morsel. Here a ``Program``, built once per run from the Python data
(``prepare.RANGES``, the knowledge base), lists them as formulas: a formula is an AND of
clauses, a clause an OR of literals, a literal a bitmap (or its complement), a comparison of a
number column (rows with a value only), of the values of a sparse column (lab results,
supplements: their rows with a value) or of a column of small codes. One call per morsel
evaluates every formula, 64 rows to a machine word, with the GIL released; a clause is only
evaluated on the rows the clauses before it left, so a rare condition costs one pass over its
bitmap, and a sparse column is only compared value by value when its smallest and largest
value say that some row may fail.

The innermost loops over 64 numbers, bytes or string views are C with SIMD intrinsics: SSE2
(every x86-64 processor has it; other processors get plain loops), and AVX2 copies chosen at
run time, since the build gives no flags under which the compiler would vectorise comparisons
of doubles, and Cython cannot mark a function for another instruction set.
"""

from cpython.buffer cimport PyBUF_C_CONTIGUOUS, PyBuffer_Release, PyObject_GetBuffer
from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset

from nutrispine.batch._arrow cimport BOOLEAN, Column, Frame

import numpy as np

cdef extern from *:
    """
    #include <math.h>
    #include <stdint.h>
    #include <string.h>
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    #error "bitmaps are read as little-endian 64-bit words"
    #endif
    #if defined(__SSE2__) || defined(_M_X64)
    #include <emmintrin.h>
    #define NS_SSE2 1
    #endif
    /* AVX2 copies of the column loops, chosen at run time on processors that have it */
    #if defined(NS_SSE2) && (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
    #include <immintrin.h>
    #define NS_AVX2 1
    #define NS_TARGET_AVX2 __attribute__((target("avx2")))
    #endif
    static int ns_avx2 = 0;
    static void ns_init(void) {
    #ifdef NS_AVX2
        __builtin_cpu_init();
        ns_avx2 = __builtin_cpu_supports("avx2") != 0;
    #endif
    }

    enum { NS_OUTSIDE, NS_GE, NS_GT, NS_LT, NS_LE, NS_NONFINITE, NS_EQ };

    static inline int ns_ctz(uint64_t x) {
    #if defined(__GNUC__) || defined(__clang__)
        return __builtin_ctzll(x);
    #else
        int i = 0;
        while (!(x & 1)) { x >>= 1; i++; }
        return i;
    #endif
    }

    /* whether a word has more than `k` bits set (k small): cheaper than a popcount call */
    static inline int ns_more_than(uint64_t x, int k) {
        for (int i = 0; i <= k; i++) {
            if (!x) return 0;
            x &= x - 1;
        }
        return 1;
    }

    /* word w (rows 64w..64w+63) of a bitmap of `nbytes` bytes; bytes past the end read 0 */
    static inline uint64_t ns_load(const uint8_t *p, Py_ssize_t w, Py_ssize_t nbytes) {
        uint64_t x = 0;
        Py_ssize_t at = 8 * w;
        if (at + 8 <= nbytes) memcpy(&x, p + at, 8);
        else if (at < nbytes) memcpy(&x, p + at, (size_t)(nbytes - at));
        return x;
    }
    /* one number against the limits: NaN compares false, but is outside and not finite */
    static inline int ns_test(double v, int op, double a, double b) {
        switch (op) {
        case NS_OUTSIDE: return !(v >= a && v <= b);
        case NS_GE: return v >= a;
        case NS_GT: return v > a;
        case NS_LT: return v < a;
        case NS_LE: return v <= a;
        default: return !isfinite(v);
        }
    }

    /* 64 consecutive numbers against the limits, bit j for v[j] */
    #if defined(__GNUC__) || defined(__clang__)
    #define NS_INLINE static inline __attribute__((always_inline))
    #else
    #define NS_INLINE static inline
    #endif
    NS_INLINE uint64_t ns_test64(const double *v, int op, double a, double b) {
        uint64_t w = 0;
        int i;
    #ifdef NS_SSE2
        const __m128d va = _mm_set1_pd(a), vb = _mm_set1_pd(b);
        __m128d x0, x1, x2, x3;
        /* eight numbers per step: four pairs, each pair's two bits from movemask */
        #define NS_EIGHT(E) for (i = 0; i < 64; i += 8) { \\
            x0 = _mm_loadu_pd(v + i); x1 = _mm_loadu_pd(v + i + 2); \\
            x2 = _mm_loadu_pd(v + i + 4); x3 = _mm_loadu_pd(v + i + 6); \\
            w |= (uint64_t)(_mm_movemask_pd(E(x0)) | _mm_movemask_pd(E(x1)) << 2 \\
                 | _mm_movemask_pd(E(x2)) << 4 | _mm_movemask_pd(E(x3)) << 6) << i; }
        #define NS_INSIDE(x) _mm_and_pd(_mm_cmpge_pd(x, va), _mm_cmple_pd(x, vb))
        #define NS_GE_(x) _mm_cmpge_pd(x, va)
        #define NS_GT_(x) _mm_cmpgt_pd(x, va)
        #define NS_LT_(x) _mm_cmplt_pd(x, va)
        #define NS_LE_(x) _mm_cmple_pd(x, va)
        #define NS_NAN_(x) _mm_cmpunord_pd(_mm_sub_pd(x, x), _mm_sub_pd(x, x))
        switch (op) {
        case NS_OUTSIDE: NS_EIGHT(NS_INSIDE); return ~w;
        case NS_GE: NS_EIGHT(NS_GE_); return w;
        case NS_GT: NS_EIGHT(NS_GT_); return w;
        case NS_LT: NS_EIGHT(NS_LT_); return w;
        case NS_LE: NS_EIGHT(NS_LE_); return w;
        default: NS_EIGHT(NS_NAN_); return w;
        }
        #undef NS_EIGHT
        #undef NS_INSIDE
        #undef NS_GE_
        #undef NS_GT_
        #undef NS_LT_
        #undef NS_LE_
        #undef NS_NAN_
    #else
        for (i = 0; i < 64; i++) w |= (uint64_t)ns_test(v[i], op, a, b) << i;
        return w;
    #endif
    }

    /* the smallest and largest of the numbers that are not NaN (+inf and -inf when there are
       none) and whether any is NaN or infinite (x * 0 is NaN exactly then) */
    static void ns_stats_base(const double *v, Py_ssize_t n, double *lo, double *hi, int *nonfinite) {
        Py_ssize_t i = 0;
        double l = INFINITY, h = -INFINITY, z = 0.0;
    #ifdef NS_SSE2
        const __m128d zero = _mm_setzero_pd();
        __m128d l0 = _mm_set1_pd(INFINITY), l1 = l0, h0 = _mm_set1_pd(-INFINITY), h1 = h0;
        __m128d z0 = zero, x0, x1;
        double out[2];
        for (; i + 4 <= n; i += 4) {
            x0 = _mm_loadu_pd(v + i);
            x1 = _mm_loadu_pd(v + i + 2);
            l0 = _mm_min_pd(x0, l0);  /* the second operand when either is NaN */
            l1 = _mm_min_pd(x1, l1);
            h0 = _mm_max_pd(x0, h0);
            h1 = _mm_max_pd(x1, h1);
            z0 = _mm_or_pd(z0, _mm_or_pd(_mm_mul_pd(x0, zero), _mm_mul_pd(x1, zero)));
        }
        _mm_storeu_pd(out, _mm_min_pd(l0, l1)); l = out[0] < out[1] ? out[0] : out[1];
        _mm_storeu_pd(out, _mm_max_pd(h0, h1)); h = out[0] > out[1] ? out[0] : out[1];
        _mm_storeu_pd(out, z0); z = out[0] + out[1];
    #endif
        for (; i < n; i++) {
            if (v[i] < l) l = v[i];
            if (v[i] > h) h = v[i];
            z += v[i] * 0.0;
        }
        *lo = l; *hi = h; *nonfinite = isnan(z) != 0;
    }

    #ifdef NS_AVX2
    NS_TARGET_AVX2 static void ns_stats_avx2(const double *v, Py_ssize_t n, double *lo, double *hi,
                                             int *nonfinite) {
        Py_ssize_t i = 0;
        double l, h, z, out[4];
        const __m256d zero = _mm256_setzero_pd();
        __m256d l0 = _mm256_set1_pd(INFINITY), l1 = l0, h0 = _mm256_set1_pd(-INFINITY), h1 = h0;
        __m256d z0 = zero, x0, x1;
        for (; i + 8 <= n; i += 8) {
            x0 = _mm256_loadu_pd(v + i);
            x1 = _mm256_loadu_pd(v + i + 4);
            l0 = _mm256_min_pd(x0, l0);  /* the second operand when either is NaN */
            l1 = _mm256_min_pd(x1, l1);
            h0 = _mm256_max_pd(x0, h0);
            h1 = _mm256_max_pd(x1, h1);
            z0 = _mm256_or_pd(z0, _mm256_or_pd(_mm256_mul_pd(x0, zero), _mm256_mul_pd(x1, zero)));
        }
        _mm256_storeu_pd(out, _mm256_min_pd(l0, l1));
        l = out[0];
        for (int k = 1; k < 4; k++) l = out[k] < l ? out[k] : l;
        _mm256_storeu_pd(out, _mm256_max_pd(h0, h1));
        h = out[0];
        for (int k = 1; k < 4; k++) h = out[k] > h ? out[k] : h;
        _mm256_storeu_pd(out, z0);
        z = out[0] + out[1] + out[2] + out[3];
        for (; i < n; i++) {
            if (v[i] < l) l = v[i];
            if (v[i] > h) h = v[i];
            z += v[i] * 0.0;
        }
        *lo = l; *hi = h; *nonfinite = isnan(z) != 0;
    }
    #endif

    static void ns_stats(const double *v, Py_ssize_t n, double *lo, double *hi, int *nonfinite) {
    #ifdef NS_AVX2
        if (ns_avx2) { ns_stats_avx2(v, n, lo, hi, nonfinite); return; }
    #endif
        ns_stats_base(v, n, lo, hi, nonfinite);
    }

    /* words [0, nwords) of the rows whose number passes the test (64 numbers per word, all
       there), and with a bit in `valid` (of `vlen` bytes); the test is chosen once */
    #ifdef NS_AVX2
    NS_TARGET_AVX2 static void ns_test_words_avx2(const double *v, const uint8_t *valid,
                                                  Py_ssize_t vlen, Py_ssize_t nwords, int op,
                                                  double a, double b, uint64_t *out) {
        const __m256d va = _mm256_set1_pd(a), vb = _mm256_set1_pd(b);
        Py_ssize_t w;
        int i;
        /* four numbers per comparison, sixteen per step */
        #define NS_AVX_WORDS(E) for (w = 0; w < nwords; w++) { \
            const double *p = v + 64 * w; \
            uint64_t x = 0; \
            for (i = 0; i < 64; i += 16) { \
                __m256d x0 = _mm256_loadu_pd(p + i), x1 = _mm256_loadu_pd(p + i + 4); \
                __m256d x2 = _mm256_loadu_pd(p + i + 8), x3 = _mm256_loadu_pd(p + i + 12); \
                x |= (uint64_t)(_mm256_movemask_pd(E(x0)) | _mm256_movemask_pd(E(x1)) << 4 \
                     | _mm256_movemask_pd(E(x2)) << 8 | _mm256_movemask_pd(E(x3)) << 12) << i; \
            } \
            out[w] = x & ns_load(valid, w, vlen); }
        #define NS_A_OUT(x) _mm256_or_pd(_mm256_cmp_pd(x, va, _CMP_NGE_UQ), _mm256_cmp_pd(x, vb, _CMP_NLE_UQ))
        #define NS_A_GE(x) _mm256_cmp_pd(x, va, _CMP_GE_OQ)
        #define NS_A_GT(x) _mm256_cmp_pd(x, va, _CMP_GT_OQ)
        #define NS_A_LT(x) _mm256_cmp_pd(x, va, _CMP_LT_OQ)
        #define NS_A_LE(x) _mm256_cmp_pd(x, va, _CMP_LE_OQ)
        #define NS_A_NAN(x) _mm256_cmp_pd(_mm256_sub_pd(x, x), _mm256_sub_pd(x, x), _CMP_UNORD_Q)
        switch (op) {
        case NS_OUTSIDE: NS_AVX_WORDS(NS_A_OUT); break;
        case NS_GE: NS_AVX_WORDS(NS_A_GE); break;
        case NS_GT: NS_AVX_WORDS(NS_A_GT); break;
        case NS_LT: NS_AVX_WORDS(NS_A_LT); break;
        case NS_LE: NS_AVX_WORDS(NS_A_LE); break;
        default: NS_AVX_WORDS(NS_A_NAN);
        }
        #undef NS_AVX_WORDS
        #undef NS_A_OUT
        #undef NS_A_GE
        #undef NS_A_GT
        #undef NS_A_LT
        #undef NS_A_LE
        #undef NS_A_NAN
    }
    #endif

    static void ns_test_words(const double *v, const uint8_t *valid, Py_ssize_t vlen,
                              Py_ssize_t nwords, int op, double a, double b, uint64_t *out) {
        Py_ssize_t w;
    #ifdef NS_AVX2
        if (ns_avx2) { ns_test_words_avx2(v, valid, vlen, nwords, op, a, b, out); return; }
    #endif
        #define NS_WORDS(OP) for (w = 0; w < nwords; w++) \\
            out[w] = ns_test64(v + 64 * w, OP, a, b) & ns_load(valid, w, vlen);
        switch (op) {
        case NS_OUTSIDE: NS_WORDS(NS_OUTSIDE); break;
        case NS_GE: NS_WORDS(NS_GE); break;
        case NS_GT: NS_WORDS(NS_GT); break;
        case NS_LT: NS_WORDS(NS_LT); break;
        case NS_LE: NS_WORDS(NS_LE); break;
        default: NS_WORDS(NS_NONFINITE);
        }
        #undef NS_WORDS
    }

    /* 64 consecutive bytes equal to `code`, bit j for c[j] */
    static inline uint64_t ns_eq64(const uint8_t *c, uint8_t code) {
        uint64_t w = 0;
        int i;
    #ifdef NS_SSE2
        const __m128i k = _mm_set1_epi8((char)code);
        for (i = 0; i < 64; i += 16)
            w |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(c + i)), k)) << i;
    #else
        for (i = 0; i < 64; i++) w |= (uint64_t)(c[i] == code) << i;
    #endif
        return w;
    }

    /* ns_views64 for a number of spellings known to the compiler */
    static inline void ns_views_k(const uint64_t *views, int rows, const uint32_t *lanes,
                                  const uint32_t *masks, const int k, uint64_t *hits) {
        int j = 0, s;
        uint64_t h[8] = {0};
    #ifdef NS_SSE2
        __m128i want[8][4], keep[8][3];
        for (s = 0; s < k; s++) {
            for (int i = 0; i < 4; i++) want[s][i] = _mm_set1_epi32((int)lanes[4 * s + i]);
            for (int i = 0; i < 3; i++) keep[s][i] = _mm_set1_epi32((int)masks[4 * s + i + 1]);
        }
        for (; j + 4 <= rows; j += 4) {
            const uint64_t *p = views + 2 * j;
            __m128i a = _mm_loadu_si128((const __m128i *)p);
            __m128i b = _mm_loadu_si128((const __m128i *)(p + 2));
            __m128i c = _mm_loadu_si128((const __m128i *)(p + 4));
            __m128i d = _mm_loadu_si128((const __m128i *)(p + 6));
            __m128i ab0 = _mm_unpacklo_epi32(a, b), cd0 = _mm_unpacklo_epi32(c, d);
            __m128i ab1 = _mm_unpackhi_epi32(a, b), cd1 = _mm_unpackhi_epi32(c, d);
            __m128i l0 = _mm_unpacklo_epi64(ab0, cd0), l1 = _mm_unpackhi_epi64(ab0, cd0);
            __m128i l2 = _mm_unpacklo_epi64(ab1, cd1), l3 = _mm_unpackhi_epi64(ab1, cd1);
            for (s = 0; s < k; s++) {
                __m128i e = _mm_and_si128(
                    _mm_and_si128(_mm_cmpeq_epi32(l0, want[s][0]),
                                  _mm_cmpeq_epi32(_mm_and_si128(l1, keep[s][0]), want[s][1])),
                    _mm_and_si128(_mm_cmpeq_epi32(_mm_and_si128(l2, keep[s][1]), want[s][2]),
                                  _mm_cmpeq_epi32(_mm_and_si128(l3, keep[s][2]), want[s][3])));
                h[s] |= (uint64_t)_mm_movemask_ps(_mm_castsi128_ps(e)) << j;
            }
        }
    #endif
        for (; j < rows; j++) {
            const uint64_t v0 = views[2 * j], v1 = views[2 * j + 1];
            for (s = 0; s < k; s++) {
                const uint32_t *l = lanes + 4 * s, *m = masks + 4 * s;
                int same = (uint32_t)v0 == l[0] && ((uint32_t)(v0 >> 32) & m[1]) == l[1]
                    && ((uint32_t)v1 & m[2]) == l[2] && ((uint32_t)(v1 >> 32) & m[3]) == l[3];
                h[s] |= (uint64_t)same << j;
            }
        }
        for (s = 0; s < k; s++) hits[s] = h[s];
    }

    /* words [0, nwords) of the bytes equal to `code` (64 per word), xor `flip` */
    #ifdef NS_AVX2
    NS_TARGET_AVX2 static void ns_eq_words_avx2(const uint8_t *c, Py_ssize_t nwords, uint8_t code,
                                                uint64_t flip, uint64_t *out) {
        const __m256i k = _mm256_set1_epi8((char)code);
        for (Py_ssize_t w = 0; w < nwords; w++) {
            const uint8_t *p = c + 64 * w;
            uint32_t lo = (uint32_t)_mm256_movemask_epi8(
                _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)p), k));
            uint32_t hi = (uint32_t)_mm256_movemask_epi8(
                _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + 32)), k));
            out[w] = ((uint64_t)hi << 32 | lo) ^ flip;
        }
    }
    #endif
    static void ns_eq_words(const uint8_t *c, Py_ssize_t nwords, uint8_t code, uint64_t flip,
                            uint64_t *out) {
    #ifdef NS_AVX2
        if (ns_avx2) { ns_eq_words_avx2(c, nwords, code, flip, out); return; }
    #endif
        for (Py_ssize_t w = 0; w < nwords; w++) out[w] = ns_eq64(c + 64 * w, code) ^ flip;
    }

    /* which of `rows` (at most 64) Arrow string views (16 bytes: the length, then up to 12
       bytes in place) hold each of k (at most 8) spellings, given as four 32-bit lanes (the
       length, bytes 0-3, 4-7 and 8-11) and a mask per lane (bytes past the spelling are not
       compared): bit j of hits[s] for view j. Four views at a time, their lanes transposed;
       the usual numbers of spellings get their own copy of the loop, unrolled. */
    static void ns_views64(const uint64_t *views, int rows, const uint32_t *lanes,
                           const uint32_t *masks, int k, uint64_t *hits) {
        switch (k) {
        case 1: ns_views_k(views, rows, lanes, masks, 1, hits); break;
        case 2: ns_views_k(views, rows, lanes, masks, 2, hits); break;
        case 4: ns_views_k(views, rows, lanes, masks, 4, hits); break;
        default: ns_views_k(views, rows, lanes, masks, k, hits);
        }
    }

    """
    int NS_OUTSIDE, NS_GE, NS_GT, NS_LT, NS_LE, NS_NONFINITE, NS_EQ
    int ns_avx2
    int ns_ctz(uint64_t x) noexcept nogil
    int ns_more_than(uint64_t x, int k) noexcept nogil
    int ns_test(double v, int op, double a, double b) noexcept nogil
    uint64_t ns_test64(const double *v, int op, double a, double b) noexcept nogil
    void ns_stats(const double *v, Py_ssize_t n, double *lo, double *hi, int *nonfinite) noexcept nogil
    uint64_t ns_eq64(const uint8_t *c, uint8_t code) noexcept nogil
    void ns_test_words(const double *v, const uint8_t *valid, Py_ssize_t vlen, Py_ssize_t nwords,
                       int op, double a, double b, uint64_t *out) noexcept nogil
    void ns_eq_words(const uint8_t *c, Py_ssize_t nwords, uint8_t code, uint64_t flip,
                     uint64_t *out) noexcept nogil
    void ns_init() noexcept nogil
    uint64_t ns_load(const uint8_t *p, Py_ssize_t w, Py_ssize_t nbytes) noexcept nogil
    void ns_views64(const uint64_t *views, int rows, const uint32_t *lanes, const uint32_t *masks,
                    int k, uint64_t *hits) noexcept nogil

OUTSIDE, GE, GT, LT, LE, NONFINITE, EQ = NS_OUTSIDE, NS_GE, NS_GT, NS_LT, NS_LE, NS_NONFINITE, NS_EQ
ns_init()


def use_avx2(enabled):
    """Whether the AVX2 loops run (False: the SSE2 ones, for tests on processors with AVX2);
    returns the previous setting. They cannot be switched on where the processor lacks it."""
    global ns_avx2
    previous = bool(ns_avx2)
    ns_init()
    ns_avx2 = ns_avx2 and enabled
    return previous


cdef enum:
    NEVER = 0     # literal kinds: no row (negated: every row)
    BIT = 1       # an input bitmap
    DERIVED = 2   # a bitmap computed once per call from a number or code literal
    NUMBER = 3    # a number column: rows with a value that pass the comparison
    ENTRIES = 4   # a sparse column: rows whose value (or code) passes the comparison
    CODES = 5     # a column of small integer codes, one byte per row: rows with the code
    FEW = 6       # a word with at most this many candidate rows is tested row by row

# byte b -> eight bytes, byte j = bit j of b (for the level codes)
cdef uint64_t SPREAD[256]
cdef int _b, _j
for _b in range(256):
    SPREAD[_b] = 0
    for _j in range(8):
        if _b >> _j & 1:
            SPREAD[_b] |= (<uint64_t>1) << (8 * _j)


class Program:
    """Formulas over named sources, built once per run; ``compile`` gives the ``Compiled``
    form evaluated per morsel. The sources, in the order the caller passes them: ``bitmaps``
    (uint8 bitmaps; keys (kind, name)), ``numbers`` ((values, validity bitmap); keys column
    names), ``sparse`` ((rows, values, codes or None); keys (kind, name)) and ``codes`` (one
    uint8 code per row; keys (kind, name))."""

    def __init__(self):
        self.bitmaps = []
        self.numbers = []
        self.sparse = []
        self.codes = []
        self._index = {}
        self._derived = []
        self._formulas = []

    def _source(self, keys, kind, key):
        found = self._index.get((kind, key))
        if found is None:
            found = self._index[(kind, key)] = len(keys)
            keys.append(key)
        return found

    def bit(self, key, negate=False):
        """Rows whose bit is set (``negate``: not set) in the bitmap ``key``."""
        return (BIT, self._source(self.bitmaps, BIT, key), 0, bool(negate), 0.0, 0.0)

    def never(self, negate=False):
        """No row (``negate``: every row)."""
        return (NEVER, 0, 0, bool(negate), 0.0, 0.0)

    def number(self, key, op, a, b=0.0):
        """Rows of the number column ``key`` with a value that passes ``op`` (``OUTSIDE``
        [a, b], ``GE``/``GT``/``LT``/``LE`` a, ``NONFINITE``)."""
        assert op in (OUTSIDE, GE, GT, LT, LE, NONFINITE)
        return (NUMBER, self._source(self.numbers, NUMBER, key), op, False, float(a), float(b))

    def entries(self, key, op, a=0.0, b=0.0):
        """Rows of the sparse column ``key`` whose value passes ``op``, or whose code equals
        ``a`` (``EQ``)."""
        return (ENTRIES, self._source(self.sparse, ENTRIES, key), op, False, float(a), float(b))

    def code(self, key, value, negate=False):
        """Rows whose code (one byte per row) in the column ``key`` is ``value`` (``negate``:
        is not)."""
        assert 0 <= value < 256
        return (CODES, self._source(self.codes, CODES, key), EQ, bool(negate), float(value), 0.0)

    def derive(self, literal, negate=False):
        """A number or code literal computed once per call as a bitmap (``negate``: its
        complement is read), for literals that several formulas share or that hold for many
        rows: the formulas then only combine bitmaps."""
        assert literal[0] in (NUMBER, CODES)
        if literal not in self._derived:
            self._derived.append(literal)
        return (DERIVED, self._derived.index(literal), 0, bool(negate), 0.0, 0.0)

    def formula(self, clauses):
        """Add the AND of ``clauses`` (each an OR of literals; none: no row); returns its
        index (formulas are evaluated, and reported, in this order)."""
        self._formulas.append([list(c) for c in clauses] or [[self.never()]])
        return len(self._formulas) - 1

    def compile(self):
        literals = list(self._derived)
        clause_start, formula_start = [0], [0]
        for clauses in self._formulas:
            for clause in clauses:
                assert clause, "an empty clause"
                literals += clause
                clause_start.append(len(literals) - len(self._derived))
            formula_start.append(len(clause_start) - 1)
        table = np.array([(k, s, o) for k, s, o, _, _, _ in literals], np.int32).reshape(-1, 3)
        limits = np.array([(a, b) for _, _, _, _, a, b in literals], np.float64).reshape(-1, 2)
        negate = np.array([~0 if lit[3] else 0 for lit in literals], np.int64).view(np.uint64)
        return Compiled(table, limits, negate, len(self._derived),
                        np.array(clause_start, np.int32), np.array(formula_start, np.int32),
                        len(self.bitmaps), len(self.numbers), len(self.sparse), len(self.codes))


cdef enum:  # a literal resolved for one call
    R_ZERO = 0    # no row
    R_ALL = 1     # every row
    R_WORDS = 2   # a bitmap (with its complement taken when ``negate`` is all ones)
    R_NUMBER = 3  # a comparison of a number column, on its rows with a value
    R_CODES = 4   # a code column equal to ``a`` (with the complement when ``negate``)


cdef struct Lit:
    int kind
    int op
    const uint8_t *bits            # R_WORDS: the bitmap; R_NUMBER: the validity bitmap;
                                   # R_CODES: the codes
    Py_ssize_t length              # its bytes
    const uint8_t *valid           # R_WORDS: an Arrow column's validity bitmap, or NULL
    int shift                      # R_WORDS: the bit of the first byte where row 0 is
    uint64_t negate
    const double *values           # R_NUMBER
    double a, b


cdef struct Ctx:
    Py_ssize_t n, nwords, nbytes
    uint64_t last                  # the rows of the last word
    const int32_t *table           # per literal: kind, source, op
    const double *limits           # per literal: a, b
    const uint64_t *negate
    const int32_t *clause_start    # literal ranges (after the derived ones)
    const int32_t *formula_start   # clause ranges
    Py_ssize_t nderived, nliterals, nsparse
    const uint8_t **rowcodes       # per code column
    const uint8_t **bits
    Py_ssize_t *bits_len
    const uint8_t **bits_valid     # NULL but for a column of the frame with nulls
    int *bits_shift
    const double **values
    const uint8_t **valid
    Py_ssize_t *valid_len
    const int64_t **rows
    const double **entries
    const uint8_t **codes
    Py_ssize_t *count
    uint64_t **derived             # per derived literal
    uint64_t **found               # per entries literal (NULL: no row)
    Lit *lits                      # every literal, resolved


cdef inline uint64_t full(const Ctx *c, Py_ssize_t w) noexcept nogil:
    return c.last if w == c.nwords - 1 else ~(<uint64_t>0)


cdef inline uint64_t bits_at(const uint8_t *p, Py_ssize_t length, int shift, Py_ssize_t w) noexcept nogil:
    """Word ``w`` of a bitmap whose row 0 is bit ``shift`` of its first byte."""
    cdef uint64_t x = ns_load(p, w, length)
    cdef Py_ssize_t i
    if shift:
        i = 8 * w + 8
        x = (x >> shift) | ((<uint64_t>p[i] << (64 - shift)) if i < length else 0)
    return x


cdef inline uint64_t words_at(const Lit *lit, Py_ssize_t w) noexcept nogil:
    """Word ``w`` of an ``R_WORDS`` literal: set and, for a column, not null."""
    cdef uint64_t x = bits_at(lit.bits, lit.length, lit.shift, w)
    if lit.valid != NULL:
        x &= bits_at(lit.valid, lit.length, lit.shift, w)
    return x ^ lit.negate


cdef inline uint64_t number_word(const Ctx *c, const Lit *lit, Py_ssize_t w, uint64_t m) noexcept nogil:
    """Bits of the rows of ``m`` (within the rows) with a number that passes ``lit``: row by
    row when there are few, else 64 at once."""
    cdef const double *v = lit.values + 64 * w
    cdef uint64_t r = 0
    cdef int j
    m &= ns_load(lit.bits, w, lit.length)
    if not m:
        return 0
    if 64 * w + 64 > c.n or not ns_more_than(m, FEW):
        while m:
            j = ns_ctz(m)
            if ns_test(v[j], lit.op, lit.a, lit.b):
                r |= (<uint64_t>1) << j
            m &= m - 1
        return r
    return ns_test64(v, lit.op, lit.a, lit.b) & m


cdef inline uint64_t code_word(const Ctx *c, const Lit *lit, Py_ssize_t w, uint64_t m) noexcept nogil:
    """Bits of the rows of ``m`` whose code is (or with ``negate``: is not) ``lit.a``."""
    cdef const uint8_t *p = lit.bits + 64 * w
    cdef uint8_t code = <uint8_t>lit.a, flip = lit.negate & 1
    cdef uint64_t r = 0
    cdef int j
    if 64 * w + 64 > c.n or not ns_more_than(m, FEW):
        while m:
            j = ns_ctz(m)
            r |= (<uint64_t>((p[j] == code) ^ flip)) << j
            m &= m - 1
        return r
    return (ns_eq64(p, code) ^ lit.negate) & m


cdef inline uint64_t literal_word(const Ctx *c, const Lit *lit, Py_ssize_t w, uint64_t m) noexcept nogil:
    """Bits of the rows of ``m`` for which ``lit`` holds."""
    if lit.kind == R_WORDS:
        return words_at(lit, w) & m
    if lit.kind == R_NUMBER:
        return number_word(c, lit, w, m)
    if lit.kind == R_CODES:
        return code_word(c, lit, w, m)
    return m if lit.kind == R_ALL else 0


cdef uint64_t words_into(const Ctx *c, const Lit *lit, uint64_t *cand, int how) noexcept nogil:
    """``cand`` = (0: the bitmap of ``lit``; 1: cand OR it; 2: cand AND it), one plain pass;
    returns the OR of every word of the result but the last (whose bits past the rows the
    caller clears)."""
    cdef Py_ssize_t w, last = c.nwords - 1, whole = min(lit.length // 8, last)
    cdef uint64_t x, anyb = 0, neg = lit.negate
    cdef const uint8_t *p = lit.bits
    if lit.shift or lit.valid != NULL:  # a column of the frame, with nulls or inside a byte
        whole = 0
    elif how == 0:
        for w in range(whole):
            memcpy(&x, p + 8 * w, 8)
            cand[w] = x ^ neg
            anyb |= cand[w]
    elif how == 1:
        for w in range(whole):
            memcpy(&x, p + 8 * w, 8)
            cand[w] |= x ^ neg
            anyb |= cand[w]
    else:
        for w in range(whole):
            memcpy(&x, p + 8 * w, 8)
            cand[w] &= x ^ neg
            anyb |= cand[w]
    for w in range(whole, c.nwords):
        x = words_at(lit, w)
        cand[w] = x if how == 0 else cand[w] | x if how == 1 else cand[w] & x
        if w < last:
            anyb |= cand[w]
    return anyb


cdef bint formula(const Ctx *c, Py_ssize_t f, uint64_t *cand) noexcept nogil:
    """Evaluate formula ``f`` into ``cand`` (a bitmap of ``nwords`` words); whether any row
    holds. A clause of bitmaps is a plain pass per bitmap; a clause with a comparison is
    evaluated word by word, on the rows the clauses before it left only."""
    cdef Py_ssize_t k, w, l, l0, l1, d = c.nderived, kept
    cdef uint64_t anyb, m, x
    cdef bint first, words, every
    cdef const Lit *lits[64]
    cdef const Lit *lit
    for k in range(c.formula_start[f], c.formula_start[f + 1]):
        l0, l1 = c.clause_start[k] + d, c.clause_start[k + 1] + d
        first = k == c.formula_start[f]
        kept, words, every = 0, True, False
        for l in range(l0, l1):
            lit = &c.lits[l]
            if lit.kind == R_ALL:
                every = True
            elif lit.kind != R_ZERO:
                if kept == 64:  # a clause this long is evaluated whole, word by word
                    kept = -1
                    break
                lits[kept] = lit
                kept += 1
                words = words and lit.kind == R_WORDS
        if every:  # the clause holds for every row
            if first:
                for w in range(c.nwords):
                    cand[w] = full(c, w)
            continue
        if kept == 0:
            return False
        anyb = 0
        if words and kept > 0 and (first or kept == 1):
            anyb = words_into(c, lits[0], cand, 0 if first else 2)
            for l in range(1, kept):
                anyb = words_into(c, lits[l], cand, 1)
            cand[c.nwords - 1] &= c.last
            anyb |= cand[c.nwords - 1]
        else:
            for w in range(c.nwords):
                m = full(c, w) if first else cand[w]
                x = 0
                if m:
                    if kept < 0:
                        for l in range(l0, l1):
                            if m & ~x:
                                x |= literal_word(c, &c.lits[l], w, m & ~x)
                    else:
                        for l in range(kept):
                            if m & ~x:
                                x |= literal_word(c, lits[l], w, m & ~x)
                cand[w] = x
                anyb |= x
        if not anyb:
            return False
    return True


cdef bint _or_into(const Ctx *c, Py_ssize_t f, uint64_t *target) noexcept nogil:
    """OR formula ``f`` into ``target`` directly when it is one clause of bitmaps (a pass per
    bitmap, no copy); whether it was. Bits past the rows may be set."""
    cdef Py_ssize_t k = c.formula_start[f], l, d = c.nderived
    if c.formula_start[f + 1] != k + 1:
        return False
    for l in range(c.clause_start[k] + d, c.clause_start[k + 1] + d):
        if c.lits[l].kind != R_WORDS and c.lits[l].kind != R_ZERO:
            return False
    for l in range(c.clause_start[k] + d, c.clause_start[k + 1] + d):
        if c.lits[l].kind == R_WORDS:
            words_into(c, &c.lits[l], target, 1)
    return True


cdef class _Sources:
    """The buffers of one call's inputs, held (and checked for size) while the GIL is
    released."""

    cdef Py_buffer *views
    cdef int used, size

    def __cinit__(self, int size):
        self.views = <Py_buffer *>calloc(size if size > 0 else 1, sizeof(Py_buffer))
        self.size, self.used = size, 0
        if self.views == NULL:
            raise MemoryError()

    cdef void *get(self, object array, Py_ssize_t itemsize, Py_ssize_t count) except NULL:
        cdef Py_buffer *view
        if self.used >= self.size:
            raise ValueError("more inputs than the program has sources")
        view = &self.views[self.used]
        PyObject_GetBuffer(array, view, PyBUF_C_CONTIGUOUS)
        self.used += 1
        if view.itemsize != itemsize or view.len < itemsize * count:
            raise ValueError(f"an input has {view.len // max(view.itemsize, 1)} items of "
                             f"{view.itemsize} bytes; expected {count} of {itemsize}")
        if view.buf == NULL:  # an empty array may have no memory: nothing is read from it
            return <void *>self.views
        return view.buf

    cdef Py_ssize_t length(self) noexcept:
        return self.views[self.used - 1].len

    def __dealloc__(self):
        cdef int i
        for i in range(self.used):
            PyBuffer_Release(&self.views[i])
        free(self.views)


cdef class Compiled:
    """A ``Program`` as arrays, evaluated per morsel by ``problems`` or ``levels``."""

    cdef readonly object table, limits, negate, clause_start, formula_start
    cdef readonly Py_ssize_t nderived, nbitmaps, nnumbers, nsparse, ncodes, nformulas
    cdef const int32_t *_table  # the arrays above, which hold the memory
    cdef const double *_limits
    cdef const uint64_t *_negate
    cdef const int32_t *_clause_start
    cdef const int32_t *_formula_start

    def __init__(self, table, limits, negate, Py_ssize_t nderived, clause_start, formula_start,
                 Py_ssize_t nbitmaps, Py_ssize_t nnumbers, Py_ssize_t nsparse,
                 Py_ssize_t ncodes):
        self.table = np.ascontiguousarray(table, np.int32).reshape(-1)
        self.limits = np.ascontiguousarray(limits, np.float64).reshape(-1)
        self.negate = np.ascontiguousarray(negate, np.uint64)
        self.clause_start = np.ascontiguousarray(clause_start, np.int32)
        self.formula_start = np.ascontiguousarray(formula_start, np.int32)
        self.nderived, self.nbitmaps = nderived, nbitmaps
        self.nnumbers, self.nsparse, self.ncodes = nnumbers, nsparse, ncodes
        self.nformulas = len(self.formula_start) - 1
        nliterals = len(self.negate)
        assert len(self.table) == 3 * nliterals and len(self.limits) == 2 * nliterals
        assert self.clause_start[len(self.clause_start) - 1] == nliterals - nderived
        assert self.formula_start[self.nformulas] == len(self.clause_start) - 1
        for kind, source in self.table.reshape(-1, 3)[:, :2].tolist():
            bound = {BIT: nbitmaps, NUMBER: nnumbers, ENTRIES: nsparse, DERIVED: nderived,
                     CODES: ncodes}
            assert kind == NEVER or 0 <= source < bound[kind], "a literal without its source"
        cdef const int32_t[::1] table_ = self.table
        cdef const double[::1] limits_ = self.limits
        cdef const uint64_t[::1] negate_ = self.negate
        cdef const int32_t[::1] clause_start_ = self.clause_start
        cdef const int32_t[::1] formula_start_ = self.formula_start
        self._table, self._limits, self._negate = &table_[0], &limits_[0], &negate_[0]
        self._clause_start, self._formula_start = &clause_start_[0], &formula_start_[0]

    cdef int _open(self, Ctx *c, _Sources held, list bitmaps, list numbers, list sparse,
                   list codes, Py_ssize_t n, Frame frame) except -1:
        """Fill ``c`` with the program and the inputs' buffers (sizes checked); a bitmap given
        as a name is that Boolean column of ``frame`` read in place ('true and not null'; no
        row when the frame has no such column)."""
        cdef const Column *column
        cdef Py_ssize_t i
        if (len(bitmaps) != self.nbitmaps or len(numbers) != self.nnumbers
                or len(sparse) != self.nsparse or len(codes) != self.ncodes):
            raise ValueError("the inputs do not match the program's sources")
        if n <= 0:
            raise ValueError("no rows")
        c.n, c.nwords, c.nbytes = n, (n + 63) // 64, (n + 7) // 8
        c.last = ~(<uint64_t>0) if n % 64 == 0 else ((<uint64_t>1) << (n % 64)) - 1
        c.table, c.limits, c.negate = self._table, self._limits, self._negate
        c.clause_start, c.formula_start = self._clause_start, self._formula_start
        c.nderived, c.nsparse = self.nderived, self.nsparse
        for i in range(self.nbitmaps):
            if isinstance(bitmaps[i], str):
                if frame is None or frame.n != n:
                    raise ValueError("a column without its frame of n rows")
                position = frame.positions.get(bitmaps[i])
                if position is None:
                    continue  # no bytes: every word reads 0
                column = &frame.columns[<Py_ssize_t>position]
                if column.kind != BOOLEAN or column.length < n:
                    raise ValueError(f"{bitmaps[i]} is not a Boolean column of n rows")
                c.bits[i] = column.data + (column.offset >> 3)
                c.bits_shift[i] = column.offset & 7
                c.bits_len[i] = (c.bits_shift[i] + n + 7) >> 3
                if column.valid != NULL:
                    c.bits_valid[i] = column.valid + (column.offset >> 3)
            else:
                c.bits[i] = <const uint8_t *>held.get(bitmaps[i], 1, c.nbytes)
                c.bits_len[i] = held.length()
        for i in range(self.nnumbers):
            values, valid = numbers[i]
            c.values[i] = <const double *>held.get(values, 8, n)
            c.valid[i] = <const uint8_t *>held.get(valid, 1, c.nbytes)
            c.valid_len[i] = held.length()
        for i in range(self.nsparse):
            rows, values, units = sparse[i]
            c.count[i] = len(rows)
            c.rows[i] = <const int64_t *>held.get(rows, 8, c.count[i])
            c.entries[i] = <const double *>held.get(values, 8, c.count[i])
            if units is not None:
                c.codes[i] = <const uint8_t *>held.get(units, 1, c.count[i])
        for i in range(self.ncodes):
            c.rowcodes[i] = <const uint8_t *>held.get(codes[i], 1, n)
        return 0

    cdef int _run(self, Ctx *c, _Sources held, list bitmaps, list numbers, list sparse,
                  list codes, Py_ssize_t n, Frame frame) except -1:
        """Set up ``c`` and evaluate the derived and the sparse literals."""
        cdef Py_ssize_t nliterals = len(self.negate)
        c.bits = <const uint8_t **>calloc(self.nbitmaps + 1, sizeof(void *))
        c.bits_len = <Py_ssize_t *>calloc(self.nbitmaps + 1, sizeof(Py_ssize_t))
        c.bits_valid = <const uint8_t **>calloc(self.nbitmaps + 1, sizeof(void *))
        c.bits_shift = <int *>calloc(self.nbitmaps + 1, sizeof(int))
        c.values = <const double **>calloc(self.nnumbers + 1, sizeof(void *))
        c.valid = <const uint8_t **>calloc(self.nnumbers + 1, sizeof(void *))
        c.valid_len = <Py_ssize_t *>calloc(self.nnumbers + 1, sizeof(Py_ssize_t))
        c.rows = <const int64_t **>calloc(self.nsparse + 1, sizeof(void *))
        c.entries = <const double **>calloc(self.nsparse + 1, sizeof(void *))
        c.codes = <const uint8_t **>calloc(self.nsparse + 1, sizeof(void *))
        c.count = <Py_ssize_t *>calloc(self.nsparse + 1, sizeof(Py_ssize_t))
        c.rowcodes = <const uint8_t **>calloc(self.ncodes + 1, sizeof(void *))
        c.derived = <uint64_t **>calloc(self.nderived + 1, sizeof(void *))
        c.found = <uint64_t **>calloc(nliterals + 1, sizeof(void *))
        c.lits = <Lit *>calloc(nliterals + 1, sizeof(Lit))
        c.nliterals = nliterals
        if (c.lits == NULL or c.rowcodes == NULL or c.bits_valid == NULL or c.bits_shift == NULL
                or c.bits == NULL or c.bits_len == NULL or c.values == NULL or c.valid == NULL
                or c.valid_len == NULL or c.rows == NULL or c.entries == NULL or c.codes == NULL
                or c.count == NULL or c.derived == NULL or c.found == NULL):
            raise MemoryError()
        self._open(c, held, bitmaps, numbers, sparse, codes, n, frame)
        cdef bint failed
        with nogil:
            failed = _prepare(c) != 0
        if failed:
            raise MemoryError()
        return 0

    def problems(self, list bitmaps, list numbers, list sparse, list codes, Py_ssize_t n,
                 Frame frame=None):
        """The rows for which at least one formula holds (int64, ascending) and, per such row,
        which formulas hold (bit f of word f // 64); None when no formula holds for any row."""
        cdef Ctx c
        memset(&c, 0, sizeof(Ctx))
        held = _Sources(2 * len(numbers) + 3 * len(sparse) + len(bitmaps) + len(codes))
        cdef uint64_t **hits = NULL
        cdef uint64_t *cand = NULL
        cdef uint64_t *union_ = NULL
        cdef Py_ssize_t f, w, j, i, count = 0, nhit = 0, nformulas = self.nformulas
        cdef Py_ssize_t width = (nformulas + 63) // 64
        cdef int32_t *which = NULL
        cdef uint64_t x
        cdef int64_t[::1] rows
        cdef uint64_t[:, ::1] masks
        if n == 0:
            return None
        try:
            self._run(&c, held, bitmaps, numbers, sparse, codes, n, frame)
            hits = <uint64_t **>calloc(self.nformulas + 1, sizeof(void *))
            which = <int32_t *>calloc(self.nformulas + 1, sizeof(int32_t))
            cand = <uint64_t *>calloc(c.nwords, 8)
            union_ = <uint64_t *>calloc(c.nwords, 8)
            if hits == NULL or which == NULL or cand == NULL or union_ == NULL:
                raise MemoryError()
            with nogil:
                for f in range(nformulas):
                    if formula(&c, f, cand):
                        hits[nhit] = cand
                        which[nhit] = <int32_t>f
                        nhit += 1
                        for w in range(c.nwords):
                            union_[w] |= cand[w]
                        cand = <uint64_t *>malloc(c.nwords * 8)
                        if cand == NULL:
                            break
                for w in range(c.nwords):
                    count += _popcount(union_[w])
            if cand == NULL:
                raise MemoryError()
            if not nhit:
                return None
            rows_out = np.empty(count, np.int64)
            masks_out = np.zeros((count, width), np.uint64)
            rows, masks = rows_out, masks_out
            with nogil:
                i = 0
                for w in range(c.nwords):
                    x = union_[w]
                    while x:
                        j = ns_ctz(x)
                        rows[i] = 64 * w + j
                        for f in range(nhit):
                            if hits[f][w] >> j & 1:
                                masks[i, which[f] >> 6] |= (<uint64_t>1) << (which[f] & 63)
                        i += 1
                        x &= x - 1
            return rows_out, masks_out
        finally:
            if hits != NULL:
                for f in range(nhit):
                    free(hits[f])
            free(hits)
            free(which)
            free(cand)
            free(union_)
            _close(&c, len(self.negate), self.nderived)

    def levels(self, ranks, Py_ssize_t nlevels, list bitmaps, list numbers, list sparse,
               list codes, Py_ssize_t n, bint keep, Frame frame=None):
        """Per row, the highest rank (``ranks[f]``, 0 to nlevels - 1) of the formulas that hold,
        0 when none does (uint8); with ``keep``, also every formula's bitmap (one row of
        ``(n + 7) // 8`` bytes per formula), else None."""
        held = _Sources(2 * len(numbers) + 3 * len(sparse) + len(bitmaps) + len(codes) + 1)
        cdef const int32_t *rank = <const int32_t *>held.get(ranks, 4, self.nformulas)
        cdef Ctx c
        cdef uint64_t *cand = NULL
        cdef uint64_t *level = NULL
        cdef Py_ssize_t f, w, nformulas = self.nformulas
        cdef uint8_t[:, ::1] out
        cdef uint8_t[::1] result
        if held.length() != 4 * nformulas or nlevels > 256 or nlevels < 1:
            raise ValueError("one rank per formula, at most 255 levels")
        for f in range(nformulas):
            if not 0 <= rank[f] < nlevels:
                raise ValueError("a rank outside the levels")
        if n == 0:
            return np.empty(0, np.uint8), np.zeros((nformulas, 0), np.uint8) if keep else None
        memset(&c, 0, sizeof(Ctx))
        try:
            self._run(&c, held, bitmaps, numbers, sparse, codes, n, frame)
            codes_out = np.empty(n, np.uint8)
            fired = np.zeros((self.nformulas, c.nbytes), np.uint8) if keep else None
            result = codes_out
            if keep:
                out = fired
            cand = <uint64_t *>calloc(c.nwords, 8)
            level = <uint64_t *>calloc(c.nwords * nlevels, 8)
            if cand == NULL or level == NULL:
                raise MemoryError()
            with nogil:
                for f in range(nformulas):
                    if not keep and _or_into(&c, f, level + rank[f] * c.nwords):
                        continue
                    if formula(&c, f, cand):
                        for w in range(c.nwords):
                            level[rank[f] * c.nwords + w] |= cand[w]
                        if keep:
                            memcpy(&out[f, 0], cand, c.nbytes)
                _codes(level, nlevels, c.nwords, n, &result[0])
            return codes_out, fired
        finally:
            free(cand)
            free(level)
            _close(&c, len(self.negate), self.nderived)


cdef inline Py_ssize_t _popcount(uint64_t x) noexcept nogil:
    cdef Py_ssize_t k = 0
    while x:
        x &= x - 1
        k += 1
    return k


cdef void _resolve(Ctx *c, Py_ssize_t l) noexcept nogil:
    """Literal ``l`` as the ``Lit`` the evaluation reads."""
    cdef Lit *lit = &c.lits[l]
    cdef int32_t kind = c.table[3 * l], src = c.table[3 * l + 1]
    lit.op, lit.negate = c.table[3 * l + 2], c.negate[l]
    lit.a, lit.b = c.limits[2 * l], c.limits[2 * l + 1]
    lit.kind = R_ALL if lit.negate else R_ZERO
    lit.valid, lit.shift = NULL, 0
    if kind == BIT:
        lit.kind, lit.bits, lit.length = R_WORDS, c.bits[src], c.bits_len[src]
        lit.valid, lit.shift = c.bits_valid[src], c.bits_shift[src]
    elif kind == DERIVED:
        lit.kind, lit.bits, lit.length = R_WORDS, <const uint8_t *>c.derived[src], 8 * c.nwords
    elif kind == NUMBER:
        lit.kind, lit.bits, lit.length = R_NUMBER, c.valid[src], c.valid_len[src]
        lit.values = c.values[src]
    elif kind == CODES:
        lit.kind, lit.bits, lit.length = R_CODES, c.rowcodes[src], c.n
    elif kind == ENTRIES and c.found[l] != NULL:
        lit.kind, lit.bits, lit.length = R_WORDS, <const uint8_t *>c.found[l], 8 * c.nwords
        lit.negate = 0


cdef bint _may_pass(const Ctx *c, Py_ssize_t l, double *stats, int8_t *known) noexcept nogil:
    """Whether some value of a sparse literal's column may pass it, from the column's smallest
    and largest number and whether it has one that is not finite (one pass per column, only
    then a pass per literal: problems are rare)."""
    cdef int32_t src = c.table[3 * l + 1], op = c.table[3 * l + 2]
    cdef double a = c.limits[2 * l], b = c.limits[2 * l + 1]
    cdef Py_ssize_t i
    cdef int nonfinite
    cdef uint8_t code, anyb = 0
    if op == NS_EQ:
        if c.codes[src] == NULL:
            return False
        code = <uint8_t>a
        for i in range(c.count[src]):
            anyb |= c.codes[src][i] == code
        return anyb != 0
    if not known[src]:
        ns_stats(c.entries[src], c.count[src], &stats[3 * src], &stats[3 * src + 1], &nonfinite)
        stats[3 * src + 2] = nonfinite
        known[src] = 1
    if op == NS_NONFINITE:
        return stats[3 * src + 2] != 0
    if op == NS_OUTSIDE:  # NaN is outside
        return stats[3 * src + 2] != 0 or stats[3 * src] < a or stats[3 * src + 1] > b
    if op == NS_LT:
        return stats[3 * src] < a
    if op == NS_LE:
        return stats[3 * src] <= a
    if op == NS_GT:
        return stats[3 * src + 1] > a
    return stats[3 * src + 1] >= a


cdef int _prepare(Ctx *c) noexcept nogil:
    """The derived bitmaps, the rows of each sparse literal (a bitmap only when some entry
    passes) and the resolved literals. Nonzero when out of memory."""
    cdef Py_ssize_t j, w, l, i, count
    cdef int32_t src, op
    cdef double a, b
    cdef uint64_t x
    cdef int64_t r
    cdef uint64_t *found
    cdef bint passes
    cdef const Lit *lit
    cdef Py_ssize_t whole
    cdef double *stats = <double *>malloc(3 * 8 * (c.nsparse + 1))
    cdef int8_t *known = <int8_t *>calloc(c.nsparse + 1, 1)
    if stats == NULL or known == NULL:
        free(stats)
        free(known)
        return 1
    for j in range(c.nderived):
        _resolve(c, j)
        c.derived[j] = <uint64_t *>malloc(c.nwords * 8)
        if c.derived[j] == NULL:
            free(stats)
            free(known)
            return 1
        lit = &c.lits[j]
        whole = 0
        if lit.kind == R_NUMBER:  # every full word in one loop, the rest row by row
            whole = c.n // 64
            ns_test_words(lit.values, lit.bits, lit.length, whole, lit.op, lit.a, lit.b,
                          c.derived[j])
        elif lit.kind == R_CODES:
            whole = c.n // 64
            ns_eq_words(lit.bits, whole, <uint8_t>lit.a, lit.negate, c.derived[j])
        for w in range(whole, c.nwords):
            c.derived[j][w] = literal_word(c, lit, w, full(c, w))
    for l in range(c.nderived, c.nliterals):
        if c.table[3 * l] != ENTRIES or not _may_pass(c, l, stats, known):
            continue
        src, op = c.table[3 * l + 1], c.table[3 * l + 2]
        a, b, count = c.limits[2 * l], c.limits[2 * l + 1], c.count[src]
        found = NULL
        i = 0
        while i < count:
            if i + 64 <= count:
                x = (ns_eq64(c.codes[src] + i, <uint8_t>a) if op == NS_EQ
                     else ns_test64(c.entries[src] + i, op, a, b))
            else:
                x = 0
                for j in range(count - i):
                    if op == NS_EQ:
                        passes = c.codes[src][i + j] == <uint8_t>a
                    else:
                        passes = ns_test(c.entries[src][i + j], op, a, b)
                    if passes:
                        x |= (<uint64_t>1) << j
            while x:
                r = c.rows[src][i + ns_ctz(x)]
                x &= x - 1
                if r < 0 or r >= c.n:
                    continue
                if found == NULL:
                    found = <uint64_t *>calloc(c.nwords, 8)
                    if found == NULL:
                        free(stats)
                        free(known)
                        return 1
                    c.found[l] = found
                found[r >> 6] |= (<uint64_t>1) << (r & 63)
            i += 64
    for l in range(c.nderived, c.nliterals):
        _resolve(c, l)
    free(stats)
    free(known)
    return 0


cdef void _close(Ctx *c, Py_ssize_t nliterals, Py_ssize_t nderived) noexcept:
    cdef Py_ssize_t i
    if c.derived != NULL:
        for i in range(nderived):
            free(c.derived[i])
    if c.found != NULL:
        for i in range(nliterals):
            free(c.found[i])
    free(c.bits)
    free(c.bits_len)
    free(c.bits_valid)
    free(c.bits_shift)
    free(c.values)
    free(c.valid)
    free(c.valid_len)
    free(c.rows)
    free(c.entries)
    free(c.codes)
    free(c.count)
    free(c.rowcodes)
    free(c.derived)
    free(c.found)
    free(c.lits)


cdef inline void _spread(uint64_t plane0, uint64_t plane1, Py_ssize_t at, Py_ssize_t n,
                         uint8_t *out) noexcept nogil:
    """Rows ``at`` to ``at + 63``: code = bit of plane0 + 2 x bit of plane1, eight rows (one
    byte of each plane) per table look-up."""
    cdef Py_ssize_t j
    cdef uint64_t c8
    for j in range(8):
        c8 = SPREAD[<uint8_t>(plane0 >> (8 * j))] | SPREAD[<uint8_t>(plane1 >> (8 * j))] << 1
        if at + 8 * j + 8 <= n:
            memcpy(out + at + 8 * j, &c8, 8)
        elif at + 8 * j < n:
            memcpy(out + at + 8 * j, &c8, n - at - 8 * j)


cdef void _codes(const uint64_t *level, Py_ssize_t nlevels, Py_ssize_t nwords, Py_ssize_t n,
                 uint8_t *out) noexcept nogil:
    """Per row the highest level whose bitmap has it (0 for none). Per word, the rows of each
    level not in a higher one set the bits of that level's number in bit planes; eight rows of
    a plane become eight bytes by a table. Up to four levels, two planes in one pass; more
    levels take one pass per pair of planes."""
    cdef Py_ssize_t w, k, t
    cdef uint64_t covered, only, p0, p1
    for t in range(0, 8, 2):
        if t and (<Py_ssize_t>1 << t) >= nlevels:
            break
        for w in range(nwords):
            covered, p0, p1 = 0, 0, 0
            for k in range(nlevels - 1, 0, -1):
                only = level[k * nwords + w] & ~covered
                covered |= level[k * nwords + w]
                if k >> t & 1:
                    p0 |= only
                if k >> (t + 1) & 1:
                    p1 |= only
            if t == 0:
                _spread(p0, p1, 64 * w, n, out)
            else:
                _add_planes(p0, p1, t, 64 * w, n, out)


cdef void _add_planes(uint64_t plane0, uint64_t plane1, Py_ssize_t t, Py_ssize_t at,
                      Py_ssize_t n, uint8_t *out) noexcept nogil:
    """Add bits ``t`` and ``t + 1`` of the codes of rows ``at`` to ``at + 63``."""
    cdef Py_ssize_t r
    for r in range(at, min(at + 64, n)):
        out[r] |= ((plane0 >> (r - at) & 1) | (plane1 >> (r - at) & 1) << 1) << t


def level_codes(list bitmaps, ranks, Py_ssize_t nlevels, Py_ssize_t n):
    """Per row the highest rank (``ranks[i]``, 0 to nlevels - 1) among the bitmaps that have
    it, 0 when none does (uint8)."""
    cdef const int32_t[::1] rank = np.ascontiguousarray(ranks, np.int32)
    cdef Py_ssize_t i, w, nwords = (n + 63) // 64, nbytes = (n + 7) // 8, k = len(bitmaps)
    if len(rank) != k or not 1 <= nlevels <= 256 or n < 0:
        raise ValueError("one rank per bitmap, at most 255 levels")
    for i in range(k):
        if not 0 <= rank[i] < nlevels:
            raise ValueError("a rank outside the levels")
    out = np.empty(n, np.uint8)
    if n == 0:
        return out
    cdef uint8_t[::1] codes = out
    held = _Sources(k)
    cdef const uint8_t **bits = <const uint8_t **>calloc(k + 1, sizeof(void *))
    cdef Py_ssize_t *length = <Py_ssize_t *>calloc(k + 1, sizeof(Py_ssize_t))
    cdef uint64_t *level = <uint64_t *>calloc(nwords * nlevels, 8)
    try:
        if bits == NULL or length == NULL or level == NULL:
            raise MemoryError()
        for i in range(k):
            bits[i] = <const uint8_t *>held.get(bitmaps[i], 1, nbytes)
            length[i] = min(held.length(), nbytes)
        with nogil:
            for i in range(k):
                for w in range(nwords):
                    level[rank[i] * nwords + w] |= ns_load(bits[i], w, length[i])
            for i in range(1, nlevels):
                level[i * nwords + nwords - 1] &= (~(<uint64_t>0) if n % 64 == 0
                                                   else ((<uint64_t>1) << (n % 64)) - 1)
            _codes(level, nlevels, nwords, n, &codes[0])
        return out
    finally:
        free(bits)
        free(length)
        free(level)


def match_texts(const uint64_t[:, ::1] views, valid, Py_ssize_t n, list spellings):
    """Bitmaps of the rows (``valid``: rows with a value) whose text is each of ``spellings``
    (at most 12 bytes each, compared on the Arrow string views, two words per row), one row of
    ``(n + 7) // 8`` bytes each, and the bitmap and number of the other rows with a value."""
    cdef Py_ssize_t k = len(spellings), nbytes = (n + 7) // 8, nwords = (n + 63) // 64
    cdef Py_ssize_t i, w, s, rows, vlen, count = 0
    cdef uint32_t lanes[32]
    cdef uint32_t masks[32]
    cdef uint64_t hit[8]
    cdef uint64_t vw, anyhit, last
    if views.shape[0] < n or views.shape[1] != 2 or k > 8:
        raise ValueError("views of n rows, at most 8 spellings")
    for s, spelling in enumerate(spellings):
        data = bytes(spelling)
        if len(data) > 12:
            raise ValueError("spellings of at most 12 bytes")
        padded = len(data).to_bytes(4, "little") + data.ljust(12, b"\0")
        for i in range(4):
            lanes[4 * s + i] = int.from_bytes(padded[4 * i:4 * i + 4], "little")
            shown = min(max(len(data) - 4 * (i - 1), 0), 4) if i else 4
            masks[4 * s + i] = (1 << (8 * shown)) - 1
    matches_out = np.zeros((k, nbytes), np.uint8)
    other_out = np.zeros(nbytes, np.uint8)
    if n == 0:
        return matches_out, other_out, 0
    held = _Sources(1)
    cdef const uint8_t *valid_bits = <const uint8_t *>held.get(valid, 1, nbytes)
    vlen = held.length()
    cdef uint8_t[:, ::1] matches = matches_out
    cdef uint8_t[::1] other = other_out
    cdef const uint64_t *p = &views[0, 0]
    with nogil:
        for w in range(nwords):
            rows = n - 64 * w if 64 * w + 64 > n else 64
            last = ~(<uint64_t>0) if rows == 64 else ((<uint64_t>1) << rows) - 1
            vw = ns_load(valid_bits, w, vlen) & last
            ns_views64(p + 128 * w, <int>rows, lanes, masks, <int>k, hit)
            anyhit = 0
            for s in range(k):
                hit[s] &= vw
                anyhit |= hit[s]
                memcpy(&matches[s, 8 * w], &hit[s], min(8, nbytes - 8 * w))
            vw &= ~anyhit
            count += _popcount(vw)
            memcpy(&other[8 * w], &vw, min(8, nbytes - 8 * w))
    return matches_out, other_out, count


def fill_invalid(const double[::1] values, valid, Py_ssize_t n, double fill):
    """A copy of the first ``n`` values with ``fill`` on the rows whose bit is not set in
    ``valid``."""
    if values.shape[0] < n:
        raise ValueError("fewer values than rows")
    out = np.empty(n, np.float64)
    if n == 0:
        return out
    cdef double[::1] o = out
    held = _Sources(1)
    cdef Py_ssize_t nbytes = (n + 7) // 8, w, j, rows
    cdef const uint8_t *bits = <const uint8_t *>held.get(valid, 1, nbytes)
    cdef Py_ssize_t vlen = held.length()
    cdef uint64_t vw
    with nogil:
        for w in range((n + 63) // 64):
            rows = n - 64 * w if 64 * w + 64 > n else 64
            vw = ns_load(bits, w, vlen)
            for j in range(rows):
                o[64 * w + j] = values[64 * w + j] if vw >> j & 1 else fill
    return out
