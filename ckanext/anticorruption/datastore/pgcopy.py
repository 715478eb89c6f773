"""PostgreSQL's binary COPY format, made from Arrow arrays (pure: no CKAN import).

COPY ... FROM STDIN WITH (FORMAT binary) reads a header, then per row the
field count (int16) and per field its length (int32, -1 for NULL) and its
value in the type's binary form (``*_recv``), then a trailer. PostgreSQL
then neither splits CSV nor runs the types' text input functions: for a
million contracts rows that was most of its CPU (see bench/README.md).

Every piece is built column-wise with Arrow's kernels: a field becomes a
binary array of its length prefixes and one of its values, and
``binary_join_element_wise`` over all of them (NULL values skipped) gives
one element per row whose bytes, in order, are the rows of the COPY.
Fixed-width values are written big-endian with the ``array`` module's
byte swap (no numpy). Text is sent as its UTF-8 bytes, as ``text_recv``
reads it (PostgreSQL still checks the encoding).
"""
from __future__ import annotations

import array
import datetime
import decimal
import struct
import sys
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["HEADER", "TRAILER", "encode_numeric", "rows"]

# Signature, flags (no OIDs), header extension length.
HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"

_POSTGRES_EPOCH = datetime.date(2000, 1, 1)
_EPOCH_DAYS = (_POSTGRES_EPOCH - datetime.date(1970, 1, 1)).days
_EPOCH_MICROS = _EPOCH_DAYS * 86_400_000_000
_SWAP = sys.byteorder == "little"

# numeric's sign word; NaN is its own sign.
_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN = 0x0000, 0x4000, 0xC000


def rows(kinds: list[str], arrays: list[pa.Array]) -> pa.Buffer | bytes:
    """The rows of ``arrays`` (one per column, of the DataStore type in ``kinds``) as binary COPY data
    (an Arrow buffer, not copied: anything that takes the buffer protocol writes it).

    The arrays are those of ``columns.typed``: int64 for ``int8``/``int4``,
    date32 for ``date``, bool for ``bool``, decimal text for ``numeric``,
    text for every other type.
    """
    length = len(arrays[0]) if arrays else 0
    if not length:
        return b""
    pieces = [_constant(struct.pack(">h", len(arrays)), length)]
    for kind, values in zip(kinds, arrays):
        pieces.extend(_field(kind, values))
    joined = pc.binary_join_element_wise(*pieces, b"", null_handling="skip")
    offsets, data = joined.buffers()[1], joined.buffers()[2]
    first, last = struct.unpack_from("<i", offsets, joined.offset * 4)[0], \
        struct.unpack_from("<i", offsets, (joined.offset + length) * 4)[0]
    return data.slice(first, last - first)


def _field(kind: str, values: pa.Array) -> list[pa.Array]:
    """[length prefixes, values] of one column (a NULL's value is null, skipped by the join)."""
    if kind == "int8":
        return _fixed(values, pa.int64(), "q", 8)
    if kind == "int4":
        checked = pc.if_else(pc.and_(pc.greater_equal(values, -2 ** 31), pc.less(values, 2 ** 31)), values, None)
        return _fixed(checked, pa.int32(), "i", 4)
    if kind == "date":
        days = pc.subtract(pc.cast(values, pa.int32()), _EPOCH_DAYS)
        return _fixed(days, pa.int32(), "i", 4)
    if kind == "bool":
        return _fixed(pc.cast(values, pa.int8()), pa.int8(), "b", 1)
    if kind == "numeric":
        return _numeric(values)
    if kind == "timestamp":
        return _fixed(_timestamps(values), pa.int64(), "q", 8)
    if kind == "time":
        return _fixed(_times(values), pa.int64(), "q", 8)
    text = values.cast(pa.string()).cast(pa.binary())
    lengths = pc.fill_null(pc.binary_length(text), -1)
    return [_big_endian(lengths, pa.int32(), "i", 4), text]


def _fixed(values: pa.Array, arrow_type: pa.DataType, code: str, width: int) -> list[pa.Array]:
    if not values.null_count:
        return [_constant(struct.pack(">i", width), len(values)), _big_endian(values, arrow_type, code, width)]
    valid = pc.is_valid(values)
    prefix = pc.if_else(valid, width, -1).cast(pa.int32())
    filled = pc.fill_null(values.cast(arrow_type), 0)
    encoded = _big_endian(filled, arrow_type, code, width)
    return [_big_endian(prefix, pa.int32(), "i", 4), pc.if_else(valid, encoded, pa.scalar(None, pa.binary()))]


def _big_endian(values: pa.Array, arrow_type: pa.DataType, code: str, width: int) -> pa.Array:
    """Values without nulls as a binary array of their big-endian bytes, ``width`` each."""
    values = values.cast(arrow_type)
    length = len(values)
    buffer = values.buffers()[1]
    raw = memoryview(buffer)[values.offset * width:(values.offset + length) * width]
    if _SWAP and width > 1:
        swapped = array.array(code)
        swapped.frombytes(raw)
        swapped.byteswap()
        data = pa.py_buffer(swapped)
    else:
        data = pa.py_buffer(bytes(raw))
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), length, [None, data]).cast(pa.binary())


def _constant(value: bytes, length: int) -> pa.Array:
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(len(value)), length,
                                                [None, pa.py_buffer(value * length)]).cast(pa.binary())


def _numeric(values: pa.Array) -> list[pa.Array]:
    """numeric's binary form: ndigits, weight, sign, dscale (int16 each), then base-10000 digits.

    Each row of a batch gets the same number of digit groups (leading and
    trailing zero groups are allowed: PostgreSQL strips them), and its own
    dscale, the decimals it was written with: "837480.00" stays 837480.00.
    Plain decimals of up to 18 digits are done column-wise (the digits
    without the point, as an int64, and the point's place); anything else
    (exponents, NaN, longer numbers) one value at a time.
    """
    text = pc.utf8_ltrim(values.cast(pa.string()), "+")
    valid = pc.is_valid(text)
    try:
        vectorised = _numeric_columnwise(text, valid)
    except (pa.ArrowInvalid, OverflowError):
        vectorised = None
    if vectorised is None:
        encoded = pa.array([None if v is None else encode_numeric(v) for v in text.to_pylist()], pa.binary())
        lengths = pc.fill_null(pc.binary_length(encoded), -1)
        return [_big_endian(lengths, pa.int32(), "i", 4), encoded]
    return vectorised


def _numeric_columnwise(text: pa.Array, valid: pa.Array) -> list[pa.Array] | None:
    point = pc.find_substring(text, ".")
    scale = pc.if_else(pc.less(point, 0), 0, pc.subtract(pc.subtract(pc.binary_length(text), point), 1))
    digits = pc.fill_null(pc.replace_substring(text, ".", "", max_replacements=1), "0")
    unscaled = pc.cast(digits, pa.int64())
    max_scale = pc.max(scale).as_py() or 0
    fraction_groups = -(-max_scale // 4)
    shift = pc.subtract(fraction_groups * 4, pc.fill_null(scale, 0))
    # Every value, with the zeros that align its decimals to the batch's, must fit an int64.
    if (pc.max(pc.add(pc.binary_length(pc.utf8_ltrim(digits, "-")), shift)).as_py() or 0) > 18:
        return None
    # The value times 10^(4 × fraction_groups), as an int64: its base-10000 digits are numeric's.
    scaled = pc.multiply(unscaled, pc.power(pa.scalar(10, pa.int64()), pc.cast(shift, pa.int64())))
    magnitude = pc.abs(scaled)
    groups = max(fraction_groups + 1, len(str(pc.max(magnitude).as_py() or 0)) + 3 >> 2)
    header = _constant(struct.pack(">hh", groups, groups - fraction_groups - 1), len(text))
    sign = pc.if_else(pc.less(scaled, 0), _NUMERIC_NEG, _NUMERIC_POS)
    pieces = [header, _big_endian(pc.cast(sign, pa.uint16()), pa.uint16(), "H", 2),
              _big_endian(pc.fill_null(scale, 0), pa.int16(), "h", 2)]
    for k in range(groups - 1, -1, -1):
        pieces.append(_big_endian(_group(magnitude, k), pa.int16(), "h", 2))
    encoded = pc.binary_join_element_wise(*pieces, b"")
    width = 8 + 2 * groups
    prefix = pc.if_else(valid, width, -1).cast(pa.int32())
    return [_big_endian(prefix, pa.int32(), "i", 4), pc.if_else(valid, encoded, pa.scalar(None, pa.binary()))]


def _group(number: pa.Array, k: int) -> pa.Array:
    """The k-th base-10000 digit of non-negative int64s (0: the units)."""
    shifted = pc.divide(number, pa.scalar(10_000 ** k, pa.int64())) if k else number
    return pc.subtract(shifted, pc.multiply(pc.divide(shifted, pa.scalar(10_000, pa.int64())), 10_000))


def encode_numeric(text: str) -> bytes:
    """One value's numeric binary form, as ``numeric_in`` would store the text (exponents, NaN)."""
    number = decimal.Decimal(text.strip())
    if number.is_nan():
        return struct.pack(">hhHh", 0, 0, _NUMERIC_NAN, 0)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    scale = max(0, -exponent)
    fraction_groups = -(-scale // 4)
    whole = int("".join(map(str, digits)) or "0") * 10 ** (exponent + 4 * fraction_groups)
    groups = []
    while whole:
        whole, digit = divmod(whole, 10_000)
        groups.append(digit)
    groups.reverse()
    weight = len(groups) - fraction_groups - 1
    return struct.pack(f">hhHh{len(groups)}h", len(groups), weight, _NUMERIC_NEG if sign else _NUMERIC_POS,
                       scale, *groups)


def _timestamps(values: pa.Array) -> pa.Array:
    """Microseconds since 2000-01-01 of ISO 8601 text; a zone is ignored, as ``timestamp`` input does."""
    text = pc.replace_substring_regex(pc.utf8_trim_whitespace(values.cast(pa.string())),
                                      r"(Z|[+-]\d{2}(:?\d{2})?)$", "")
    try:
        stamps = pc.cast(text, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        stamps = pa.array([None if v is None else _timestamp(v) for v in text.to_pylist()], pa.timestamp("us"))
    return pc.subtract(stamps.cast(pa.int64()), _EPOCH_MICROS)


def _timestamp(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def _times(values: pa.Array) -> pa.Array:
    """Microseconds since midnight of ``hh:mm[:ss[.ffffff]]`` text."""
    def micros(text: Any) -> int | None:
        if text is None:
            return None
        try:
            moment = datetime.time.fromisoformat(str(text).strip())
        except ValueError:
            return None
        return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond
    return pa.array([micros(v) for v in values.to_pylist()], pa.int64())
