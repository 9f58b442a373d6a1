"""Prepared OTP configurations: :class:`TOTP` (RFC 6238) and :class:`HOTP` (RFC 4226).

A configuration validates once, in its constructor, and prepares the key once (the RFC 2104
inner and outer states, see :mod:`rfc6238.prepared`); generating and verifying are then the
cheapest they can be. They agree with the one-shot :func:`~rfc6238.hotp`/:func:`~rfc6238.totp`
on every vector. The key never shows in ``repr``.

>>> otp = TOTP(key=b"12345678901234567890", digits=8)
>>> otp
TOTP(digits=8, algorithm='SHA1', period=30, t0=0)
>>> otp.at(59)
'94287082'
>>> otp.verify("94287082", 60)
Match(counter=1, offset=-1)
>>> otp.verify("94287082", 60, after=1)
Traceback (most recent call last):
  ...
rfc6238.errors.ReplayedToken: token matches only a used step or counter (RFC 6238 §5.2)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Final

from ._checks import (
    MAX_COUNTER,
    MIN_KEY_BYTES,
    TimeLike,
    check_algorithm,
    check_counter,
    check_digits,
    check_look_ahead,
    check_period,
    check_t0,
    check_token,
    check_window,
    step_of,
    to_seconds,
)
from .errors import InvalidType
from .prepared import PreparedMAC
from .secret import KeyLike, Secret, check_key
from .verify import Match, check_after, hotp_window, match_window, scan

__all__ = ["HOTP", "TOTP"]

_ROW: Final = "<tr><th style='text-align:left'>{}</th><td><code>{}</code></td></tr>"


def _prepare(obj: TOTP | HOTP) -> None:
    raw = check_key(obj.key, min_bytes=MIN_KEY_BYTES, allow_short_key=obj.allow_short_key)
    algorithm = check_algorithm(obj.algorithm)
    object.__setattr__(obj, "key", Secret(raw))
    object.__setattr__(obj, "algorithm", algorithm)
    object.__setattr__(obj, "digits", check_digits(obj.digits))
    object.__setattr__(obj, "_mac", PreparedMAC(raw, algorithm))


def _html(obj: TOTP | HOTP, rows: dict[str, object]) -> str:
    body = "".join(_ROW.format(escape(k), escape(str(v))) for k, v in rows.items())
    return f"<table><caption>{type(obj).__name__}</caption>{body}</table>"


@dataclass(frozen=True, slots=True, kw_only=True)
class TOTP:
    """A TOTP configuration (RFC 6238 §4) with its key prepared for fast codes.

    Args:
        key: The shared secret (bytes or :class:`~rfc6238.Secret`), at least 16 bytes.
        digits: Code length, 6 to 10.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.
        period: The step size X in seconds.
        t0: The Unix time T0.
        allow_short_key: Accept keys shorter than 128 bits (legacy 80-bit keys).

    Raises:
        InvalidType, InvalidParameter, SecretTooShort: at construction, never later.
    """

    key: KeyLike = field(repr=False, hash=False)
    digits: int = 6
    algorithm: str = "SHA1"
    period: int = 30
    t0: int = 0
    allow_short_key: bool = field(default=False, repr=False)
    _mac: PreparedMAC = field(init=False, repr=False, compare=False, hash=False)
    # First Unix time whose step no longer fits 64 bits: int times in [t0, _end) need no checks.
    _end: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _prepare(self)
        object.__setattr__(self, "period", check_period(self.period))
        object.__setattr__(self, "t0", check_t0(self.t0))
        object.__setattr__(self, "_end", self.t0 + (MAX_COUNTER + 1) * self.period)

    def step(self, time: TimeLike) -> int:
        """The time step of ``time`` under this configuration (RFC 6238 §4.2)."""
        if type(time) is int and self.t0 <= time < self._end:
            return (time - self.t0) // self.period
        return step_of(time if type(time) is int else to_seconds(time), self.period, self.t0)

    def at(self, time: TimeLike) -> str:
        """The code for ``time`` (int, float or aware datetime).

        >>> TOTP(key=b"12345678901234567890").at(1111111109)
        '081804'
        """
        if type(time) is int and self.t0 <= time < self._end:  # the common case, pre-checked
            return self._mac.code((time - self.t0) // self.period, self.digits)
        return self._mac.code(self.step(time), self.digits)

    def now(self, *, clock: Callable[[], TimeLike]) -> str:
        """The code for ``clock()``: the caller says what "now" is (``clock=time.time``)."""
        if not callable(clock):
            raise InvalidType("clock must be a callable returning Unix time")
        return self.at(clock())

    def verify(
        self,
        token: str,
        time: TimeLike,
        *,
        window: int | tuple[int, int] = 1,
        after: int | None = None,
    ) -> Match:
        """Verify ``token`` at ``time`` over ``window`` steps, refusing steps ``<= after``.

        The same engine and rules as :func:`rfc6238.verify_totp`, with the key prepared once.

        >>> otp = TOTP(key=b"12345678901234567890")
        >>> otp.verify("287082", 59), otp.verify("287082", 59, after=0)
        (Match(counter=1, offset=0), Match(counter=1, offset=0))
        """
        past, future = check_window(window)
        step = self.step(time)
        wanted = check_token(token, self.digits)
        return match_window(self._mac, wanted, step, past, future, check_after(after), self.digits)

    def matches(
        self, token: str, time: TimeLike, *, window: int | tuple[int, int] = 1
    ) -> list[int]:
        """Every step in the window whose code equals ``token`` (all compared; for replays)."""
        past, future = check_window(window)
        step = self.step(time)
        wanted = check_token(token, self.digits)
        return scan(self._mac, wanted, step - past, step + future, self.digits)

    def _repr_html_(self) -> str:
        return _html(
            self,
            {
                "key": self.key,
                "digits": self.digits,
                "algorithm": self.algorithm,
                "period": f"{self.period} s",
                "t0": self.t0,
            },
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HOTP:
    """An HOTP configuration (RFC 4226 §5) with its key prepared for fast codes.

    >>> HOTP(key=b"12345678901234567890").at(1)
    '287082'
    """

    key: KeyLike = field(repr=False, hash=False)
    digits: int = 6
    algorithm: str = "SHA1"
    allow_short_key: bool = field(default=False, repr=False)
    _mac: PreparedMAC = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _prepare(self)

    def at(self, counter: int) -> str:
        """The code for ``counter`` (``0 <= counter < 2**64``)."""
        if type(counter) is not int or not 0 <= counter <= MAX_COUNTER:
            counter = check_counter(counter)
        return self._mac.code(counter, self.digits)

    def verify(
        self, token: str, counter: int, *, look_ahead: int = 0, after: int | None = None
    ) -> Match:
        """Verify ``token`` at ``counter`` with look-ahead, refusing counters ``<= after``.

        The same engine and rules as :func:`rfc6238.verify_hotp`; on success the next
        counter is ``match.counter + 1``.

        >>> HOTP(key=b"12345678901234567890").verify("287082", 0, look_ahead=2)
        Match(counter=1, offset=1)
        """
        counter = check_counter(counter)
        look_ahead = check_look_ahead(look_ahead)
        floor = check_after(after)
        wanted = check_token(token, self.digits)
        past, future = hotp_window(counter, look_ahead, floor)
        return match_window(self._mac, wanted, counter, past, future, floor, self.digits)

    def _repr_html_(self) -> str:
        return _html(self, {"key": self.key, "digits": self.digits, "algorithm": self.algorithm})
