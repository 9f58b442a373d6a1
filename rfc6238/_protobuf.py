"""The Protocol Buffers wire format, by hand: the subset migration payloads need.

Source: "Encoding" in the Protocol Buffers documentation (protobuf.dev/programming-guides/
encoding): a message is a sequence of records ``tag = (field_number << 3) | wire_type``
followed by a value; wire type 0 is a base-128 varint (at most 10 bytes, least significant
group first), 1 is 8 little-endian bytes, 2 is a varint length then that many bytes, 5 is 4
bytes, and 3/4 open and close a (deprecated) group. ``int32``/``int64`` values are two's
complement, so a negative number is a 10-byte varint. Unknown fields are skipped, as every
protobuf parser does; anything truncated, overlong or contradictory raises
:class:`~rfc6238.errors.InvalidEncoding`.

>>> encode_varint(300).hex()
'ac02'
>>> list(iter_fields(bytes.fromhex("08ac02120161")))
[(1, 0, 300), (2, 2, b'a')]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from .errors import InvalidEncoding

__all__ = [
    "LEN",
    "VARINT",
    "encode_field",
    "encode_varint",
    "iter_fields",
    "to_int32",
    "to_int64",
]

VARINT: Final = 0
I64: Final = 1
LEN: Final = 2
SGROUP: Final = 3
EGROUP: Final = 4
I32: Final = 5
_MAX_FIELD: Final = 2**29 - 1
_MAX_DEPTH: Final = 32
_U64: Final = 2**64


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise InvalidEncoding("protobuf payload is truncated inside a varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if value >= _U64:
                raise InvalidEncoding("protobuf varint exceeds 64 bits")
            return value, pos
    raise InvalidEncoding("protobuf varint is longer than 10 bytes")


def _read_record(data: bytes, pos: int, depth: int) -> tuple[int, int, int | bytes | None, int]:
    """Read one record at ``pos``: (field number, wire type, value, next position)."""
    key, pos = _read_varint(data, pos)
    number, wire = key >> 3, key & 7
    if not 1 <= number <= _MAX_FIELD:
        raise InvalidEncoding("protobuf field number must be between 1 and 2**29-1")
    value: int | bytes | None
    if wire == VARINT:
        value, pos = _read_varint(data, pos)
    elif wire in (I64, I32):
        size = 8 if wire == I64 else 4
        if pos + size > len(data):
            raise InvalidEncoding("protobuf payload is truncated inside a fixed-size field")
        value, pos = int.from_bytes(data[pos : pos + size], "little"), pos + size
    elif wire == LEN:
        size, pos = _read_varint(data, pos)
        if size > len(data) - pos:
            raise InvalidEncoding("protobuf length-delimited field runs past the end")
        value, pos = data[pos : pos + size], pos + size
    elif wire == SGROUP:
        pos, value = _skip_group(data, pos, number, depth + 1), None
    else:
        raise InvalidEncoding(f"protobuf wire type {wire} is not valid here")
    return number, wire, value, pos


def _skip_group(data: bytes, pos: int, number: int, depth: int) -> int:
    if depth > _MAX_DEPTH:
        raise InvalidEncoding("protobuf groups are nested too deeply")
    while pos < len(data):
        key, after = _read_varint(data, pos)
        if key & 7 == EGROUP:
            if key >> 3 != number:
                raise InvalidEncoding("protobuf group is closed with the wrong field number")
            return after
        pos = _read_record(data, pos, depth)[3]
    raise InvalidEncoding("protobuf group is not closed")


def iter_fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield ``(field_number, wire_type, value)``: an int for varint/fixed, bytes for LEN.

    Groups (unknown by definition in proto3) are skipped.
    """
    pos = 0
    while pos < len(data):
        number, wire, value, pos = _read_record(data, pos, 0)
        if value is not None:
            yield number, wire, value


def encode_varint(value: int) -> bytes:
    """Encode an unsigned 64-bit integer as a base-128 varint."""
    if not 0 <= value < _U64:
        raise ValueError("varint value must be in 0..2**64-1")  # internal misuse only
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_field(number: int, value: int | bytes) -> bytes:
    """One record: a varint field for ``int`` (two's complement if negative), LEN for bytes."""
    if isinstance(value, bytes):
        return encode_varint(number << 3 | LEN) + encode_varint(len(value)) + value
    return encode_varint(number << 3 | VARINT) + encode_varint(value % _U64)


def to_int64(value: int) -> int:
    """Read a varint as a signed ``int64`` (two's complement)."""
    return value - _U64 if value >= 2**63 else value


def to_int32(value: int, name: str) -> int:
    """Read a varint as ``int32``; values outside the int32 range are rejected, not truncated."""
    signed = to_int64(value)
    if not -(2**31) <= signed < 2**31:
        raise InvalidEncoding(f"{name} does not fit a protobuf int32")
    return signed
