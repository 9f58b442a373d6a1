"""vectors/totp_edges.json: TOTP edge cases (times, periods, T0)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rfc6238

from ._base import ALGS, SEED20, SEEDS
from .filebuilder import FileBuilder, edge_case, self_made_source
from .hotp_edges import derived_key
from .oracles import TOTP_ORACLES, check_totp_oracles
from .rfc6238 import RFC6238_TABLE

TIMES = [
    0,
    1,
    29,
    30,
    59,
    60,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**53 - 1,
    2**53,
    2**53 + 1,
    253402300799,
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    30 * 2**64 - 1,
]


def totp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    key: bytes,
    time: object,
    period: int,
    t0: int,
    digits: int,
    alg: str,
    time_json: object = None,
) -> dict[str, Any]:
    step = rfc6238.time_step(time, period=period, t0=t0)  # type: ignore[arg-type]  # a time of any vector type
    code = rfc6238.totp(key, time, period=period, t0=t0, digits=digits, algorithm=alg)  # type: ignore[arg-type]  # likewise
    case = edge_case(
        fb,
        tests,
        comment,
        flags,
        key,
        time=time if time_json is None else time_json,
        period=period,
        t0=t0,
        digits=digits,
        algorithm=alg,
        step=step,
        code=code,
    )
    verdicts = check_totp_oracles(key, time, period, t0, digits, alg, step, code)
    if not set(TOTP_ORACLES) & set(verdicts.verified_by):
        case["flags"].append("StepFromScript")
    return verdicts.dump(case)


def time_flags(time: int) -> list[str]:
    flags = []
    if 2**31 - 1 <= time < 2**32:
        flags.append("Y2038")
    if time >= 2**32:
        flags.append("Beyond32BitTime")
    if time >= 2**53 - 1:
        flags.append("Beyond53BitFloat")
    if time >= 2**63:
        flags.append("Beyond64BitSignedTime")
    return flags


def build_totp_edges() -> dict[str, Any]:
    fb = FileBuilder(
        "totp_edges",
        "Self-made TOTP edge vectors: times around 2**31, 2**32, 2**53, 2**63, 2**64 and the "
        "last time whose step fits 64 bits; periods other than 30; T0 != 0 (including time "
        "== T0 and a negative T0); digits 6-10; float and datetime times.",
        self_made_source(
            "Inputs are fixed lists in the script; keys are the RFC 6238 Appendix A seeds.",
            ["RFC 6238 §4.2 (T = floor((t - T0) / X), exact past 2038)", "RFC 4226 §5"],
        ),
    )
    fb.note(
        Y2038="Unix time at the signed 32-bit limit (2**31 - 1, 2**31 ...).",
        Beyond32BitTime="Unix time at or past 2**32 (RFC 6238 §4.2 requires > 32-bit time).",
        Beyond53BitFloat="Time at or past 2**53 - 1: float division (t / X) is wrong here.",
        Beyond64BitSignedTime="Time past 2**63 - 1: does not fit a signed 64-bit time_t.",
        MaxStep="The last time whose step T is 2**64 - 1 (one second later is invalid).",
        Period="A time step X other than 30 s.",
        NonZeroT0="T0 != 0.",
        NegativeT0="T0 before the epoch: valid in rfc6238 (any int); other tools may differ.",
        FloatTime="Time as a float (tagged); T uses the floor of the time.",
        DatetimeTime="Time as a timezone-aware ISO 8601 datetime (tagged).",
        Digits="Appendix B times at digits other than 8.",
        BeyondRFCDigits="9 or 10 digits: beyond RFC 4226; cryptography, oath and oathtool "
        "refuse them.",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
        StepFromScript="No oracle computed this TOTP itself (all refused or disagreed on the "
        "time arithmetic): the oracles only confirmed the HOTP value at the step, and the step "
        "(time - T0) // X comes from integer floor division in rfc6238 and in this script.",
    )
    tests = fb.group("totp", "Times at integer-width limits; X = 30, T0 = 0, 8 digits.")
    for time in TIMES:
        for alg in ALGS:
            flags = time_flags(time) + (["MaxStep"] if time == 30 * 2**64 - 1 else [])
            totp_case(fb, tests, f"{alg} at time {time}", flags, SEEDS[alg], time, 30, 0, 8, alg)
    tests = fb.group("totp", "Periods other than 30 s (SHA1 seed, T0 = 0, 8 digits).")
    for period in [1, 10, 15, 20, 45, 60, 90, 120, 121, 300, 3600, 86400, 2**32]:
        for time in [59, 1111111109, 2**31, 20000000000, 2**53 + 1]:
            totp_case(
                fb,
                tests,
                f"X = {period} s at time {time}",
                ["Period", *time_flags(time)],
                SEED20,
                time,
                period,
                0,
                8,
                "SHA1",
            )
    tests = fb.group("totp", "T0 != 0 (SHA1 seed, 8 digits).")
    for t0, period, offsets in [
        (1000, 30, [0, 29, 30, 59, 60]),
        (1000, 60, [0, 59, 60]),
        (1111111109, 30, [0, 1, 30]),
        (2**31, 30, [0, 30, 2**31]),
        (2**32, 15, [0, 14, 15]),
        (2**53, 30, [0, 30]),
        (-30, 30, [0, 29, 30, 59]),
    ]:
        for off in offsets:
            time = t0 + off
            flags = ["NonZeroT0"] + (["NegativeT0"] if t0 < 0 else []) + time_flags(time)
            if period != 30:
                flags.append("Period")
            totp_case(
                fb,
                tests,
                f"T0 = {t0}, X = {period}, time = T0 + {off}",
                flags,
                SEED20,
                time,
                period,
                t0,
                8,
                "SHA1",
            )
    tests = fb.group("totp", "Appendix B times at 6, 7, 9 and 10 digits (errata seeds).")
    for time, *_ in RFC6238_TABLE:
        for alg in ALGS:
            for digits in (6, 7, 9, 10):
                totp_case(
                    fb,
                    tests,
                    f"{alg} at {time}, {digits} digits",
                    ["Digits"],
                    SEEDS[alg],
                    time,
                    30,
                    0,
                    digits,
                    alg,
                )
    tests = fb.group("totp", "Float and timezone-aware datetime times (tagged values).")
    for text in ["59.999", "60.0", "1111111109.5", "1111111110.999", "0.5"]:
        totp_case(
            fb,
            tests,
            f"float time {text}",
            ["FloatTime"],
            SEED20,
            float(text),
            30,
            0,
            8,
            "SHA1",
            time_json={"float": text},
        )
    for text in [
        "2005-03-18T01:58:29+00:00",
        "2005-03-18T02:58:29+01:00",
        "2005-03-17T20:58:29-05:00",
        "2603-10-11T11:33:20+00:00",
        "9999-12-31T23:59:59+00:00",
    ]:
        totp_case(
            fb,
            tests,
            f"datetime {text}",
            ["DatetimeTime"],
            SEED20,
            dt.datetime.fromisoformat(text),
            30,
            0,
            8,
            "SHA1",
            time_json={"datetime": text},
        )
    tests = fb.group(
        "totp",
        "Short and odd-length keys (1-19, 33, 65 and 129 bytes) with every algorithm: HMAC pads "
        "or hashes the key (RFC 2104); a library that pads or repeats short keys itself, or "
        "refuses them only for TOTP, shows here (X = 30, T0 = 0, 6 digits).",
    )
    fb.note(
        OddKey="A key length that is neither 20, 32 nor 64 bytes (1-19, 33, 65, 129).",
        ShortKey="Key shorter than 16 bytes: the TOTP math is defined; key-length policies "
        "belong to verification.",
    )
    for length in [*range(1, 20), 33, 65, 129]:
        key = derived_key(length, "totp-odd-key")
        for alg in ALGS:
            flags = ["OddKey"] + (["ShortKey"] if length < 16 else [])
            totp_case(fb, tests, f"{alg}, {length}-byte key, time 1111111109", flags, key,
                      1111111109, 30, 0, 6, alg)  # fmt: skip
    return fb.document()
