"""Argument validation shared by every layer: one place per rule.

The rules come from RFC 4226 §5.1 (8-byte counter), RFC 6238 §1.2 (SHA1/256/512),
§4.2 (``T = floor((t - T0) / X)``), and the security notes in ``SECURITY.md``. Every
check raises a typed :class:`~rfc6238.errors.RFC6238Error` whose message names the
parameter and the rule, never the value of a key or token.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from .errors import (
    InvalidParameter,
    InvalidType,
    MalformedToken,
    UnsupportedAlgorithm,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from typing import Final, Literal, TypeAlias

__all__ = [
    "ALGORITHMS",
    "DIGEST_SIZES",
    "MAX_COUNTER",
    "MAX_LOOK_AHEAD",
    "MAX_WINDOW",
    "MIN_KEY_BYTES",
    "Algorithm",
    "TimeLike",
    "check_algorithm",
    "check_bool",
    "check_counter",
    "check_digits",
    "check_int",
    "check_look_ahead",
    "check_period",
    "check_t0",
    "check_token",
    "check_window",
    "step_of",
    "to_bytes",
    "to_seconds",
]

Algorithm: TypeAlias = "Literal['SHA1', 'SHA256', 'SHA512']"  # a string: no typing at run time
TimeLike = int | float | datetime

#: Canonical name -> hashlib name. The allow-list of RFC 6238 §1.2.
ALGORITHMS: Final[dict[str, str]] = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}
#: Digest size in bytes per algorithm: the default secret length (RFC 4226 §4 R6, RFC 6238 §5.1).
DIGEST_SIZES: Final[dict[str, int]] = {"SHA1": 20, "SHA256": 32, "SHA512": 64}
#: Counters are unsigned 64-bit integers (RFC 4226 §5.1): ``0 <= C <= MAX_COUNTER``.
MAX_COUNTER: Final = 2**64 - 1
#: Minimum key length for verification and OTP objects (RFC 4226 §4 R6: 128 bits).
MIN_KEY_BYTES: Final = 16
#: Largest window per side (past or future steps) that verification will scan.
MAX_WINDOW: Final = 100
#: Largest HOTP look-ahead (RFC 4226 §7.4 resynchronisation parameter ``s``).
MAX_LOOK_AHEAD: Final = 1000
MIN_DIGITS: Final = 6
MAX_DIGITS: Final = 10

_DIGITS: Final = "0123456789"
_NAIVE_EPOCH: Final = datetime(1970, 1, 1)
_SECOND: Final = timedelta(seconds=1)


def _type_name(value: object) -> str:
    return type(value).__name__


def check_int(value: object, name: str) -> int:
    """Return ``value`` if it is an ``int`` (never a ``bool``), else raise :class:`InvalidType`."""
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise InvalidType(f"{name} must be an int, not {_type_name(value)}")


def check_algorithm(algorithm: object) -> Algorithm:
    """Return the canonical spelling of ``algorithm`` (case-insensitive allow-list)."""
    if not isinstance(algorithm, str):
        raise InvalidType(f"algorithm must be a str, not {_type_name(algorithm)}")
    canonical = algorithm.upper() if algorithm.isascii() else ""
    if canonical == "SHA1":
        return "SHA1"
    if canonical == "SHA256":
        return "SHA256"
    if canonical == "SHA512":
        return "SHA512"
    raise UnsupportedAlgorithm("algorithm must be one of SHA1, SHA256, SHA512 (RFC 6238 §1.2)")


def check_digits(digits: object) -> int:
    """Return ``digits`` if it is an int in 6..10 (RFC 4226 §5.3; 9 and 10 are biased)."""
    digits = check_int(digits, "digits")
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise InvalidParameter(f"digits must be between {MIN_DIGITS} and {MAX_DIGITS}")
    return digits


def check_counter(counter: object, name: str = "counter") -> int:
    """Return ``counter`` if it fits an unsigned 8-byte integer (RFC 4226 §5.1)."""
    counter = check_int(counter, name)
    if not 0 <= counter <= MAX_COUNTER:
        raise InvalidParameter(f"{name} must be in 0..2**64-1 (RFC 4226 §5.1)")
    return counter


def check_period(period: object) -> int:
    """Return ``period`` (the time step X, RFC 6238 §4.1) if it is a positive int."""
    period = check_int(period, "period")
    if period < 1:
        raise InvalidParameter("period must be a positive number of seconds")
    return period


def check_t0(t0: object) -> int:
    """Return ``t0`` (the Unix time to start counting steps from, RFC 6238 §4.1)."""
    return check_int(t0, "t0")


def check_window(window: object) -> tuple[int, int]:
    """Return ``(past, future)`` from an int (both sides) or a pair of ints, each 0..MAX_WINDOW."""
    if type(window) is int and 0 <= window <= MAX_WINDOW:  # the common case, checked at once
        return window, window
    if isinstance(window, tuple):
        if len(window) != 2:
            raise InvalidParameter("window must be an int or a (past, future) pair")
        past = check_int(window[0], "window past")
        future = check_int(window[1], "window future")
    else:
        past = future = check_int(window, "window")
    if not (0 <= past <= MAX_WINDOW and 0 <= future <= MAX_WINDOW):
        raise InvalidParameter(f"window sides must be between 0 and {MAX_WINDOW} steps")
    return past, future


def check_look_ahead(look_ahead: object) -> int:
    """Return ``look_ahead`` if it is an int in 0..MAX_LOOK_AHEAD (RFC 4226 §7.4)."""
    look_ahead = check_int(look_ahead, "look_ahead")
    if not 0 <= look_ahead <= MAX_LOOK_AHEAD:
        raise InvalidParameter(f"look_ahead must be between 0 and {MAX_LOOK_AHEAD}")
    return look_ahead


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` if it is exactly ``True`` or ``False``: ``"False"`` or ``1`` is a bug."""
    if type(value) is not bool:
        raise InvalidType(f"{name} must be a bool")
    return value


def to_bytes(value: object, name: str) -> bytes:
    """Copy a ``bytes``/``bytearray``/``memoryview`` into ``bytes``, or raise InvalidType.

    A released memoryview, or one whose items are not bytes, is refused with a typed error.
    """
    if type(value) is bytes:
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, memoryview):
        try:
            return value.tobytes()
        except ValueError as err:  # released
            raise InvalidType(f"{name} is a released memoryview") from err
    raise InvalidType(f"{name} must be bytes, not {_type_name(value)}")


def check_token(token: object, digits: int) -> bytes:
    """Return ``token`` as ASCII bytes if it is exactly ``digits`` characters ``0``-``9``.

    ``str.isdigit()``, ``int()`` and ``\\d`` accept non-ASCII digits, signs and whitespace,
    so the check is an explicit ASCII test followed by stripping the ten ASCII digits.
    """
    if type(token) is not str:
        if isinstance(token, str):
            token = str(token)
        else:
            raise InvalidType(f"token must be a str, not {_type_name(token)}")
    if len(token) != digits or not token.isascii() or token.strip(_DIGITS):
        raise MalformedToken(f"token must be exactly {digits} ASCII digits 0-9")
    return token.encode("ascii")


def to_seconds(time: object, name: str = "time") -> int:
    """Return whole Unix seconds (floored) from an int, a finite float or an aware datetime.

    Floats are floored exactly with :func:`math.floor`; datetimes are converted with integer
    arithmetic so that times past 2038 and 2**53 stay exact (RFC 6238 §4.2).
    """
    if type(time) is int:
        return time
    if isinstance(time, bool):
        raise InvalidType(f"{name} must be an int, float or timezone-aware datetime, not bool")
    if isinstance(time, int):
        return int(time)
    if isinstance(time, float):
        if not math.isfinite(time):
            raise InvalidParameter(f"{name} must be a finite number of seconds")
        return math.floor(time)
    if isinstance(time, datetime):
        if time.tzinfo is None:
            raise InvalidParameter(f"{name} must be a timezone-aware datetime, not naive")
        try:  # a tzinfo is user code: it may raise anything or return nonsense
            offset = time.utcoffset()
        except Exception as err:
            raise InvalidParameter(f"{name} has a tzinfo whose utcoffset() failed") from err
        if offset is None:
            raise InvalidParameter(f"{name} must be a timezone-aware datetime, not naive")
        return (time.replace(tzinfo=None) - _NAIVE_EPOCH - offset) // _SECOND
    raise InvalidType(
        f"{name} must be an int, float or timezone-aware datetime, not {_type_name(time)}"
    )


def step_of(seconds: int, period: int, t0: int) -> int:
    """``T = floor((seconds - T0) / X)`` for validated ints (RFC 6238 §4.2), exact at any size.

    Raises:
        InvalidParameter: ``seconds`` is before ``t0``, or the step does not fit 64 bits.
    """
    if seconds < t0:
        raise InvalidParameter("time must not be before t0 (RFC 6238 §4.2)")
    step = (seconds - t0) // period
    if step > MAX_COUNTER:
        raise InvalidParameter("time is too far after t0: the step exceeds 2**64-1")
    return step
