"""The graders of notebooks 01-05's exercises: one ``check_*`` function per exercise.

Each takes the learner's function, grades it with :func:`~rfc6238.teaching.grading.grade`
(conformance vectors) or :func:`~rfc6238.teaching.grading.grade_against` (a reference from
the library, where no vector file covers the piece) and returns the
:class:`~rfc6238.teaching.grading.Grade`, which a check cell displays. Where the exercise is
one stage of the pipeline, the grader completes the rest with the library, so the vectors
of whole codes grade that one stage. Notebooks 07-10: :mod:`~rfc6238.teaching.exercises_apps`.

>>> import hmac
>>> check_hmac_sha1(lambda key, message: hmac.digest(key, message, "sha1")).ok
True
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .. import (
    InvalidToken,
    bruteforce,
    dynamic_truncate,
    hotp,
    pack_counter,
    time_step,
    verify_totp,
)
from ..conformance import select_cases
from .grading import Grade, grade, grade_against

__all__ = [
    "check_accepted_fraction",
    "check_attempts_needed",
    "check_code_from_snum",
    "check_dynamic_truncate",
    "check_guess_probability",
    "check_hmac",
    "check_hmac_sha1",
    "check_pack_counter",
    "check_success_probability",
    "check_time_step",
    "check_verify_window",
]

Fn = Callable[..., Any]


def _code(mac: bytes, digits: int) -> str:
    return str(dynamic_truncate(mac) % 10**digits).zfill(digits)


# 01 · HMAC -------------------------------------------------------------------------------
def check_hmac_sha1(my_hmac_sha1: Fn) -> Grade:
    """``my_hmac_sha1(key, message) -> 20 bytes``, graded as HOTP codes (RFC 4226 vectors)."""

    def as_hotp(key: bytes, counter: int, *, digits: int = 6) -> str:
        return _code(my_hmac_sha1(key, pack_counter(counter)), digits)

    return grade(
        "hotp",
        as_hotp,
        groups=["rfc4226", "hotp_edges"],
        valid_only=True,
        title="my_hmac_sha1, as HOTP codes (vectors/rfc4226 + hotp_edges, SHA-1)",
    )


def check_hmac(my_hmac: Fn) -> Grade:
    """``my_hmac(key, message, algorithm) -> bytes`` for SHA1/SHA256/SHA512, as TOTP codes."""

    def as_totp(key: bytes, time: int, *, digits: int = 6, algorithm: str = "SHA1") -> str:
        return _code(my_hmac(key, pack_counter(time_step(time)), algorithm), digits)

    return grade(
        "totp",
        as_totp,
        groups=["rfc6238"],
        valid_only=True,
        title="my_hmac, as TOTP codes (vectors/rfc6238: SHA-1, SHA-256, SHA-512)",
    )


# 02 · truncation -------------------------------------------------------------------------
def check_dynamic_truncate(my_dynamic_truncate: Fn) -> Grade:
    """``my_dynamic_truncate(digest) -> int`` (31 bits), graded on truncate and HOTP vectors."""

    def as_hotp(key: bytes, counter: int, *, digits: int = 6, algorithm: str = "SHA1") -> str:
        mac = hmac.digest(key, pack_counter(counter), algorithm.lower())
        return str(my_dynamic_truncate(mac) % 10**digits).zfill(digits)

    return grade(
        "hotp",
        as_hotp,
        groups=["rfc4226", "hotp_edges"],
        valid_only=True,
        title="my_dynamic_truncate, as HOTP codes (vectors/rfc4226 + hotp_edges)",
    )


def check_code_from_snum(my_code: Fn) -> Grade:
    """``my_code(snum, digits) -> str``: ``Snum mod 10^d`` with leading zeros."""

    def as_hotp(key: bytes, counter: int, *, digits: int = 6, algorithm: str = "SHA1") -> str:
        return str(
            my_code(
                dynamic_truncate(hmac.digest(key, pack_counter(counter), algorithm.lower())), digits
            )
        )

    return grade(
        "hotp",
        as_hotp,
        groups=["rfc4226", "hotp_edges"],
        valid_only=True,
        title="my_code, as HOTP codes (vectors/rfc4226 + hotp_edges)",
    )


# 03 · time steps -------------------------------------------------------------------------
def check_time_step(my_time_step: Fn) -> Grade:
    """``my_time_step(t, period, t0) -> int`` for int and float t, graded as TOTP codes."""

    def as_totp(
        key: bytes,
        time: float,
        *,
        period: int = 30,
        t0: int = 0,
        digits: int = 6,
        algorithm: str = "SHA1",
    ) -> str:
        return hotp(key, my_time_step(time, period, t0), digits=digits, algorithm=algorithm)

    cases = [
        c
        for c in select_cases(groups=["rfc6238", "totp_edges"])
        if c.case.result == "valid" and not isinstance(c.args()["time"], datetime)
    ]
    return grade(
        "totp",
        as_totp,
        cases=cases,
        title="my_time_step, as TOTP codes (vectors/rfc6238 + totp_edges, int and float times)",
    )


def check_pack_counter(my_pack_counter: Fn) -> Grade:
    """``my_pack_counter(counter) -> 8 bytes``, graded as HOTP codes."""

    def as_hotp(key: bytes, counter: int, *, digits: int = 6, algorithm: str = "SHA1") -> str:
        return _code(hmac.digest(key, my_pack_counter(counter), algorithm.lower()), digits)

    return grade(
        "hotp",
        as_hotp,
        groups=["rfc4226", "hotp_edges"],
        valid_only=True,
        title="my_pack_counter, as HOTP codes (vectors/rfc4226 + hotp_edges)",
    )


# 04 · windows ----------------------------------------------------------------------------
def check_verify_window(my_verify: Fn) -> Grade:
    """``my_verify(key, token, time, *, window, digits, period) -> step | None``."""
    return grade(
        "verify_totp",
        my_verify,
        groups=["verify"],
        title="my_verify on vectors/verify (right step, wrong codes refused)",
    )


def _measured_fraction(skew: int, past: int, future: int) -> float:
    start = 1111111080  # the start of a step (RFC 6238 Appendix B)
    key = b"12345678901234567890"
    accepted = 0
    for phase in range(30):
        now = start + phase
        try:
            verify_totp(key, hotp(key, time_step(now + skew)), now, window=(past, future))
            accepted += 1
        except InvalidToken:
            pass
    return accepted / 30


def check_accepted_fraction(my_fraction: Fn) -> Grade:
    """``my_fraction(skew, past, future) -> float``: the share of a step's 30 instants accepted."""
    inputs = [
        (f"skew {s:+} s, window ({p} past, {f} future)", (s, p, f))
        for s in (-95, -60, -45, -31, -30, -1, 0, 1, 29, 30, 31, 59, 61)
        for p, f in ((0, 0), (1, 1), (1, 0), (2, 1))
    ]
    return grade_against(
        my_fraction,
        inputs,
        reference=_measured_fraction,
        same=lambda got, want: abs(got - want) < 1e-9,
        title="my_fraction against real verifications (TOTP.verify, 30 instants)",
    )


# 05 · brute force ------------------------------------------------------------------------
def check_guess_probability(my_p: Fn) -> Grade:
    """``my_p(digits, window) -> float``, window an int or ``(past, future)``."""
    inputs = [
        (f"{d} digits, window {w}", (d, w))
        for d in (6, 7, 8, 10)
        for w in (0, 1, 3, (1, 0), (2, 1))
    ]
    return grade_against(
        my_p,
        inputs,
        reference=lambda d, w: bruteforce.guess_probability(digits=d, window=w),
        same=lambda got, want: abs(got - want) <= 1e-12 * want,
        title="my_p against rfc6238.bruteforce.guess_probability",
    )


def check_success_probability(my_success: Fn) -> Grade:
    """``my_success(p, n) -> float``, accurate to 1e-9 relative even for tiny p."""
    inputs = [
        (f"p = {p:g}, n = {n:,}", (p, n))
        for p, n in (
            (0.5, 1),
            (0.5, 3),
            (3e-6, 231_049),
            (3e-6, 10),
            (1e-12, 10),
            (1e-15, 1000),
            (1e-9, 10**12),
            (2e-6, 1),
        )
    ]
    return grade_against(
        my_success,
        inputs,
        reference=bruteforce.success_probability,
        same=lambda got, want: abs(got - want) <= 1e-9 * want,
        title="my_success against rfc6238.bruteforce.success_probability (1e-9 relative)",
    )


def check_attempts_needed(my_attempts: Fn) -> Grade:
    """``my_attempts(p, target) -> int``: the fewest guesses with P(success) >= target."""
    inputs = [
        (f"p = {p:g}, target {t}", (p, t))
        for p, t in ((3e-6, 0.5), (1e-6, 0.5), (0.5, 0.5), (0.5, 0.75), (3e-3, 0.99), (1e-4, 0.01))
    ]
    return grade_against(
        my_attempts,
        inputs,
        reference=bruteforce.attempts_needed,
        title="my_attempts against rfc6238.bruteforce.attempts_needed",
    )
