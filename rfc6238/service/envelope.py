"""The versioned AES-256-GCM envelope that stores OTP secrets at rest (RFC 6238 §5.1).

Layout, version 1 (all integers big-endian)::

    0x01 || key_id (4 bytes) || nonce (12 random bytes) || AES-256-GCM ciphertext || tag (16)

The associated data (authenticated, not stored) binds each ciphertext to its place. It is
never empty and every field is length-prefixed (4 bytes), because plain joining is
ambiguous: ``"12" + ":" + "3:x"`` equals ``"12:3" + ":" + "x"``::

    AD = field("rfc6238/envelope") || field(version) || field(key_id) || field(purpose)
         || field(table) || field(column) || field(user_id) || field(credential_id)

So a ciphertext copied into another user's row, another credential, another column, or
with an edited header (version, key id) fails to open. GCM cannot tell a wrong key from
tampering, and should not: both are one :class:`~rfc6238.errors.DecryptionError`. A
malformed or unsupported envelope is also a ``DecryptionError`` (with its own message);
an unknown key id is a :class:`~rfc6238.errors.KeyringError`.

Nonces are random; NIST SP 800-38D §8.3 bounds a key to 2**32 random-nonce encryptions,
far above the number of secrets a service stores and re-encrypts.

>>> from rfc6238.service.keyring import KeyRing
>>> ring = KeyRing({1: bytes(32)})
>>> where = Binding(user_id="alice", credential_id="c1")
>>> box = seal(ring, b"12345678901234567890", where)
>>> len(box), box[:5].hex()
(53, '0100000001')
>>> open_envelope(ring, box, where)
b'12345678901234567890'
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from ..errors import DecryptionError, InvalidType
from .keyring import KeyRing

__all__ = [
    "HEADER_BYTES",
    "VERSION",
    "Binding",
    "associated_data",
    "envelope_key_id",
    "open_envelope",
    "seal",
]

VERSION: Final = 1
_APP_TAG: Final = b"rfc6238/envelope"
_HEADER: Final = struct.Struct(">BI")
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
#: Version, key id and nonce: 17 bytes before the ciphertext.
HEADER_BYTES: Final = _HEADER.size + _NONCE_BYTES
#: Largest envelope accepted: a 64-byte secret plus room; bounds work on hostile rows.
MAX_ENVELOPE_BYTES: Final = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    """Where a ciphertext lives: the fields of its associated data besides the header."""

    user_id: str
    credential_id: str
    purpose: str = "otp-secret"
    table: str = "credentials"
    column: str = "secret"

    def __post_init__(self) -> None:
        for name in ("user_id", "credential_id", "purpose", "table", "column"):
            if type(getattr(self, name)) is not str:
                raise InvalidType(f"binding {name} must be a str")


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def associated_data(binding: Binding, *, key_id: int, version: int = VERSION) -> bytes:
    """The length-prefixed associated data for ``binding`` under ``key_id``.

    >>> associated_data(Binding(user_id="a", credential_id="b"), key_id=1)[:20]
    b'\\x00\\x00\\x00\\x10rfc6238/envelope'
    """
    head = _head(version, key_id, binding.purpose, binding.table, binding.column)
    return head + _field(binding.user_id.encode()) + _field(binding.credential_id.encode())


@lru_cache(maxsize=64)
def _head(version: int, key_id: int, purpose: str, table: str, column: str) -> bytes:
    # The fields shared by every row of a column under one key: built once, not per call.
    parts = (
        _APP_TAG,
        bytes([version]),
        key_id.to_bytes(4, "big"),
        purpose.encode(),
        table.encode(),
        column.encode(),
    )
    return b"".join(_field(p) for p in parts)


def seal(ring: KeyRing, plaintext: bytes, binding: Binding, *, key_id: int | None = None) -> bytes:
    """Encrypt ``plaintext`` under the ring's active key (or ``key_id``), bound to ``binding``.

    >>> ring = KeyRing({9: bytes(32)})
    >>> envelope_key_id(seal(ring, b"x" * 20, Binding(user_id="u", credential_id="c")))
    9
    """
    if not isinstance(plaintext, bytes):
        raise InvalidType("plaintext must be bytes")
    key_id = ring.active if key_id is None else key_id
    nonce = os.urandom(_NONCE_BYTES)
    aead = ring.aead(key_id)
    body = aead.encrypt(nonce, plaintext, associated_data(binding, key_id=key_id))
    return _HEADER.pack(VERSION, key_id) + nonce + body


def envelope_key_id(envelope: bytes) -> int:
    """The key id in an envelope's header (after checking version and length).

    Raises:
        DecryptionError: not bytes of a plausible length, or not version 1.
    """
    if not isinstance(envelope, bytes) or not (
        HEADER_BYTES + _TAG_BYTES <= len(envelope) <= MAX_ENVELOPE_BYTES
    ):
        raise DecryptionError("envelope is malformed: wrong type or length")
    version, key_id = _HEADER.unpack_from(envelope)
    if version != VERSION:
        raise DecryptionError(f"envelope version {version} is not supported (expected 1)")
    return int(key_id)


def open_envelope(ring: KeyRing, envelope: bytes, binding: Binding) -> bytes:
    """Decrypt an envelope made by :func:`seal` for the same ``binding``.

    Raises:
        DecryptionError: malformed, unsupported version, or authentication failed (wrong
            key, flipped bit, or a ciphertext moved to another row, column or user).
        KeyringError: the header's key id is not in the ring.
    """
    key_id = envelope_key_id(envelope)
    aead = ring.aead(key_id)
    nonce = envelope[_HEADER.size : HEADER_BYTES]
    try:
        return aead.decrypt(nonce, envelope[HEADER_BYTES:], associated_data(binding, key_id=key_id))
    except Exception as err:  # cryptography raises InvalidTag; never say which check failed
        raise DecryptionError(
            "envelope failed authentication: wrong key, tampered, or moved to another row"
        ) from err
