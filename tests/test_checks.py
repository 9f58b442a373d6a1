"""One negative test per branch of ``rfc6238._checks`` (SECURITY.md: bad input categories).

Each rejection must be a typed :class:`RFC6238Error` whose message names the parameter and
the rule. The accepted edge values (int subclasses, str subclasses, aware datetimes) are
tested beside the rejected ones.
"""

from __future__ import annotations

import math
from array import array
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import IntSubclass, StrSubclass, released_memoryview, unicode_digit_chars

from rfc6238 import Secret
from rfc6238._checks import (
    ALGORITHMS,
    DIGEST_SIZES,
    MAX_COUNTER,
    MAX_LOOK_AHEAD,
    MAX_WINDOW,
    MIN_KEY_BYTES,
    check_algorithm,
    check_bool,
    check_counter,
    check_digits,
    check_int,
    check_look_ahead,
    check_period,
    check_t0,
    check_token,
    check_window,
    to_bytes,
    to_seconds,
)
from rfc6238.errors import (
    InvalidParameter,
    InvalidType,
    MalformedToken,
    RFC6238Error,
    SecretTooShort,
    UnsupportedAlgorithm,
)
from rfc6238.secret import check_key

KEY = b"12345678901234567890"


def test_constants_match_the_rfcs() -> None:
    assert MAX_COUNTER == 2**64 - 1  # RFC 4226 §5.1: 8-byte counter
    assert MIN_KEY_BYTES == 16  # RFC 4226 §4 R6: 128 bits
    assert set(ALGORITHMS) == {"SHA1", "SHA256", "SHA512"}  # RFC 6238 §1.2
    assert DIGEST_SIZES == {"SHA1": 20, "SHA256": 32, "SHA512": 64}


# --- check_int -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None, b"1", Decimal(1), Fraction(1)])
def test_check_int_rejects_non_ints_and_bool(value: object) -> None:
    with pytest.raises(InvalidType, match=r"^width must be an int, not "):
        check_int(value, "width")


def test_check_int_accepts_int_subclass_and_returns_plain_int() -> None:
    result = check_int(IntSubclass(7), "width")
    assert result == 7
    assert type(result) is int


# --- check_algorithm -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("SHA1", "SHA1"),
        ("sha1", "SHA1"),
        ("Sha256", "SHA256"),
        ("sHa512", "SHA512"),
        (StrSubclass("sha256"), "SHA256"),
    ],
)
def test_check_algorithm_is_case_insensitive(spelling: str, canonical: str) -> None:
    assert check_algorithm(spelling) == canonical


@pytest.mark.parametrize(
    "spelling",
    [
        "md5",
        "MD5",
        "SHA-1",
        "sha-256",
        "SHA_1",
        "SHA224",
        "SHA384",
        "SHA3-256",
        "sha3_256",
        "blake2b",
        "",
        " SHA1",
        "SHA1 ",
        "SHA1\n",
        "SHA1\x00",
        "HMAC-SHA1",
    ],
)
def test_check_algorithm_rejects_other_hashes(spelling: str) -> None:
    with pytest.raises(UnsupportedAlgorithm, match=r"algorithm must be one of SHA1, SHA256"):
        check_algorithm(spelling)


@pytest.mark.parametrize(
    "spelling", ["\uff33\uff28\uff21\uff11", "\u017fha1", "SHA\u0661", "sha\u0131"]
)
def test_check_algorithm_checks_ascii_before_upper(spelling: str) -> None:
    # "\u017f" (long s).upper() == "S": without the ASCII check "\u017fha1" would pass.
    with pytest.raises(UnsupportedAlgorithm):
        check_algorithm(spelling)


@pytest.mark.parametrize("value", [None, 1, b"SHA1", ["SHA1"], object()])
def test_check_algorithm_rejects_non_str(value: object) -> None:
    with pytest.raises(InvalidType, match=r"^algorithm must be a str, not "):
        check_algorithm(value)


# --- check_digits ----------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [6, 7, 8, 9, 10, IntSubclass(8)])
def test_check_digits_accepts_6_to_10(digits: int) -> None:
    assert check_digits(digits) == digits


@pytest.mark.parametrize("digits", [-6, 0, 1, 5, 11, 100, 2**64])
def test_check_digits_rejects_out_of_range(digits: int) -> None:
    with pytest.raises(InvalidParameter, match=r"^digits must be between 6 and 10"):
        check_digits(digits)


@pytest.mark.parametrize("digits", [True, 6.0, "6", None])
def test_check_digits_rejects_non_int(digits: object) -> None:
    with pytest.raises(InvalidType, match=r"^digits must be an int"):
        check_digits(digits)


# --- check_counter ---------------------------------------------------------------------------


@pytest.mark.parametrize("counter", [0, 1, 2**32, 2**53 + 1, 2**63, MAX_COUNTER])
def test_check_counter_accepts_unsigned_64_bit(counter: int) -> None:
    assert check_counter(counter) == counter


@pytest.mark.parametrize("counter", [-1, -(2**63), MAX_COUNTER + 1, 2**100])
def test_check_counter_rejects_out_of_range(counter: int) -> None:
    with pytest.raises(InvalidParameter, match=r"^counter must be in 0\.\.2\*\*64-1"):
        check_counter(counter)


def test_check_counter_names_its_parameter() -> None:
    with pytest.raises(InvalidParameter, match=r"^moving factor must be in"):
        check_counter(-1, "moving factor")


@pytest.mark.parametrize("counter", [True, False, 1.0, "1", None])
def test_check_counter_rejects_non_int(counter: object) -> None:
    with pytest.raises(InvalidType, match=r"^counter must be an int"):
        check_counter(counter)


# --- check_period / check_t0 -----------------------------------------------------------------


@pytest.mark.parametrize("period", [0, -1, -30])
def test_check_period_rejects_non_positive(period: int) -> None:
    with pytest.raises(InvalidParameter, match=r"^period must be a positive"):
        check_period(period)


@pytest.mark.parametrize("period", [True, 30.0, "30", None, timedelta(seconds=30)])
def test_check_period_rejects_non_int(period: object) -> None:
    with pytest.raises(InvalidType, match=r"^period must be an int"):
        check_period(period)


def test_check_period_accepts_any_positive_int() -> None:
    assert check_period(1) == 1
    assert check_period(10**30) == 10**30


@pytest.mark.parametrize("t0", [True, 0.0, "0", None])
def test_check_t0_rejects_non_int(t0: object) -> None:
    with pytest.raises(InvalidType, match=r"^t0 must be an int"):
        check_t0(t0)


def test_check_t0_accepts_any_int_including_negative() -> None:
    # RFC 6238 §4.1 only says T0 is a Unix time; times before T0 are rejected later.
    assert check_t0(-100) == -100
    assert check_t0(2**70) == 2**70


# --- check_window ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "expected"),
    [(0, (0, 0)), (1, (1, 1)), (MAX_WINDOW, (MAX_WINDOW, MAX_WINDOW)), ((2, 0), (2, 0))],
)
def test_check_window_accepts_int_or_pair(window: object, expected: tuple[int, int]) -> None:
    assert check_window(window) == expected


@pytest.mark.parametrize("window", [(), (1,), (1, 1, 1)])
def test_check_window_rejects_tuples_of_wrong_length(window: tuple[int, ...]) -> None:
    with pytest.raises(InvalidParameter, match=r"^window must be an int or a \(past, future\)"):
        check_window(window)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ((True, 1), r"^window past must be an int"),
        ((1.0, 1), r"^window past must be an int"),
        ((1, None), r"^window future must be an int"),
        ((1, "1"), r"^window future must be an int"),
        ([1, 1], r"^window must be an int"),
        (True, r"^window must be an int"),
        (1.5, r"^window must be an int"),
        (None, r"^window must be an int"),
    ],
)
def test_check_window_rejects_non_ints(window: object, message: str) -> None:
    with pytest.raises(InvalidType, match=message):
        check_window(window)


@pytest.mark.parametrize(
    "window", [-1, MAX_WINDOW + 1, (-1, 0), (0, -1), (MAX_WINDOW + 1, 0), (0, 10**9)]
)
def test_check_window_rejects_out_of_range(window: object) -> None:
    with pytest.raises(InvalidParameter, match=r"^window sides must be between 0 and 100"):
        check_window(window)


# --- check_look_ahead ------------------------------------------------------------------------


@pytest.mark.parametrize("look_ahead", [-1, MAX_LOOK_AHEAD + 1, 2**64])
def test_check_look_ahead_rejects_out_of_range(look_ahead: int) -> None:
    with pytest.raises(InvalidParameter, match=r"^look_ahead must be between 0 and 1000"):
        check_look_ahead(look_ahead)


@pytest.mark.parametrize("look_ahead", [True, 1.0, None])
def test_check_look_ahead_rejects_non_int(look_ahead: object) -> None:
    with pytest.raises(InvalidType, match=r"^look_ahead must be an int"):
        check_look_ahead(look_ahead)


def test_check_look_ahead_accepts_bounds() -> None:
    assert check_look_ahead(0) == 0
    assert check_look_ahead(MAX_LOOK_AHEAD) == MAX_LOOK_AHEAD


# --- check_bool / to_bytes ------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
def test_check_bool_accepts_bools(value: bool) -> None:
    assert check_bool(value, "flag") is value


@pytest.mark.parametrize("value", ["False", "yes", 1, 0, None, b"", IntSubclass(1)])
def test_check_bool_rejects_everything_else(value: object) -> None:
    with pytest.raises(InvalidType, match=r"^flag must be a bool$"):
        check_bool(value, "flag")


def test_to_bytes_copies_bytes_likes() -> None:
    assert to_bytes(KEY, "key") is KEY
    for value in (bytearray(KEY), memoryview(KEY), memoryview(bytearray(KEY))):
        result = to_bytes(value, "key")
        assert result == KEY
        assert type(result) is bytes
    wide = memoryview(array("H", [0x0102, 0x0304]))  # items of 2 bytes: copied byte for byte
    assert to_bytes(wide, "key") == wide.tobytes()


def test_to_bytes_rejects_a_released_memoryview() -> None:
    with pytest.raises(InvalidType, match=r"^digest is a released memoryview$"):
        to_bytes(released_memoryview(KEY), "digest")


@pytest.mark.parametrize("value", ["abc", None, 5, [1, 2], array("B", [1, 2])])
def test_to_bytes_rejects_other_types(value: object) -> None:
    with pytest.raises(InvalidType, match=r"^digest must be bytes, not \w+$"):
        to_bytes(value, "digest")


# --- check_key -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", [KEY, bytearray(KEY), memoryview(KEY), Secret(KEY), memoryview(bytearray(KEY))]
)
def test_check_key_accepts_bytes_likes_and_secret(key: object) -> None:
    raw = check_key(key, min_bytes=MIN_KEY_BYTES)
    assert raw == KEY
    assert type(raw) is bytes


def test_check_key_rejects_str_with_a_hint_and_without_the_text() -> None:
    text = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    with pytest.raises(InvalidType, match=r"^key must be bytes, not str \(decode base32") as info:
        check_key(text)
    assert text not in str(info.value)


@pytest.mark.parametrize("key", [None, 0, [1, 2], 1.5, True, object()])
def test_check_key_rejects_other_types(key: object) -> None:
    with pytest.raises(InvalidType, match=r"^key must be bytes, not \w+$"):
        check_key(key)


@pytest.mark.parametrize("key", [b"", bytearray(), memoryview(b"")])
def test_check_key_rejects_empty(key: object) -> None:
    with pytest.raises(SecretTooShort, match=r"^key must not be empty$"):
        check_key(key, allow_short_key=True)


def test_check_key_rejects_short_key_under_policy() -> None:
    with pytest.raises(SecretTooShort, match=r"^key must be at least 16 bytes .*got 10 bytes"):
        check_key(b"1234567890", min_bytes=MIN_KEY_BYTES)


def test_check_key_allows_short_key_when_asked() -> None:
    assert check_key(b"1234567890", min_bytes=MIN_KEY_BYTES, allow_short_key=True) == b"1234567890"


def test_check_key_default_policy_is_any_non_empty_key() -> None:
    assert check_key(b"k") == b"k"


# --- check_token -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "digits"),
    [("000000", 6), ("123456", 6), ("9999999999", 10), (StrSubclass("12345678"), 8)],
)
def test_check_token_accepts_ascii_digits(token: str, digits: int) -> None:
    result = check_token(token, digits)
    assert result == str(token).encode("ascii")
    assert type(result) is bytes


@pytest.mark.parametrize(
    "token",
    [
        "",
        "12345",
        "1234567",
        "+12345",
        "-12345",
        "+123456",
        " 12345",
        "12345 ",
        " 123456",
        "123456\n",
        "12345\n",
        "12345\t",
        "1_2345",
        "12_345",
        "123 45",
        "12345a",
        "abcdef",
        "0x1234",
        "1e5000",
        "١٢٣٤٥٦",  # Arabic-Indic
        "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width
        "१२३४५६",  # Devanagari
        "12345\u00b2",  # superscript two: isdigit() is True
        "12345\x00",
        "12345\u200b",
    ],
)
def test_check_token_rejects_malformed(token: str) -> None:
    with pytest.raises(MalformedToken, match=r"^token must be exactly 6 ASCII digits 0-9$") as info:
        check_token(token, 6)
    assert token not in str(info.value) or not token


@pytest.mark.parametrize("token", [123456, 123456.0, b"123456", bytearray(b"123456"), None, True])
def test_check_token_rejects_non_str(token: object) -> None:
    with pytest.raises(InvalidType, match=r"^token must be a str, not \w+$"):
        check_token(token, 6)


@given(
    digits=st.integers(min_value=6, max_value=10),
    position=st.integers(min_value=0, max_value=9),
    char=unicode_digit_chars,
)
def test_check_token_rejects_any_non_ascii_digit(digits: int, position: int, char: str) -> None:
    token = "1" * digits
    position %= digits
    token = token[:position] + char + token[position + 1 :]
    assert any(c.isdigit() for c in token)  # what isdigit() would let through
    with pytest.raises(MalformedToken):
        check_token(token, digits)


@given(token=st.text(max_size=12), digits=st.integers(min_value=6, max_value=10))
def test_check_token_accepts_exactly_the_ascii_digit_strings(token: str, digits: int) -> None:
    valid = len(token) == digits and all(c in "0123456789" for c in token)
    if valid:
        assert check_token(token, digits) == token.encode()
    else:
        with pytest.raises(MalformedToken):
            check_token(token, digits)


# --- to_seconds ------------------------------------------------------------------------------


class _Zone(tzinfo):
    """The tzinfo methods to_seconds never calls (typeshed declares them abstract)."""

    def tzname(self, dt: datetime | None) -> str | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


class _NoOffset(_Zone):
    """A tzinfo whose utcoffset() is None: the datetime is still naive (Python data model)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


@pytest.mark.parametrize(
    ("time", "seconds"),
    [
        (0, 0),
        (59, 59),
        (IntSubclass(59), 59),
        (59.999, 59),
        (-0.0, 0),
        (-0.5, -1),
        (2.0**60, 2**60),
        (datetime(1970, 1, 1, 0, 0, 59, 999999, tzinfo=UTC), 59),
        (datetime(1970, 1, 1, 1, 0, 59, tzinfo=timezone(timedelta(hours=1))), 59),
        (datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC), -1),
        (datetime(2603, 10, 11, 11, 33, 20, tzinfo=UTC), 20000000000),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), 253402300799),
    ],
)
def test_to_seconds_floors_exactly(time: object, seconds: int) -> None:
    result = to_seconds(time)
    assert result == seconds
    assert type(result) is int


@pytest.mark.parametrize("time", [math.nan, math.inf, -math.inf])
def test_to_seconds_rejects_non_finite_floats(time: float) -> None:
    with pytest.raises(InvalidParameter, match=r"^time must be a finite number of seconds$"):
        to_seconds(time)


@pytest.mark.parametrize(
    "time", [datetime(2020, 1, 1), datetime(2020, 1, 1, tzinfo=_NoOffset()), datetime.max]
)
def test_to_seconds_rejects_naive_datetimes(time: datetime) -> None:
    with pytest.raises(InvalidParameter, match=r"^time must be a timezone-aware datetime"):
        to_seconds(time)


class _Raising(_Zone):
    """A tzinfo whose utcoffset() raises: user code may do anything."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        raise RuntimeError("tz database unavailable")


class _NotATimedelta(_Zone):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return 5  # type: ignore[return-value]  # the bug under test: not a timedelta


class _DayOff(_Zone):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return timedelta(hours=25)  # outside the range datetime allows


@pytest.mark.parametrize("zone", [_Raising(), _NotATimedelta(), _DayOff()])
def test_to_seconds_wraps_a_failing_tzinfo(zone: tzinfo) -> None:
    with pytest.raises(InvalidParameter, match=r"^time has a tzinfo whose utcoffset\(\) failed$"):
        to_seconds(datetime(2020, 1, 1, tzinfo=zone))


@pytest.mark.parametrize("hours", [-23, 23])
def test_to_seconds_extreme_dates_with_offsets_do_not_overflow(hours: int) -> None:
    zone = timezone(timedelta(hours=hours))
    for moment in (datetime.min.replace(tzinfo=zone), datetime.max.replace(tzinfo=zone)):
        naive = moment.replace(tzinfo=None)
        expected = (naive - datetime(1970, 1, 1) - timedelta(hours=hours)) // timedelta(seconds=1)
        assert to_seconds(moment) == expected


def test_to_seconds_rejects_bool() -> None:
    with pytest.raises(InvalidType, match=r"^when must be an int, float or .*not bool$"):
        to_seconds(True, "when")


@pytest.mark.parametrize(
    "time",
    [None, "59", b"59", Decimal(59), Fraction(59), 59j, date(2020, 1, 1), timedelta(59), [59]],
)
def test_to_seconds_rejects_other_types(time: object) -> None:
    with pytest.raises(InvalidType, match=r"^time must be an int, float or timezone-aware"):
        to_seconds(time)


@given(st.datetimes(timezones=st.timezones()))
def test_to_seconds_matches_timestamp_for_aware_datetimes(time: datetime) -> None:
    # datetime.timestamp() is a float; the integer path must agree with its floor where a
    # float is exact (microseconds zeroed so the comparison is exact).
    time = time.replace(microsecond=0)
    assert to_seconds(time) == int(time.timestamp())


def test_every_check_error_is_an_rfc6238_error() -> None:
    for call in (
        lambda: check_int(None, "x"),
        lambda: check_algorithm("md5"),
        lambda: check_digits(5),
        lambda: check_counter(-1),
        lambda: check_period(0),
        lambda: check_window(-1),
        lambda: check_look_ahead(-1),
        lambda: check_key(b""),
        lambda: check_token("1", 6),
        lambda: to_seconds(math.nan),
    ):
        with pytest.raises(RFC6238Error):
            call()


def test_error_hierarchy_matches_design() -> None:
    # rfc6238/errors.py: typed errors that also inherit the built-in they specialise.
    from rfc6238 import errors

    assert issubclass(errors.InvalidType, TypeError)
    assert issubclass(errors.InvalidParameter, ValueError)
    assert issubclass(errors.UnsupportedAlgorithm, errors.InvalidParameter)
    assert issubclass(errors.SecretTooShort, errors.InvalidParameter)
    assert issubclass(errors.SecretTooLong, errors.InvalidParameter)
    assert issubclass(errors.InvalidEncoding, ValueError)
    assert issubclass(errors.InvalidURI, errors.InvalidEncoding)
    assert issubclass(errors.MalformedToken, errors.InvalidToken)
    assert issubclass(errors.ReplayedToken, errors.InvalidToken)
    assert not issubclass(errors.InvalidToken, ValueError | TypeError)
    assert issubclass(errors.DecryptionError, errors.StorageError)
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), RFC6238Error)
    limited = errors.RateLimited("too many failures", retry_after=2.5)
    assert limited.retry_after == 2.5
    assert str(limited) == "too many failures"
    locked = errors.AccountLocked("locked")
    assert isinstance(locked, errors.RateLimited)
    assert locked.retry_after == math.inf
