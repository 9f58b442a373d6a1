"""Tests for rfc6238.bruteforce: RFC 4226 §6 / Appendix A odds and throttling policies."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from rfc6238 import InvalidParameter, InvalidType
from rfc6238.bruteforce import (
    DAY,
    TRUNCATED_VALUES,
    accepted_codes,
    attempts_needed,
    backoff_attempts,
    guess_probability,
    lockout_attempts,
    rate_limited_attempts,
    rfc4226_advantage,
    rfc4226_bound,
    success_probability,
    truncation_bias,
    worst_case_guess_probability,
)
from rfc6238.core import dynamic_truncate
from rfc6238.prepared import PreparedMAC


def test_security_md_rate_limit_number() -> None:
    # SECURITY.md: 5 tries / 30 s with no cap: 72.6% in 30 days (6 digits, ±1 window).
    p = guess_probability(digits=6, window=1)
    assert p == 3 / 10**6
    assert round(success_probability(p, rate_limited_attempts(30 * DAY)), 3) == 0.726


def test_accepted_codes_forms() -> None:
    assert accepted_codes(0) == 1
    assert accepted_codes(2) == 5
    assert accepted_codes((3, 1)) == 5
    assert accepted_codes((0, 1000)) == 1001


@pytest.mark.parametrize(
    ("window", "error"),
    [
        ((1, 2, 3), InvalidParameter),
        (-1, InvalidParameter),
        ((0, -1), InvalidParameter),
        ((1001, 0), InvalidParameter),
        (True, InvalidType),
        ("1", InvalidType),
    ],
)
def test_accepted_codes_rejects(window: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        accepted_codes(window)  # type: ignore[arg-type]  # the bad argument under test


@pytest.mark.parametrize(("digits", "error"), [(0, InvalidParameter), (11, InvalidParameter)])
def test_digits_range(digits: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        guess_probability(digits=digits)


def test_digits_type() -> None:
    with pytest.raises(InvalidType):
        guess_probability(digits=6.0)  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(InvalidType):
        truncation_bias(True)


def test_success_probability_matches_exact_fraction() -> None:
    for p, n in [(Fraction(3, 10**6), 1000), (Fraction(1, 7), 20), (Fraction(1, 2), 3)]:
        exact = 1 - (1 - p) ** n
        assert math.isclose(success_probability(float(p), n), float(exact), rel_tol=1e-12)


def test_success_probability_tiny_p_keeps_precision() -> None:
    # The naive 1 - (1 - p)**n rounds (1 - 1e-18) to 1.0 and returns 0.
    assert 1 - (1 - 1e-18) ** 5 == 0.0
    assert math.isclose(success_probability(1e-18, 5), 5e-18, rel_tol=1e-12)


def test_success_probability_edges() -> None:
    assert success_probability(0.0, 10**9) == 0.0
    assert success_probability(1.0, 1) == 1.0
    assert success_probability(1.0, 0) == 0.0
    assert success_probability(0.5, 0) == 0.0


@pytest.mark.parametrize(
    ("p", "n", "error"),
    [
        (-0.1, 1, InvalidParameter),
        (1.5, 1, InvalidParameter),
        ("0.1", 1, InvalidType),
        (True, 1, InvalidType),
        (0.1, -1, InvalidParameter),
        (0.1, 1.0, InvalidType),
    ],
)
def test_success_probability_rejects(p: object, n: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        success_probability(p, n)  # type: ignore[arg-type]  # the bad argument under test


def test_attempts_needed_is_minimal() -> None:
    for p, target in [(3e-6, 0.5), (0.01, 0.99), (0.3, 0.3), (1e-9, 1e-6)]:
        n = attempts_needed(p, target)
        assert success_probability(p, n) >= target
        assert n == 0 or success_probability(p, n - 1) < target
    assert attempts_needed(0.5, 0.0) == 0


def test_attempts_needed_unreachable() -> None:
    with pytest.raises(InvalidParameter):
        attempts_needed(0.0, 0.5)
    with pytest.raises(InvalidParameter):
        attempts_needed(0.5, 1.0)


def test_truncation_bias_counts_cover_all_values() -> None:
    for d in range(1, 11):
        b = truncation_bias(d)
        assert b.modulus == 10**d
        assert b.high_residues + b.low_residues == b.modulus
        assert b.high_residues * b.high_count + b.low_residues * b.low_count == TRUNCATED_VALUES
        assert b.high_count - b.low_count == 1


def test_truncation_bias_ratios_per_digit_count() -> None:
    assert truncation_bias(6).ratio == 2148 / 2147  # RFC 4226 A.4.1
    assert truncation_bias(8).ratio == 22 / 21
    assert truncation_bias(9).ratio == 1.5
    b10 = truncation_bias(10)
    assert b10.ratio == math.inf
    assert b10.low_count == 0  # codes >= 2**31 never occur
    ratios = [truncation_bias(d).ratio for d in range(6, 11)]
    assert ratios == sorted(ratios)


def test_lemma1_on_a_small_domain() -> None:
    # Lemma 1 is about any N and m; check the counting rule by enumeration on N = 1000.
    n, m = 1000, 7
    q, r = divmod(n, m)
    counts = [sum(1 for x in range(n) if x % m == z) for z in range(m)]
    assert counts == [q + 1] * r + [q] * (m - r)


def test_worst_case_guess_is_slightly_above_uniform() -> None:
    for d in range(6, 10):
        assert worst_case_guess_probability(digits=d, window=1) > guess_probability(
            digits=d, window=1
        )
    assert worst_case_guess_probability(digits=6, window=0) == 2148 / 2**31


def test_rfc4226_advantage_matches_proposition_1() -> None:
    q = 2**31 // 10**6
    for v, s in [(1, 1), (10, 3), (1000, 11)]:
        window = (0, s - 1)
        exact = 1 - (1 - Fraction(v * (q + 1), 2**31)) ** s
        assert math.isclose(rfc4226_advantage(v, window=window), float(exact), rel_tol=1e-12)
        # Proposition 2's bound is above it and close to it for small v.
        assert rfc4226_advantage(v, window=window) <= rfc4226_bound(v, window=window)


def test_rfc4226_advantage_requires_v_at_most_r() -> None:
    r = 2**31 % 10**6
    assert rfc4226_advantage(r, digits=6) > 0.48
    with pytest.raises(InvalidParameter):
        rfc4226_advantage(r + 1, digits=6)


def test_rfc4226_bound_caps_at_one() -> None:
    assert rfc4226_bound(10**7, digits=6, window=1) == 1.0


def test_rate_limit_and_lockout() -> None:
    assert rate_limited_attempts(0) == 0
    assert rate_limited_attempts(1) == 5
    assert rate_limited_attempts(30) == 5
    assert rate_limited_attempts(31) == 10
    assert rate_limited_attempts(60, tries=3, per=10) == 18
    assert lockout_attempts(30 * DAY, limit=100) == 100
    assert lockout_attempts(30, limit=100) == 5


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"tries": -1}, InvalidParameter),
        ({"per": 0}, InvalidParameter),
        ({"per": "30"}, InvalidType),
        ({"per": math.inf}, InvalidParameter),
    ],
)
def test_rate_limit_rejects(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        rate_limited_attempts(60, **kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


@pytest.mark.parametrize(
    ("seconds", "error"), [(-1, InvalidParameter), (math.nan, InvalidParameter), ("1", InvalidType)]
)
def test_seconds_rejects(seconds: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        rate_limited_attempts(seconds)  # type: ignore[arg-type]  # the bad argument under test


def test_lockout_rejects_negative_limit() -> None:
    with pytest.raises(InvalidParameter):
        lockout_attempts(60, limit=-1)


def _backoff_by_simulation(
    seconds: float,
    base: float,
    factor: float,
    free: int,
    max_delay: float | None,
    limit: int | None,
) -> int:
    # One failed guess per loop turn; the delay grows by `factor` after each delayed failure.
    now, n, delay = 0.0, 0, base
    while now < seconds and (limit is None or n < limit):
        n += 1
        if n > free:
            now += delay if max_delay is None else min(delay, max_delay)
            delay = delay * factor if max_delay is None else min(delay * factor, max_delay)
    return n


@pytest.mark.parametrize(
    ("seconds", "base", "factor", "free", "max_delay", "limit"),
    [
        (3600, 1.0, 2.0, 0, None, None),
        (3600, 1.0, 2.0, 5, None, None),
        (86_400, 1.0, 2.0, 3, 60.0, None),
        (86_400, 0.5, 3.0, 0, 100.0, 50),
        (10_000, 2.0, 1.0, 0, None, None),
        (10_000, 1.0, 1.5, 2, 7.0, None),
        (0, 1.0, 2.0, 0, None, None),
    ],
)
def test_backoff_matches_step_by_step_simulation(
    seconds: float,
    base: float,
    factor: float,
    free: int,
    max_delay: float | None,
    limit: int | None,
) -> None:
    expected = _backoff_by_simulation(seconds, base, factor, free, max_delay, limit)
    got = backoff_attempts(
        seconds, base=base, factor=factor, free=free, max_delay=max_delay, limit=limit
    )
    assert got == expected


def test_backoff_grows_logarithmically_without_cap() -> None:
    # Doubling from 1 s: attempts at 0, 1, 3, 7, ..., 2**k - 1.
    assert backoff_attempts(30 * DAY) == math.floor(math.log2(30 * DAY)) + 1
    assert backoff_attempts(30 * DAY, limit=10) == 10


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"base": 0}, InvalidParameter),
        ({"factor": 0.5}, InvalidParameter),
        ({"factor": "2"}, InvalidType),
        ({"free": -1}, InvalidParameter),
        ({"max_delay": 0}, InvalidParameter),
        ({"limit": -1}, InvalidParameter),
    ],
)
def test_backoff_rejects(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        backoff_attempts(60, **kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


def test_monte_carlo_with_real_hmacs_agrees_with_formula() -> None:
    # A 2-digit toy code from real HMAC-SHA1 values (the math is the same for any 10^d):
    # random guesses, 3 accepted codes, 60 guesses per trial.
    rng = random.Random(6238)
    d, guesses, trials = 2, 60, 400
    p = guess_probability(digits=d, window=1)
    wins = 0
    for _ in range(trials):
        mac = PreparedMAC(rng.randbytes(20), "SHA1")
        step = rng.randrange(2**32)
        codes = {
            dynamic_truncate(mac.digest((step + i).to_bytes(8, "big"))) % 10**d for i in (-1, 0, 1)
        }
        wins += any(rng.randrange(10**d) in codes for _ in range(guesses))
    expected = success_probability(p, guesses)  # 0.84
    sigma = math.sqrt(expected * (1 - expected) / trials)
    assert abs(wins / trials - expected) < 4 * sigma + 0.01
