"""vectors/verify.json: verification windows, look-ahead and collisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import rfc6238
from rfc6238 import errors as _errors
from rfc6238.conformance.adapters import Rejected as AdapterRejected
from rfc6238.conformance.adapters import refusal_kind

from ._base import MAX64, SEED20, SEEDS
from .filebuilder import FileBuilder, _expect, hexkey, self_made_source
from .hotp_edges import derived_key
from .oracles import (
    OathtoolError,
    Refused,
    Verdicts,
    _builtin,
    _hex,
    _oathtool,
    _plain_int,
    _why,
    ask,
    crypto_hotp,
    minimal_hotp,
    oath_dec_hotp,
    oath_hotp,
    pyotp_hotp,
)


class Rejected(Exception):
    """A direct verifier said no."""


#: Collisions found once by a search from counter 0 (SHA1, RFC seed, 6 digits); the script
#: asserts they still collide.
COLLIDE_NEXT = 910737  # code(c) == code(c + 1) == "911617"
COLLIDE_SKIP = 153567  # code(c) == code(c + 2) == "468457"


def window_oracles(
    key: bytes, first: int, last: int, digits: int, alg: str, token: str
) -> dict[str, Callable[[], str]]:
    """Oracles that generate every code in first..last themselves and list the matches."""

    def via(func: Callable[[bytes, int, int, str], str]) -> Callable[[], str]:
        def run() -> str:
            hits = [
                c
                for c in range(max(first, 0), min(last, MAX64) + 1)
                if func(key, c, digits, alg) == token
            ]
            return f"matches {hits}"

        return run

    def via_oathtool() -> str:
        lo, hi = max(first, 0), min(last, MAX64)
        if digits not in (6, 7, 8):
            raise Refused("only digits 6, 7 and 8 are supported")
        if alg == "SHA1":
            out = _oathtool(
                "--hotp", "-c", str(lo), "-w", str(hi - lo), "-d", str(digits), key.hex()
            )
        else:
            if hi >= 2**63:
                raise Refused("-N @TIME takes a signed 64-bit time")
            out = _oathtool(
                f"--totp={alg}",
                "-s",
                "1s",
                "-N",
                f"@{lo}",
                "-w",
                str(hi - lo),
                "-d",
                str(_plain_int(digits, "digits")),
                _hex(key),
            )
        codes = out.split()
        return f"matches {[lo + i for i, code in enumerate(codes) if code == token]}"

    oath_func = oath_hotp if digits <= 8 else oath_dec_hotp
    return {
        "cryptography-window": via(crypto_hotp),
        "pyotp-window": via(pyotp_hotp),
        "oath-window": via(oath_func),
        "oathtool-window": via_oathtool,
        "minimal-window": via(minimal_hotp),
    }


def _verdict(name: str, op: str, **args: Any) -> dict[str, Any]:
    """A runner adapter's verification answer; its "no" becomes :class:`Rejected`."""
    try:
        answer: dict[str, Any] = ask(name, op, **args)
    except (AdapterRejected, OathtoolError) as err:
        text = str(err)
        if "cannot parse" in text:  # oathtool cannot read the input: not a verdict
            raise Refused(text.split(": ", 1)[-1][:90]) from err
        raise Rejected(text) from err
    return answer


def direct_totp_verifiers(
    key: bytes,
    token: str,
    time: int,
    past: int,
    future: int,
    period: int,
    t0: int,
    digits: int,
    alg: str,
) -> dict[str, Callable[[], str]]:
    """The oracles' own verify functions (the runner's adapters); each returns its offset."""
    case = {"key": key, "token": token, "time": time, "window": (past, future),
            "period": period, "t0": t0, "digits": digits, "algorithm": alg}  # fmt: skip

    def pyotp_verify() -> str:
        if t0 != 0 or past != future:
            raise Refused("no T0 / symmetric valid_window only")
        try:
            _builtin("pyotp").otp("totp", case, True)  # type: ignore[attr-defined]  # PyotpImplementation
        except ValueError as err:
            raise Refused(_why(err)) from err
        return f"offset {_verdict('pyotp', 'verify_totp', **case, allow_short_key=True)['offset']}"

    def oath_verify() -> str:
        if t0 != 0 or digits > 8:
            raise Refused("no T0 / formats dec6-dec8 only")
        return f"offset {_verdict('oath', 'verify_totp', **case)['offset']}"

    def oathtool_verify() -> str:
        if past != future or digits > 8:
            raise Refused("symmetric -w window and digits 6-8 only")
        return f"|offset| {_verdict('oathtool', 'verify_totp', **case)['abs_offset']}"

    return {
        "pyotp-verify": pyotp_verify,
        "oath-verify": oath_verify,
        "oathtool-verify": oathtool_verify,
    }


def direct_hotp_verifiers(
    key: bytes, token: str, counter: int, look_ahead: int, digits: int, alg: str
) -> dict[str, Callable[[], str]]:
    case = {"key": key, "token": token, "counter": counter, "look_ahead": look_ahead,
            "digits": digits, "algorithm": alg}  # fmt: skip

    def oath_verify() -> str:
        if digits > 8:
            raise Refused("formats dec6-dec8 only")
        return f"offset {_verdict('oath', 'verify_hotp', **case)['offset']}"

    def oathtool_verify() -> str:
        if alg != "SHA1" or digits > 8:
            raise Refused("--hotp is SHA-1 only; digits 6-8")
        return f"offset {_verdict('oathtool', 'verify_hotp', **case)['offset']}"

    return {"oath-verify": oath_verify, "oathtool-verify": oathtool_verify}


def record_verify(
    verdicts: Verdicts, oracles: dict[str, Callable[[], str]], expected: str | None
) -> None:
    for name, run in oracles.items():
        try:
            got = run()
        except Refused as err:
            verdicts.refused.append({"oracle": name, "reason": str(err)})
            continue
        except Rejected:
            if expected is None:
                verdicts.verified_by.append(name)
            else:
                verdicts.disagreed.append({"oracle": name, "got": "rejected"})
            continue
        except Exception as err:
            if refusal_kind(err) == "crash":  # a crash verifies nothing: always a failure
                verdicts.disagreed.append({"oracle": name, "got": f"crash: {_why(err)}"})
            elif expected is None:
                verdicts.verified_by.append(name)
                verdicts.notes.append({"oracle": name, "note": f"rejected by raising {_why(err)}"})
            else:
                verdicts.refused.append({"oracle": name, "reason": _why(err)})
            continue
        want = expected
        if expected is not None and got.startswith("|offset|"):
            want = f"|offset| {abs(int(expected.split()[1]))}"
        if got == want:
            verdicts.verified_by.append(name)
        else:
            verdicts.disagreed.append(
                {"oracle": name, "got": got if expected is not None else f"accepted: {got}"}
            )


def _checked_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    fields: dict[str, Any],
    error: str | None,
    verify: Callable[[], rfc6238.Match],
    matches: Callable[[], list[int]],
) -> tuple[dict[str, Any], str | None]:
    """The case rfc6238's ``verify()`` makes of ``fields``, and the offset oracles must find.

    An ``RFC6238Error`` must be ``error`` (an invalid case, no offset); an accepted token
    records its match and every matching counter of the window (``matches()``).
    """
    try:
        match = verify()
    except _errors.RFC6238Error as err:
        _expect(type(err).__name__ == error, f"{comment}: raised {type(err).__name__}")
        return fb.case(tests, comment, flags, "invalid", **fields, error=error), None
    _expect(error is None, f"{comment}: accepted")
    case = fb.case(
        tests,
        comment,
        flags,
        "valid",
        **fields,
        match={"counter": match.counter, "offset": match.offset},
        matches=matches(),
    )
    return case, f"offset {match.offset}"


def _ask_verifiers(
    case: dict[str, Any],
    expected: str | None,
    window: Callable[[], dict[str, Callable[[], str]]],
    direct: Callable[[], dict[str, Callable[[], str]]],
    *,
    oracles: bool,
) -> dict[str, Any]:
    """Ask the window oracles (the case's ``matches``) and the direct verifiers (``expected``)."""
    verdicts = Verdicts()
    if oracles:
        record_verify(verdicts, window(), f"matches {case.get('matches', [])}")
        record_verify(verdicts, direct(), expected)
    return verdicts.dump(case)


def verify_totp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    key: bytes,
    token: str,
    time: int,
    window: int | tuple[int, int],
    *,
    period: int = 30,
    t0: int = 0,
    digits: int = 6,
    alg: str = "SHA1",
    allow_short_key: bool = False,
    error: str | None = None,
    oracles: bool = True,
) -> dict[str, Any]:
    past, future = (window, window) if isinstance(window, int) else window
    step = rfc6238.time_step(time, period=period, t0=t0)
    fields: dict[str, Any] = {
        "key": hexkey(key),
        "token": token,
        "time": time,
        "window": window if isinstance(window, int) else list(window),
        "period": period,
        "t0": t0,
        "digits": digits,
        "algorithm": alg,
        "allow_short_key": allow_short_key,
        "step": step,
    }
    options: dict[str, Any] = {"digits": digits, "algorithm": alg, "period": period, "t0": t0,
                               "allow_short_key": allow_short_key}  # fmt: skip
    case, expected = _checked_case(
        fb,
        tests,
        comment,
        flags,
        fields,
        error,
        lambda: rfc6238.verify_totp(key, token, time, window=window, **options),
        lambda: rfc6238.TOTP(key=key, **options).matches(token, time, window=window),
    )
    return _ask_verifiers(
        case,
        expected,
        lambda: window_oracles(key, step - past, step + future, digits, alg, token),
        lambda: direct_totp_verifiers(key, token, time, past, future, period, t0, digits, alg),
        oracles=oracles,
    )


def verify_hotp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    key: bytes,
    token: str,
    counter: int,
    look_ahead: int,
    *,
    digits: int = 6,
    alg: str = "SHA1",
    allow_short_key: bool = False,
    error: str | None = None,
    oracles: bool = True,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": hexkey(key),
        "token": token,
        "counter": counter,
        "look_ahead": look_ahead,
        "digits": digits,
        "algorithm": alg,
        "allow_short_key": allow_short_key,
    }
    last = min(counter + look_ahead, MAX64)
    case, expected = _checked_case(
        fb,
        tests,
        comment,
        flags,
        fields,
        error,
        lambda: rfc6238.verify_hotp(
            key,
            token,
            counter,
            look_ahead=look_ahead,
            digits=digits,
            algorithm=alg,
            allow_short_key=allow_short_key,
        ),
        lambda: [
            c
            for c in range(counter, last + 1)
            if rfc6238.hotp(key, c, digits=digits, algorithm=alg) == token
        ],
    )
    return _ask_verifiers(
        case,
        expected,
        lambda: window_oracles(key, counter, counter + look_ahead, digits, alg, token),
        lambda: direct_hotp_verifiers(key, token, counter, look_ahead, digits, alg),
        oracles=oracles,
    )


def build_verify() -> dict[str, Any]:
    fb = FileBuilder(
        "verify",
        "Self-made verification vectors: token, time or counter, window or look-ahead -> the "
        "matched counter/step and its offset (Match), every matching counter in the window "
        "(matches), or the error. Windows are [past, future] steps or one int for both.",
        self_made_source(
            "Tokens are codes of chosen steps around the current one; two code collisions "
            "(found once by a search from counter 0) test which match wins.",
            [
                "RFC 6238 §5.2, §6 (window, drift)",
                "RFC 4226 §7.4 (look-ahead)",
                "RFC 4226 §4 R6 (128-bit keys)",
            ],
        ),
    )
    fb.note(
        OnTime="The token is the code of the current step or counter.",
        Drift="The token is the code of a step inside the window but not the current one.",
        OutsideWindow="The token is a real code, of a step just outside the window.",
        AsymmetricWindow="Different past and future window sides.",
        WindowClipped="The window reaches below step 0 or above 2**64 - 1 and is clipped.",
        LargeWindow="The largest window (100 per side) or look-ahead (1000) allowed.",
        Collision="Two steps in the window have the same code: 'matches' lists both; the "
        "match closest to the expected step wins, ties to the earlier (rfc6238 policy).",
        LookAhead="HOTP resynchronisation window (RFC 4226 §7.4): counter .. counter + s.",
        Behind="HOTP token of a counter already passed: never accepted.",
        ShortKey="Key under 16 bytes (RFC 4226 R6): rejected unless allow_short_key.",
        NonZeroT0="T0 != 0.",
        Period="A time step X other than 30 s.",
        LargeStep="Steps near 2**53 or 2**64 - 1.",
        Digits="8 digits or more.",
        Policy="The expected result is rfc6238's policy, not an RFC rule (oracles not asked).",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
    )
    key = SEED20
    code = rfc6238.hotp

    tests = fb.group("verify_totp", "TOTP windows; SHA1 seed, X = 30, 6 digits.")
    time = 1111111109
    step = rfc6238.time_step(time)
    for delta, window, flags in [
        (0, 1, ["OnTime"]),
        (0, 0, ["OnTime"]),
        (-1, 1, ["Drift"]),
        (1, 1, ["Drift"]),
        (-2, 1, ["OutsideWindow"]),
        (2, 1, ["OutsideWindow"]),
        (-1, 0, ["OutsideWindow"]),
        (1, 0, ["OutsideWindow"]),
        (1, (1, 0), ["AsymmetricWindow", "OutsideWindow"]),
        (-1, (1, 0), ["AsymmetricWindow", "Drift"]),
        (3, (0, 3), ["AsymmetricWindow", "Drift"]),
        (-3, (0, 3), ["AsymmetricWindow", "OutsideWindow"]),
        (-5, 5, ["Drift"]),
        (-100, 100, ["LargeWindow", "Drift"]),
        (100, (0, 100), ["LargeWindow", "Drift"]),
        (101, 100, ["LargeWindow", "OutsideWindow"]),
    ]:
        token = code(key, step + delta)
        error = None if "OutsideWindow" not in flags else "InvalidToken"
        verify_totp_case(
            fb,
            tests,
            f"code of step T{delta:+d}, window {window}",
            flags,
            key,
            token,
            time,
            cast(int | tuple[int, int], window),
            error=error,
        )
    for when, delta in [(30 * step, 0), (30 * step - 1, 1), (30 * step + 29, 0)]:
        verify_totp_case(
            fb,
            tests,
            f"first/last second of a step: time {when}",
            ["OnTime"] if delta == 0 else ["Drift"],
            key,
            code(key, step),
            when,
            1,
        )
    verify_totp_case(
        fb,
        tests,
        "step 0 with window 2: the past side is clipped at 0",
        ["WindowClipped", "OnTime"],
        key,
        code(key, 0),
        10,
        2,
    )
    verify_totp_case(
        fb,
        tests,
        "step 1, token of step 0, window 3",
        ["WindowClipped", "Drift"],
        key,
        code(key, 0),
        45,
        3,
    )
    top = 30 * 2**64 - 1
    verify_totp_case(
        fb,
        tests,
        "last step 2**64 - 1, window 1: future side clipped",
        ["WindowClipped", "LargeStep", "OnTime"],
        key,
        code(key, MAX64),
        top,
        1,
    )
    verify_totp_case(
        fb,
        tests,
        "last step, token of step 2**64 - 2",
        ["WindowClipped", "LargeStep", "Drift"],
        key,
        code(key, MAX64 - 1),
        top,
        1,
    )
    big = 2**53 + 1
    verify_totp_case(
        fb,
        tests,
        "time 2**53 + 1, token of the next step",
        ["LargeStep", "Drift"],
        key,
        code(key, big // 30 + 1),
        big,
        1,
    )
    for alg in ("SHA256", "SHA512"):
        seed = SEEDS[alg]
        s = rfc6238.time_step(20000000000)
        for delta in (-1, 1):
            verify_totp_case(
                fb,
                tests,
                f"{alg} 8 digits, step T{delta:+d}",
                ["Drift", "Digits"],
                seed,
                code(seed, s + delta, digits=8, algorithm=alg),
                20000000000,
                1,
                digits=8,
                alg=alg,
            )
    for digits in (9, 10):
        verify_totp_case(
            fb,
            tests,
            f"{digits} digits, step T-1",
            ["Drift", "Digits"],
            key,
            code(key, step - 1, digits=digits),
            time,
            1,
            digits=digits,
        )
    verify_totp_case(
        fb,
        tests,
        "T0 = 1000, X = 60, time T0 + 120 (step 2), token of step 1",
        ["NonZeroT0", "Period", "Drift"],
        key,
        code(key, 1),
        1120,
        1,
        period=60,
        t0=1000,
    )
    verify_totp_case(
        fb,
        tests,
        "T0 = 1000, X = 60, time T0 + 120, token of step 0",
        ["NonZeroT0", "Period", "OutsideWindow"],
        key,
        code(key, 0),
        1120,
        1,
        period=60,
        t0=1000,
        error="InvalidToken",
    )
    _expect(code(key, COLLIDE_NEXT) == code(key, COLLIDE_NEXT + 1), "collision c, c+1")
    _expect(code(key, COLLIDE_SKIP) == code(key, COLLIDE_SKIP + 2), "collision c, c+2")
    verify_totp_case(
        fb,
        tests,
        "collision: steps c and c+1 share a code; at step c+1 the on-time match wins",
        ["Collision", "Policy"],
        key,
        code(key, COLLIDE_NEXT),
        30 * (COLLIDE_NEXT + 1),
        1,
    )
    verify_totp_case(
        fb,
        tests,
        "collision: steps c and c+2 share a code; at step c+1 both are 1 away, the earlier wins",
        ["Collision", "Policy"],
        key,
        code(key, COLLIDE_SKIP),
        30 * (COLLIDE_SKIP + 1),
        1,
    )
    short = derived_key(10, "short")
    verify_totp_case(
        fb,
        tests,
        "10-byte key without allow_short_key",
        ["ShortKey", "Policy"],
        short,
        code(short, step),
        time,
        1,
        error="SecretTooShort",
        oracles=False,
    )
    verify_totp_case(
        fb,
        tests,
        "10-byte key with allow_short_key",
        ["ShortKey", "OnTime"],
        short,
        code(short, step),
        time,
        1,
        allow_short_key=True,
    )
    k16 = derived_key(16, "short")
    verify_totp_case(
        fb,
        tests,
        "16-byte key: the minimum without allow_short_key",
        ["OnTime"],
        k16,
        code(k16, step),
        time,
        1,
    )

    tests = fb.group("verify_hotp", "HOTP look-ahead; SHA1 seed, 6 digits.")
    for counter, target, look_ahead, flags in [
        (0, 0, 0, ["OnTime"]),
        (0, 1, 0, ["OutsideWindow"]),
        (0, 3, 5, ["LookAhead"]),
        (0, 5, 5, ["LookAhead"]),
        (0, 6, 5, ["OutsideWindow"]),
        (1, 0, 5, ["Behind"]),
        (0, 1000, 1000, ["LargeWindow", "LookAhead"]),
        (0, 1001, 1000, ["LargeWindow", "OutsideWindow"]),
        (MAX64, MAX64, 10, ["WindowClipped", "OnTime"]),
        (MAX64 - 3, MAX64, 5, ["WindowClipped", "LookAhead"]),
        (2**53 - 1, 2**53 + 1, 3, ["LargeStep", "LookAhead"]),
        (COLLIDE_SKIP, COLLIDE_SKIP, 2, ["Collision", "OnTime", "Policy"]),
        (COLLIDE_NEXT, COLLIDE_NEXT, 1, ["Collision", "OnTime", "Policy"]),
    ]:
        invalid = bool({"OutsideWindow", "Behind"} & set(flags))
        verify_hotp_case(
            fb,
            tests,
            f"counter {counter}, code of {target}, look-ahead {look_ahead}",
            flags,
            key,
            code(key, target),
            counter,
            look_ahead,
            error="InvalidToken" if invalid else None,
        )
    for alg in ("SHA256", "SHA512"):
        seed = SEEDS[alg]
        verify_hotp_case(
            fb,
            tests,
            f"{alg}, 8 digits, code of counter 7, look-ahead 9",
            ["LookAhead", "Digits"],
            seed,
            code(seed, 7, digits=8, algorithm=alg),
            0,
            9,
            digits=8,
            alg=alg,
        )
    verify_hotp_case(
        fb,
        tests,
        "10 digits, code of counter 2, look-ahead 2",
        ["LookAhead", "Digits"],
        key,
        code(key, 2, digits=10),
        0,
        2,
        digits=10,
    )
    verify_hotp_case(
        fb,
        tests,
        "10-byte key without allow_short_key",
        ["ShortKey", "Policy"],
        short,
        code(short, 0),
        0,
        0,
        error="SecretTooShort",
        oracles=False,
    )
    verify_hotp_case(
        fb,
        tests,
        "10-byte key with allow_short_key",
        ["ShortKey", "OnTime"],
        short,
        code(short, 0),
        0,
        0,
        allow_short_key=True,
    )
    return fb.document()
