"""Hypothesis cross-checks against two independent implementations (CONTRIBUTING.md "Style").

Each oracle is used only inside the domain where it is itself correct; outside it, it is
either stricter than RFC 4226/6238 or uses float arithmetic that loses exactness.

``cryptography.hazmat.primitives.twofactor`` (HOTP, TOTP):
  * ``length`` (digits) 6..8 only;
  * keys >= 16 bytes, or any length with ``enforce_key_length=False`` (we pass it for
    keys of 1..15 bytes);
  * counters 0..2**64-1;
  * TOTP has no T0 and computes ``int(time / time_step)`` in floating point: we give it
    ``time - t0`` and keep ``(time - t0) / period < 2**36`` (float spacing there is
    ``2**-16``, finer than ``1 / period``, so the floor is exact).

``pyotp`` (HOTP, TOTP), version 2.9+:
  * takes a base32 secret of at least 112 bits (14 bytes);
  * ``digits`` 6..10; ``digest=hashlib.sha1/sha256/sha512``;
  * HOTP counters 0..2**64-1 (larger counters would be packed into more than 8 bytes);
  * TOTP ``interval`` 1..120 seconds, no T0, times 0 <= t < 253402300800 (year 10000) and
    ``int(t / interval)`` in floating point (exact there: t < 2**38);
  * ``at()`` is given an aware UTC datetime or an int, never a naive datetime (pyotp reads
    naive datetimes as local time).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pyotp
import pytest
from cryptography.hazmat.primitives.hashes import SHA1, SHA256, SHA512
from cryptography.hazmat.primitives.twofactor import InvalidToken as CryptographyInvalidToken
from cryptography.hazmat.primitives.twofactor import hotp as cryptography_twofactor_hotp
from cryptography.hazmat.primitives.twofactor import totp as cryptography_twofactor_totp
from hypothesis import given
from hypothesis import strategies as st
from strategies import MAX_COUNTER, algorithms, counters

from rfc6238 import HOTP, TOTP, base32, hotp, totp, verify_hotp, verify_totp

CRYPTOGRAPHY_HASHES: dict[str, type[SHA1 | SHA256 | SHA512]] = {
    "SHA1": SHA1,
    "SHA256": SHA256,
    "SHA512": SHA512,
}
HASHLIB = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
PYOTP_TIME_LIMIT = 253402300800  # 10000-01-01T00:00:00Z, exclusive

any_keys = st.binary(min_size=1, max_size=150)
pyotp_keys = st.binary(min_size=14, max_size=150)
cryptography_digits = st.integers(min_value=6, max_value=8)
pyotp_digits = st.integers(min_value=6, max_value=10)
pyotp_intervals = st.integers(min_value=1, max_value=120)


def cryptography_hotp(key: bytes, digits: int, algorithm: str) -> cryptography_twofactor_hotp.HOTP:
    return cryptography_twofactor_hotp.HOTP(
        key,
        digits,
        CRYPTOGRAPHY_HASHES[algorithm](),
        enforce_key_length=len(key) >= 16,
    )


# --- cryptography ----------------------------------------------------------------------------


@given(key=any_keys, counter=counters, digits=cryptography_digits, algorithm=algorithms)
def test_hotp_agrees_with_cryptography(
    key: bytes, counter: int, digits: int, algorithm: str
) -> None:
    oracle = cryptography_hotp(key, digits, algorithm)
    code = hotp(key, counter, digits=digits, algorithm=algorithm)
    assert code.encode() == oracle.generate(counter)
    oracle.verify(code.encode(), counter)  # raises if they disagree


@given(
    key=any_keys,
    steps=st.integers(min_value=0, max_value=2**36),
    into=st.integers(min_value=0, max_value=10**6),
    period=st.integers(min_value=1, max_value=3600),
    t0=st.integers(min_value=0, max_value=2**40),
    digits=cryptography_digits,
    algorithm=algorithms,
)
def test_totp_agrees_with_cryptography(
    key: bytes, steps: int, into: int, period: int, t0: int, digits: int, algorithm: str
) -> None:
    elapsed = steps * period + into % period  # exactly `steps` whole periods after t0
    oracle = cryptography_twofactor_totp.TOTP(
        key,
        digits,
        CRYPTOGRAPHY_HASHES[algorithm](),
        period,
        enforce_key_length=len(key) >= 16,
    )
    code = totp(key, t0 + elapsed, period=period, t0=t0, digits=digits, algorithm=algorithm)
    assert code.encode() == oracle.generate(elapsed)
    if len(key) >= 16:
        otp = TOTP(key=key, digits=digits, algorithm=algorithm, period=period, t0=t0)
        assert otp.at(t0 + elapsed) == code


@given(
    key=st.binary(min_size=16, max_size=100),
    counter=st.integers(min_value=0, max_value=MAX_COUNTER - 10),
    ahead=st.integers(min_value=0, max_value=10),
    digits=cryptography_digits,
    algorithm=algorithms,
)
def test_verify_hotp_accepts_what_cryptography_generates(
    key: bytes, counter: int, ahead: int, digits: int, algorithm: str
) -> None:
    token = cryptography_hotp(key, digits, algorithm).generate(counter + ahead).decode()
    match = verify_hotp(key, token, counter, look_ahead=10, digits=digits, algorithm=algorithm)
    assert counter <= match.counter <= counter + ahead  # a collision can only be closer
    assert HOTP(key=key, digits=digits, algorithm=algorithm).at(match.counter) == token


@given(key=st.binary(min_size=16, max_size=40), counter=counters)
def test_wrong_codes_fail_in_both(key: bytes, counter: int) -> None:
    oracle = cryptography_hotp(key, 6, "SHA1")
    wrong = f"{(int(hotp(key, counter)) + 1) % 10**6:06d}"
    with pytest.raises(CryptographyInvalidToken):
        oracle.verify(wrong.encode(), counter)
    assert wrong != hotp(key, counter)


# --- pyotp -----------------------------------------------------------------------------------


@given(key=pyotp_keys, counter=counters, digits=pyotp_digits, algorithm=algorithms)
def test_hotp_agrees_with_pyotp(key: bytes, counter: int, digits: int, algorithm: str) -> None:
    oracle = pyotp.HOTP(base32.encode(key), digits=digits, digest=HASHLIB[algorithm])
    assert hotp(key, counter, digits=digits, algorithm=algorithm) == oracle.at(counter)


@given(
    key=pyotp_keys,
    time=st.integers(min_value=0, max_value=PYOTP_TIME_LIMIT - 1),
    interval=pyotp_intervals,
    digits=pyotp_digits,
    algorithm=algorithms,
)
def test_totp_agrees_with_pyotp(
    key: bytes, time: int, interval: int, digits: int, algorithm: str
) -> None:
    oracle = pyotp.TOTP(
        base32.encode(key), digits=digits, digest=HASHLIB[algorithm], interval=interval
    )
    when = datetime.fromtimestamp(time, UTC)
    expected = oracle.at(when)
    assert oracle.at(time) == expected
    assert totp(key, time, period=interval, digits=digits, algorithm=algorithm) == expected
    assert totp(key, when, period=interval, digits=digits, algorithm=algorithm) == expected
    if len(key) >= 16:
        match = verify_totp(
            key, expected, time, window=0, period=interval, digits=digits, algorithm=algorithm
        )
        assert match.offset == 0


@given(key=pyotp_keys, text_case=st.sampled_from([str.upper, str.lower]))
def test_pyotp_reads_our_base32(key: bytes, text_case: object) -> None:
    text = text_case(base32.encode(key))  # type: ignore[operator]  # parametrized as object; a callable
    assert pyotp.HOTP(text).byte_secret() == key
    assert base32.decode(text) == key


@pytest.mark.parametrize("length", [32, 40, 52, 64, 103])
def test_pyotp_generated_secrets_decode(length: int) -> None:
    # pyotp draws each character at random, so when 5 * length is not a multiple of 8 the
    # unused trailing bits are random: lenient mode accepts them, strict mode only if zero.
    text = pyotp.random_base32(length=length)
    key = base32.decode(text)
    assert len(key) == length * 5 // 8
    assert pyotp.HOTP(text).byte_secret() == key
    if length % 8 == 0:
        assert base32.decode(text, strict=True) == key
        assert base32.encode(key) == text
