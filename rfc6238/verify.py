"""Verification over a window: HOTP look-ahead (RFC 4226 §7.4) and TOTP drift (RFC 6238 §5.2, §6).

This is the one verification engine: :func:`verify_hotp`, :func:`verify_totp`,
:meth:`rfc6238.TOTP.verify` and :meth:`rfc6238.HOTP.verify` all end in :func:`match_window`,
and replay is defined once, in :func:`settle`. Every candidate in the window is computed and
compared with :func:`hmac.compare_digest`; the scan never stops at the first match, so the
time taken does not depend on where (or whether) the code matched. The token is validated
first: exactly ``digits`` ASCII digits, else :class:`~rfc6238.errors.MalformedToken`.

The replay floor ``after=`` is the last accepted counter or step (``-1``: none yet). A
candidate at or below it is never accepted: a token that matches only such candidates raises
:class:`~rfc6238.errors.ReplayedToken`, one that matches nothing raises
:class:`~rfc6238.errors.InvalidToken` (RFC 6238 §5.2: "the verifier MUST NOT accept the
second attempt of the OTP after the successful validation has been issued for the first").

Only :class:`Match`, :func:`verify_hotp` and :func:`verify_totp` are public. The helpers
(:func:`check_after`, :func:`settle`, :func:`match_window`, :func:`hotp_window`,
:func:`scan`) belong to the core: the OTP objects use them; the command line, the service,
the conformance suite and the notebooks call the public functions.

>>> key = b"12345678901234567890"
>>> verify_hotp(key, "969429", 0, look_ahead=5)
Match(counter=3, offset=3)
>>> verify_totp(key, "287082", 59, window=(1, 0))
Match(counter=1, offset=0)
>>> verify_totp(key, "287082", 59, window=(1, 0), after=1)
Traceback (most recent call last):
  ...
rfc6238.errors.ReplayedToken: token matches only a used step or counter (RFC 6238 §5.2)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
from .errors import InvalidParameter, InvalidToken, ReplayedToken
from .prepared import PreparedMAC
from .secret import KeyLike, check_key

__all__ = ["Match", "verify_hotp", "verify_totp"]

NO_MATCH = "token does not match any counter in the window"
REPLAYED = "token matches only a used step or counter (RFC 6238 §5.2)"


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

    @classmethod
    def _trusted(cls, counter: int, offset: int) -> Match:
        """Build a Match *without* validation, for values taken from a validated range.

        The engine's counters come from a window it has already clipped to ``0..2**64-1``,
        so ``__post_init__`` would check nothing new; skipping it (and ``__init__``) halves
        the cost of a result. Never call this with values from outside.
        """
        match = object.__new__(cls)
        object.__setattr__(match, "counter", counter)
        object.__setattr__(match, "offset", offset)
        return match

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


def check_after(after: object) -> int:
    """Return the replay floor: ``-1`` for ``None``, else an int in ``-1..2**64-1``.

    ``-1`` means nothing was accepted yet (every counter is fresh); a bool is refused.
    """
    if after is None:
        return -1
    if type(after) is not int:
        after = check_int(after, "after")
    if not -1 <= after <= MAX_COUNTER:
        raise InvalidParameter("after, the last accepted counter or step, must be in -1..2**64-1")
    return after


# A Match holds public values only (a counter and its offset, the same for every key), so
# one small cache shared by every key and thread hands out the same frozen results instead
# of building one per success: about 0.08x the floor per verification, measured with
# benchmarks/bench_core.py. Nothing secret or token-derived is cached here.
_result = lru_cache(maxsize=256)(Match._trusted)


def settle(found: list[int], expected: int, after: int) -> Match:
    """Decide a verification from every matching counter: the one definition of replay.

    Args:
        found: Every counter in the window whose code equals the token, ascending.
        expected: The counter (HOTP) or current time step (TOTP).
        after: The replay floor from :func:`check_after`: counters ``<= after`` never pass.

    Returns:
        The :class:`Match` of the fresh counter closest to ``expected`` (ties: the earlier).

    Raises:
        ReplayedToken: the token matched, but only counters ``<= after``.
        InvalidToken: the token matched no counter.
    """
    if len(found) == 1:  # the usual outcome, decided without building a list
        counter = found[0]
        if counter > after:
            return _result(counter, counter - expected)
        raise ReplayedToken(REPLAYED)
    fresh = [counter for counter in found if counter > after]
    if not fresh:
        raise ReplayedToken(REPLAYED) if found else InvalidToken(NO_MATCH)
    counter = min(fresh, key=lambda c: (abs(c - expected), c))
    return _result(counter, counter - expected)


def match_window(
    mac: PreparedMAC, token: bytes, expected: int, past: int, future: int, after: int, digits: int
) -> Match:
    """The engine: compare every counter in ``expected - past .. expected + future``.

    The window is clipped to ``0..2**64-1``; every argument must already be validated. The
    default ±1 window goes through the unrolled kernel, any other through the loop; both
    compute and compare every candidate. Then :func:`settle` applies the replay floor.
    """
    if past == 1 and future == 1 and 0 < expected < MAX_COUNTER:
        found = mac.matches_around(token, expected, digits)
    else:
        found = scan(mac, token, expected - past, expected + future, digits)
    return settle(found, expected, after)


def hotp_window(counter: int, look_ahead: int, after: int) -> tuple[int, int]:
    """The HOTP window ``(past, future)`` around ``counter`` (RFC 4226 §7.4).

    ``counter .. counter + look_ahead``; when the floor reaches ``counter - 1`` (the last
    accepted counter), that counter is compared too, so replaying the last accepted code is
    reported as :class:`~rfc6238.errors.ReplayedToken` rather than as a wrong code.
    """
    return (1 if counter > 0 and after >= counter - 1 else 0), look_ahead


def scan(mac: PreparedMAC, token: bytes, first: int, last: int, digits: int) -> list[int]:
    """Every counter in ``first..last`` (clipped to ``0..2**64-1``) whose code is ``token``.

    Private to the core: the surfaces and the service verify through
    :func:`verify_totp`/:func:`verify_hotp` (or the OTP objects) with ``after=``.
    """
    return mac.matches(token, max(first, 0), min(last, MAX_COUNTER), digits)


def verify_hotp(
    key: KeyLike,
    token: str,
    counter: int,
    *,
    look_ahead: int = 0,
    after: int | None = None,
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
        after: The last accepted counter (``-1`` or ``None``: none yet). Counters at or
            below it are never accepted; when it is ``counter - 1`` or more, ``counter - 1``
            is compared too, so a replay of the last accepted code is reported as such.
        digits: Code length, 6 to 10.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.
        allow_short_key: Accept keys shorter than 128 bits (legacy 80-bit keys).

    Returns:
        The :class:`Match`, with ``offset = match.counter - counter``.

    Raises:
        MalformedToken: ``token`` is not exactly ``digits`` ASCII digits.
        ReplayedToken: ``token`` matched only counters at or below ``after``.
        InvalidToken: no counter in the window produced ``token``.
        InvalidType, InvalidParameter: bad arguments.

    >>> verify_hotp(b"12345678901234567890", "755224", 0)
    Match(counter=0, offset=0)
    >>> verify_hotp(b"12345678901234567890", "755224", 1, after=0)
    Traceback (most recent call last):
      ...
    rfc6238.errors.ReplayedToken: token matches only a used step or counter (RFC 6238 §5.2)
    """
    raw = check_key(key, min_bytes=MIN_KEY_BYTES, allow_short_key=allow_short_key)
    counter = check_counter(counter)
    look_ahead = check_look_ahead(look_ahead)
    floor = check_after(after)
    digits = check_digits(digits)
    mac = PreparedMAC(raw, check_algorithm(algorithm))
    wanted = check_token(token, digits)
    past, future = hotp_window(counter, look_ahead, floor)
    return match_window(mac, wanted, counter, past, future, floor, digits)


def verify_totp(
    key: KeyLike,
    token: str,
    time: TimeLike,
    *,
    window: int | tuple[int, int] = 1,
    after: int | None = None,
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
        after: The last accepted time step (``-1`` or ``None``: none yet); steps at or
            below it are never accepted (RFC 6238 §5.2 replay rule).
        period: The step size X in seconds.
        t0: The Unix time T0.
        digits: Code length, 6 to 10.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.
        allow_short_key: Accept keys shorter than 128 bits (legacy 80-bit keys).

    Returns:
        The :class:`Match`: ``counter`` is the matched time step, ``offset`` its distance
        from the current step. Store it and pass it as ``after=`` next time.

    Raises:
        MalformedToken: ``token`` is not exactly ``digits`` ASCII digits.
        ReplayedToken: ``token`` matched only steps at or below ``after``.
        InvalidToken: no step in the window produced ``token``.
        InvalidType, InvalidParameter: bad arguments, or ``time`` before ``t0``.

    >>> verify_totp(b"12345678901234567890", "287082", 61, window=1)
    Match(counter=1, offset=-1)
    """
    raw = check_key(key, min_bytes=MIN_KEY_BYTES, allow_short_key=allow_short_key)
    past, future = check_window(window)
    floor = check_after(after)
    step = time_step(time, period=period, t0=t0)
    digits = check_digits(digits)
    mac = PreparedMAC(raw, check_algorithm(algorithm))
    wanted = check_token(token, digits)
    return match_window(mac, wanted, step, past, future, floor, digits)
