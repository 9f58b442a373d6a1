"""Tests of the step-by-step traces (RFC 4226 §5.3, RFC 6238 §4.2).

Each intermediate value is checked against RFC 4226 Appendix D and against the relations
that define it; a trace agrees with hotp/totp on random inputs; the key never appears, only
its length; HTML marks the offset byte and the 4-byte window.
"""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given
from strategies import algorithms, counters, digits, keys, periods, t0s, times

from rfc6238 import (
    HOTPTrace,
    TOTPTrace,
    dynamic_truncate,
    hotp,
    pack_counter,
    time_step,
    totp,
    trace_hotp,
    trace_totp,
)
from rfc6238.errors import (
    InvalidParameter,
    InvalidType,
    RFC6238Error,
    SecretTooShort,
    UnsupportedAlgorithm,
)

KEY = b"12345678901234567890"
#: RFC 4226 Appendix D: counter -> (HMAC-SHA-1 hex, offset, truncated hex, value, code).
APPENDIX_D = {
    0: ("cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 0, "4c93cf18", 1284755224, "755224"),
    1: ("75a48a19d4cbe100644e8ac1397eea747a2d33ab", 11, "41397eea", 1094287082, "287082"),
    2: ("0bacb7fa082fef30782211938bc1c5e70416ff44", 4, "082fef30", 137359152, "359152"),
    3: ("66c28227d03a2d5529262ff016a1e6ef76557ece", 14, "66ef7655", 1726969429, "969429"),
    7: ("a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", 10, "04e5b397", 82162583, "162583"),
    9: ("1637409809a679dc698207310c8c7fc07290d9e5", 5, "2679dc69", 645520489, "520489"),
}


@pytest.mark.parametrize("counter", sorted(APPENDIX_D))
def test_trace_hotp_rfc4226_appendix_d(counter: int) -> None:
    digest, offset, truncated, value, code = APPENDIX_D[counter]
    trace = trace_hotp(KEY, counter)
    assert trace.algorithm == "SHA1"
    assert trace.key_length == 20
    assert trace.counter == counter
    assert trace.counter_bytes == counter.to_bytes(8, "big")
    assert trace.digest.hex() == digest
    assert trace.offset == offset
    assert (int.from_bytes(trace.window, "big") & 0x7FFFFFFF) == int(truncated, 16)
    assert trace.value == value
    assert trace.digits == 6
    assert trace.modulus == 10**6
    assert trace.code == code


@given(key=keys, counter=counters, digits=digits, algorithm=algorithms)
def test_trace_hotp_relations_and_agreement(
    key: bytes, counter: int, digits: int, algorithm: str
) -> None:
    trace = trace_hotp(key, counter, digits=digits, algorithm=algorithm.lower())
    assert trace.algorithm == algorithm
    assert trace.key_length == len(key)
    assert trace.counter_bytes == pack_counter(counter)
    assert trace.digest == hmac.digest(key, trace.counter_bytes, algorithm.lower())
    assert trace.offset == trace.digest[-1] & 0x0F
    assert trace.window == trace.digest[trace.offset : trace.offset + 4]
    assert len(trace.window) == 4
    assert trace.value == dynamic_truncate(trace.digest)
    assert trace.modulus == 10**digits
    assert trace.code == hotp(key, counter, digits=digits, algorithm=algorithm)
    assert int(trace.code) == trace.value % trace.modulus


@given(key=keys, time=times, period=periods, t0=t0s, digits=digits, algorithm=algorithms)
def test_trace_totp_agrees_with_totp(
    key: bytes, time: int, period: int, t0: int, digits: int, algorithm: str
) -> None:
    time += t0
    trace = trace_totp(key, time, period=period, t0=t0, digits=digits, algorithm=algorithm)
    assert isinstance(trace, HOTPTrace)
    assert (trace.time, trace.t0, trace.period) == (time, t0, period)
    assert trace.counter == time_step(time, period=period, t0=t0)
    assert trace.code == totp(key, time, period=period, t0=t0, digits=digits, algorithm=algorithm)


def test_trace_totp_rfc6238_example_and_time_forms() -> None:
    trace = trace_totp(KEY, 59, digits=8)
    assert (trace.time, trace.counter, trace.code) == (59, 1, "94287082")
    when = datetime(2005, 3, 18, 1, 58, 29, tzinfo=UTC)
    assert trace_totp(KEY, when, digits=8).time == 1111111109
    assert trace_totp(KEY, 1111111109.75, digits=8).time == 1111111109
    assert trace_totp(KEY, when, digits=8).code == "07081804"


def test_traces_are_frozen_keyword_only_values() -> None:
    trace = trace_hotp(KEY, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.code = "000000"  # type: ignore[misc]  # frozen: the assignment must fail
    assert trace == trace_hotp(KEY, 0)
    assert "key" not in {f.name for f in dataclasses.fields(TOTPTrace)}


def test_steps_are_in_computation_order_and_hide_the_key() -> None:
    rows = trace_hotp(KEY, 1).steps()
    names = [name for name, _ in rows]
    assert names == [
        "algorithm",
        "key",
        "counter C",
        "C as 8 bytes (big-endian)",
        "HMAC-SHA1(K, C)",
        "offset = last byte & 0x0f",
        "P = digest[offset:offset+4]",
        "Snum = P & 0x7fffffff",
        "Snum mod 10^6",
        "code",
    ]
    values = dict(rows)
    assert values["key"] == "<20 bytes, hidden>"
    assert values["offset = last byte & 0x0f"] == "11 (last byte 0xab)"
    assert values["P = digest[offset:offset+4]"] == "c1 39 7e ea"
    assert values["Snum = P & 0x7fffffff"] == "1094287082 (0x41397eea)"
    assert values["code"] == "287082"


def test_totp_html_shows_the_time_arithmetic() -> None:
    html = trace_totp(KEY, 59, digits=8)._repr_html_()
    assert "T = floor((t - T0) / X)" in html
    assert "<b>TOTPTrace</b>" in html
    assert "counter C" not in html  # replaced by the time step row
    assert "12345678901234567890" not in html
    assert KEY.hex() not in html


def test_digest_html_marks_the_window_and_the_offset_byte() -> None:
    trace = trace_hotp(KEY, 1)  # offset 11
    html = trace.digest_html()
    cells = html.split("<tr>")[2].split("</td>")[:-1]
    assert len(cells) == 20
    marked = [i for i, cell in enumerate(cells) if "#ffe08a" in cell]
    assert marked == [11, 12, 13, 14]
    assert "#9ad0f5" in cells[19]
    assert all("#9ad0f5" not in cell for cell in cells[:19])
    assert cells[11].endswith(">c1")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: trace_hotp("GEZDGNBV", 0), InvalidType, r"^key must be bytes"),  # type: ignore[arg-type]  # text key on purpose
        (lambda: trace_hotp(b"", 0), SecretTooShort, r"^key must not be empty"),
        (lambda: trace_hotp(KEY, -1), InvalidParameter, r"^counter must be in"),
        (lambda: trace_hotp(KEY, 2**64), InvalidParameter, r"^counter must be in"),
        (lambda: trace_hotp(KEY, True), InvalidType, r"^counter must be an int"),
        (lambda: trace_hotp(KEY, 0, digits=12), InvalidParameter, r"^digits must be between"),
        (lambda: trace_hotp(KEY, 0, algorithm="md5"), UnsupportedAlgorithm, r"^algorithm must"),
        (lambda: trace_totp(KEY, -1), InvalidParameter, r"^time must not be before t0"),
        (lambda: trace_totp(KEY, float("inf")), InvalidParameter, r"^time must be a finite"),
        (lambda: trace_totp(KEY, datetime(2020, 1, 1)), InvalidParameter, r"timezone-aware"),
        (lambda: trace_totp(KEY, 59, period=0), InvalidParameter, r"^period must be a positive"),
        (lambda: trace_totp(KEY, 59, t0=True), InvalidType, r"^t0 must be an int"),
        (lambda: trace_totp(None, 59), InvalidType, r"^key must be bytes"),  # type: ignore[arg-type]  # None key on purpose
        (lambda: trace_totp(KEY, 59, algorithm="SHA-1"), UnsupportedAlgorithm, r"^algorithm"),
    ],
)
def test_traces_reject_bad_arguments(
    call: Callable[[], object], error: type[RFC6238Error], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()
