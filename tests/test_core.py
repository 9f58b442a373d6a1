"""Tests of the one-shot core: hotp, totp, time_step, pack_counter, dynamic_truncate.

The RFC tables here are the anchors the core was written against (RFC 4226 Appendix D and
RFC 6238 Appendix B); the full, language-neutral vectors live in ``vectors/``. The Hypothesis
properties check code shape, the truncation against a direct reading of RFC 4226 §5.3, and
exact integer time arithmetic (RFC 6238 §4.2).
"""

from __future__ import annotations

import doctest
import hashlib
import hmac
import importlib
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    MAX_COUNTER,
    algorithms,
    aware_datetimes,
    counters,
    digits,
    keys,
    periods,
    t0s,
    times,
)

import rfc6238
from rfc6238 import Secret, dynamic_truncate, hotp, pack_counter, time_step, totp
from rfc6238.errors import (
    InvalidParameter,
    InvalidType,
    RFC6238Error,
    SecretTooShort,
    UnsupportedAlgorithm,
)

RFC4226_KEY = b"12345678901234567890"
#: RFC 4226 Appendix D: counter -> (HMAC-SHA-1, truncated 31-bit value, 6-digit HOTP).
RFC4226_APPENDIX_D = [
    ("cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 1284755224, "755224"),
    ("75a48a19d4cbe100644e8ac1397eea747a2d33ab", 1094287082, "287082"),
    ("0bacb7fa082fef30782211938bc1c5e70416ff44", 137359152, "359152"),
    ("66c28227d03a2d5529262ff016a1e6ef76557ece", 1726969429, "969429"),
    ("a904c900a64b35909874b33e61c5938a8e15ed1c", 1640338314, "338314"),
    ("a37e783d7b7233c083d4f62926c7a25f238d0316", 868254676, "254676"),
    ("bc9cd28561042c83f219324d3c607256c03272ae", 1918287922, "287922"),
    ("a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", 82162583, "162583"),
    ("1b3c89f65e6c9e883012052823443f048b4332db", 673399871, "399871"),
    ("1637409809a679dc698207310c8c7fc07290d9e5", 645520489, "520489"),
]
#: RFC 6238 Appendix A reference-code seeds (errata 2866: 20/32/64 bytes, not 20 for all).
RFC6238_SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
#: RFC 6238 Appendix B: time -> (T, SHA1, SHA256, SHA512) with 8 digits, X=30, T0=0.
RFC6238_APPENDIX_B = [
    (59, 0x1, "94287082", "46119246", "90693936"),
    (1111111109, 0x23523EC, "07081804", "68084774", "25091201"),
    (1111111111, 0x23523ED, "14050471", "67062674", "99943326"),
    (1234567890, 0x273EF07, "89005924", "91819424", "93441116"),
    (2000000000, 0x3F940AA, "69279037", "90698825", "38618901"),
    (20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"),
]


def reference_hotp(key: bytes, counter: int, digits: int, algorithm: str) -> str:
    """RFC 4226 §5.3 read literally, as an in-test oracle (no shared code with the core)."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), getattr(hashlib, algorithm.lower())).digest()
    offset = mac[len(mac) - 1] & 0xF
    snum = (
        (mac[offset] & 0x7F) << 24 | mac[offset + 1] << 16 | mac[offset + 2] << 8 | mac[offset + 3]
    )
    return str(snum % 10**digits).rjust(digits, "0")


# --- RFC anchors -----------------------------------------------------------------------------


@pytest.mark.parametrize(("counter", "row"), list(enumerate(RFC4226_APPENDIX_D)))
def test_rfc4226_appendix_d(counter: int, row: tuple[str, int, str]) -> None:
    digest_hex, truncated, code = row
    digest = hmac.digest(RFC4226_KEY, pack_counter(counter), "sha1")
    assert digest.hex() == digest_hex
    assert dynamic_truncate(digest) == truncated
    assert hotp(RFC4226_KEY, counter) == code
    assert hotp(RFC4226_KEY, counter, digits=10) == str(truncated).zfill(10)


@pytest.mark.parametrize("row", RFC6238_APPENDIX_B, ids=lambda r: str(r[0]))
@pytest.mark.parametrize("column", [0, 1, 2], ids=["SHA1", "SHA256", "SHA512"])
def test_rfc6238_appendix_b(row: tuple[int, int, str, str, str], column: int) -> None:
    time, step, *codes = row
    algorithm = ("SHA1", "SHA256", "SHA512")[column]
    assert time_step(time) == step
    assert totp(RFC6238_SEEDS[algorithm], time, digits=8, algorithm=algorithm) == codes[column]


@pytest.mark.parametrize("row", RFC6238_APPENDIX_B, ids=lambda r: str(r[0]))
def test_rfc6238_20_byte_seed_trap(row: tuple[int, int, str, str, str]) -> None:
    # Appendix B's prose names only the 20-byte seed; with it SHA256/512 values differ
    # (errata 2866). SHA1 is unaffected.
    time, _, sha1, sha256, sha512 = row
    assert totp(RFC4226_KEY, time, digits=8, algorithm="SHA1") == sha1
    assert totp(RFC4226_KEY, time, digits=8, algorithm="SHA256") != sha256
    assert totp(RFC4226_KEY, time, digits=8, algorithm="SHA512") != sha512


def test_rfc4226_section_5_4_truncation_example() -> None:
    digest = bytes.fromhex("1f8698690e02ca16618550ef7f19da8e945b555a")
    assert digest[-1] & 0xF == 10
    assert dynamic_truncate(digest) == 0x50EF7F19 == 1357872921
    assert 1357872921 % 10**6 == 872921


# --- hotp ------------------------------------------------------------------------------------


@given(key=keys, counter=counters, digits=digits, algorithm=algorithms)
def test_hotp_matches_a_literal_reading_of_rfc4226(
    key: bytes, counter: int, digits: int, algorithm: str
) -> None:
    code = hotp(key, counter, digits=digits, algorithm=algorithm)
    assert code == reference_hotp(key, counter, digits, algorithm)
    assert len(code) == digits
    assert code.isascii()
    assert set(code) <= set("0123456789")


@given(key=keys, counter=counters, algorithm=algorithms)
def test_hotp_shorter_codes_are_suffixes_of_longer_ones(
    key: bytes, counter: int, algorithm: str
) -> None:
    ten = hotp(key, counter, digits=10, algorithm=algorithm)
    for d in range(6, 10):
        assert hotp(key, counter, digits=d, algorithm=algorithm) == ten[-d:]
    assert ten[0] in "012"  # 2**31 - 1 = 2147483647: the 10th digit is biased


@given(key=keys, counter=counters)
def test_hotp_accepts_every_key_form_and_algorithm_spelling(key: bytes, counter: int) -> None:
    expected = hotp(key, counter)
    for form in (bytearray(key), memoryview(key), Secret(key)):
        assert hotp(form, counter) == expected
    for spelling in ("sha1", "Sha1", "sHA1"):
        assert hotp(key, counter, algorithm=spelling) == expected


def test_hotp_at_counter_bounds() -> None:
    assert hotp(RFC4226_KEY, MAX_COUNTER) == reference_hotp(RFC4226_KEY, MAX_COUNTER, 6, "SHA1")
    with pytest.raises(InvalidParameter, match=r"^counter must be in 0\.\.2\*\*64-1"):
        hotp(RFC4226_KEY, MAX_COUNTER + 1)
    with pytest.raises(InvalidParameter, match=r"^counter must be in"):
        hotp(RFC4226_KEY, -1)


def test_hotp_computes_for_short_keys() -> None:
    # The pure math accepts any non-empty key; policy lives in verification and OTP objects.
    assert hotp(b"k", 0) == reference_hotp(b"k", 0, 6, "SHA1")


@pytest.mark.parametrize("algorithm", ["SHA1", "SHA256", "SHA512"])
@pytest.mark.parametrize("length", [64, 65, 128, 129, 4096])
def test_hotp_computes_for_long_keys(algorithm: str, length: int) -> None:
    # SECURITY.md: keys over 64 bytes are rejected by the service; the math still computes
    # them (RFC 2104 §2: keys longer than the block are hashed first).
    key = bytes(range(256)) * (length // 256) + bytes(range(length % 256))
    assert hotp(key, 7, algorithm=algorithm) == reference_hotp(key, 7, 6, algorithm)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"key": b""}, SecretTooShort, r"^key must not be empty$"),
        ({"key": "GEZDGNBV"}, InvalidType, r"^key must be bytes, not str"),
        ({"key": None}, InvalidType, r"^key must be bytes, not NoneType"),
        ({"counter": True}, InvalidType, r"^counter must be an int, not bool"),
        ({"counter": 1.0}, InvalidType, r"^counter must be an int, not float"),
        ({"counter": "1"}, InvalidType, r"^counter must be an int, not str"),
        ({"digits": 5}, InvalidParameter, r"^digits must be between 6 and 10"),
        ({"digits": 11}, InvalidParameter, r"^digits must be between 6 and 10"),
        ({"digits": True}, InvalidType, r"^digits must be an int, not bool"),
        ({"digits": 6.0}, InvalidType, r"^digits must be an int, not float"),
        ({"algorithm": "md5"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": "SHA-1"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": "sha224"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": None}, InvalidType, r"^algorithm must be a str, not NoneType"),
    ],
)
def test_hotp_rejects_bad_arguments(
    kwargs: dict[str, object], error: type[RFC6238Error], message: str
) -> None:
    call: dict[str, object] = {"key": RFC4226_KEY, "counter": 0, **kwargs}
    with pytest.raises(error, match=message):
        hotp(
            call.pop("key"),  # type: ignore[arg-type]  # values of mixed types
            call.pop("counter"),  # type: ignore[arg-type]  # values of mixed types
            **call,  # type: ignore[arg-type]  # keyword values of mixed types
        )


def test_hotp_parameters_after_counter_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        hotp(RFC4226_KEY, 0, 8)  # type: ignore[call-arg]  # digits is keyword-only


# --- pack_counter and dynamic_truncate -------------------------------------------------------


@given(counter=counters)
def test_pack_counter_is_8_byte_big_endian(counter: int) -> None:
    packed = pack_counter(counter)
    assert len(packed) == 8
    assert int.from_bytes(packed, "big") == counter


@pytest.mark.parametrize(
    ("counter", "error"),
    [(-1, InvalidParameter), (2**64, InvalidParameter), (True, InvalidType), (1.0, InvalidType)],
)
def test_pack_counter_rejects_bad_counters(counter: object, error: type[RFC6238Error]) -> None:
    with pytest.raises(error, match=r"^counter must be"):
        pack_counter(counter)  # type: ignore[arg-type]  # the bad argument under test


@given(
    body=st.binary(min_size=63, max_size=63),
    last_nibble=st.integers(min_value=0, max_value=15),
    size=st.sampled_from([20, 32, 64]),
)
def test_dynamic_truncate_uses_the_last_byte_of_any_digest(
    body: bytes, last_nibble: int, size: int
) -> None:
    # The offset comes from the *last* byte (RFC 6238 reference code), not from byte 19.
    digest = body[: size - 1] + bytes([0xA0 | last_nibble])
    value = dynamic_truncate(digest)
    assert value == int.from_bytes(digest[last_nibble : last_nibble + 4], "big") & 0x7FFFFFFF
    assert 0 <= value < 2**31
    assert dynamic_truncate(bytearray(digest)) == value


def test_dynamic_truncate_masks_the_top_bit() -> None:
    digest = b"\xff" * 19 + b"\x00"
    assert dynamic_truncate(digest) == 0x7FFFFFFF


@pytest.mark.parametrize(
    "digest",
    [b"", b"\x0f", bytes(16) + b"\x0f", bytes(15) + b"\x0c"],
    ids=["empty", "one-byte", "17-bytes-offset-15", "16-bytes-offset-12"],
)
def test_dynamic_truncate_rejects_short_digests(digest: bytes) -> None:
    # Regression (fixed in 24b5e44): these raised IndexError / struct.error.
    with pytest.raises(InvalidParameter, match=r"digest"):
        dynamic_truncate(digest)


@pytest.mark.parametrize("digest", [None, "cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 5, [1] * 20])
def test_dynamic_truncate_rejects_non_bytes(digest: object) -> None:
    # Regression (fixed in 24b5e44): these raised TypeError / struct.error.
    with pytest.raises(InvalidType, match=r"digest"):
        dynamic_truncate(digest)  # type: ignore[arg-type]  # the bad argument under test


# --- time_step -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "kwargs", "step"),
    [
        (0, {}, 0),
        (29, {}, 0),
        (30, {}, 1),
        (59, {}, 1),
        (59.999, {}, 1),
        (60.0, {}, 2),
        (100, {"t0": 100}, 0),
        (129, {"t0": 100}, 0),
        (130, {"t0": 100}, 1),
        (-5, {"t0": -10, "period": 5}, 1),
        (2**31, {}, 2**31 // 30),  # 2038-01-19T03:14:08Z: past the signed 32-bit limit
        (2**64 - 1, {"period": 1}, 2**64 - 1),
        (datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC), {}, 2**31 // 30),
        (datetime(1970, 1, 1, 1, 0, 59, tzinfo=timezone(timedelta(hours=1))), {}, 1),
    ],
)
def test_time_step_examples(time: object, kwargs: dict[str, int], step: int) -> None:
    assert time_step(time, **kwargs) == step  # type: ignore[arg-type]  # keyword values of mixed types


def test_time_step_is_exact_where_float_division_is_not() -> None:
    time = 30 * 2**55 - 1  # one second before a step boundary, far past 2**53
    assert int(time / 30) == 2**55  # the pyotp/cryptography formula is off by one here
    assert time_step(time) == 2**55 - 1


@given(time=times, period=periods, t0=t0s)
def test_time_step_is_the_floor_of_rfc6238_section_4_2(time: int, period: int, t0: int) -> None:
    time += t0  # time >= t0
    step = time_step(time, period=period, t0=t0)
    assert t0 + step * period <= time < t0 + (step + 1) * period


@given(a=times, b=times, period=periods, t0=t0s)
def test_time_step_is_monotone(a: int, b: int, period: int, t0: int) -> None:
    low, high = sorted((a, b))
    assert time_step(low + t0, period=period, t0=t0) <= time_step(high + t0, period=period, t0=t0)


@given(time=st.floats(min_value=0, max_value=2.0**62, allow_nan=False), period=periods)
def test_time_step_floors_floats_exactly(time: float, period: int) -> None:
    assert time_step(time, period=period) == math.floor(time) // period


@given(when=aware_datetimes, period=periods)
def test_time_step_of_a_datetime_equals_that_of_its_unix_seconds(
    when: datetime, period: int
) -> None:
    seconds = (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
    assert time_step(when, period=period) == seconds // period
    other_zone = when.astimezone(timezone(timedelta(hours=-7, minutes=-30)))
    assert time_step(other_zone, period=period) == seconds // period


@pytest.mark.parametrize(
    ("time", "kwargs", "error", "message"),
    [
        (99, {"t0": 100}, InvalidParameter, r"^time must not be before t0"),
        (-1, {}, InvalidParameter, r"^time must not be before t0"),
        (-0.5, {}, InvalidParameter, r"^time must not be before t0"),
        (datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), {}, InvalidParameter, r"before t0"),
        (2**64, {"period": 1}, InvalidParameter, r"^time is too far after t0"),
        (1e300, {}, InvalidParameter, r"^time is too far after t0"),
        (math.nan, {}, InvalidParameter, r"^time must be a finite number"),
        (math.inf, {}, InvalidParameter, r"^time must be a finite number"),
        (-math.inf, {}, InvalidParameter, r"^time must be a finite number"),
        (datetime(2020, 1, 1), {}, InvalidParameter, r"^time must be a timezone-aware"),
        (True, {}, InvalidType, r"^time must be an int, float or .*not bool"),
        ("59", {}, InvalidType, r"^time must be an int, float or timezone-aware datetime, not"),
        (None, {}, InvalidType, r"^time must be an int, float or"),
        (59, {"period": 0}, InvalidParameter, r"^period must be a positive"),
        (59, {"period": -30}, InvalidParameter, r"^period must be a positive"),
        (59, {"period": 30.0}, InvalidType, r"^period must be an int"),
        (59, {"period": True}, InvalidType, r"^period must be an int"),
        (59, {"t0": 0.0}, InvalidType, r"^t0 must be an int"),
        (59, {"t0": False}, InvalidType, r"^t0 must be an int"),
    ],
)
def test_time_step_rejects_bad_arguments(
    time: object, kwargs: dict[str, object], error: type[RFC6238Error], message: str
) -> None:
    with pytest.raises(error, match=message):
        time_step(time, **kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


# --- totp ------------------------------------------------------------------------------------


@given(key=keys, time=times, period=periods, t0=t0s, digits=digits, algorithm=algorithms)
def test_totp_is_hotp_of_the_time_step(
    key: bytes, time: int, period: int, t0: int, digits: int, algorithm: str
) -> None:
    time += t0
    step = time_step(time, period=period, t0=t0)
    if step > MAX_COUNTER:
        with pytest.raises(InvalidParameter):
            totp(key, time, period=period, t0=t0, digits=digits, algorithm=algorithm)
        return
    code = totp(key, time, period=period, t0=t0, digits=digits, algorithm=algorithm)
    assert code == hotp(key, step, digits=digits, algorithm=algorithm)
    assert len(code) == digits
    assert set(code) <= set("0123456789")


@given(when=aware_datetimes, fraction=st.floats(min_value=0, max_value=0.999))
def test_totp_agrees_for_int_float_and_datetime(when: datetime, fraction: float) -> None:
    seconds = (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
    expected = totp(RFC4226_KEY, seconds)
    assert totp(RFC4226_KEY, when) == expected
    if seconds < 2**52:  # a float holds the fraction exactly only below 2**52
        assert totp(RFC4226_KEY, seconds + fraction) == expected


def test_totp_rejects_time_before_t0_and_naive_datetimes() -> None:
    with pytest.raises(InvalidParameter, match=r"^time must not be before t0"):
        totp(RFC4226_KEY, 10, t0=11)
    with pytest.raises(InvalidParameter, match=r"timezone-aware"):
        totp(RFC4226_KEY, datetime(2020, 1, 1))
    with pytest.raises(InvalidType, match=r"^time must be"):
        totp(RFC4226_KEY, True)
    with pytest.raises(SecretTooShort):
        totp(b"", 59)


def test_totp_parameters_after_time_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        totp(RFC4226_KEY, 59, 30)  # type: ignore[call-arg]  # period is keyword-only


# --- doctests --------------------------------------------------------------------------------

CORE_MODULES = [
    "rfc6238",
    "rfc6238.errors",
    "rfc6238._checks",
    "rfc6238.core",
    "rfc6238.prepared",
    "rfc6238.verify",
    "rfc6238.otp",
    "rfc6238.secret",
    "rfc6238.base32",
    "rfc6238.trace",
]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_doctests_pass(name: str) -> None:
    # pytest --doctest-modules runs these in the checkout; this also runs them against an
    # installed copy (the wheel test runs tests/ outside the checkout).
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize(
    "function", [hotp, totp, time_step, pack_counter, dynamic_truncate], ids=lambda f: f.__name__
)
def test_public_functions_have_a_doctest(function: object) -> None:
    assert ">>>" in (getattr(function, "__doc__", None) or "")


def test_code_from_digest_is_truncation_then_modulus() -> None:
    # RFC 4226 §5.4: the example digest, and Appendix D's HMAC of counter 0.
    assert (
        rfc6238.code_from_digest(bytes.fromhex("1f8698690e02ca16618550ef7f19da8e945b555a"))
        == "872921"
    )
    digest = bytes.fromhex("cc93cf18508d94934c64b65d8ba7667fb7cde4b0")
    assert rfc6238.code_from_digest(digest) == "755224"
    assert rfc6238.code_from_digest(digest, digits=8) == "84755224"
    with pytest.raises(rfc6238.InvalidParameter, match=r"^digits must be between 6 and 10$"):
        rfc6238.code_from_digest(digest, digits=5)
    with pytest.raises(rfc6238.InvalidType):
        rfc6238.code_from_digest(digest, digits=True)


def test_unix_seconds_floors_and_refuses_what_time_step_refuses() -> None:
    assert rfc6238.unix_seconds(-0.5) == -1
    assert rfc6238.unix_seconds(2**60) == 2**60
    aware = datetime(2033, 5, 18, 3, 33, 20, tzinfo=timezone(timedelta(hours=2)))
    assert rfc6238.unix_seconds(aware) == 2_000_000_000 - 7200
    with pytest.raises(rfc6238.InvalidParameter, match=r"timezone-aware"):
        rfc6238.unix_seconds(datetime(2020, 1, 1))
    with pytest.raises(rfc6238.InvalidType):
        rfc6238.unix_seconds(True)
