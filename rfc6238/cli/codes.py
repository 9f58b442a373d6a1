"""The ``code``, ``verify`` and ``explain`` subcommands (RFC 4226 §5.3, RFC 6238 §4, §5.2).

``code`` prints the TOTP code now (or ``--at TIME``) or the HOTP code at ``--counter``, with
``--window N`` for the neighbouring steps. ``verify`` checks a token over a window, every
candidate compared (RFC 6238 §5.2) and ``--last-step`` for replay refusal. ``explain``
prints the trace of one code: counter bytes, HMAC, offset, window, value, code. The secret
comes from :func:`rfc6238.cli.common.read_secret_text`; an ``otpauth://`` URI there supplies
the defaults of every parameter.

>>> p = resolve_text("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", hex_key=False)
>>> p.kind, p.digits, p.algorithm, p.period
('totp', 6, 'SHA1', 30)
"""

from __future__ import annotations

import sys
import time as _time
from dataclasses import dataclass, field, replace

from .._checks import (
    MAX_COUNTER,
    MIN_KEY_BYTES,
    check_algorithm,
    check_counter,
    check_digits,
    check_look_ahead,
    check_period,
    check_t0,
    check_token,
    check_window,
    to_seconds,
)
from ..core import hotp, time_step
from ..errors import InvalidToken, MalformedToken, ReplayedToken
from ..prepared import PreparedMAC
from ..secret import check_key
from ..verify import Match, best_match, scan
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    decode_key,
    emit_json,
    fail,
    parse_time,
    read_secret_text,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from ..trace import HOTPTrace, TOTPTrace

__all__ = ["OTPParams", "cmd_code", "cmd_explain", "cmd_verify", "resolve_text"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OTPParams:
    """Everything needed to compute one code; the key is never shown."""

    key: bytes = field(repr=False)
    kind: str = "totp"
    digits: int = 6
    algorithm: str = "SHA1"
    period: int = 30
    t0: int = 0
    counter: int | None = None


def resolve_text(text: str, *, hex_key: bool) -> OTPParams:
    """Turn secret text (base32, hex or an ``otpauth://`` URI) into default parameters."""
    if text[:10].lower() != "otpauth://":
        return OTPParams(key=decode_key(text, hex_key=hex_key))
    from ..uri import parse_uri  # provisioning module: imported only when a URI is given

    uri = parse_uri(text)
    return OTPParams(
        key=uri.secret,
        kind=uri.type,
        digits=uri.digits,
        algorithm=uri.algorithm,
        period=uri.period or 30,
        counter=uri.counter if uri.type == "hotp" else None,
    )


def add_otp_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``code``, ``verify`` and ``explain``."""
    group = parser.add_argument_group("OTP parameters (defaults: TOTP, 6 digits, SHA1, 30 s)")
    when = group.add_mutually_exclusive_group()
    when.add_argument("--at", metavar="TIME", help="Unix seconds or ISO 8601 with timezone")
    when.add_argument("--counter", type=int, metavar="C", help="HOTP counter (selects HOTP)")
    group.add_argument("--digits", type=int, help="code length, 6-10 (9, 10 beyond the RFC)")
    group.add_argument("--algorithm", help="SHA1, SHA256 or SHA512")
    group.add_argument("--period", type=int, metavar="X", help="TOTP step in seconds")
    group.add_argument("--t0", type=int, metavar="T0", help="TOTP start time (Unix seconds)")


def resolve(args: argparse.Namespace) -> tuple[OTPParams, int | float | None]:
    """Read the secret and merge command-line options over the URI/built-in defaults."""
    params = resolve_text(read_secret_text(args), hex_key=args.hex)
    changes: dict[str, Any] = {}
    if args.digits is not None:
        changes["digits"] = check_digits(args.digits)
    if args.algorithm is not None:
        changes["algorithm"] = check_algorithm(args.algorithm)
    if args.period is not None:
        changes["period"] = check_period(args.period)
    if args.t0 is not None:
        changes["t0"] = check_t0(args.t0)
    if args.counter is not None:
        changes["kind"] = "hotp"
        changes["counter"] = check_counter(args.counter)
    params = replace(params, **changes)
    moment = parse_time(args.at) if args.at is not None else None
    if params.kind == "hotp":
        if moment is not None:
            fail("--at applies to TOTP; this secret is HOTP (use --counter)")
        if params.counter is None:
            fail("HOTP needs --counter")
    elif params.kind != "totp":
        fail("the URI type must be totp or hotp")
    return params, moment


def _now(moment: int | float | None) -> int:
    return to_seconds(_time.time() if moment is None else moment, "--at")


def _current(params: OTPParams, moment: int | float | None) -> tuple[int, int | None]:
    """The expected counter/step and (for TOTP) the time in whole seconds."""
    if params.kind == "hotp":
        assert params.counter is not None
        return params.counter, None
    seconds = _now(moment)
    return time_step(seconds, period=params.period, t0=params.t0), seconds


def cmd_code(args: argparse.Namespace) -> int:
    """``rfc6238 code``: print the code (and ``--window`` neighbours)."""
    params, moment = resolve(args)
    expected, seconds = _current(params, moment)
    width = 0 if args.window is None else args.window
    if not 0 <= width <= 10:
        fail("--window must be between 0 and 10")
    rows = []
    for counter in range(max(expected - width, 0), min(expected + width, MAX_COUNTER) + 1):
        code = hotp(params.key, counter, digits=params.digits, algorithm=params.algorithm)
        rows.append({"offset": counter - expected, "counter": counter, "code": code})
    current = next(row for row in rows if row["offset"] == 0)
    if args.json:
        out: dict[str, Any] = {
            "type": params.kind,
            "code": current["code"],
            "counter": expected,
            "digits": params.digits,
            "algorithm": params.algorithm,
        }
        if seconds is not None:
            start = params.t0 + expected * params.period
            out.update(time=seconds, period=params.period, t0=params.t0)
            out.update(valid_from=start, valid_until=start + params.period - 1)
        if args.window is not None:
            out["window"] = rows
        emit_json(out)
    elif args.window is None:
        print(current["code"])
    else:
        label = "step" if params.kind == "totp" else "counter"
        for row in rows:
            mark = ">" if row["offset"] == 0 else " "
            print(f"{mark} {label} {row['counter']}  {row['offset']:+d}  {row['code']}")
    return EXIT_OK


def _read_token(args: argparse.Namespace) -> str:
    token: str = args.token
    if token == "-":  # noqa: S105 - "-" means standard input, not a password
        if args.secret_stdin:
            fail("standard input already carries the secret; pass the token as an argument")
        token = sys.stdin.readline().rstrip("\r\n")
    if args.strip_separators:
        token = token.replace(" ", "").replace("-", "")
    return token


def _verify(params: OTPParams, args: argparse.Namespace, token: str, expected: int) -> Match:
    raw = check_key(params.key, min_bytes=MIN_KEY_BYTES, allow_short_key=args.allow_short_key)
    if params.kind == "hotp":
        if args.window is not None:
            fail("--window applies to TOTP; HOTP takes --look-ahead (RFC 4226 §7.4)")
        past, future = 0, check_look_ahead(args.look_ahead or 0)
    else:
        if args.look_ahead is not None:
            fail("--look-ahead applies to HOTP; TOTP takes --window")
        past, future = check_window(_window("1" if args.window is None else args.window))
    wanted = check_token(token, params.digits)
    mac = PreparedMAC(raw, check_algorithm(params.algorithm))
    matches = scan(mac, wanted, expected - past, expected + future, params.digits)
    if args.last_step is not None and matches:
        fresh = [m for m in matches if m > args.last_step]
        if not fresh:
            raise ReplayedToken("the matching step is not after --last-step (RFC 6238 §5.2)")
        matches = fresh
    return best_match(matches, expected)


def _window(text: str) -> int | tuple[int, int]:
    try:
        if "," in text:
            past, future = text.split(",", 1)
            return int(past), int(future)
        return int(text)
    except ValueError:
        fail("--window must be N or PAST,FUTURE (whole steps)")


def cmd_verify(args: argparse.Namespace) -> int:
    """``rfc6238 verify``: exit 0 if the token is accepted, 1 if rejected."""
    params, moment = resolve(args)
    token = _read_token(args)
    expected, _ = _current(params, moment)
    try:
        match = _verify(params, args, token, expected)
    except InvalidToken as err:
        reason = (
            "malformed"
            if isinstance(err, MalformedToken)
            else "replayed"
            if isinstance(err, ReplayedToken)
            else "no-match"
        )
        if args.json:
            emit_json({"valid": False, "reason": reason, "message": str(err)})
        print(f"rfc6238 verify: rejected: {err}", file=sys.stderr)
        return EXIT_FAILED
    label = "step" if params.kind == "totp" else "counter"
    if args.json:
        out: dict[str, Any] = {"valid": True, "counter": match.counter, "offset": match.offset}
        if params.kind == "hotp":
            out["next_counter"] = match.counter + 1
        emit_json(out)
    else:
        print(f"accepted: {label} {match.counter} (offset {match.offset:+d})")
        if params.kind == "hotp":
            print(f"next counter: {match.counter + 1}")
        else:
            print(f"store --last-step {match.counter} to refuse a replay (RFC 6238 §5.2)")
    return EXIT_OK


def trace_lines(trace: HOTPTrace | TOTPTrace) -> list[str]:
    """The trace as aligned terminal lines, digest window marked with brackets.

    >>> from rfc6238 import trace_hotp
    >>> print(trace_lines(trace_hotp(b"12345678901234567890", 1))[-1])
    digest: [P], (last byte)     75 a4 8a 19 d4 cb e1 00 64 4e 8a [c1 39 7e ea] 74 7a 2d 33 (ab)
    """
    rows = trace._rows()
    width = max(len(name) for name, _ in rows)
    lines = [f"{name.ljust(width)}  {value}" for name, value in rows]
    cells = [f"{b:02x}" for b in trace.digest]
    cells[trace.offset] = "[" + cells[trace.offset]
    cells[trace.offset + 3] += "]"
    cells[-1] = "(" + cells[-1] + ")"
    lines.append(f"{'digest: [P], (last byte)'.ljust(width)}  {' '.join(cells)}")
    return lines


def cmd_explain(args: argparse.Namespace) -> int:
    """``rfc6238 explain``: the step-by-step computation of one code."""
    from ..trace import TOTPTrace, trace_hotp, trace_totp  # explain only: 3 ms off `code`

    params, moment = resolve(args)
    trace: HOTPTrace | TOTPTrace
    if params.kind == "hotp":
        assert params.counter is not None
        trace = trace_hotp(
            params.key, params.counter, digits=params.digits, algorithm=params.algorithm
        )
    else:
        trace = trace_totp(
            params.key,
            _now(moment),
            period=params.period,
            t0=params.t0,
            digits=params.digits,
            algorithm=params.algorithm,
        )
    if args.json:
        out: dict[str, Any] = {
            "algorithm": trace.algorithm,
            "key_length": trace.key_length,
            "counter": trace.counter,
            "counter_bytes": trace.counter_bytes.hex(),
            "digest": trace.digest.hex(),
            "offset": trace.offset,
            "window": trace.window.hex(),
            "value": trace.value,
            "digits": trace.digits,
            "modulus": trace.modulus,
            "code": trace.code,
        }
        if isinstance(trace, TOTPTrace):
            out.update(time=trace.time, t0=trace.t0, period=trace.period)
        emit_json(out)
    else:
        print("\n".join(trace_lines(trace)))
    return EXIT_OK
