"""The ``code``, ``verify`` and ``explain`` subcommands (RFC 4226 §5.3, RFC 6238 §4, §5.2).

``code`` prints the TOTP code now (or ``--at TIME``) or the HOTP code at ``--counter``, with
``--window N`` for the neighbouring steps. ``verify`` checks a token over a window, every
candidate compared (RFC 6238 §5.2) and ``--last-step`` for replay refusal. ``explain``
prints the trace of one code: counter bytes, HMAC, offset, window, value, code. The secret
comes from :func:`rfc6238.cli.common.read_secret_text`; an ``otpauth://`` URI there supplies
the defaults of every parameter.

>>> p = resolve_text("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", hex_key=False)
>>> p.type, p.digits, p.algorithm, p.period
('totp', 6, 'SHA1', 30)
"""

from __future__ import annotations

import math
import sys
import time as _time

from ..core import hotp, pack_counter, time_step
from ..errors import InvalidToken, MalformedToken, ReplayedToken
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

    from ..otp import TOTP
    from ..trace import HOTPTrace, TOTPTrace
    from ..verify import Match

__all__ = ["OTPParams", "cmd_code", "cmd_explain", "cmd_verify", "resolve_text"]

#: The last counter an 8-byte moving factor can hold (RFC 4226 §5.1): ``code --window`` stops here.
_LAST_COUNTER = 2**64 - 1


class OTPParams:
    """Everything needed to compute one code; the key is never shown.

    A plain class with ``__slots__`` rather than a dataclass: importing :mod:`dataclasses`
    was the largest single cost of ``rfc6238 code`` start-up (about 6 ms of 23 ms CPU from a
    wheel, benchmarks/bench_startup.py). It is immutable by convention: :meth:`replace`
    returns a changed copy.
    """

    __slots__ = ("algorithm", "counter", "digits", "key", "period", "t0", "type")

    def __init__(
        self,
        *,
        key: bytes,
        type: str = "totp",
        digits: int = 6,
        algorithm: str = "SHA1",
        period: int = 30,
        t0: int = 0,
        counter: int | None = None,
    ) -> None:
        self.key, self.type, self.digits, self.algorithm = key, type, digits, algorithm
        self.period, self.t0, self.counter = period, t0, counter

    def replace(self, **changes: Any) -> OTPParams:
        """A copy with ``changes`` applied (the keyword names of the constructor)."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        return OTPParams(**{**fields, **changes})

    def __repr__(self) -> str:
        return (
            f"OTPParams(type={self.type!r}, digits={self.digits}, algorithm={self.algorithm!r}, "
            f"period={self.period}, t0={self.t0}, counter={self.counter}, key=<hidden>)"
        )


def resolve_text(text: str, *, hex_key: bool) -> OTPParams:
    """Turn secret text (base32, hex or an ``otpauth://`` URI) into default parameters."""
    if text[:10].lower() != "otpauth://":
        return OTPParams(key=decode_key(text, hex_key=hex_key))
    from ..uri import parse_uri  # provisioning module: imported only when a URI is given

    uri = parse_uri(text)
    return OTPParams(
        key=uri.secret,
        type=uri.type,
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
    options = {"digits": args.digits, "algorithm": args.algorithm, "period": args.period}
    changes: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if args.t0 is not None:
        changes["t0"] = args.t0
    if args.counter is not None:
        pack_counter(args.counter)  # the typed error for a counter outside 0..2**64-1
        changes.update(type="hotp", counter=args.counter)
    params = params.replace(**changes)
    # The other values are checked by the public functions that use them (hotp, time_step,
    # the TOTP/HOTP constructors, the traces): typed errors naming each rule.
    moment = parse_time(args.at) if args.at is not None else None
    if params.type == "hotp":
        if moment is not None:
            fail("--at applies to TOTP; this secret is HOTP (use --counter)")
        for option, value in (("--period", args.period), ("--t0", args.t0)):
            if value is not None:
                fail(f"{option} applies to TOTP; this secret is HOTP (RFC 4226 has no time step)")
        if params.counter is None:
            fail("HOTP needs --counter")
    elif params.type != "totp":
        fail("the URI type must be totp or hotp")
    return params, moment


def _clock(moment: int | float | None) -> int | float:
    """``--at`` if given, else now: the one place the command line reads the clock."""
    return _time.time() if moment is None else moment


def _current(params: OTPParams, moment: int | float | None) -> tuple[int, int | None]:
    """The expected counter/step and (for TOTP) the time in whole seconds."""
    if params.type == "hotp":
        assert params.counter is not None
        return params.counter, None
    when = _clock(moment)
    step = time_step(when, period=params.period, t0=params.t0)  # checks the time first
    return step, math.floor(when)


def cmd_code(args: argparse.Namespace) -> int:
    """``rfc6238 code``: print the code (and ``--window`` neighbours)."""
    params, moment = resolve(args)
    expected, seconds = _current(params, moment)
    width = 0 if args.window is None else args.window
    if not 0 <= width <= 10:
        fail("--window must be between 0 and 10")
    rows = []
    for counter in range(max(expected - width, 0), min(expected + width, _LAST_COUNTER) + 1):
        code = hotp(params.key, counter, digits=params.digits, algorithm=params.algorithm)
        rows.append({"offset": counter - expected, "counter": counter, "code": code})
    current = next(row for row in rows if row["offset"] == 0)
    if args.json:
        out: dict[str, Any] = {
            "type": params.type,
            "code": current["code"],
            "counter": expected,
            "digits": params.digits,
            "algorithm": params.algorithm.upper(),  # hotp() accepted it: SHA1/256/512, any case
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
        label = "step" if params.type == "totp" else "counter"
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


def _totp(params: OTPParams, *, allow_short_key: bool) -> TOTP:
    """The public TOTP configuration of ``params``; its constructor checks every parameter."""
    from ..otp import TOTP  # verify only: the OTP objects stay off the `code` path

    return TOTP(
        key=params.key,
        digits=params.digits,
        algorithm=params.algorithm,
        period=params.period,
        t0=params.t0,
        allow_short_key=allow_short_key,
    )


def _verify(params: OTPParams, args: argparse.Namespace, token: str, moment: float | None) -> Match:
    """Verify through the public API: the OTP objects check every argument and ``after=``."""
    if params.type == "hotp":
        from ..otp import HOTP

        if args.window is not None:
            fail("--window applies to TOTP; HOTP takes --look-ahead (RFC 4226 §7.4)")
        assert params.counter is not None
        config = HOTP(
            key=params.key,
            digits=params.digits,
            algorithm=params.algorithm,
            allow_short_key=args.allow_short_key,
        )
        look_ahead = 0 if args.look_ahead is None else args.look_ahead
        return config.verify(token, params.counter, look_ahead=look_ahead, after=args.last_step)
    if args.look_ahead is not None:
        fail("--look-ahead applies to HOTP; TOTP takes --window")
    window = _window("1" if args.window is None else args.window)
    return _totp(params, allow_short_key=args.allow_short_key).verify(
        token, _clock(moment), window=window, after=args.last_step
    )


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
    try:
        match = _verify(params, args, token, moment)
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
    label = "step" if params.type == "totp" else "counter"
    if args.json:
        out: dict[str, Any] = {"valid": True, "counter": match.counter, "offset": match.offset}
        if params.type == "hotp":
            out["next_counter"] = match.counter + 1
        emit_json(out)
    else:
        print(f"accepted: {label} {match.counter} (offset {match.offset:+d})")
        if params.type == "hotp":
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
    if params.type == "hotp":
        assert params.counter is not None
        trace = trace_hotp(
            params.key, params.counter, digits=params.digits, algorithm=params.algorithm
        )
    else:
        trace = trace_totp(
            params.key,
            _clock(moment),
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
