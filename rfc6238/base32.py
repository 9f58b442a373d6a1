"""Base32 for OTP secrets (RFC 4648 §6), as authenticator apps write them.

Secrets travel as base32 text (the Key URI format omits the ``=`` padding). Decoding has two
modes:

* **strict**: upper-case alphabet only, padding optional, no separators, and the unused
  trailing bits of the last character must be zero (one canonical text per key);
* **lenient** (default): also accepts lower case and strips ASCII spaces and hyphens
  (``"jbsw y3dp-ehpk 3pxp"``), as people type secrets shown in groups.

The ASCII check runs *before* case mapping: ``"\u0131".upper() == "I"`` (dotless i) and
``"\u017f".upper() == "S"`` (long s) would otherwise smuggle non-ASCII text in.

>>> encode(b"12345678901234567890")
'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
>>> decode("gezd gnbv-gy3t qojq gezd gnbv gy3t qojq")
b'12345678901234567890'
"""

from __future__ import annotations

import base64
import binascii

from ._checks import check_bool, to_bytes
from .errors import InvalidEncoding, InvalidType

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from typing import Final

__all__ = ["decode", "encode"]

_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ALLOWED_STRICT: Final = frozenset(_ALPHABET + "=")
# Padding needed for each possible length of the last 8-character group.
_VALID_TAILS: Final = {0: 0, 2: 6, 4: 4, 5: 3, 7: 1}
#: Bound on input length: 1024 characters is 640 bytes, ten times the largest sane key.
MAX_TEXT_LENGTH: Final = 1024


def encode(key: bytes | bytearray | memoryview) -> str:
    """Encode key bytes as upper-case base32 without ``=`` padding (Key URI format).

    Args:
        key: The key bytes.

    Returns:
        The base32 text, e.g. ``'GEZDGNBV...'``.

    Raises:
        InvalidType: ``key`` is not bytes-like.

    >>> encode(b"hello")
    'NBSWY3DP'
    """
    return base64.b32encode(to_bytes(key, "key")).decode("ascii").rstrip("=")


def decode(text: str, *, strict: bool = False) -> bytes:
    """Decode base32 text to key bytes (RFC 4648 §6).

    Args:
        text: The base32 secret; padding is optional.
        strict: Accept only the canonical upper-case form (no separators, zero trailing bits).

    Returns:
        The key bytes.

    Raises:
        InvalidType: ``text`` is not a ``str``.
        InvalidEncoding: not valid base32 under the chosen mode. The message never quotes the
            text, because it is a secret.

    >>> decode("NBSWY3DP", strict=True)
    b'hello'
    """
    check_bool(strict, "strict")
    if not isinstance(text, str):
        raise InvalidType(f"secret text must be a str, not {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidEncoding(f"base32 secret must be at most {MAX_TEXT_LENGTH} characters")
    if not text.isascii():
        raise InvalidEncoding("base32 secret must contain only ASCII characters")
    if not strict:
        text = text.replace(" ", "").replace("-", "").upper()
    elif not _ALLOWED_STRICT.issuperset(text):
        raise InvalidEncoding("base32 secret must use only A-Z, 2-7 and = in strict mode")
    body = text.rstrip("=")
    padding = len(text) - len(body)
    tail = len(body) % 8
    if tail not in _VALID_TAILS:
        raise InvalidEncoding("base32 secret has an impossible length")
    if padding and padding != _VALID_TAILS[tail]:
        raise InvalidEncoding("base32 secret has wrong padding")
    if not body:
        raise InvalidEncoding("base32 secret must not be empty")
    if "=" in body:
        raise InvalidEncoding("base32 secret has padding in the middle")
    try:
        key = base64.b32decode(body + "=" * _VALID_TAILS[tail])
    except binascii.Error as err:
        raise InvalidEncoding("base32 secret contains characters outside A-Z and 2-7") from err
    if strict and encode(key) != body:
        raise InvalidEncoding("base32 secret has non-zero trailing bits (not canonical)")
    return key
