"""The one-shot OTP functions: HOTP (RFC 4226 §5) and TOTP (RFC 6238 §4).

Pure functions: no clock, no state, no I/O. The counter packing, the dynamic truncation and
the time arithmetic are written here; the HMAC is :func:`hmac.digest` (RFC 2104) over an
allow-listed hash.

RFC 4226 §5.3::

    HOTP(K,C) = Truncate(HMAC-SHA-1(K,C))
    DT: OffsetBits = low-order 4 bits of String[19]; P = String[OffSet]...String[OffSet+3]
        return the Last 31 bits of P
    D = Snum mod 10^Digit

RFC 6238 §4.2: ``T = (Current Unix time - T0) / X`` with floor, and ``TOTP = HOTP(K, T)``.
"""

from __future__ import annotations

import hmac

from ._checks import (
    ALGORITHMS,
    MAX_COUNTER,
    TimeLike,
    check_algorithm,
    check_counter,
    check_digits,
    check_period,
    check_t0,
    step_of,
    to_bytes,
    to_seconds,
)
from .errors import InvalidParameter
from .prepared import CODE_FORMATS, MODULI, PACK_COUNTER, UNPACK_U32
from .secret import KeyLike, check_key

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from typing import Final

__all__ = [
    "code_from_digest",
    "dynamic_truncate",
    "hotp",
    "pack_counter",
    "time_step",
    "totp",
    "unix_seconds",
]

#: The shortest HMAC output truncation accepts (SHA-1, RFC 4226 §5.3).
MIN_DIGEST_BYTES: Final = 20
# Fast path for the common spellings; anything else goes through check_algorithm.
_HASHLIB_NAMES: Final[dict[str, str]] = {
    **ALGORITHMS,
    "sha1": "sha1",
    "sha256": "sha256",
    "sha512": "sha512",
}


def pack_counter(counter: int) -> bytes:
    """Pack a counter as the 8-byte big-endian moving factor (RFC 4226 §5.1).

    >>> pack_counter(1).hex()
    '0000000000000001'
    """
    return PACK_COUNTER(check_counter(counter))


def dynamic_truncate(digest: bytes | bytearray | memoryview) -> int:
    """Dynamic truncation (RFC 4226 §5.3): the 31-bit value at the offset given by the last nibble.

    The offset is the low 4 bits of the *last* byte of the MAC (for SHA-256/512 too, as in
    RFC 6238's reference code); the top bit is masked so the value is the same signed or not.

    Args:
        digest: An HMAC value of at least 20 bytes (the SHA-1 output size).

    Raises:
        InvalidType: ``digest`` is not bytes-like.
        InvalidParameter: ``digest`` is shorter than 20 bytes.

    >>> dynamic_truncate(bytes.fromhex("1f8698690e02ca16618550ef7f19da8e945b555a"))
    1357872921
    """
    digest = to_bytes(digest, "digest")
    if len(digest) < MIN_DIGEST_BYTES:
        raise InvalidParameter(f"digest must be at least {MIN_DIGEST_BYTES} bytes (HMAC-SHA-1)")
    return _truncate(digest)


def _truncate(digest: bytes) -> int:
    """:func:`dynamic_truncate` of a digest already known to be bytes of >= 20 bytes."""
    offset = digest[-1] & 0x0F  # OffsetBits: the low 4 bits of the last byte
    value: int = UNPACK_U32(digest, offset)[0]  # P: the 4 bytes at the offset, big-endian
    return value & 0x7FFFFFFF  # the last 31 bits of P


def code_from_digest(digest: bytes | bytearray | memoryview, *, digits: int = 6) -> str:
    """The HOTP value of an HMAC digest: truncate, reduce ``mod 10**digits``, zero-pad.

    RFC 4226 §5.3 steps 2 and 3 (:func:`dynamic_truncate`, then ``Snum mod 10^Digit``).

    >>> code_from_digest(bytes.fromhex("1f8698690e02ca16618550ef7f19da8e945b555a"))
    '872921'
    """
    if type(digits) is not int or digits not in CODE_FORMATS:
        digits = check_digits(digits)
    return CODE_FORMATS[digits] % (dynamic_truncate(digest) % MODULI[digits])


def unix_seconds(time: TimeLike) -> int:
    """Whole Unix seconds (floored) of an int, a finite float or an aware datetime.

    The time value ``T`` of RFC 6238 §4.2 counts whole seconds; datetimes are converted with
    integer arithmetic, exact past 2038 and 2**53. Naive datetimes, ``bool``, NaN and the
    infinities are refused.

    >>> from datetime import datetime, timezone
    >>> unix_seconds(datetime(2009, 2, 13, 23, 31, 30, tzinfo=timezone.utc)), unix_seconds(59.9)
    (1234567890, 59)
    """
    return to_seconds(time)


def hotp(
    key: KeyLike,
    counter: int,
    *,
    digits: int = 6,
    algorithm: str = "SHA1",
) -> str:
    """Compute an HOTP value (RFC 4226 §5.3).

    This is the math: any non-empty key is accepted. Verification and the OTP objects
    require 128-bit keys (RFC 4226 §4 R6).

    Args:
        key: The shared secret as bytes (or a :class:`~rfc6238.Secret`).
        counter: The moving factor, ``0 <= counter < 2**64``.
        digits: Code length, 6 to 10 (9 and 10 are beyond the RFC: ``2**31`` is not a
            multiple of ``10**d``, and for 10 digits the first digit is at most 2).
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"`` (case-insensitive).

    Returns:
        The code, ``digits`` ASCII digits with leading zeros.

    Raises:
        InvalidType: an argument has the wrong type.
        InvalidParameter: a value is out of range, or the key is empty.

    >>> hotp(b"12345678901234567890", 0)
    '755224'
    >>> hotp(b"12345678901234567890", 9, digits=8)
    '45520489'
    """
    # Each check takes the common, already-valid case in one test and hands anything else to
    # the full check, which converts or raises (the same rules as everywhere else).
    name = _HASHLIB_NAMES.get(algorithm) if type(algorithm) is str else None
    if name is None:
        name = ALGORITHMS[check_algorithm(algorithm)]
    raw = key if type(key) is bytes and key else check_key(key)
    if type(counter) is not int or not 0 <= counter <= MAX_COUNTER:
        counter = check_counter(counter)
    if type(digits) is not int or digits not in CODE_FORMATS:
        digits = check_digits(digits)
    digest = hmac.digest(raw, PACK_COUNTER(counter), name)  # HMAC(K, C), RFC 4226 §5.2 step 1
    return CODE_FORMATS[digits] % (_truncate(digest) % MODULI[digits])  # steps 2 and 3


def time_step(time: TimeLike, *, period: int = 30, t0: int = 0) -> int:
    """The TOTP time step ``T = floor((time - T0) / X)`` (RFC 6238 §4.2).

    Integer arithmetic throughout, so the result is exact past 2038 and past ``2**53``.

    Args:
        time: Unix time as an int, a finite float (floored) or a timezone-aware datetime.
        period: The step size X in seconds (default 30).
        t0: The Unix time T0 to count from (default 0).

    Returns:
        The step, ``0 <= T < 2**64``.

    Raises:
        InvalidType: ``time`` is a bool, a naive value of another type, ...
        InvalidParameter: ``time`` is before ``t0``, not finite, a naive datetime, or the
            step does not fit 64 bits.

    >>> time_step(59), time_step(1111111109), time_step(20000000000)
    (1, 37037036, 666666666)
    """
    return step_of(to_seconds(time), check_period(period), check_t0(t0))


def totp(
    key: KeyLike,
    time: TimeLike,
    *,
    period: int = 30,
    t0: int = 0,
    digits: int = 6,
    algorithm: str = "SHA1",
) -> str:
    """Compute a TOTP value: ``HOTP(K, T)`` with ``T = floor((time - T0) / X)`` (RFC 6238 §4).

    Args:
        key: The shared secret as bytes (or a :class:`~rfc6238.Secret`).
        time: Unix time (int, finite float, or timezone-aware datetime). There is no
            default: the caller decides what "now" is.
        period: The step size X in seconds.
        t0: The Unix time T0 to count from.
        digits: Code length, 6 to 10.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.

    Returns:
        The code as ``digits`` ASCII digits.

    Raises:
        InvalidType: an argument has the wrong type.
        InvalidParameter: a value is out of range, the key is empty, or time < t0.

    >>> totp(b"12345678901234567890", 59, digits=8)  # RFC 6238 Appendix B
    '94287082'
    """
    return hotp(key, time_step(time, period=period, t0=t0), digits=digits, algorithm=algorithm)
