"""``rfc6238 demo``: a short, deterministic terminal walkthrough of one TOTP code.

The RFC 6238 Appendix B test key and the instant 1111111109 (2005-03-18T01:58:29Z): the
secret, the time step (§4.2), the 8-byte counter (RFC 4226 §5.1), the HMAC (§5.2), the
dynamic truncation (§5.3), the code; then a verification with clock drift (RFC 6238 §6),
a full-width-digit token rejected, and why a verifier must store the matched step
(RFC 6238 §5.2: "MUST NOT accept the second attempt"). No clock, no randomness, no network.

>>> lines = demo_lines()
>>> any("07081804" in line for line in lines)
True
"""

from __future__ import annotations

from typing import Final

from .. import base32
from ..core import totp
from ..errors import MalformedToken
from ..otp import TOTP
from ..trace import trace_totp
from .codes import trace_lines
from .common import EXIT_OK

__all__ = ["cmd_demo", "demo_lines"]

KEY: Final = b"12345678901234567890"
INSTANT: Final = 1111111109


def _heading(number: int, title: str) -> list[str]:
    return ["", f"{number}. {title}", "-" * (len(title) + 3)]


def demo_lines() -> list[str]:
    """Every line of the walkthrough (pure: the same list on every run)."""
    lines = [
        "rfc6238 demo: one TOTP code, step by step (RFC 6238 + RFC 4226)",
        f"test key of RFC 6238 Appendix B, instant t = {INSTANT} (2005-03-18T01:58:29Z)",
    ]
    lines += _heading(1, "The shared secret")
    lines += [
        f"ASCII {KEY.decode()!r} = {len(KEY)} bytes = {8 * len(KEY)} bits",
        f"base32 (what an authenticator app scans): {base32.encode(KEY)}",
        "A real secret is random: `rfc6238 secret new` (RFC 6238 §5.1, RFC 4226 R6).",
    ]
    trace = trace_totp(KEY, INSTANT, digits=8)
    lines += _heading(2, "Time -> counter -> HMAC -> offset -> code")
    lines += trace_lines(trace)
    lines += [
        f"RFC 6238 Appendix B lists {trace.code} for SHA1 at {INSTANT}; "
        f"with 6 digits it is {totp(KEY, INSTANT)}.",
    ]
    otp = TOTP(key=KEY)
    behind = otp.at(INSTANT - 30)
    match = otp.verify(behind, INSTANT, window=1)
    lines += _heading(3, "Verify with clock drift (RFC 6238 §5.2, §6)")
    lines += [
        f"The phone's clock is 30 s behind: it shows {behind} (step {match.counter}).",
        f"verify(window=1) at t = {INSTANT}: accepted, matched step {match.counter}, "
        f"offset {match.offset:+d}.",
        "Every step in the window is computed and compared in constant time; none is skipped.",
    ]
    full_width = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in otp.at(INSTANT))
    lines += _heading(4, "A token that only looks right")
    lines += [
        f"Token {full_width!r} uses FULL-WIDTH digits (U+FF10..U+FF19).",
        f"int() reads it as {int(full_width)}, and str.isdigit() says {full_width.isdigit()}.",
    ]
    try:
        otp.verify(full_width, INSTANT)
    except MalformedToken as err:
        lines.append(f"rfc6238 rejects it: MalformedToken: {err}")
    lines += _heading(5, "Replay (RFC 6238 §5.2)")
    code = otp.at(INSTANT)
    first = otp.verify(code, INSTANT)
    second = otp.verify(code, INSTANT + 5)
    lines += [
        f"{code} verifies at t = {INSTANT} (step {first.counter}) and again 5 s later",
        f"(step {second.counter}): the math alone cannot tell a replay. So store the matched",
        "step and accept only a higher one: the two-factor service does this atomically,",
        "and the command line takes --last-step:",
    ]
    fresh = [step for step in otp.matches(code, INSTANT + 5) if step > first.counter]
    verdict = "accepted" if fresh else "rejected (ReplayedToken): no matching step is higher"
    lines.append(f"  rfc6238 verify ... --last-step {first.counter}  ->  {verdict}")
    lines += [
        "",
        "Next: `rfc6238 explain --help`, `rfc6238 conformance`, or the notebooks "
        "(bash scripts/walkthrough.sh).",
    ]
    return lines


def cmd_demo(args: object = None) -> int:
    """Print the walkthrough."""
    print("\n".join(demo_lines()))
    return EXIT_OK
