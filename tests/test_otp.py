"""Tests of the prepared configurations TOTP/HOTP and of PreparedMAC (RFC 2104 §2).

The prepared objects must agree with the one-shot functions on every input (Hypothesis),
validate everything at construction, keep the key out of ``repr``/HTML, and take "now" only
from an injected clock.
"""

from __future__ import annotations

import dataclasses
import hmac
import multiprocessing
import sys
import threading
from datetime import UTC, datetime

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
    strong_keys,
    t0s,
    times,
)

from rfc6238 import HOTP, TOTP, Match, Secret, hotp, time_step, totp, verify_hotp, verify_totp
from rfc6238.errors import (
    InvalidParameter,
    InvalidToken,
    InvalidType,
    ReplayedToken,
    RFC6238Error,
    SecretTooShort,
    UnsupportedAlgorithm,
)
from rfc6238.prepared import IPAD, OPAD, PreparedMAC

KEY = b"12345678901234567890"
COLLISION = (2386, 2394, "709847")  # see test_verify.py
windows = st.one_of(
    st.integers(min_value=0, max_value=4),
    st.tuples(st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=4)),
)


def outcome(call: object) -> object:
    """The result of ``call()``, or the type of the RFC6238Error it raised."""
    try:
        return call()  # type: ignore[operator]  # parametrized as object; a callable
    except RFC6238Error as err:
        return type(err)


# --- PreparedMAC -----------------------------------------------------------------------------


def test_rfc2104_pads() -> None:
    assert (IPAD, OPAD) == (0x36, 0x5C)


@given(
    key=st.one_of(
        keys,
        st.sampled_from([63, 64, 65, 127, 128, 129, 200]).flatmap(
            lambda n: st.binary(min_size=n, max_size=n)
        ),
    ),
    message=st.binary(max_size=200),
    algorithm=algorithms,
)
def test_prepared_mac_equals_hmac(key: bytes, message: bytes, algorithm: str) -> None:
    # Keys below, at and above the 64-byte (SHA1/256) and 128-byte (SHA512) block sizes.
    mac = PreparedMAC(key, algorithm)  # type: ignore[arg-type]  # one of the three names, as str
    assert mac.digest(message) == hmac.digest(key, message, algorithm.lower())
    assert mac.digest(message) == mac.digest(message)  # the prepared states are not consumed
    assert mac.digest_size == len(mac.digest(message))


@given(key=keys, counter=counters, digits=digits, algorithm=algorithms)
def test_prepared_mac_code_equals_hotp(
    key: bytes, counter: int, digits: int, algorithm: str
) -> None:
    mac = PreparedMAC(key, algorithm)  # type: ignore[arg-type]  # one of the three names, as str
    code = hotp(key, counter, digits=digits, algorithm=algorithm)
    assert mac.code(counter, digits) == code


def test_prepared_mac_block_sizes_and_repr() -> None:
    assert PreparedMAC(KEY, "SHA1").block_size == 64
    assert PreparedMAC(KEY, "SHA256").block_size == 64
    assert PreparedMAC(KEY, "SHA512").block_size == 128
    text = repr(PreparedMAC(KEY, "SHA1"))
    assert text == "PreparedMAC(algorithm='SHA1', key=<hidden>)"


# --- TOTP: agreement with the one-shot functions ---------------------------------------------


@given(
    key=strong_keys,
    time=times,
    period=periods,
    t0=t0s,
    digits=digits,
    algorithm=algorithms,
)
def test_totp_object_equals_one_shot(
    key: bytes, time: int, period: int, t0: int, digits: int, algorithm: str
) -> None:
    time += t0
    otp = TOTP(key=key, digits=digits, algorithm=algorithm, period=period, t0=t0)
    kwargs = {"period": period, "t0": t0, "digits": digits, "algorithm": algorithm}
    assert otp.at(time) == totp(key, time, **kwargs)  # type: ignore[arg-type]  # keyword values of mixed types
    assert otp.at(float(time)) == totp(key, float(time), **kwargs)  # type: ignore[arg-type]  # keyword values of mixed types
    assert otp.step(time) == time_step(time, period=period, t0=t0)
    assert otp.now(clock=lambda: time) == otp.at(time)


@given(when=aware_datetimes, period=periods)
def test_totp_object_equals_one_shot_for_datetimes(when: datetime, period: int) -> None:
    otp = TOTP(key=KEY, period=period)
    assert otp.at(when) == totp(KEY, when, period=period)
    assert otp.now(clock=lambda: when) == otp.at(when)


@given(
    key=strong_keys,
    time=st.integers(min_value=0, max_value=2**40),
    drift=st.integers(min_value=-150, max_value=150),
    window=windows,
    digits=digits,
    algorithm=algorithms,
)
def test_totp_verify_equals_verify_totp(
    key: bytes,
    time: int,
    drift: int,
    window: int | tuple[int, int],
    digits: int,
    algorithm: str,
) -> None:
    otp = TOTP(key=key, digits=digits, algorithm=algorithm)
    token = otp.at(time)
    now = max(time + drift, 0)
    expected = outcome(
        lambda: verify_totp(key, token, now, window=window, digits=digits, algorithm=algorithm)
    )
    assert outcome(lambda: otp.verify(token, now, window=window)) == expected
    found = otp.matches(token, now, window=window)
    if isinstance(expected, Match):
        assert expected.counter in found
    else:
        assert found == []


@given(key=strong_keys, counter=counters, digits=digits, algorithm=algorithms)
def test_hotp_object_equals_one_shot(key: bytes, counter: int, digits: int, algorithm: str) -> None:
    otp = HOTP(key=key, digits=digits, algorithm=algorithm)
    code = otp.at(counter)
    assert code == hotp(key, counter, digits=digits, algorithm=algorithm)
    start = max(counter - 3, 0)
    expected = outcome(
        lambda: verify_hotp(key, code, start, look_ahead=2, digits=digits, algorithm=algorithm)
    )
    assert outcome(lambda: otp.verify(code, start, look_ahead=2)) == expected


def test_rfc_examples_through_the_objects() -> None:
    assert [HOTP(key=KEY).at(c) for c in (0, 9)] == ["755224", "520489"]
    assert TOTP(key=KEY, digits=8).at(1111111109) == "07081804"
    seed = b"12345678901234567890123456789012"
    assert TOTP(key=seed, digits=8, algorithm="sha256").at(20000000000) == "77737706"
    assert HOTP(key=KEY).verify("969429", 0, look_ahead=5) == Match(counter=3, offset=3)


def test_totp_matches_returns_every_matching_step() -> None:
    low, high, code = COLLISION
    otp = TOTP(key=KEY)
    assert otp.matches(code, (low + 4) * 30, window=4) == [low, high]
    assert otp.matches(code, (low + 4) * 30, window=3) == []
    assert otp.verify(code, (low + 4) * 30, window=4) == Match(counter=low, offset=-4)
    with pytest.raises(InvalidToken):
        otp.verify(code, (low + 4) * 30, window=3)


# --- value-object behaviour ------------------------------------------------------------------


def test_objects_are_frozen_keyword_only_and_hide_the_key() -> None:
    otp = TOTP(key=KEY, digits=8)
    assert repr(otp) == "TOTP(digits=8, algorithm='SHA1', period=30, t0=0)"
    assert repr(HOTP(key=KEY)) == "HOTP(digits=6, algorithm='SHA1')"
    assert isinstance(otp.key, Secret)
    assert otp.key.reveal() == KEY
    with pytest.raises(dataclasses.FrozenInstanceError):
        otp.digits = 6  # type: ignore[misc]  # frozen: the assignment must fail
    with pytest.raises(TypeError):
        TOTP(KEY)  # type: ignore[call-arg]  # keyword-only fields: TOTP(key=...)
    assert TOTP(key=KEY) == TOTP(key=bytearray(KEY))
    assert TOTP(key=KEY) != TOTP(key=b"x" * 20)
    assert dataclasses.replace(otp, digits=6).at(59) == "287082"


def test_algorithm_is_stored_in_canonical_spelling() -> None:
    assert TOTP(key=KEY, algorithm="sha512").algorithm == "SHA512"
    assert HOTP(key=KEY, algorithm="Sha256").algorithm == "SHA256"


def test_objects_accept_a_secret_and_legacy_keys_on_request() -> None:
    assert TOTP(key=Secret(KEY)).at(59) == "287082"
    assert HOTP(key=b"1234567890", allow_short_key=True).at(0) == hotp(b"1234567890", 0)


def test_html_hides_the_key() -> None:
    for otp in (TOTP(key=KEY), HOTP(key=KEY)):
        html = otp._repr_html_()
        assert "20 bytes" in html
        assert "12345678901234567890" not in html
        assert KEY.hex() not in html
        assert "GEZDGNBV" not in html


# --- construction-time validation: one test per branch ---------------------------------------


@pytest.mark.parametrize("cls", [TOTP, HOTP])
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"key": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}, InvalidType, r"^key must be bytes"),
        ({"key": None}, InvalidType, r"^key must be bytes"),
        ({"key": b""}, SecretTooShort, r"^key must not be empty"),
        ({"key": b"1234567890"}, SecretTooShort, r"^key must be at least 16 bytes"),
        ({"algorithm": "md5"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": 1}, InvalidType, r"^algorithm must be a str"),
        ({"digits": 5}, InvalidParameter, r"^digits must be between"),
        ({"digits": True}, InvalidType, r"^digits must be an int"),
        ({"allow_short_key": "yes"}, InvalidType, r"^allow_short_key must be a bool"),
        ({"allow_short_key": 1, "key": b"123"}, InvalidType, r"^allow_short_key must be a bool"),
    ],
)
def test_constructors_reject_bad_arguments(
    cls: type[TOTP | HOTP],
    kwargs: dict[str, object],
    error: type[RFC6238Error],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        cls(**{"key": KEY, **kwargs})  # type: ignore[arg-type]  # keyword values of mixed types


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"period": 0}, InvalidParameter, r"^period must be a positive"),
        ({"period": 30.0}, InvalidType, r"^period must be an int"),
        ({"period": False}, InvalidType, r"^period must be an int"),
        ({"t0": 1.5}, InvalidType, r"^t0 must be an int"),
        ({"t0": None}, InvalidType, r"^t0 must be an int"),
    ],
)
def test_totp_rejects_bad_period_and_t0(
    kwargs: dict[str, object], error: type[RFC6238Error], message: str
) -> None:
    with pytest.raises(error, match=message):
        TOTP(key=KEY, **kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


@pytest.mark.parametrize(
    ("time", "error", "message"),
    [
        (99, InvalidParameter, r"^time must not be before t0"),
        (99.5, InvalidParameter, r"^time must not be before t0"),
        (100 + 2**64 * 30, InvalidParameter, r"^time is too far after t0"),
        (float("nan"), InvalidParameter, r"^time must be a finite number"),
        (datetime(2020, 1, 1), InvalidParameter, r"timezone-aware"),
        (True, InvalidType, r"^time must be an int, float"),
        ("100", InvalidType, r"^time must be an int, float"),
    ],
)
def test_totp_methods_reject_bad_times(
    time: object, error: type[RFC6238Error], message: str
) -> None:
    otp = TOTP(key=KEY, t0=100)
    for method in (
        otp.at,
        otp.step,
        lambda t: otp.verify("123456", t),
        lambda t: otp.matches("123456", t),
    ):
        with pytest.raises(error, match=message):
            method(time)  # type: ignore[arg-type]  # the bad time under test


def test_totp_at_accepts_the_last_step() -> None:
    otp = TOTP(key=KEY, period=1)
    assert otp.at(MAX_COUNTER) == hotp(KEY, MAX_COUNTER)
    assert otp.at(datetime(9999, 1, 1, tzinfo=UTC)) == totp(
        KEY, datetime(9999, 1, 1, tzinfo=UTC), period=1
    )


@pytest.mark.parametrize("clock", [None, 59, "time.time"])
def test_totp_now_needs_a_callable_clock(clock: object) -> None:
    with pytest.raises(InvalidType, match=r"^clock must be a callable"):
        TOTP(key=KEY).now(clock=clock)  # type: ignore[arg-type]  # the bad argument under test


def test_totp_now_validates_what_the_clock_returns() -> None:
    with pytest.raises(InvalidType, match=r"^time must be"):
        TOTP(key=KEY).now(clock=lambda: "59")  # type: ignore[arg-type, return-value]  # the bad argument under test
    with pytest.raises(InvalidParameter, match=r"timezone-aware"):
        TOTP(key=KEY).now(clock=datetime.now)  # naive: the classic mistake
    assert TOTP(key=KEY).now(clock=lambda: datetime.fromtimestamp(59, UTC)) == "287082"


def test_totp_now_has_no_implicit_clock() -> None:
    with pytest.raises(TypeError):
        TOTP(key=KEY).now()  # type: ignore[call-arg]  # no clock: the call must fail


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda o: o.verify("287082", 59, window=-1), InvalidParameter, r"^window sides"),
        (lambda o: o.verify("287082", 59, window=(1,)), InvalidParameter, r"^window must be"),
        (lambda o: o.matches("287082", 59, window=1.0), InvalidType, r"^window must be an int"),
        (lambda o: o.verify("28708", 59), InvalidToken, r"^token must be exactly 6 ASCII"),
        (lambda o: o.verify(287082, 59), InvalidType, r"^token must be a str"),
        (
            lambda o: o.matches("\uff12\uff18\uff17\uff10\uff18\uff12", 59),
            InvalidToken,
            r"^token must be exactly 6",
        ),
    ],
)
def test_totp_verify_and_matches_reject_bad_arguments(
    call: object, error: type[RFC6238Error], message: str
) -> None:
    with pytest.raises(error, match=message):
        call(TOTP(key=KEY))  # type: ignore[operator]  # parametrized as object; a callable


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda o: o.at(-1), InvalidParameter, r"^counter must be in"),
        (lambda o: o.at(2**64), InvalidParameter, r"^counter must be in"),
        (lambda o: o.at(True), InvalidType, r"^counter must be an int"),
        (lambda o: o.at(1.0), InvalidType, r"^counter must be an int"),
        (lambda o: o.verify("755224", -1), InvalidParameter, r"^counter must be in"),
        (lambda o: o.verify("755224", 0, look_ahead=1001), InvalidParameter, r"^look_ahead"),
        (lambda o: o.verify("755224", 0, look_ahead=True), InvalidType, r"^look_ahead"),
        (lambda o: o.verify("75522 ", 0), InvalidToken, r"^token must be exactly 6"),
        (lambda o: o.verify(None, 0), InvalidType, r"^token must be a str"),
        (lambda o: o.verify("000000", 0), InvalidToken, r"^token does not match"),
    ],
)
def test_hotp_methods_reject_bad_arguments(
    call: object, error: type[RFC6238Error], message: str
) -> None:
    with pytest.raises(error, match=message):
        call(HOTP(key=KEY))  # type: ignore[operator]  # parametrized as object; a callable


# --- the replay floor after= through the objects (the same engine as verify_*) ---------------


@given(
    key=strong_keys,
    time=st.one_of(times, st.sampled_from([0, 29, 30, 59])),
    drift=st.integers(-100, 100),
    window=windows,
    after=st.one_of(st.none(), st.integers(-3, 3)),
    digits=digits,
    algorithm=algorithms,
)
def test_totp_verify_with_after_equals_one_shot(
    key: bytes,
    time: int,
    drift: int,
    window: int | tuple[int, int],
    after: int | None,
    digits: int,
    algorithm: str,
) -> None:
    otp = TOTP(key=key, digits=digits, algorithm=algorithm)
    token = otp.at(time)
    now = max(time + drift, 0)
    floor = None if after is None else max(otp.step(now) + after, -1)
    expected = outcome(
        lambda: verify_totp(
            key, token, now, window=window, after=floor, digits=digits, algorithm=algorithm
        )
    )
    assert outcome(lambda: otp.verify(token, now, window=window, after=floor)) == expected
    if isinstance(expected, Match):
        assert floor is None or expected.counter > floor
    if expected is ReplayedToken:
        assert otp.matches(token, now, window=window) != []


@given(
    key=strong_keys,
    counter=st.integers(0, 2**40),
    sent=st.integers(-2, 4),
    look_ahead=st.integers(0, 3),
    after=st.one_of(st.none(), st.integers(-3, 2)),
    digits=digits,
    algorithm=algorithms,
)
def test_hotp_verify_with_after_equals_one_shot(
    key: bytes,
    counter: int,
    sent: int,
    look_ahead: int,
    after: int | None,
    digits: int,
    algorithm: str,
) -> None:
    otp = HOTP(key=key, digits=digits, algorithm=algorithm)
    token = otp.at(max(counter + sent, 0))
    floor = None if after is None else max(counter + after, -1)
    expected = outcome(
        lambda: verify_hotp(
            key,
            token,
            counter,
            look_ahead=look_ahead,
            after=floor,
            digits=digits,
            algorithm=algorithm,
        )
    )
    got = outcome(lambda: otp.verify(token, counter, look_ahead=look_ahead, after=floor))
    assert got == expected


def test_objects_refuse_replays() -> None:
    totp_ = TOTP(key=KEY)
    first = totp_.verify("287082", 59)
    with pytest.raises(ReplayedToken):
        totp_.verify("287082", 59, after=first.counter)
    with pytest.raises(ReplayedToken):
        totp_.verify("287082", 75, after=first.counter)  # still step 2's past step
    assert totp_.verify("359152", 75, after=first.counter) == Match(counter=2, offset=0)
    hotp_ = HOTP(key=KEY)
    accepted = hotp_.verify("287082", 1)
    with pytest.raises(ReplayedToken):  # the next call expects counter 2, floor 1
        hotp_.verify("287082", accepted.counter + 1, after=accepted.counter)
    assert hotp_.verify("359152", 2, after=1) == Match(counter=2, offset=0)


def test_the_totp_fast_path_honours_t0_period_and_the_ends() -> None:
    otp = TOTP(key=KEY, period=60, t0=1000)
    code = otp.at(1000 + 60 * 5)
    assert otp.verify(code, 1000 + 60 * 6 + 59, after=4) == Match(counter=5, offset=-1)
    with pytest.raises(ReplayedToken):
        otp.verify(code, 1000 + 60 * 6, after=5)
    top = TOTP(key=KEY, period=1)
    assert top.verify(hotp(KEY, 0), 0, after=-1) == Match(counter=0, offset=0)
    last = hotp(KEY, MAX_COUNTER)
    assert top.verify(last, MAX_COUNTER, after=MAX_COUNTER - 1) == Match(
        counter=MAX_COUNTER, offset=0
    )
    with pytest.raises(ReplayedToken):
        top.verify(last, MAX_COUNTER, after=MAX_COUNTER)


@pytest.mark.parametrize(
    ("after", "error"),
    [(-2, InvalidParameter), (2**64, InvalidParameter), (True, InvalidType), (0.0, InvalidType)],
)
def test_objects_validate_after(after: object, error: type[RFC6238Error]) -> None:
    with pytest.raises(error, match=r"^after"):
        TOTP(key=KEY).verify("287082", 59, after=after)  # type: ignore[arg-type]  # bad on purpose
    with pytest.raises(error, match=r"^after"):
        HOTP(key=KEY).verify("755224", 0, after=after)  # type: ignore[arg-type]  # bad on purpose


# --- the kernel's shared caches under concurrency -------------------------------------------
# The packed-counter cache (rfc6238.prepared) and the Match cache (rfc6238.verify) are shared
# by every key and thread: bursts of threads verifying different steps with different keys
# must each get exactly their own answer.

_BURST_KEYS = [bytes([n]) * 20 for n in range(1, 9)]
_BURST_STEPS = [1, 2, 3, 1000, 1001, 2**40, 2**40 + 1]


def _burst_cases(key: bytes) -> list[tuple[str, int, int | None, object]]:
    """(token, time, after, expected outcome) for steps that thrash the one-entry cache."""
    cases: list[tuple[str, int, int | None, object]] = []
    for step in _BURST_STEPS:
        for sent in (-1, 0, 1):
            token = hotp(key, step + sent)
            cases.append((token, step * 30, None, verify_totp(key, token, step * 30)))
            cases.append((token, step * 30, step + sent, ReplayedToken))
    return cases


def _burst_worker(index: int, rounds: int) -> int:
    key = _BURST_KEYS[index % len(_BURST_KEYS)]
    otp, cases, checked = TOTP(key=key), _burst_cases(key), 0
    for _ in range(rounds):
        for token, time, after, expected in cases:
            try:
                got: object = otp.verify(token, time, after=after)
            except RFC6238Error as err:
                got = type(err)
            assert got == expected
            checked += 1
    return checked


def test_shared_caches_under_thread_bursts() -> None:
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results.append(_burst_worker(index, 30))
        except BaseException as err:  # reported by the main thread below
            errors.append(err)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as CPython allows
    try:
        for _ in range(3):  # three bursts
            threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []
    assert results == [30 * 42] * 24


def test_shared_caches_in_processes() -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.starmap(_burst_worker, [(i, 5) for i in range(8)]) == [5 * 42] * 8
