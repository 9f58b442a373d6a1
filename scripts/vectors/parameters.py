"""vectors/parameters.json: parameter validation of every operation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, cast

import rfc6238
from rfc6238 import errors as _errors
from rfc6238.conformance.vectors import decode_value

from ._base import SEED20
from .filebuilder import FileBuilder, _expect, self_made_source
from .oracles import HOTP_ORACLES, TOTP_ORACLES, Verdicts, check_hotp_oracles, check_totp_oracles


def _oneshot_hotp(key: object, counter: object, digits: object, alg: object) -> str:
    return rfc6238.hotp(key, counter, digits=digits, algorithm=alg)  # type: ignore[arg-type]  # invalid inputs on purpose


def _param_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    args: dict[str, Any],
    py: dict[str, Any],
    compute: Callable[[], str],
    check: Callable[[str], Verdicts],
    oracles: Mapping[str, Callable[..., str]],
) -> dict[str, Any]:
    """A valid case (``compute()`` gives the code, ``check`` asks the oracles) or an invalid one.

    An ``RFC6238Error`` makes the case invalid; then every oracle, called with the decoded
    ``py`` values in order, must reject it too.
    """
    try:
        code = compute()
    except _errors.RFC6238Error as err:
        case = fb.case(tests, comment, flags, "invalid", **args, error=type(err).__name__)
    else:
        case = fb.case(tests, comment, flags, "valid", **args, code=code)
        return check(code).dump(case)
    verdicts = Verdicts()
    for name, func in oracles.items():
        verdicts.record(name, None, partial(func, *py.values()))
    return verdicts.dump(case)


def param_hotp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    *,
    key: object = None,
    counter: object = 1,
    digits: object = 6,
    algorithm: object = "SHA1",
) -> dict[str, Any]:
    key = key if key is not None else SEED20.hex()
    args = {"key": key, "counter": counter, "digits": digits, "algorithm": algorithm}
    py: dict[str, Any] = {
        k: (bytes.fromhex(v) if k == "key" and isinstance(v, str) else decode_value(v))
        for k, v in args.items()
    }
    return _param_case(
        fb,
        tests,
        comment,
        flags,
        args,
        py,
        lambda: _oneshot_hotp(py["key"], py["counter"], py["digits"], py["algorithm"]),
        lambda code: check_hotp_oracles(
            py["key"], py["counter"], py["digits"], py["algorithm"], code
        ),
        HOTP_ORACLES,
    )


def param_totp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    *,
    time: object = 59,
    period: object = 30,
    t0: object = 0,
    digits: object = 8,
    algorithm: object = "SHA1",
) -> dict[str, Any]:
    args = {
        "key": SEED20.hex(),
        "time": time,
        "period": period,
        "t0": t0,
        "digits": digits,
        "algorithm": algorithm,
    }
    py: dict[str, Any] = {
        k: (bytes.fromhex(str(v)) if k == "key" else decode_value(v)) for k, v in args.items()
    }
    return _param_case(
        fb,
        tests,
        comment,
        flags,
        args,
        py,
        lambda: rfc6238.totp(
            py["key"],
            py["time"],
            period=py["period"],
            t0=py["t0"],
            digits=py["digits"],
            algorithm=py["algorithm"],
        ),
        lambda code: check_totp_oracles(
            py["key"],
            py["time"],
            py["period"],
            py["t0"],
            py["digits"],
            py["algorithm"],
            rfc6238.time_step(py["time"], period=py["period"], t0=py["t0"]),
            code,
        ),
        TOTP_ORACLES,
    )


def param_verify_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    kind: str,
    comment: str,
    flags: list[str],
    error: str,
    **over: object,
) -> dict[str, Any]:
    if kind == "verify_totp":
        args: dict[str, object] = {
            "key": SEED20.hex(),
            "token": "287082",
            "time": 59,
            "window": 1,
            "period": 30,
            "t0": 0,
            "digits": 6,
            "algorithm": "SHA1",
            "allow_short_key": False,
        }
    else:
        args = {
            "key": SEED20.hex(),
            "token": "755224",
            "counter": 0,
            "look_ahead": 0,
            "digits": 6,
            "algorithm": "SHA1",
            "allow_short_key": False,
        }
    args.update(over)
    py: dict[str, Any] = {
        k: (bytes.fromhex(v) if k == "key" and isinstance(v, str) else decode_value(v))
        for k, v in args.items()
    }
    func = rfc6238.verify_totp if kind == "verify_totp" else rfc6238.verify_hotp
    key, token = py.pop("key"), py.pop("token")
    where = py.pop("time" if kind == "verify_totp" else "counter")
    try:
        func(key, token, where, **py)
    except _errors.RFC6238Error as err:
        _expect(type(err).__name__ == error, f"{comment}: raised {type(err).__name__}")
    else:
        raise SystemExit(f"make_vectors: {comment}: accepted")
    case = fb.case(tests, comment, flags, "invalid", **args, error=error)
    case["verified_by"] = []
    return case


def build_parameters() -> dict[str, Any]:
    fb = FileBuilder(
        "parameters",
        "Parameters that must be rejected (with the error class) and the nearby ones that "
        "must be accepted: digits, algorithm spellings, counters outside 0..2**64-1, keys, "
        "periods, T0, times (before T0, NaN, infinities, bool, naive datetimes, steps past "
        "2**64 - 1), windows and look-aheads. Non-JSON values are tagged.",
        self_made_source(
            "Hand-chosen inputs around every validation rule of rfc6238.",
            [
                "RFC 4226 §5.1 (8-byte counter), §5.3 (digits)",
                "RFC 6238 §1.2 (SHA1/256/512), §4.2 (T0, X)",
                "SECURITY.md 'Bad input: categories to cover'",
            ],
        ),
    )
    fb.source["verification"] += (
        " For invalid cases, verified_by lists the oracles that also rejected the input "
        "(oracle_notes says how) and disagreed those that computed a code anyway. The "
        "verify_* groups test rfc6238's own rules and were not run through oracles."
    )
    fb.note(
        Digits="digits outside 6..10 or not an int.",
        Algorithm="An algorithm spelling outside SHA1/SHA256/SHA512 (case-insensitive).",
        AlgorithmSpelling="A case variant of an allowed algorithm: accepted.",
        Counter="A counter outside 0..2**64 - 1 or not an int.",
        Key="An empty key or a key that is not bytes.",
        Period="A period (X) that is not a positive int.",
        T0="A T0 that is not an int.",
        Time="A time that is not finite, not an int/float/aware datetime, or before T0.",
        StepOverflow="A step T that does not fit 64 bits.",
        Window="A window side outside 0..100 or a malformed window.",
        LookAhead="A look-ahead outside 0..1000 or not an int.",
        Bool="A bool where an int is expected (bool is an int subclass in Python).",
        Boundary="An accepted value at the edge of its range.",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
    )
    tests = fb.group("hotp", "One-shot HOTP (and the HOTP object): key = RFC seed, counter 1.")
    for digits, flags in [
        (5, ["Digits"]),
        (11, ["Digits"]),
        (0, ["Digits"]),
        (-6, ["Digits"]),
        ({"bool": True}, ["Digits", "Bool"]),
        ({"float": "6.0"}, ["Digits"]),
        ({"str": "6"}, ["Digits"]),
        ({"none": True}, ["Digits"]),
        (6, ["Boundary"]),
        (10, ["Boundary"]),
    ]:
        param_hotp_case(fb, tests, f"digits {json.dumps(digits)}", flags, digits=digits)
    for alg, flags in [
        ("md5", ["Algorithm"]),
        ("MD5", ["Algorithm"]),
        ("SHA-1", ["Algorithm"]),
        ("sha-256", ["Algorithm"]),
        ("sha3_256", ["Algorithm"]),
        ("SHA224", ["Algorithm"]),
        ("sha384", ["Algorithm"]),
        ("shake_128", ["Algorithm"]),
        ("", ["Algorithm"]),
        (" SHA1", ["Algorithm"]),
        ("SHA1 ", ["Algorithm"]),
        ("SHA1\n", ["Algorithm"]),
        ("\uff33\uff28\uff21\uff11", ["Algorithm"]),
        ("\u017fha1", ["Algorithm"]),
        ({"none": True}, ["Algorithm"]),
        ({"bytes_hex": b"SHA1".hex()}, ["Algorithm"]),
        ("sha1", ["AlgorithmSpelling"]),
        ("Sha256", ["AlgorithmSpelling"]),
        ("sha512", ["AlgorithmSpelling"]),
    ]:
        param_hotp_case(fb, tests, f"algorithm {json.dumps(alg)}", flags, algorithm=alg)
    for counter, flags in [
        (-1, ["Counter"]),
        (2**64, ["Counter"]),
        (2**64 + 1, ["Counter"]),
        (2**65, ["Counter"]),
        ({"bool": True}, ["Counter", "Bool"]),
        ({"bool": False}, ["Counter", "Bool"]),
        ({"float": "1.0"}, ["Counter"]),
        ({"str": "1"}, ["Counter"]),
        ({"none": True}, ["Counter"]),
        (2**64 - 1, ["Boundary"]),
        (0, ["Boundary"]),
    ]:
        param_hotp_case(fb, tests, f"counter {json.dumps(counter)}", flags, counter=counter)
    for key, comment in [
        ("", "empty key"),
        ({"str": "12345678901234567890"}, "key as text"),
        ({"none": True}, "key None"),
        ({"int": 1}, "key as int"),
    ]:
        param_hotp_case(fb, tests, comment, ["Key"], key=key)
    param_hotp_case(fb, tests, "1-byte key: the pure HOTP computes it", ["Boundary"], key="00")

    tests = fb.group("totp", "One-shot TOTP (and the TOTP object): key = RFC seed, 8 digits.")
    for kwargs, comment, flags in [
        ({"time": 999, "t0": 1000}, "time one second before T0", ["Time"]),
        ({"time": 0, "t0": 1}, "time 0, T0 = 1", ["Time"]),
        ({"time": -1}, "negative time", ["Time"]),
        ({"time": {"float": "-0.5"}}, "time -0.5 (floor is -1)", ["Time"]),
        ({"time": {"float": "nan"}}, "time NaN", ["Time"]),
        ({"time": {"float": "inf"}}, "time +infinity", ["Time"]),
        ({"time": {"float": "-inf"}}, "time -infinity", ["Time"]),
        ({"time": {"bool": True}}, "time True", ["Time", "Bool"]),
        ({"time": {"none": True}}, "time None", ["Time"]),
        ({"time": {"str": "59"}}, "time as text", ["Time"]),
        ({"time": {"datetime": "2005-03-18T01:58:29"}}, "naive datetime", ["Time"]),
        ({"time": 30 * 2**64}, "step 2**64 at X = 30", ["StepOverflow"]),
        ({"time": 2**64, "period": 1}, "step 2**64 at X = 1", ["StepOverflow"]),
        ({"time": 30 * 2**64 - 1}, "last step 2**64 - 1", ["Boundary"]),
        ({"time": 1000, "t0": 1000}, "time == T0", ["Boundary"]),
        ({"period": 0}, "period 0", ["Period"]),
        ({"period": -30}, "period -30", ["Period"]),
        ({"period": {"bool": True}}, "period True", ["Period", "Bool"]),
        ({"period": {"float": "30.0"}}, "period 30.0", ["Period"]),
        ({"period": {"none": True}}, "period None", ["Period"]),
        ({"period": 1}, "period 1", ["Boundary"]),
        ({"t0": {"bool": False}}, "T0 False", ["T0", "Bool"]),
        ({"t0": {"float": "0.0"}}, "T0 0.0", ["T0"]),
        ({"t0": {"none": True}}, "T0 None", ["T0"]),
        ({"digits": 5}, "digits 5", ["Digits"]),
        ({"digits": 11}, "digits 11", ["Digits"]),
        ({"algorithm": "md5"}, "algorithm md5", ["Algorithm"]),
        ({"algorithm": "SHA-256"}, "algorithm SHA-256", ["Algorithm"]),
    ]:
        param_totp_case(fb, tests, comment, flags, **cast(dict[str, Any], kwargs))

    tests = fb.group("verify_totp", "verify_totp (and TOTP.verify): rfc6238's own rules.")
    for window, flags in [
        (-1, ["Window"]),
        (101, ["Window"]),
        ([1, 2, 3], ["Window"]),
        ([-1, 1], ["Window"]),
        ([1, 101], ["Window"]),
        ({"bool": True}, ["Window", "Bool"]),
        ([{"bool": True}, 1], ["Window", "Bool"]),
        ({"float": "1.0"}, ["Window"]),
        ({"none": True}, ["Window"]),
    ]:
        error = "InvalidType" if "Bool" in flags or isinstance(window, dict) else "InvalidParameter"
        param_verify_case(
            fb, tests, "verify_totp", f"window {json.dumps(window)}", flags, error, window=window
        )
    param_verify_case(
        fb, tests, "verify_totp", "time before T0", ["Time"], "InvalidParameter", time=59, t0=60
    )
    param_verify_case(fb, tests, "verify_totp", "empty key", ["Key"], "SecretTooShort", key="")
    param_verify_case(
        fb,
        tests,
        "verify_totp",
        "empty key with allow_short_key",
        ["Key"],
        "SecretTooShort",
        key="",
        allow_short_key=True,
    )
    param_verify_case(
        fb,
        tests,
        "verify_totp",
        "algorithm SHA-1",
        ["Algorithm"],
        "UnsupportedAlgorithm",
        algorithm="SHA-1",
    )
    tests = fb.group("verify_hotp", "verify_hotp (and HOTP.verify): rfc6238's own rules.")
    for look_ahead, flags, error in [
        (-1, ["LookAhead"], "InvalidParameter"),
        (1001, ["LookAhead"], "InvalidParameter"),
        ({"bool": True}, ["LookAhead", "Bool"], "InvalidType"),
        ({"float": "1.0"}, ["LookAhead"], "InvalidType"),
    ]:
        param_verify_case(
            fb,
            tests,
            "verify_hotp",
            f"look_ahead {json.dumps(look_ahead)}",
            flags,
            error,
            look_ahead=look_ahead,
        )
    for counter, flags, error in [
        (-1, ["Counter"], "InvalidParameter"),
        (2**64, ["Counter"], "InvalidParameter"),
        ({"bool": False}, ["Counter", "Bool"], "InvalidType"),
    ]:
        param_verify_case(
            fb,
            tests,
            "verify_hotp",
            f"counter {json.dumps(counter)}",
            flags,
            error,
            counter=counter,
        )
    param_verify_case(
        fb, tests, "verify_hotp", "digits 11", ["Digits"], "InvalidParameter", digits=11
    )
    return fb.document()
