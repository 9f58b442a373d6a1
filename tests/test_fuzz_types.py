"""No input makes the core raise anything but an RFC6238Error, and no error shows a secret.

Every public callable of the core is called with valid arguments in which a random subset
is replaced by arbitrary values (``strategies.anything``: None, bools, huge ints, NaN/inf,
Decimal, Fraction, complex, text, bytes-likes including a released memoryview, naive and
aware datetimes, dates, timedeltas, subclasses, containers, types, mocks). The call must
either return or raise an :class:`RFC6238Error` (SECURITY.md: "Every one gets a typed
RFC6238Error"); ``struct.error``, ``OverflowError``, ``TypeError`` from ``compare_digest``,
``binascii.Error`` and the like are bugs.

The second half generates errors from many bad inputs around one known key and token and
checks that no message (nor any chained message) contains the key in any encoding, or the
token (RFC 4226 §7.5; the error tree in ``rfc6238/errors.py``).

Out of scope: ``rfc6238.prepared.PreparedMAC`` and ``rfc6238.verify.scan``/``settle``
are documented as unchecked internals fed by validated callers; the private validators in
``rfc6238._checks`` are reached through every public function here and tested branch by
branch in ``test_checks.py``.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    anything,
    ascii_tokens,
    aware_datetimes,
    counters,
)

import rfc6238
from rfc6238 import HOTP, TOTP, Secret, base32
from rfc6238 import _checks as checks
from rfc6238.errors import RFC6238Error

KEY = b"12345678901234567890"

# Arbitrary objects, plus callables and mocks (a Mock has every attribute).
wild = st.one_of(
    anything,
    st.builds(mock.Mock),
    st.builds(mock.MagicMock),
    anything.map(lambda value: lambda: value),
)

keys = st.one_of(
    st.binary(min_size=16, max_size=40),
    st.binary(min_size=16, max_size=40).map(Secret),
    st.binary(min_size=16, max_size=40).map(bytearray),
)
times = st.one_of(
    st.integers(min_value=0, max_value=2**40),
    st.floats(min_value=0, max_value=2.0**40),
    aware_datetimes,
)
VALID: dict[str, st.SearchStrategy[Any]] = {
    "key": keys,
    "counter": counters,
    "time": times,
    "digits": st.integers(min_value=6, max_value=10),
    "algorithm": st.sampled_from(["SHA1", "sha256", "Sha512"]),
    "period": st.integers(min_value=1, max_value=120),
    "t0": st.integers(min_value=0, max_value=1000),
    "token": ascii_tokens,
    "window": st.one_of(
        st.integers(min_value=0, max_value=3),
        st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=3)),
    ),
    "look_ahead": st.integers(min_value=0, max_value=10),
    "allow_short_key": st.booleans(),
    "strict": st.booleans(),
    "nbytes": st.integers(min_value=16, max_value=64),
    "text": st.binary(min_size=1, max_size=40).map(base32.encode),
    "digest": st.binary(min_size=20, max_size=64),
    "offset": st.integers(min_value=-100, max_value=100),
    "clock": times.map(lambda t: lambda: t),
}

#: A clock is the caller's code: one that raises (``clock=type``) propagates its own error,
#: so the clock is fuzzed as a non-callable or as a callable returning anything.
WILD: dict[str, st.SearchStrategy[Any]] = {
    "clock": st.one_of(
        anything.filter(lambda value: not callable(value)),
        anything.map(lambda value: lambda: value),
    ),
}

Call = Callable[..., object]
#: Keyword-only parameters without a default (TOTP/HOTP key, Match fields, TOTP.now clock).
REQUIRED_KEYWORDS = frozenset({"key", "counter", "offset", "clock"})
#: name -> (callable, positional parameter names, keyword parameter names)
CASES: dict[str, tuple[Call, tuple[str, ...], tuple[str, ...]]] = {
    "hotp": (rfc6238.hotp, ("key", "counter"), ("digits", "algorithm")),
    "totp": (rfc6238.totp, ("key", "time"), ("period", "t0", "digits", "algorithm")),
    "time_step": (rfc6238.time_step, ("time",), ("period", "t0")),
    "pack_counter": (rfc6238.pack_counter, ("counter",), ()),
    "dynamic_truncate": (rfc6238.dynamic_truncate, ("digest",), ()),
    "verify_hotp": (
        rfc6238.verify_hotp,
        ("key", "token", "counter"),
        ("look_ahead", "digits", "algorithm", "allow_short_key"),
    ),
    "verify_totp": (
        rfc6238.verify_totp,
        ("key", "token", "time"),
        ("window", "period", "t0", "digits", "algorithm", "allow_short_key"),
    ),
    "Match": (rfc6238.Match, (), ("counter", "offset")),
    "TOTP": (TOTP, (), ("key", "digits", "algorithm", "period", "t0", "allow_short_key")),
    "TOTP.at": (TOTP(key=KEY).at, ("time",), ()),
    "TOTP.step": (TOTP(key=KEY, t0=100).step, ("time",), ()),
    "TOTP.now": (TOTP(key=KEY).now, (), ("clock",)),
    "TOTP.verify": (TOTP(key=KEY, digits=8).verify, ("token", "time"), ("window",)),
    "TOTP.matches": (TOTP(key=KEY).matches, ("token", "time"), ("window",)),
    "HOTP": (HOTP, (), ("key", "digits", "algorithm", "allow_short_key")),
    "HOTP.at": (HOTP(key=KEY).at, ("counter",), ()),
    "HOTP.verify": (HOTP(key=KEY).verify, ("token", "counter"), ("look_ahead",)),
    "Secret": (Secret, ("key",), ()),
    "Secret.from_base32": (Secret.from_base32, ("text",), ("strict",)),
    "Secret.generate": (Secret.generate, ("nbytes",), ()),
    "generate_secret": (rfc6238.generate_secret, ("nbytes",), ("algorithm",)),
    "base32.encode": (base32.encode, ("key",), ()),
    "base32.decode": (base32.decode, ("text",), ("strict",)),
    "trace_hotp": (rfc6238.trace_hotp, ("key", "counter"), ("digits", "algorithm")),
    "trace_totp": (
        rfc6238.trace_totp,
        ("key", "time"),
        ("period", "t0", "digits", "algorithm"),
    ),
}


@st.composite
def arguments(
    draw: st.DrawFn, positional: tuple[str, ...], keywords: tuple[str, ...]
) -> tuple[list[object], dict[str, object]]:
    """Valid arguments with a random subset (often all, sometimes none) replaced by anything."""
    names = positional + keywords
    bad = draw(st.sets(st.sampled_from(names))) if names else set()
    values = {name: draw(WILD.get(name, wild) if name in bad else VALID[name]) for name in names}
    optional = [name for name in keywords if name not in REQUIRED_KEYWORDS]
    omitted = draw(st.sets(st.sampled_from(optional))) - bad if optional else set()
    args = [values[name] for name in positional]
    kwargs = {name: values[name] for name in keywords if name not in omitted}
    return args, kwargs


#: Generating arbitrary objects is slow on a loaded machine; the example count still comes from
#: the active profile (tests/conftest.py).
SLOW_DATA = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", sorted(CASES))
@SLOW_DATA
@given(data=st.data())
def test_only_rfc6238_errors_escape(name: str, data: st.DataObject) -> None:
    function, positional, keywords = CASES[name]
    args, kwargs = data.draw(arguments(positional, keywords))
    with contextlib.suppress(RFC6238Error):
        function(*args, **kwargs)


# --- targeted reproductions of what the fuzzing found (each a fixed bug) -----------------------


class RevealsGarbage:
    """Duck-types a Secret with a ``_reveal_key`` that does not return bytes."""

    _reveal_key = 5


@pytest.mark.parametrize(
    "key",
    [mock.Mock(), mock.MagicMock(), RevealsGarbage()],
    ids=["Mock", "MagicMock", "_reveal_key-not-callable"],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda k: rfc6238.hotp(k, 0),
        lambda k: rfc6238.verify_totp(k, "123456", 59),
        lambda k: TOTP(key=k),
        lambda k: rfc6238.trace_hotp(k, 0),
    ],
    ids=["hotp", "verify_totp", "TOTP", "trace_hotp"],
)
def test_objects_with_a_reveal_key_attribute_get_a_typed_error(
    key: object, call: Callable[[object], object]
) -> None:
    # Regression (fixed in 24b5e44): check_key trusted any object with a `_reveal_key`
    # attribute; a Mock has every attribute, so this raised TypeError ("object of type 'Mock'
    # has no len()") or was reported as an empty key.
    with pytest.raises(rfc6238.InvalidType, match=r"^key must be bytes"):
        call(key)


def test_released_memoryview_key_gets_a_typed_error() -> None:
    # Regression (fixed in 24b5e44): check_key raised a bare ValueError from tobytes().
    view = memoryview(bytearray(KEY))
    view.release()
    for call in (
        lambda: rfc6238.hotp(view, 0),
        lambda: rfc6238.verify_hotp(view, "755224", 0),
        lambda: HOTP(key=view),
    ):
        with pytest.raises(RFC6238Error):
            call()


# --- no secret and no token in any error message ---------------------------------------------

LOUD_KEY = b"TOP-SECRET-KEY-0123456789-abcdef"
LOUD_B32 = base32.encode(LOUD_KEY)
SHORT_KEY = b"LEGACY-KEY"  # 80 bits
TOKEN = "749321"


def forbidden_texts() -> list[str]:
    texts = [
        TOKEN,
        "\uff17\uff14\uff19\uff13\uff12\uff11",
        "749_321",
        SHORT_KEY.decode(),
        SHORT_KEY.hex(),
    ]
    for key in (LOUD_KEY, SHORT_KEY):
        b32 = base32.encode(key)
        texts += [key.decode(), key.hex(), key.hex().upper(), b32, b32.lower(), repr(key)]
    texts += [LOUD_KEY.decode()[:12], LOUD_B32[:12], LOUD_KEY.hex()[:16]]
    return texts


FORBIDDEN = forbidden_texts()
key_forms = st.sampled_from(
    [
        LOUD_KEY,
        bytearray(LOUD_KEY),
        Secret(LOUD_KEY),
        SHORT_KEY,
        LOUD_B32,
        LOUD_B32.lower(),
        LOUD_KEY.hex(),
        LOUD_KEY.decode(),
        SHORT_KEY.decode(),
        [LOUD_KEY],
        (LOUD_KEY,),
        {"key": LOUD_KEY},
    ]
)
token_forms = st.sampled_from(
    [
        TOKEN,
        TOKEN + "0",
        TOKEN[:-1],
        " " + TOKEN,
        TOKEN + "\n",
        "\uff17\uff14\uff19\uff13\uff12\uff11",
        "749_321",
        int(TOKEN),
    ]
)
texts = st.sampled_from(
    [
        LOUD_B32,
        LOUD_B32.lower(),
        LOUD_B32 + "1",
        LOUD_B32[:-1] + "!",
        LOUD_B32 + "=",
        LOUD_B32 + "\u0131",
        LOUD_KEY.hex(),
        LOUD_KEY.decode(),
        LOUD_B32 * 40,
    ]
)


def all_messages(err: BaseException) -> str:
    parts = ["".join(traceback.format_exception_only(type(err), err)), repr(err.args)]
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(str(current))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


@st.composite
def leaky_calls(draw: st.DrawFn) -> Callable[[], object]:
    key = draw(key_forms)
    token = draw(token_forms)
    text = draw(texts)
    other = draw(st.one_of(st.just(None), anything))
    digits = draw(st.sampled_from([6, 8, 5, True, "6"]))
    strict = draw(st.booleans())
    calls: list[Callable[[], object]] = [
        lambda: rfc6238.hotp(key, 0, digits=digits),  # type: ignore[arg-type]  # bad on purpose
        lambda: rfc6238.totp(key, other),  # type: ignore[arg-type]  # the bad argument under test
        lambda: rfc6238.verify_hotp(key, token, 0, digits=digits),  # type: ignore[arg-type]  # the bad argument under test
        lambda: rfc6238.verify_totp(key, token, 59, window=other),  # type: ignore[arg-type]  # the bad argument under test
        lambda: rfc6238.verify_totp(LOUD_KEY, token, other),  # type: ignore[arg-type]  # the bad argument under test
        lambda: TOTP(key=key, digits=digits).verify(token, 59),  # type: ignore[arg-type]  # the bad argument under test
        lambda: HOTP(key=LOUD_KEY).verify(token, other),  # type: ignore[arg-type]  # the bad argument under test
        lambda: Secret(key),  # type: ignore[arg-type]  # the bad argument under test
        lambda: Secret.from_base32(text, strict=strict),
        lambda: base32.decode(text, strict=True),
        lambda: base32.encode(key),  # type: ignore[arg-type]  # the bad argument under test
        lambda: rfc6238.trace_totp(key, other),  # type: ignore[arg-type]  # the bad argument under test
        lambda: rfc6238.secret.check_key(key, min_bytes=16),
        lambda: checks.check_token(token, 6),
    ]
    return draw(st.sampled_from(calls))


@SLOW_DATA
@given(call=leaky_calls())
def test_no_error_message_contains_a_secret_or_a_token(call: Callable[[], object]) -> None:
    try:
        call()
    except RFC6238Error as err:
        messages = all_messages(err)
        for text in FORBIDDEN:
            assert text not in messages, f"{text!r} leaked into {messages!r}"


def test_wrong_token_for_a_known_key_does_not_echo_it() -> None:
    wrong = f"{(int(rfc6238.hotp(LOUD_KEY, 0)) + 1) % 10**6:06d}"
    with pytest.raises(rfc6238.InvalidToken) as info:
        rfc6238.verify_hotp(LOUD_KEY, wrong, 0)
    assert wrong not in all_messages(info.value)
    assert rfc6238.hotp(LOUD_KEY, 0) not in all_messages(info.value)


# --- SECURITY.md "Bad input: categories to cover" (core part), one named case each ------------

NAIVE = datetime(2020, 1, 1)
SECURITY_CATEGORIES: list[tuple[str, Callable[[], object], type[RFC6238Error], str]] = [
    # tokens
    (
        "token/non-ascii-digits",
        lambda: rfc6238.verify_totp(KEY, "\u0662\u0668\u0667\u0660\u0668\u0662", 59),
        rfc6238.MalformedToken,
        "token",
    ),
    (
        "token/full-width-digits",
        lambda: rfc6238.verify_totp(KEY, "\uff12\uff18\uff17\uff10\uff18\uff12", 59),
        rfc6238.MalformedToken,
        "token",
    ),
    ("token/sign", lambda: rfc6238.verify_hotp(KEY, "+87082", 1), rfc6238.MalformedToken, "token"),
    (
        "token/whitespace",
        lambda: rfc6238.verify_hotp(KEY, " 287082", 1),
        rfc6238.MalformedToken,
        "token",
    ),
    (
        "token/underscore",
        lambda: rfc6238.verify_hotp(KEY, "28_082", 1),
        rfc6238.MalformedToken,
        "token",
    ),
    (
        "token/trailing-newline",
        lambda: rfc6238.verify_hotp(KEY, "287082\n", 1),
        rfc6238.MalformedToken,
        "token",
    ),
    (
        "token/wrong-length",
        lambda: rfc6238.verify_hotp(KEY, "28708", 1),
        rfc6238.MalformedToken,
        "token",
    ),
    ("token/wrong-type", lambda: rfc6238.verify_hotp(KEY, 287082, 1), rfc6238.InvalidType, "token"),  # type: ignore[arg-type]  # the bad argument under test
    # secrets
    (
        "secret/bad-base32",
        lambda: Secret.from_base32("GEZDGNB1"),
        rfc6238.InvalidEncoding,
        "base32",
    ),
    (
        "secret/non-ascii",
        lambda: Secret.from_base32("GEZDGNB\u0131"),
        rfc6238.InvalidEncoding,
        "base32",
    ),
    (
        "secret/too-short",
        lambda: rfc6238.verify_hotp(b"0123456789", "000000", 0),
        rfc6238.SecretTooShort,
        "key",
    ),
    (
        "secret/too-long-text",
        lambda: Secret.from_base32("A" * 1025),
        rfc6238.InvalidEncoding,
        "base32",
    ),
    ("secret/empty-bytes", lambda: rfc6238.hotp(b"", 0), rfc6238.SecretTooShort, "key"),
    ("secret/empty-text", lambda: Secret.from_base32(""), rfc6238.SecretTooShort, "key"),
    (
        "secret/separators-only",
        lambda: Secret.from_base32(" - "),
        rfc6238.InvalidEncoding,
        "base32",
    ),
    ("secret/str-as-key", lambda: rfc6238.hotp("GEZDGNBV", 0), rfc6238.InvalidType, "key"),  # type: ignore[arg-type]  # text key on purpose
    # parameters
    ("param/digits", lambda: rfc6238.hotp(KEY, 0, digits=5), rfc6238.InvalidParameter, "digits"),
    ("param/period", lambda: rfc6238.totp(KEY, 59, period=0), rfc6238.InvalidParameter, "period"),
    (
        "param/window",
        lambda: rfc6238.verify_totp(KEY, "287082", 59, window=101),
        rfc6238.InvalidParameter,
        "window",
    ),
    (
        "param/algorithm-md5",
        lambda: rfc6238.hotp(KEY, 0, algorithm="md5"),
        rfc6238.UnsupportedAlgorithm,
        "algorithm",
    ),
    (
        "param/algorithm-SHA-1",
        lambda: rfc6238.hotp(KEY, 0, algorithm="SHA-1"),
        rfc6238.UnsupportedAlgorithm,
        "algorithm",
    ),
    ("param/counter-negative", lambda: rfc6238.hotp(KEY, -1), rfc6238.InvalidParameter, "counter"),
    ("param/counter-2**64", lambda: rfc6238.hotp(KEY, 2**64), rfc6238.InvalidParameter, "counter"),
    ("param/bool-for-int", lambda: rfc6238.hotp(KEY, True), rfc6238.InvalidType, "counter"),
    ("param/bool-digits", lambda: rfc6238.hotp(KEY, 0, digits=True), rfc6238.InvalidType, "digits"),
    (
        "param/look-ahead",
        lambda: rfc6238.verify_hotp(KEY, "755224", 0, look_ahead=-1),
        rfc6238.InvalidParameter,
        "look_ahead",
    ),
    # times
    ("time/nan", lambda: rfc6238.totp(KEY, float("nan")), rfc6238.InvalidParameter, "time"),
    ("time/inf", lambda: rfc6238.totp(KEY, float("inf")), rfc6238.InvalidParameter, "time"),
    ("time/negative", lambda: rfc6238.totp(KEY, -30), rfc6238.InvalidParameter, "time"),
    ("time/before-t0", lambda: rfc6238.totp(KEY, 99, t0=100), rfc6238.InvalidParameter, "time"),
    ("time/naive-datetime", lambda: rfc6238.totp(KEY, NAIVE), rfc6238.InvalidParameter, "time"),
    ("time/bool", lambda: rfc6238.totp(KEY, False), rfc6238.InvalidType, "time"),
    (
        "time/step-overflow",
        lambda: rfc6238.totp(KEY, 2**64, period=1),
        rfc6238.InvalidParameter,
        "time",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "parameter"),
    [case[1:] for case in SECURITY_CATEGORIES],
    ids=[case[0] for case in SECURITY_CATEGORIES],
)
def test_every_security_md_category_gets_a_typed_error_naming_the_parameter(
    call: Callable[[], object], error: type[RFC6238Error], parameter: str
) -> None:
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert message.startswith(parameter) or f" {parameter} " in message
