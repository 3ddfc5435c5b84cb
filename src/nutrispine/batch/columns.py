"""One morsel of a batch input as the rules read it: yes/no columns as Arrow bitmaps (eight
rows to a byte), number columns in place with their validity kept apart as bits, text columns
as Arrow string views, and every column's buffers at once for the compiled loops
(``Morsel.arrow``).

Why not Polars expressions: the rules need some three hundred passes over full columns, each of
which Polars would materialise; the compiled loops (``_*.pyx``) make one pass per rule family
over buffers read in place, and the NumPy helpers here serve the rarer paths (diet patterns,
columns that start inside a byte, the triage reasons' bit masks).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from nutrispine.batch._arrow import Frame
from nutrispine.batch._columns import set_rows

_U64 = np.uint64


def nbytes(n: int) -> int:
    """Bytes of a bitmap of ``n`` rows."""
    return (n + 7) // 8


def pack(mask: np.ndarray) -> np.ndarray:
    """A boolean array as a bitmap (little-endian bit order, as Arrow's)."""
    return np.packbits(mask, bitorder="little")


def unpack(bitmap: np.ndarray, n: int) -> np.ndarray:
    """A bitmap as a boolean array of ``n`` rows."""
    return np.unpackbits(bitmap, count=n, bitorder="little").view(np.bool_)


def _buffer(buf: object, dtype: type, count: int, offset: int) -> np.ndarray:
    return np.frombuffer(buf, dtype, count=count, offset=offset)  # type: ignore[call-overload]


def validity(array: object, n: int) -> np.ndarray | None:
    """The validity bitmap of an Arrow array read in place (None when it has no nulls, or when
    it starts in the middle of a byte: then the caller asks Polars)."""
    buffers = array.buffers()  # type: ignore[attr-defined]
    if array.null_count == 0:  # type: ignore[attr-defined]
        return ones(n)
    if buffers[0] is None or array.offset % 8:  # type: ignore[attr-defined]
        return None
    return _buffer(buffers[0], np.uint8, nbytes(n), array.offset // 8)  # type: ignore[attr-defined]


def bits(series: pl.Series) -> np.ndarray:
    """'True and not null' of a Boolean column as a new bitmap; bits past the last row are 0.

    Zero-copy read of Arrow's data and validity bitmaps; a column that starts in the middle of
    a byte (a slice) is packed from its values instead."""
    array = series.to_arrow()
    n = len(array)
    buffers = array.buffers()
    if array.offset % 8 or len(buffers) != 2:
        return pack(series.fill_null(False).to_numpy())
    validity, data = buffers
    start = array.offset // 8
    out = _buffer(data, np.uint8, nbytes(n), start).copy()
    if validity is not None and array.null_count:
        out &= _buffer(validity, np.uint8, nbytes(n), start)
    if n % 8:
        out[-1] &= (1 << (n % 8)) - 1
    return out


def ones(n: int) -> np.ndarray:
    """A bitmap of ``n`` rows, all set."""
    out = np.full(nbytes(n), 0xFF, np.uint8)
    if n % 8:
        out[-1] = (1 << (n % 8)) - 1
    return out


def rows_bitmap(rows: np.ndarray, n: int) -> np.ndarray | None:
    """A bitmap of ``n`` rows with ``rows`` (row numbers) set; None when there are none."""
    if not len(rows):
        return None
    mask = np.zeros(n, np.bool_)
    mask[rows] = True
    return pack(mask)


def choose(mask: np.ndarray, a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """``a`` where ``mask`` (booleans) else ``b``, for small integer codes (uint8): a bitwise
    blend, several times faster than ``np.where``, which branches per element."""
    m = mask.view(np.uint8) * np.uint8(255)
    a8, b8 = np.asarray(a, np.uint8), np.asarray(b, np.uint8)
    return b8 ^ ((a8 ^ b8) & m)


class Numbers:
    """A Float64 column read in place: ``values`` (undefined where the row is null) and the
    bitmap of the rows with a value (``valid``); ``finite`` (rows with a finite value) is
    computed when first asked for: NaN or infinity is a value a profile would refuse, not a
    missing answer."""

    def __init__(self, values: np.ndarray, valid: np.ndarray) -> None:
        self.values, self.valid = values, valid
        self._finite: np.ndarray | None = None

    @property
    def finite(self) -> np.ndarray:
        if self._finite is None:
            with np.errstate(invalid="ignore"):
                self._finite = pack(np.isfinite(self.values)) & self.valid
        return self._finite

    def bad(self) -> np.ndarray | None:
        """Rows whose value is not a finite number (None when there are none)."""
        bad = self.valid & ~self.finite
        return bad if bad.any() else None


def numbers(series: pl.Series) -> Numbers:
    """A Float64 column as ``Numbers`` (no copy of the values)."""
    array = series.to_arrow()
    n = len(array)
    values = _buffer(array.buffers()[1], np.float64, n, array.offset * 8)
    valid = validity(array, n)
    return Numbers(values, bits(series.is_not_null()) if valid is None else valid)


class Sparse:
    """The rows of a number column that have a value (row numbers, in order) and those values:
    lab results and supplements are given for some people only, so their rules run on these
    rows alone."""

    def __init__(self, numbers: Numbers, n: int) -> None:
        self.rows, self.values = set_rows(numbers.valid, numbers.values, n)

    def where(self, mask: np.ndarray, n: int) -> np.ndarray | None:
        """The bitmap of the rows where ``mask`` (one boolean per value) holds; None if none."""
        return rows_bitmap(self.rows[mask], n)


class Texts:
    """A String column as Arrow string views (16 bytes per row: the length, then a value of
    up to 12 bytes in place, zero-padded, as the Arrow format lays out short strings), read in
    place: short spellings such as units compare as two integers per row. ``None`` views
    (another layout) make every comparison fall back to Polars."""

    def __init__(self, series: pl.Series) -> None:
        self.series = series
        array = series.to_arrow(compat_level=pl.CompatLevel.newest())
        self.n = n = len(array)
        self.views: np.ndarray | None = None
        valid = validity(array, n) if str(array.type) == "string_view" else None
        if valid is not None:
            self.views = _buffer(array.buffers()[1], np.uint64, 2 * n,
                                 array.offset * 16).reshape(n, 2)
        self.valid = bits(series.is_not_null()) if valid is None else valid

    def at(self, rows: np.ndarray) -> TextRows:
        return TextRows(self, rows)


class TextRows:
    """Some rows of a ``Texts`` column, for comparisons with short spellings."""

    def __init__(self, texts: Texts, rows: np.ndarray) -> None:
        self.texts, self.rows = texts, rows
        self.valid = np.take(unpack(texts.valid, texts.n), rows)
        self.views = None if texts.views is None else np.take(texts.views, rows, axis=0)

    def equal(self, spelling: str) -> np.ndarray:
        """Whether each row holds exactly ``spelling`` (booleans, False for null)."""
        data = spelling.encode()
        if self.views is None or len(data) > 12:
            return (self.series() == spelling).fill_null(False).to_numpy()
        word = np.frombuffer(len(data).to_bytes(4, "little") + data.ljust(12, b"\0"), np.uint64)
        return (self.views[:, 0] == word[0]) & (self.views[:, 1] == word[1]) & self.valid

    def series(self) -> pl.Series:
        return self.texts.series.gather(self.rows)


def _transpose(bitmaps: list[np.ndarray], size: int) -> np.ndarray:
    """Up to eight bitmaps as one byte per row (``size`` bytes per bitmap, 8 x size rows).

    Eight bytes (one per bitmap) describe eight rows; read as one 64-bit word they are an 8 x 8
    bit matrix, and its transpose (three rounds of shifts and masks, Hacker's Delight 7-3) puts
    each row's eight answers in one byte, in row order."""
    block = np.zeros((size, 8), np.uint8)
    for j, bitmap in enumerate(bitmaps):
        block[:, j] = bitmap
    x = block.view("<u8").ravel()
    for shift, mask in ((7, 0x00AA00AA00AA00AA), (14, 0x0000CCCC0000CCCC),
                        (28, 0x00000000F0F0F0F0)):
        t = np.bitwise_and(x ^ (x >> _U64(shift)), _U64(mask))
        x ^= t
        x ^= t << _U64(shift)
    return x.view(np.uint8)


def keys(bitmaps: list[np.ndarray], n: int) -> np.ndarray:
    """Up to sixteen bitmaps as one integer per row (bit j set when bitmap j is), as indices
    into a table of 2 ** len(bitmaps) entries."""
    assert len(bitmaps) <= 16
    size = nbytes(n)
    low = _transpose(bitmaps[:8], size)
    if len(bitmaps) <= 8:
        return low[:n].astype(np.intp)
    pair = np.empty((8 * size, 2), np.uint8)
    pair[:, 0] = low
    pair[:, 1] = _transpose(bitmaps[8:], size)
    return pair.view("<u2").ravel()[:n].astype(np.intp)


class Morsel:
    """One batch of rows with cached bitmaps and numbers by column name; an absent column reads
    as 'not reported' (no bits set) or as no values, as the single assessment reads an answer
    that was not given."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.n = frame.height
        self.size = nbytes(self.n)
        self.columns = set(frame.columns)
        self._bits: dict[str, np.ndarray] = {}
        self._numbers: dict[str, Numbers] = {}
        self._texts: dict[str, Texts] = {}
        self._sparse: dict[str, Sparse] = {}
        self._arrow: Frame | None = None

    def arrow(self) -> Frame:
        """Every column's Arrow buffers, for the compiled rules (one chunk per column)."""
        if self._arrow is None:
            try:
                self._arrow = Frame(self.frame)
            except ValueError:  # more than one chunk
                self._arrow = Frame(self.frame.rechunk())
        return self._arrow

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def zeros(self) -> np.ndarray:
        return np.zeros(self.size, np.uint8)

    def ones(self) -> np.ndarray:
        return ones(self.n)

    def flag(self, name: str) -> np.ndarray:
        """The bitmap of a yes/no column (null and absent are 'no'). Do not modify it."""
        if name not in self._bits:
            self._bits[name] = bits(self.frame[name]) if name in self.columns else self.zeros()
        return self._bits[name]

    def number(self, name: str) -> Numbers | None:
        """A number column, or None when the input does not have it."""
        if name not in self.columns:
            return None
        if name not in self._numbers:
            self._numbers[name] = numbers(self.frame[name])
        return self._numbers[name]

    def sparse(self, name: str) -> Sparse | None:
        """A number column's rows with a value, or None when the input does not have it."""
        numbers = self.number(name)
        if numbers is None:
            return None
        if name not in self._sparse:
            self._sparse[name] = Sparse(numbers, self.n)
        return self._sparse[name]

    def text(self, name: str) -> pl.Series | None:
        return self.frame[name] if name in self.columns else None

    def texts(self, name: str) -> Texts | None:
        """A text column as ``Texts``, or None when the input does not have it."""
        if name not in self.columns:
            return None
        if name not in self._texts:
            self._texts[name] = Texts(self.frame[name])
        return self._texts[name]
