# cython: language_level=3
"""A morsel's columns read in place through the Arrow C data interface, for compiled rules."""

from libc.stdint cimport int64_t, uint8_t, uint64_t


cdef extern from *:
    """
    #ifndef ARROW_C_DATA_INTERFACE
    #define ARROW_C_DATA_INTERFACE
    struct ArrowSchema {
      const char* format; const char* name; const char* metadata; int64_t flags;
      int64_t n_children; struct ArrowSchema** children; struct ArrowSchema* dictionary;
      void (*release)(struct ArrowSchema*); void* private_data;
    };
    struct ArrowArray {
      int64_t length; int64_t null_count; int64_t offset; int64_t n_buffers; int64_t n_children;
      const void** buffers; struct ArrowArray** children; struct ArrowArray* dictionary;
      void (*release)(struct ArrowArray*); void* private_data;
    };
    #endif
    #ifndef ARROW_C_STREAM_INTERFACE
    #define ARROW_C_STREAM_INTERFACE
    struct ArrowArrayStream {
      int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
      int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
      const char* (*get_last_error)(struct ArrowArrayStream*);
      void (*release)(struct ArrowArrayStream*);
      void* private_data;
    };
    #endif
    """
    struct ArrowSchema:
        const char* format
        const char* name
        int64_t n_children
        ArrowSchema** children
        void (*release)(ArrowSchema*) noexcept nogil

    struct ArrowArray:
        int64_t length
        int64_t null_count
        int64_t offset
        int64_t n_buffers
        int64_t n_children
        const void** buffers
        ArrowArray** children
        void (*release)(ArrowArray*) noexcept nogil

    struct ArrowArrayStream:
        int (*get_schema)(ArrowArrayStream*, ArrowSchema*) noexcept nogil
        int (*get_next)(ArrowArrayStream*, ArrowArray*) noexcept nogil
        const char* (*get_last_error)(ArrowArrayStream*) noexcept nogil
        void (*release)(ArrowArrayStream*) noexcept nogil


cdef enum Kind:
    OTHER = 0
    BOOLEAN = 1
    FLOAT64 = 2
    VIEW = 3


cdef struct Column:
    const uint8_t* valid  # NULL when the column has no nulls
    const uint8_t* data  # booleans: a bitmap; Float64: the values; string views: 16 bytes per row
    int64_t offset  # in rows
    int64_t length
    int kind


cdef class Frame:
    cdef ArrowSchema schema
    cdef ArrowArray array
    cdef Column* columns
    cdef readonly int64_t n
    cdef readonly dict positions
    cdef Column absent


cdef inline uint8_t bit_byte(const uint8_t* bits, int64_t offset, int64_t length, int64_t b) noexcept nogil:
    """Bits 8b to 8b + 7 of a bitmap that starts at bit ``offset`` and holds ``length`` bits
    (bits past the end read as 0 only within the last byte's neighbour: callers mask rows >= n)."""
    cdef int64_t start = offset + 8 * b
    cdef int64_t i = start >> 3
    cdef int shift = start & 7
    cdef unsigned int word
    if shift == 0:
        return bits[i]
    word = bits[i]
    if (i + 1) * 8 < offset + length:
        word |= (<unsigned int> bits[i + 1]) << 8
    return <uint8_t> (word >> shift)


cdef inline uint8_t flag_byte(const Column* c, int64_t b) noexcept nogil:
    """Rows 8b to 8b + 7 of a yes/no column, 'true and not null', one bit each (0 for an
    absent column)."""
    cdef uint8_t out
    if c.data == NULL:
        return 0
    out = bit_byte(c.data, c.offset, c.length, b)
    if c.valid != NULL:
        out &= bit_byte(c.valid, c.offset, c.length, b)
    return out


cdef inline bint is_valid(const Column* c, int64_t r) noexcept nogil:
    cdef int64_t p
    if c.data == NULL:
        return False
    if c.valid == NULL:
        return True
    p = c.offset + r
    return (c.valid[p >> 3] >> (p & 7)) & 1


cdef inline double number(const Column* c, int64_t r) noexcept nogil:
    """A Float64 value (undefined where the row is null)."""
    return (<const double*> c.data)[c.offset + r]


cdef inline const uint64_t* view(const Column* c, int64_t r) noexcept nogil:
    """A string view's two 64-bit words (length and prefix, then the rest or a reference)."""
    return (<const uint64_t*> c.data) + 2 * (c.offset + r)
