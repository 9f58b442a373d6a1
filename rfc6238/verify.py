"""Verification over a window: HOTP look-ahead (RFC 4226 §7.4) and TOTP drift (RFC 6238 §5.2, §6).

Every candidate in the window is computed and compared with :func:`hmac.compare_digest`; the
scan never stops at the first match, so the time taken does not depend on where (or whether)
the code matched. The token is validated first: exactly ``digits`` ASCII digits, else
:class:`~rfc6238.errors.MalformedToken`.

>>> key = b"12345678901234567890"
>>> verify_hotp(key, "969429", 0, look_ahead=5)
Match(counter=3, offset=3)
>>> verify_totp(key, "287082", 59, window=(1, 0))
Match(counter=1, offset=0)
"""

from __future__ import annotations

from dataclasses import dataclass

from ._checks import (
    MAX_COUNTER,
    MIN_KEY_BYTES,
    TimeLike,
    check_algorithm,
    check_counter,
    check_digits,
    check_int,
    check_look_ahead,
    check_token,
    check_window,
)
from .core import time_step
from .errors import InvalidToken
from .prepared import PreparedMAC
from .secret import check_key

__all__ = ["Match", "scan", "verify_hotp", "verify_totp"]

_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A successful verification.

    Attributes:
        counter: The counter (HOTP) or time step (TOTP) whose code matched. Store it: a
            later code is acceptable only for a higher counter (RFC 6238 §5.2 replay rule).
        offset: ``counter`` minus the expected counter or step: 0 on time, negative if the
            client is behind, positive if it is ahead (RFC 6238 §6 drift).
    """

    counter: int
    offset: int

    def __post_init__(self) -> None:
        if type(self.counter) is not int or not 0 <= self.counter <= MAX_COUNTER:
            check_counter(self.counter)
        if type(self.offset) is not int:
            check_int(self.offset, "offset")

    def _repr_html_(self) -> str:
        where = (
            "on time"
            if self.offset == 0
            else (
                f"{-self.offset} step(s) behind"
                if self.offset < 0
                else f"{self.offset} step(s) ahead"
            )
        )
        return (
            f"<b>Match</b>: counter/step <code>{self.counter}</code>, "
            f"offset <code>{self.offset:+d}</code> ({where})"
        )


def scan(mac: PreparedMAC, token: bytes, first: int, last: int, digits: int) -> list[int]:
    """Return every counter in ``first..last`` whose code equals ``token``, comparing all.

    ``token`` must already be validated ASCII digits. Used by the verify functions, the OTP
    objects and the service (which needs all matches to skip steps it has already used).
    """
    return mac.matches(token, max(first, 0), min(last, MAX_COUNTER), digits)


def best_match(matches: list[int], expected: int) -> Match:
    """Pick the match closest to ``expected`` (ties: the earlier one), or raise InvalidToken."""
    if not matches:
        raise InvalidToken("token does not match any counter in the window")
    if len(matches) == 1:
        counter = matches[0]
    else:
        counter = min(matches, key=lambda c: (abs(c - expected), c))
    # Trusted construction: ``counter`` came from a validated range, so skip __post_init__
    # (building the frozen dataclass through __init__ costs a third of a verification).
    match = _new(Match)
    _set(match, "counter", counter)
    _set(match, "offset", counter - expected)
    return match


def verify_hotp(
    key: object,
    token: str,
    counter: int,
    *,
    look_ahead: int = 0,
    digits: int = 6,
    algorithm: str = "SHA1",
    allow_short_key: bool = False,
) -> Match:
    """Verify an HOTP token at ``counter`` with a bounded look-ahead (RFC 4226 §7.4, A.3).

    On success the server's next counter is ``match.counter + 1``; on failure it is unchanged.

    Args:
        key: The shared secret bytes (at least 16 bytes unless ``allow_short_key``).
        token: The submitted code, exactly ``digits`` ASCII digits.
        counter: The server's current counter.
        look_ahead: Also try ``counter + 1 .. counter + look_ahead`` (0..1000).
        digits: Code length, 6 to 10.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.
        allow_short_key: Accept keys shorter than 128 bits (legacy 80-bit keys).

    Returns:
        The :class:`Match`, with ``offset = match.counter - counter``.

    Raises:
        MalformedToken: ``token`` is not exactly ``digits`` ASCII digits.
        InvalidToken: no counter in the window produced ``token``.
        InvalidType, InvalidParameter: bad arguments.

    >>> verify_hotp(b"12345678901234567890", "755224", 0)
    Match(counter=0, offset=0)
    """
    raw = check_key(key, min_bytes=MIN_KEY_BYTES, allow_short_key=allow_short_key)
    counter = check_counter(counter)
    look_ahead = check_look_ahead(look_ahead)
    digits = check_digits(digits)
    mac = PreparedMAC(raw, check_algorithm(algorithm))
    wanted = check_token(token, digits)
    return best_match(scan(mac, wanted, counter, counter + look_ahead, digits), counter)


def verify_totp(
    key: object,
    token: str,
    time: TimeLike,
    *,
    window: int | tuple[int, int] = 1,
    period: int = 30,
    t0: int = 0,
    digits: int = 6,
    algorithm: str = "SHA1",
    allow_short_key: bool = False,
) -> Match:
    """Verify a TOTP token at ``time``: steps ``T - past`` to ``T + future`` (RFC 6238 §5.2).

    Args:
        key: The shared secret bytes (at least 16 bytes unless ``allow_short_key``).
        token: The submitted code, exactly ``digits`` ASCII digits.
        time: The verifier's own clock (never a time the client sent; ASVS 5.0 6.5.8).
        window: Steps to accept on each side, or a ``(past, future)`` pair; each 0..100.
            RFC 6238 §5.2 recommends at most one step of network delay.
        period: The step size X in seconds.
        t0: The Unix time T0.
        digits: Code length, 6 to 10.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.
        allow_short_key: Accept keys shorter than 128 bits (legacy 80-bit keys).

    Returns:
        The :class:`Match`: ``counter`` is the matched time step, ``offset`` its distance
        from the current step. Reject a later code whose step is not higher (replay).

    Raises:
        MalformedToken: ``token`` is not exactly ``digits`` ASCII digits.
        InvalidToken: no step in the window produced ``token``.
        InvalidType, InvalidParameter: bad arguments, or ``time`` before ``t0``.

    >>> verify_totp(b"12345678901234567890", "287082", 61, window=1)
    Match(counter=1, offset=-1)
    """
    raw = check_key(key, min_bytes=MIN_KEY_BYTES, allow_short_key=allow_short_key)
    past, future = check_window(window)
    step = time_step(time, period=period, t0=t0)
    digits = check_digits(digits)
    mac = PreparedMAC(raw, check_algorithm(algorithm))
    wanted = check_token(token, digits)
    return best_match(scan(mac, wanted, step - past, step + future, digits), step)
