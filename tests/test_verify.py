"""Tests of verification over a window (RFC 4226 §7.4, RFC 6238 §5.2 and §6).

Checked: RFC codes verify; ``verify_totp(totp(t), t + d)`` succeeds exactly when the step of
``t`` is inside the window around ``t + d``; the look-ahead bound; every candidate is
compared (no early exit); the closest match wins; malformed tokens are rejected before any
comparison; the 128-bit key policy and its keyword-only opt-out.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import MAX_COUNTER, algorithms, counters, digits, periods, strong_keys, t0s

from rfc6238 import Match, Secret, hotp, time_step, totp, verify_hotp, verify_totp
from rfc6238.errors import (
    InvalidParameter,
    InvalidToken,
    InvalidType,
    MalformedToken,
    ReplayedToken,
    RFC6238Error,
    SecretTooShort,
    UnsupportedAlgorithm,
)
from rfc6238.prepared import PreparedMAC
from rfc6238.verify import match_window, scan, settle

KEY = b"12345678901234567890"
RFC4226_CODES = [
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489",
]  # fmt: skip
#: Two counters 8 apart whose 6-digit codes under KEY collide (found by search, checked below).
COLLISION = (2386, 2394, "709847")
windows = st.one_of(
    st.integers(min_value=0, max_value=5),
    st.tuples(st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=5)),
)


def sides(window: int | tuple[int, int]) -> tuple[int, int]:
    return (window, window) if isinstance(window, int) else window


# --- HOTP ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("counter", "code"), list(enumerate(RFC4226_CODES)))
def test_verify_hotp_rfc4226_codes(counter: int, code: str) -> None:
    assert verify_hotp(KEY, code, counter) == Match(counter=counter, offset=0)
    assert verify_hotp(KEY, code, 0, look_ahead=9) == Match(counter=counter, offset=counter)


def test_verify_hotp_look_ahead_bound() -> None:
    # RFC 4226 §7.4: codes up to counter + look_ahead are accepted, not beyond, never behind.
    assert verify_hotp(KEY, RFC4226_CODES[5], 2, look_ahead=3) == Match(counter=5, offset=3)
    with pytest.raises(InvalidToken, match=r"^token does not match any counter in the window$"):
        verify_hotp(KEY, RFC4226_CODES[6], 2, look_ahead=3)
    with pytest.raises(InvalidToken):
        verify_hotp(KEY, RFC4226_CODES[1], 2, look_ahead=3)


@given(key=strong_keys, counter=counters, ahead=st.integers(0, 20), look_ahead=st.integers(0, 20))
def test_verify_hotp_accepts_exactly_the_look_ahead(
    key: bytes, counter: int, ahead: int, look_ahead: int
) -> None:
    target = counter + ahead
    if target > MAX_COUNTER:
        return
    token = hotp(key, target)
    try:
        match = verify_hotp(key, token, counter, look_ahead=look_ahead)
    except MalformedToken:
        raise
    except InvalidToken:
        assert ahead > look_ahead
    else:
        # A match outside the window is impossible; inside, a colliding code may be closer.
        assert counter <= match.counter <= counter + look_ahead
        assert match.offset == match.counter - counter
        assert hotp(key, match.counter) == token
        if ahead <= look_ahead:
            assert match.counter <= target


def test_verify_hotp_at_the_top_of_the_counter_range() -> None:
    code = hotp(KEY, MAX_COUNTER)
    assert verify_hotp(KEY, code, MAX_COUNTER, look_ahead=1000) == Match(
        counter=MAX_COUNTER, offset=0
    )
    assert verify_hotp(KEY, code, MAX_COUNTER - 3, look_ahead=5).offset == 3


# --- TOTP ------------------------------------------------------------------------------------


def test_verify_totp_rfc6238_examples() -> None:
    assert verify_totp(KEY, "94287082", 59, digits=8) == Match(counter=1, offset=0)
    seed = b"12345678901234567890123456789012"
    assert verify_totp(seed, "91819424", 1234567890, digits=8, algorithm="sha256").offset == 0
    assert verify_totp(KEY, "287082", 89, window=1) == Match(counter=1, offset=-1)
    assert verify_totp(KEY, "287082", 30, window=(0, 0)) == Match(counter=1, offset=0)
    assert verify_totp(KEY, "359152", 59, window=(0, 1)) == Match(counter=2, offset=1)


@given(
    key=strong_keys,
    time=st.integers(min_value=0, max_value=2**40),
    drift=st.integers(min_value=-200, max_value=200),
    window=windows,
    period=st.sampled_from([1, 15, 30, 60]),
    algorithm=algorithms,
    digits=digits,
)
def test_verify_totp_succeeds_iff_the_step_is_inside_the_window(
    key: bytes,
    time: int,
    drift: int,
    window: int | tuple[int, int],
    period: int,
    algorithm: str,
    digits: int,
) -> None:
    if time + drift < 0:
        return
    params = {"period": period, "algorithm": algorithm, "digits": digits}
    token = totp(key, time, **params)  # type: ignore[arg-type]  # keyword values of mixed types
    sent, now = time_step(time, period=period), time_step(time + drift, period=period)
    past, future = sides(window)
    inside = now - past <= sent <= now + future
    try:
        match = verify_totp(key, token, time + drift, window=window, **params)  # type: ignore[arg-type]  # keyword values of mixed types
    except MalformedToken:
        raise
    except InvalidToken:
        assert not inside
    else:
        assert now - past <= match.counter <= now + future
        assert match.offset == match.counter - now
        # Outside the window only a colliding code (another step, same digits) can match.
        assert inside or match.counter != sent
        assert totp(key, match.counter * period, **params) == token  # type: ignore[arg-type]  # keyword values of mixed types


def test_verify_totp_window_clips_at_step_zero() -> None:
    assert verify_totp(KEY, hotp(KEY, 0), 5, window=3) == Match(counter=0, offset=0)
    assert verify_totp(KEY, hotp(KEY, 0), 45, window=3) == Match(counter=0, offset=-1)


def test_verify_totp_window_clips_at_the_last_step() -> None:
    code = hotp(KEY, MAX_COUNTER)
    assert verify_totp(KEY, code, MAX_COUNTER, period=1, window=5) == Match(
        counter=MAX_COUNTER, offset=0
    )


@given(time=st.integers(min_value=0, max_value=2**40), t0=t0s, period=periods)
def test_verify_totp_honours_t0_and_period(time: int, t0: int, period: int) -> None:
    time += t0
    token = totp(KEY, time, period=period, t0=t0)
    match = verify_totp(KEY, token, time, period=period, t0=t0, window=0)
    assert match.counter == time_step(time, period=period, t0=t0)
    assert match.offset == 0


def test_verify_totp_accepts_aware_datetime_and_float() -> None:
    when = datetime(2005, 3, 18, 1, 58, 29, tzinfo=UTC)  # 1111111109
    assert verify_totp(KEY, "07081804", when, digits=8, window=0).counter == 0x23523EC
    assert verify_totp(KEY, "07081804", 1111111109.9, digits=8, window=0).counter == 0x23523EC


# --- every candidate compared; closest match wins ----------------------------------------------


def test_collision_fixture_is_real() -> None:
    low, high, code = COLLISION
    assert hotp(KEY, low) == hotp(KEY, high) == code
    assert all(hotp(KEY, c) != code for c in range(low + 1, high))


class _CountingState:
    """Wraps a prepared hash state and counts its copies: one per HMAC computed."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.copies = 0

    def copy(self) -> Any:
        self.copies += 1
        return self.state.copy()


class CountingMAC(PreparedMAC):
    """A PreparedMAC that counts how many codes were computed (however the loop is written)."""

    __slots__ = ("_counter",)

    def __init__(self, key: bytes) -> None:
        super().__init__(key, "SHA1")
        self._counter = _CountingState(self._inner)
        self._inner = self._counter  # type: ignore[assignment]  # duck-typed: only copy() is used

    @property
    def calls(self) -> int:
        return self._counter.copies

    @calls.setter
    def calls(self, value: int) -> None:
        self._counter.copies = value


def test_scan_returns_every_match_and_never_exits_early() -> None:
    low, high, code = COLLISION
    mac = CountingMAC(KEY)
    assert scan(mac, code.encode(), low, high + 10, 6) == [low, high]
    assert mac.calls == high + 10 - low + 1
    mac.calls = 0
    assert scan(mac, code.encode(), low, low + 50, 6) == [low, high]  # first one matches
    assert mac.calls == 51
    mac.calls = 0
    assert scan(mac, b"000000", 0, 20, 6) == []
    assert mac.calls == 21


def test_scan_clips_to_the_counter_range() -> None:
    mac = CountingMAC(KEY)
    assert scan(mac, RFC4226_CODES[0].encode(), -5, 0, 6) == [0]
    assert mac.calls == 1
    mac.calls = 0
    scan(mac, b"000000", MAX_COUNTER - 1, MAX_COUNTER + 5, 6)
    assert mac.calls == 2


def test_closest_match_wins_and_ties_go_to_the_earlier_step() -> None:
    low, high, code = COLLISION
    assert verify_hotp(KEY, code, low, look_ahead=high - low) == Match(counter=low, offset=0)
    assert verify_hotp(KEY, code, low + 1, look_ahead=high - low) == Match(counter=high, offset=7)
    middle = (low + high) // 2
    assert verify_totp(KEY, code, middle * 30, window=4) == Match(counter=low, offset=-4)
    assert verify_totp(KEY, code, (middle + 1) * 30, window=(5, 3)) == Match(counter=high, offset=3)


def test_settle_without_a_replay_floor_picks_the_closest_match() -> None:
    assert settle([3, 7], 5, -1) == Match(counter=3, offset=-2)
    assert settle([3, 6], 5, -1) == Match(counter=6, offset=1)
    assert settle([5], 5, -1) == Match(counter=5, offset=0)
    with pytest.raises(InvalidToken, match=r"^token does not match"):
        settle([], 5, -1)


# --- Match -------------------------------------------------------------------------------------


def test_match_is_a_frozen_keyword_only_value() -> None:
    match = Match(counter=3, offset=-1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.counter = 4  # type: ignore[misc]  # frozen: the assignment must fail
    with pytest.raises(TypeError):
        Match(3, -1)  # type: ignore[call-arg]  # the fields are keyword-only
    assert match == Match(counter=3, offset=-1)
    assert hash(match) == hash(Match(counter=3, offset=-1))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"counter": -1, "offset": 0}, InvalidParameter),
        ({"counter": 2**64, "offset": 0}, InvalidParameter),
        ({"counter": True, "offset": 0}, InvalidType),
        ({"counter": 1, "offset": 1.0}, InvalidType),
        ({"counter": 1, "offset": False}, InvalidType),
    ],
)
def test_match_validates(kwargs: dict[str, object], error: type[RFC6238Error]) -> None:
    with pytest.raises(error):
        Match(**kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


@pytest.mark.parametrize(
    ("offset", "text"), [(0, "on time"), (-2, "2 step(s) behind"), (1, "1 step(s) ahead")]
)
def test_match_html(offset: int, text: str) -> None:
    html = Match(counter=10, offset=offset)._repr_html_()
    assert text in html
    assert "<code>10</code>" in html


# --- rejections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "75522",
        "7552244",
        " 755224",
        "755224\n",
        "+755224",
        "-55224",
        "755_224",
        "755 224",
        "755-224",
        "\uff17\uff15\uff15\uff12\uff12\uff14",  # full-width
        "٧٥٥٢٢٤",
        "७५५२२४",
        "",
    ],
)
def test_malformed_tokens_are_rejected_before_comparison(token: str) -> None:
    # Each of these is what int()/isdigit()/\d would turn into 755224 (or similar).
    calls: list[Callable[[], Match]] = [
        lambda: verify_hotp(KEY, token, 0, look_ahead=3),
        lambda: verify_totp(KEY, token, 0, window=3),
    ]
    for call in calls:
        with pytest.raises(MalformedToken, match=r"^token must be exactly 6 ASCII digits") as info:
            call()
        assert token.strip() not in str(info.value) or not token.strip()


@pytest.mark.parametrize("token", [755224, b"755224", None, 755224.0, ["755224"]])
def test_non_str_tokens_are_rejected(token: object) -> None:
    with pytest.raises(InvalidType, match=r"^token must be a str"):
        verify_hotp(KEY, token, 0)  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(InvalidType, match=r"^token must be a str"):
        verify_totp(KEY, token, 0)  # type: ignore[arg-type]  # the bad argument under test


def test_a_token_of_another_length_is_malformed_for_these_digits() -> None:
    with pytest.raises(MalformedToken, match=r"exactly 8 ASCII digits"):
        verify_hotp(KEY, "755224", 0, digits=8)


def test_short_keys_need_the_keyword_only_opt_out() -> None:
    short = b"1234567890"  # 80 bits, as legacy apps have
    code = hotp(short, 0)
    calls: list[Callable[..., Match]] = [
        lambda **k: verify_hotp(short, code, 0, **k),
        lambda **k: verify_totp(short, code, 0, **k),
    ]
    for call in calls:
        with pytest.raises(SecretTooShort, match=r"^key must be at least 16 bytes"):
            call()
        assert call(allow_short_key=True) == Match(counter=0, offset=0)
    with pytest.raises(TypeError):
        verify_hotp(short, code, 0, 0, 6, "SHA1", True)  # type: ignore[call-arg, arg-type]  # keyword-only


@pytest.mark.parametrize("flag", ["False", "no", 1, 0, None, b""])
def test_allow_short_key_must_be_a_bool(flag: object) -> None:
    # Regression (fixed in 24b5e44): a truthy non-bool ("False" from a config file) silently
    # enabled the security-weakening option in verify_hotp/verify_totp.
    short = b"1234567890"
    code = hotp(short, 0)
    with pytest.raises(InvalidType, match=r"allow_short_key must be a bool"):
        verify_hotp(short, code, 0, allow_short_key=flag)  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(InvalidType, match=r"allow_short_key must be a bool"):
        verify_totp(short, code, 0, allow_short_key=flag)  # type: ignore[arg-type]  # the bad argument under test


def test_secret_keys_are_accepted() -> None:
    assert verify_hotp(Secret(KEY), "755224", 0).counter == 0
    assert verify_totp(Secret(KEY), "287082", 59).counter == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"key": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}, InvalidType, r"^key must be bytes"),
        ({"key": b""}, SecretTooShort, r"^key must not be empty"),
        ({"counter": -1}, InvalidParameter, r"^counter must be in"),
        ({"counter": 2**64}, InvalidParameter, r"^counter must be in"),
        ({"counter": True}, InvalidType, r"^counter must be an int"),
        ({"look_ahead": -1}, InvalidParameter, r"^look_ahead must be between"),
        ({"look_ahead": 1001}, InvalidParameter, r"^look_ahead must be between"),
        ({"look_ahead": True}, InvalidType, r"^look_ahead must be an int"),
        ({"digits": 5}, InvalidParameter, r"^digits must be between"),
        ({"digits": "6"}, InvalidType, r"^digits must be an int"),
        ({"algorithm": "md5"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": "SHA-256"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
    ],
)
def test_verify_hotp_rejects_bad_parameters(
    kwargs: dict[str, object], error: type[RFC6238Error], message: str
) -> None:
    call: dict[str, object] = {"key": KEY, "token": "755224", "counter": 0, **kwargs}
    with pytest.raises(error, match=message):
        verify_hotp(call.pop("key"), call.pop("token"), call.pop("counter"), **call)  # type: ignore[arg-type]  # keyword values of mixed types


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"key": None}, InvalidType, r"^key must be bytes"),
        ({"key": b"short"}, SecretTooShort, r"^key must be at least 16 bytes"),
        ({"time": -1}, InvalidParameter, r"^time must not be before t0"),
        ({"time": 10, "t0": 11}, InvalidParameter, r"^time must not be before t0"),
        ({"time": float("nan")}, InvalidParameter, r"^time must be a finite number"),
        ({"time": float("inf")}, InvalidParameter, r"^time must be a finite number"),
        ({"time": datetime(2020, 1, 1)}, InvalidParameter, r"timezone-aware"),
        ({"time": True}, InvalidType, r"^time must be an int, float"),
        ({"time": "59"}, InvalidType, r"^time must be an int, float"),
        ({"time": 2**64 * 30}, InvalidParameter, r"^time is too far after t0"),
        ({"window": -1}, InvalidParameter, r"^window sides must be between 0 and 100"),
        ({"window": 101}, InvalidParameter, r"^window sides must be between 0 and 100"),
        ({"window": (1, 2, 3)}, InvalidParameter, r"^window must be an int or a \(past"),
        ({"window": [1, 1]}, InvalidType, r"^window must be an int"),
        ({"window": (1, True)}, InvalidType, r"^window future must be an int"),
        ({"window": 1.0}, InvalidType, r"^window must be an int"),
        ({"period": 0}, InvalidParameter, r"^period must be a positive"),
        ({"period": 30.0}, InvalidType, r"^period must be an int"),
        ({"t0": 0.5}, InvalidType, r"^t0 must be an int"),
        ({"digits": 11}, InvalidParameter, r"^digits must be between"),
        ({"digits": True}, InvalidType, r"^digits must be an int"),
        ({"algorithm": "sha384"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": b"SHA1"}, InvalidType, r"^algorithm must be a str"),
    ],
)
def test_verify_totp_rejects_bad_parameters(
    kwargs: dict[str, object], error: type[RFC6238Error], message: str
) -> None:
    call: dict[str, object] = {"key": KEY, "token": "287082", "time": 59, **kwargs}
    with pytest.raises(error, match=message):
        verify_totp(call.pop("key"), call.pop("token"), call.pop("time"), **call)  # type: ignore[arg-type]  # keyword values of mixed types


def test_wrong_code_is_invalid_token_not_value_error() -> None:
    with pytest.raises(InvalidToken) as info:
        verify_totp(KEY, "000000", 59, window=0)
    assert not isinstance(info.value, ValueError)
    assert type(info.value) is InvalidToken


# --- the replay floor after= (RFC 6238 §5.2) ---------------------------------------------------


def _reference(
    key: bytes, token: str, expected: int, first: int, last: int, after: int, digits: int = 6
) -> object:
    """The rules written the slow, obvious way: one-shot hotp() for every candidate."""
    found = [
        c
        for c in range(max(first, 0), min(last, MAX_COUNTER) + 1)
        if hotp(key, c, digits=digits) == token
    ]
    fresh = [c for c in found if c > after]
    if fresh:
        best = min(fresh, key=lambda c: (abs(c - expected), c))
        return Match(counter=best, offset=best - expected)
    return ReplayedToken if found else InvalidToken


def _outcome(call: Any) -> object:
    """The Match, or the type of the InvalidToken raised (the tokens here are well formed)."""
    try:
        return call()
    except InvalidToken as err:
        return type(err)


def test_totp_after_fresh_replayed_and_no_match() -> None:
    # "287082" is the code of step 1 (RFC 4226 Appendix D counter 1).
    assert verify_totp(KEY, "287082", 59, after=None) == Match(counter=1, offset=0)
    assert verify_totp(KEY, "287082", 59, after=-1) == Match(counter=1, offset=0)
    assert verify_totp(KEY, "287082", 59, after=0) == Match(counter=1, offset=0)
    with pytest.raises(ReplayedToken, match=r"^token matches only a used step or counter"):
        verify_totp(KEY, "287082", 59, after=1)
    with pytest.raises(ReplayedToken):
        verify_totp(KEY, "287082", 61, after=5)  # step 1 is the past step of 2, and used
    with pytest.raises(InvalidToken, match=r"^token does not match any counter") as info:
        verify_totp(KEY, "000000", 59, after=0)
    assert type(info.value) is InvalidToken


def test_hotp_after_fresh_replayed_and_no_match() -> None:
    assert verify_hotp(KEY, RFC4226_CODES[3], 3, after=2) == Match(counter=3, offset=0)
    assert verify_hotp(KEY, RFC4226_CODES[5], 3, look_ahead=3, after=2) == Match(
        counter=5, offset=2
    )
    with pytest.raises(InvalidToken) as info:
        verify_hotp(KEY, RFC4226_CODES[9], 3, look_ahead=3, after=2)
    assert type(info.value) is InvalidToken
    with pytest.raises(ReplayedToken):  # look-ahead reaches 5, but 5 is used
        verify_hotp(KEY, RFC4226_CODES[5], 3, look_ahead=3, after=7)


def test_hotp_replay_of_the_last_accepted_code_is_reported_as_a_replay() -> None:
    # The server accepted counter 2 and now expects 3: the code of 2 again is a replay.
    with pytest.raises(ReplayedToken):
        verify_hotp(KEY, RFC4226_CODES[2], 3, after=2)
    with pytest.raises(ReplayedToken):
        verify_hotp(KEY, RFC4226_CODES[2], 3, look_ahead=4, after=2)
    # Without a floor (or one below counter - 1) the window starts at the counter: no match.
    for after in (None, -1, 0, 1):
        with pytest.raises(InvalidToken) as info:
            verify_hotp(KEY, RFC4226_CODES[2], 3, after=after)
        assert type(info.value) is InvalidToken
    # Counter 0 has no counter - 1; after=-1 is "nothing used".
    assert verify_hotp(KEY, RFC4226_CODES[0], 0, after=-1) == Match(counter=0, offset=0)
    # Only counter - 1, never further back: the code of 1 at counter 3 is no match.
    with pytest.raises(InvalidToken) as info:
        verify_hotp(KEY, RFC4226_CODES[1], 3, after=2)
    assert type(info.value) is InvalidToken


def test_a_token_matching_a_used_and_a_fresh_step_takes_the_fresh_one() -> None:
    low, high, code = COLLISION  # 2386 and 2394 share a code
    middle = (low + high) // 2
    # Without a floor the closest (here: the earlier, a tie) wins; with low used, high wins.
    assert verify_totp(KEY, code, middle * 30, window=4) == Match(counter=low, offset=-4)
    assert verify_totp(KEY, code, middle * 30, window=4, after=low) == Match(counter=high, offset=4)
    with pytest.raises(ReplayedToken):
        verify_totp(KEY, code, middle * 30, window=4, after=high)
    assert verify_hotp(KEY, code, low, look_ahead=8, after=low - 1) == Match(counter=low, offset=0)
    assert verify_hotp(KEY, code, low, look_ahead=8, after=low) == Match(counter=high, offset=8)
    assert verify_hotp(KEY, code, low + 1, look_ahead=7, after=low) == Match(counter=high, offset=7)


def test_after_at_the_ends_of_its_range() -> None:
    top = hotp(KEY, MAX_COUNTER)
    assert verify_hotp(KEY, top, MAX_COUNTER, after=MAX_COUNTER - 1) == Match(
        counter=MAX_COUNTER, offset=0
    )
    with pytest.raises(ReplayedToken):
        verify_hotp(KEY, top, MAX_COUNTER, after=MAX_COUNTER)
    with pytest.raises(ReplayedToken):
        verify_totp(KEY, top, MAX_COUNTER, period=1, window=1, after=MAX_COUNTER)
    assert verify_totp(KEY, hotp(KEY, 0), 0, after=-1) == Match(counter=0, offset=0)
    assert verify_hotp(KEY, hotp(KEY, 0), 0, after=-1) == Match(counter=0, offset=0)


@pytest.mark.parametrize(
    ("after", "error", "message"),
    [
        (-2, InvalidParameter, r"^after, the last accepted counter or step, must be in -1\.\."),
        (2**64, InvalidParameter, r"^after, the last accepted counter or step, must be in"),
        (True, InvalidType, r"^after must be an int"),
        (False, InvalidType, r"^after must be an int"),
        (1.0, InvalidType, r"^after must be an int"),
        ("1", InvalidType, r"^after must be an int"),
        (b"1", InvalidType, r"^after must be an int"),
    ],
)
def test_after_is_validated(after: object, error: type[RFC6238Error], message: str) -> None:
    calls: list[Callable[[], object]] = [
        lambda: verify_hotp(KEY, "755224", 0, after=after),  # type: ignore[arg-type]  # bad on purpose
        lambda: verify_totp(KEY, "287082", 59, after=after),  # type: ignore[arg-type]  # bad on purpose
    ]
    for call in calls:
        with pytest.raises(error, match=message):
            call()


def test_after_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        verify_hotp(KEY, "755224", 0, 0, -1)  # type: ignore[call-arg]  # positional on purpose


@given(
    key=strong_keys,
    step=st.one_of(st.integers(0, 2**40), st.sampled_from([0, 1, MAX_COUNTER - 1, MAX_COUNTER])),
    sent=st.integers(-3, 3),
    window=windows,
    after=st.one_of(st.none(), st.integers(-3, 3)),
    random_token=st.one_of(st.none(), st.integers(0, 999_999)),
)
def test_verify_totp_agrees_with_the_obvious_rules(
    key: bytes,
    step: int,
    sent: int,
    window: int | tuple[int, int],
    after: int | None,
    random_token: int | None,
) -> None:
    if random_token is None:
        token = hotp(key, min(max(step + sent, 0), MAX_COUNTER))
    else:
        token = f"{random_token:06d}"
    floor = None if after is None else min(max(step + after, -1), MAX_COUNTER)
    past, future = sides(window)
    want = _reference(key, token, step, step - past, step + future, -1 if floor is None else floor)
    got = _outcome(lambda: verify_totp(key, token, step, period=1, window=window, after=floor))
    assert got == want


@given(
    key=strong_keys,
    counter=st.one_of(st.integers(0, 2**40), st.sampled_from([0, 1, 2, MAX_COUNTER])),
    sent=st.integers(-3, 5),
    look_ahead=st.integers(0, 4),
    after=st.one_of(st.none(), st.integers(-4, 3)),
)
def test_verify_hotp_agrees_with_the_obvious_rules(
    key: bytes, counter: int, sent: int, look_ahead: int, after: int | None
) -> None:
    token = hotp(key, min(max(counter + sent, 0), MAX_COUNTER))
    floor = None if after is None else min(max(counter + after, -1), MAX_COUNTER)
    used = -1 if floor is None else floor
    first = counter - 1 if counter > 0 and used >= counter - 1 else counter
    want = _reference(key, token, counter, first, counter + look_ahead, used)
    got = _outcome(lambda: verify_hotp(key, token, counter, look_ahead=look_ahead, after=floor))
    assert got == want


# --- the kernel: the unrolled ±1 window agrees with the loop and computes every candidate ----


@given(key=strong_keys, step=st.integers(1, MAX_COUNTER - 1), sent=st.integers(-2, 2))
def test_the_unrolled_window_agrees_with_the_loop(key: bytes, step: int, sent: int) -> None:
    mac = PreparedMAC(key, "SHA1")
    for length in (6, 8, 10):
        text = hotp(key, min(max(step + sent, 0), MAX_COUNTER), digits=length)
        around = mac.matches_around(text.encode(), step, length)
        assert around == mac.matches(text.encode(), step - 1, step + 1, length)
        assert around == [
            c for c in (step - 1, step, step + 1) if hotp(key, c, digits=length) == text
        ]


def test_the_default_window_computes_all_three_candidates_every_time() -> None:
    mac = CountingMAC(KEY)
    for token, after in ((RFC4226_CODES[1], None), (RFC4226_CODES[3], None), ("000000", 5)):
        mac.calls = 0
        with pytest.raises(InvalidToken) if token == "000000" else contextlib.nullcontext():
            match_window(mac, token.encode(), 2, 1, 1, -1 if after is None else after, 6)
        assert mac.calls == 3
    mac.calls = 0
    assert match_window(mac, RFC4226_CODES[1].encode(), 2, 1, 1, -1, 6) == Match(
        counter=1, offset=-1
    )
    assert mac.calls == 3


def test_match_trusted_constructor_builds_an_equal_value() -> None:
    assert Match._trusted(7, -1) == Match(counter=7, offset=-1)
    assert repr(Match._trusted(7, -1)) == "Match(counter=7, offset=-1)"
