# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""A morsel's columns read in place through the Arrow C data interface (``__arrow_c_stream__``),
so that compiled rules reach every column's buffers with one call, not one per column."""

from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.stdlib cimport calloc, free
from libc.string cimport strcmp


cdef class Frame:
    """The columns of a single-chunk Polars DataFrame: ``positions`` maps a column's name to
    its index for the compiled rules; the exported arrays live as long as this object."""

    def __cinit__(self, frame):
        cdef ArrowArrayStream* capsule_stream
        cdef ArrowArrayStream stream
        cdef ArrowArray extra
        cdef int64_t i
        cdef ArrowArray* child
        self.columns = NULL
        self.schema.release = NULL
        self.array.release = NULL
        self.absent.data = NULL
        self.absent.valid = NULL
        self.absent.kind = OTHER
        capsule = frame.__arrow_c_stream__()
        capsule_stream = <ArrowArrayStream*> PyCapsule_GetPointer(capsule, "arrow_array_stream")
        stream = capsule_stream[0]
        capsule_stream.release = NULL  # moved: the capsule no longer owns it
        try:
            if stream.get_schema(&stream, &self.schema) != 0:
                raise RuntimeError("Arrow export failed (schema)")
            if stream.get_next(&stream, &self.array) != 0:
                raise RuntimeError("Arrow export failed (array)")
            if self.array.release == NULL:  # an empty frame: no batch at all
                self.n = 0
            else:
                self.n = self.array.length
                extra.release = NULL
                if stream.get_next(&stream, &extra) == 0 and extra.release != NULL:
                    extra.release(&extra)
                    raise ValueError("Frame needs a frame of one chunk (rechunk it first)")
        finally:
            stream.release(&stream)
        count = self.schema.n_children
        self.columns = <Column*> calloc(max(count, 1), sizeof(Column))
        self.positions = {}
        for i in range(count):
            self.positions[self.schema.children[i].name.decode()] = i
            if self.array.release == NULL:
                continue
            child = self.array.children[i]
            fmt = self.schema.children[i].format
            self.columns[i].offset = child.offset
            self.columns[i].length = child.length
            self.columns[i].valid = <const uint8_t*> (child.buffers[0] if child.null_count != 0
                                                      else NULL)
            if strcmp(fmt, b"b") == 0:
                self.columns[i].kind = BOOLEAN
                self.columns[i].data = <const uint8_t*> child.buffers[1]
            elif strcmp(fmt, b"g") == 0:
                self.columns[i].kind = FLOAT64
                self.columns[i].data = <const uint8_t*> child.buffers[1]
            elif strcmp(fmt, b"vu") == 0:
                self.columns[i].kind = VIEW
                self.columns[i].data = <const uint8_t*> child.buffers[1]
            else:
                self.columns[i].kind = OTHER
                self.columns[i].data = NULL

    def __dealloc__(self):
        if self.array.release != NULL:
            self.array.release(&self.array)
        if self.schema.release != NULL:
            self.schema.release(&self.schema)
        free(self.columns)

    def kind(self, name: str) -> str:
        """The column's kind as the compiled rules see it (for tests and checks)."""
        i = self.positions.get(name)
        if i is None:
            return "absent"
        return ("other", "boolean", "float64", "view")[self.columns[i].kind]

    def whole_bytes(self, name: str) -> bool:
        """Whether a column is Boolean and starts on a whole byte (so that compiled rules read
        its bitmaps a byte or a word at a time)."""
        i = self.positions.get(name)
        return i is not None and self.columns[i].kind == BOOLEAN and self.columns[i].offset % 8 == 0
