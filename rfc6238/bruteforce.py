"""Brute-force odds against HOTP/TOTP: RFC 4226 §6 and Appendix A, and throttling policies.

An attacker who does not know the key can only guess (RFC 4226 §6 and Appendix A.4.3: the
best attack is brute force). Each guess is compared with the ``s`` codes the verifier accepts
(``s = 2w + 1`` for a TOTP window of ±w steps, ``s = a + 1`` for an HOTP look-ahead ``a``), so
one guess succeeds with probability ``p = s / 10^d`` (RFC 4226 §6: ``Sec = s·v / 10^Digit``).
Independent guesses add up as ``1 - (1 - p)^n``.

The truncated value is 31 bits and ``2^31`` is not a multiple of ``10^d``, so residues are not
quite uniform (RFC 4226 Appendix A.4.1, Lemma 1): with ``(q, r) = divmod(2^31, 10^d)`` the
residues ``0 .. r-1`` come from ``q + 1`` values and the others from ``q``. An attacker who
guesses only likely residues does slightly better; Appendix A.4.2 (Proposition 1) gives the
exact worst case ``1 - (1 - v(q+1)/2^31)^s`` and A.4.3 (Proposition 2) the bound
``s·v·(q+1)/2^31``.

Throttling (RFC 4226 §7.3) decides ``n``: :func:`rate_limited_attempts`,
:func:`lockout_attempts` and :func:`backoff_attempts` count the guesses a policy lets through
in a given time, exactly. SECURITY.md's warning, reproduced:

>>> p = guess_probability(digits=6, window=1)
>>> n = rate_limited_attempts(30 * DAY, tries=5, per=30)  # 5 tries / 30 s, no cap
>>> n, round(success_probability(p, n), 3)
(432000, 0.726)
>>> round(success_probability(p, lockout_attempts(30 * DAY, limit=100)), 6)
0.0003
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from ._checks import MAX_LOOK_AHEAD, check_int
from .errors import InvalidParameter, InvalidType

__all__ = [
    "DAY",
    "TRUNCATED_VALUES",
    "TruncationBias",
    "accepted_codes",
    "attempts_needed",
    "backoff_attempts",
    "guess_probability",
    "lockout_attempts",
    "rate_limited_attempts",
    "rfc4226_advantage",
    "rfc4226_bound",
    "success_probability",
    "truncation_bias",
    "worst_case_guess_probability",
]

#: Seconds in a day, for policy horizons (``30 * DAY``).
DAY: Final = 86_400
#: Number of values dynamic truncation can produce (RFC 4226 §5.3: 31 bits).
TRUNCATED_VALUES: Final = 2**31


def _digits(digits: object) -> int:
    # The math holds for any modulus 10^d; 1..5 digits are allowed here for small, fast
    # simulations (notebook 05). Codes themselves are 6..10 digits (core.hotp).
    digits = check_int(digits, "digits")
    if not 1 <= digits <= 10:
        raise InvalidParameter("digits must be between 1 and 10")
    return digits


def _modulus(digits: object) -> int:
    return int(10 ** _digits(digits))


def _count(value: object, name: str) -> int:
    value = check_int(value, name)
    if value < 0:
        raise InvalidParameter(f"{name} must not be negative")
    return value


def _positive(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidType(f"{name} must be an int or float, not {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise InvalidParameter(f"{name} must be a positive finite number")
    return float(value)


def _seconds(seconds: object) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidType(f"seconds must be an int or float, not {type(seconds).__name__}")
    if not (math.isfinite(seconds) and seconds >= 0):
        raise InvalidParameter("seconds must be a finite number >= 0")
    return float(seconds)


def _probability(p: object, name: str = "p") -> float:
    if isinstance(p, bool) or not isinstance(p, int | float):
        raise InvalidType(f"{name} must be a float, not {type(p).__name__}")
    if not 0.0 <= p <= 1.0:
        raise InvalidParameter(f"{name} must be between 0 and 1")
    return float(p)


def accepted_codes(window: int | tuple[int, int] = 1) -> int:
    """The number ``s`` of codes a verifier accepts: ``past + future + 1`` (RFC 6238 §5.2).

    Args:
        window: ±w steps (TOTP), or a ``(past, future)`` pair; an HOTP look-ahead ``a`` is
            ``(0, a)`` (RFC 4226 §7.4). Each side 0..1000.

    >>> accepted_codes(1), accepted_codes((1, 0)), accepted_codes((0, 10))
    (3, 2, 11)
    """
    if isinstance(window, tuple):
        if len(window) != 2:
            raise InvalidParameter("window must be an int or a (past, future) pair")
        past, future = _count(window[0], "window past"), _count(window[1], "window future")
    else:
        past = future = _count(window, "window")
    if max(past, future) > MAX_LOOK_AHEAD:
        raise InvalidParameter(f"window sides must be at most {MAX_LOOK_AHEAD} steps")
    return past + future + 1


def guess_probability(*, digits: int = 6, window: int | tuple[int, int] = 1) -> float:
    """Chance that one random guess is accepted: ``p = s / 10^d`` (RFC 4226 §6, ``Sec``).

    ``s = 2w + 1`` for a symmetric window; see :func:`accepted_codes`.

    >>> guess_probability(digits=6, window=1)
    3e-06
    >>> guess_probability(digits=8, window=(1, 0))
    2e-08
    """
    return accepted_codes(window) / _modulus(digits)


def worst_case_guess_probability(*, digits: int = 6, window: int | tuple[int, int] = 1) -> float:
    """Per-guess odds when guessing a most likely residue: ``s(q+1)/2^31`` (RFC 4226 A.4.2).

    With ``(q, r) = divmod(2^31, 10^d)``, residues ``0..r-1`` each have probability
    ``(q+1)/2^31`` (Lemma 1), slightly above ``1/10^d`` (for d = 6: ``2148/2^31``).

    >>> round(worst_case_guess_probability(digits=6, window=0) * 10**6, 8)
    1.00024045
    """
    s = accepted_codes(window)
    q = TRUNCATED_VALUES // _modulus(digits)
    return s * (q + 1) / TRUNCATED_VALUES


def success_probability(p: float, attempts: int) -> float:
    """Chance that at least one of ``attempts`` independent guesses succeeds: ``1 - (1 - p)^n``.

    Computed as ``-expm1(n · log1p(-p))``, accurate for tiny ``p`` and huge ``n`` where the
    naive power loses every digit.

    Args:
        p: Per-guess success probability, e.g. :func:`guess_probability`.
        attempts: Number of guesses ``n >= 0``.

    >>> round(success_probability(3e-6, 432_000), 6)
    0.726376
    >>> success_probability(1e-18, 1)
    1e-18
    """
    p = _probability(p)
    attempts = _count(attempts, "attempts")
    if p == 1.0:
        return 1.0 if attempts else 0.0
    return -math.expm1(attempts * math.log1p(-p))


def attempts_needed(p: float, target: float) -> int:
    """The fewest independent guesses that reach success probability ``target``.

    >>> attempts_needed(3e-6, 0.5)  # 6 digits, ±1 window: about 231 thousand guesses
    231049
    """
    p = _probability(p)
    target = _probability(target, "target")
    if target == 0.0:
        return 0
    if p == 0.0 or target == 1.0:
        raise InvalidParameter("target is unreachable: need p > 0 and target < 1")
    n = max(math.ceil(math.log1p(-target) / math.log1p(-p)), 0)
    while n > 0 and success_probability(p, n - 1) >= target:  # guard against rounding
        n -= 1
    while success_probability(p, n) < target:
        n += 1
    return n


def rfc4226_advantage(
    attempts: int, *, digits: int = 6, window: int | tuple[int, int] = 0
) -> float:
    """Exact success of the best brute-force attacker, RFC 4226 A.4.2 Proposition 1.

    ``Adv = 1 - (1 - v(q+1)/2^31)^s`` for ``v <= r`` distinct guesses of the most likely
    residues against ``s`` accepted codes (the counter does not move between guesses).

    Raises:
        InvalidParameter: ``attempts`` exceeds ``r`` (the Proposition's condition).

    >>> round(rfc4226_advantage(1, digits=6, window=(0, 0)) * 10**6, 8)
    1.00024045
    """
    v = _count(attempts, "attempts")
    s = accepted_codes(window)
    q, r = divmod(TRUNCATED_VALUES, _modulus(digits))
    if v > r:
        raise InvalidParameter(f"attempts must be at most r = {r} (RFC 4226 A.4.2)")
    return -math.expm1(s * math.log1p(-v * (q + 1) / TRUNCATED_VALUES))


def rfc4226_bound(attempts: int, *, digits: int = 6, window: int | tuple[int, int] = 0) -> float:
    """Upper bound on any attacker's success, RFC 4226 A.4.3 Proposition 2: ``s·v·(q+1)/2^31``.

    >>> rfc4226_bound(10, digits=6, window=(0, 0)) < 10.003e-6
    True
    """
    v = _count(attempts, "attempts")
    q = TRUNCATED_VALUES // _modulus(digits)
    return min(1.0, accepted_codes(window) * v * (q + 1) / TRUNCATED_VALUES)


@dataclass(frozen=True, slots=True, kw_only=True)
class TruncationBias:
    """How ``value mod 10^d`` spreads the ``2^31`` truncated values (RFC 4226 A.4.1, Lemma 1).

    Attributes:
        digits: d.
        modulus: ``10^d``.
        high_residues: ``r``: residues ``0 .. r-1`` each come from ``high_count`` values.
        high_count: ``q + 1``.
        low_residues: ``10^d - r`` residues, each from ``low_count`` values.
        low_count: ``q`` (0 for 10 digits: those codes never occur).
        ratio: ``high_count / low_count``, the likeliest over the least likely code
            (``inf`` when some codes are impossible).
    """

    digits: int
    modulus: int
    high_residues: int
    high_count: int
    low_residues: int
    low_count: int
    ratio: float


def truncation_bias(digits: int) -> TruncationBias:
    """Exact residue counts of ``mod 10^d`` over the 31-bit truncated value.

    >>> b = truncation_bias(6)
    >>> b.high_residues, b.high_count, b.low_count, round(b.ratio, 6)
    (483648, 2148, 2147, 1.000466)
    >>> truncation_bias(9).ratio, truncation_bias(10).low_residues
    (1.5, 7852516352)
    """
    digits = _digits(digits)
    modulus = _modulus(digits)
    q, r = divmod(TRUNCATED_VALUES, modulus)
    return TruncationBias(
        digits=digits,
        modulus=modulus,
        high_residues=r,
        high_count=q + 1,
        low_residues=modulus - r,
        low_count=q,
        ratio=(q + 1) / q if q else math.inf,
    )


def rate_limited_attempts(seconds: float, *, tries: int = 5, per: float = 30) -> int:
    """Guesses a fixed rate limit lets through in ``seconds``: ``tries`` per ``per`` s, no cap.

    The attacker uses every allowance at the start of each interval, so after ``seconds`` it
    has had ``tries · ⌈seconds / per⌉`` guesses.

    >>> rate_limited_attempts(30 * DAY)
    432000
    """
    seconds = _seconds(seconds)
    tries = _count(tries, "tries")
    return tries * math.ceil(seconds / _positive(per, "per"))


def lockout_attempts(seconds: float, *, limit: int = 100, tries: int = 5, per: float = 30) -> int:
    """Guesses before a hard lockout after ``limit`` consecutive failures (RFC 4226 §7.3).

    The attacker is rate limited as in :func:`rate_limited_attempts` until the account locks;
    nothing more gets through until an authorised reset.

    >>> lockout_attempts(60), lockout_attempts(365 * DAY)
    (10, 100)
    """
    limit = _count(limit, "limit")
    return min(limit, rate_limited_attempts(seconds, tries=tries, per=per))


def backoff_attempts(
    seconds: float,
    *,
    base: float = 1.0,
    factor: float = 2.0,
    free: int = 0,
    max_delay: float | None = None,
    limit: int | None = None,
) -> int:
    """Guesses an exponential back-off lets through in ``seconds`` (RFC 4226 §7.3 delay scheme).

    The first ``free`` failures cost nothing; after failure ``free + k`` (k >= 1) the next
    guess waits ``base · factor^(k-1)`` seconds, at most ``max_delay``. With ``limit`` the
    credential locks after that many failures (SECURITY.md: back-off *and* a hard cap).

    Args:
        seconds: The attack's duration.
        base: First delay in seconds (> 0).
        factor: Growth per failure (>= 1).
        free: Failures allowed before delays start.
        max_delay: Largest delay, or ``None`` for unbounded growth.
        limit: Lock after this many failures, or ``None``.

    >>> backoff_attempts(30 * DAY), backoff_attempts(30 * DAY, max_delay=3600)
    (22, 731)
    """
    seconds = _seconds(seconds)
    base = _positive(base, "base")
    factor = _positive(factor, "factor")
    if factor < 1:
        raise InvalidParameter("factor must be at least 1")
    free = _count(free, "free")
    cap = math.inf if max_delay is None else _positive(max_delay, "max_delay")
    if factor == 1:
        cap = min(cap, base)
    limit_n: float = math.inf if limit is None else _count(limit, "limit")
    now, n, delay = 0.0, 0, base
    while now < seconds and n < limit_n:
        n += 1  # a failed guess at time `now`
        if n <= free:
            continue
        if delay >= cap:  # every later delay is `cap`: count the rest in closed form
            n += max(math.ceil((seconds - now) / cap) - 1, 0)
            break
        now += delay
        delay *= factor
    return int(min(n, limit_n))
