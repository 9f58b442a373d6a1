"""``rfc6238 conformance --selftest-adapter CMD``: check a JSON-lines adapter's protocol first.

Every adapter bug looks like a library failure, so before any verdict is trusted the
self-test speaks the protocol of ``docs/protocol.md`` with *echo* cases, which involve no OTP
at all: ``hello`` must name the library; ``echo`` must return its ``args`` unchanged (text
with non-ASCII, control and bidi characters, tagged values, lists, and integers up to
2**64 - 1 whose ``FIELD_text`` twins must come back exactly); an unknown operation must be
answered ``unsupported`` (not ``error``, not a crash); two requests written at once must be
answered in order, each with its own ``id``.

>>> [name for name, _ in CHECKS][:2]
['hello names the library', 'echo: plain text and small integers']
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, TextIO

from .adapters import AdapterError
from .process import JsonLinesImplementation, with_text

__all__ = ["CHECKS", "selftest", "selftest_main"]

_ECHOES: Final[dict[str, dict[str, Any]]] = {
    "plain": {"text": "hello", "n": 1, "flag": {"bool": True}},
    "unicode": {"text": "caf\u00e9 \u202e\u0007 \u2028 \U0001f511", "empty": ""},
    "big": {"counter": 2**64 - 1, "time": 2**53 + 1, "negative": -(2**63), "list": [0, 2**60]},
    "tags": {"t": {"float": "nan"}, "n": {"none": True}, "b": {"bytes_hex": "00ff"}},
}


def _echo(impl: JsonLinesImplementation, name: str) -> str:
    args = with_text(_ECHOES[name])
    impl.sequence += 1
    reply = impl.request({"id": str(impl.sequence), "op": "echo", "args": args})
    got = reply.get("result")
    if not isinstance(got, dict):
        return f"result is not the args object: {json.dumps(reply)[:160]}"
    numeric = {k.removesuffix("_text") for k in args if k.endswith("_text")}
    wrong = [k for k, v in args.items() if k not in numeric and got.get(k) != v]
    if wrong:
        return f"changed {', '.join(wrong)}: {json.dumps(got, ensure_ascii=True)[:200]}"
    rounded = [k for k in numeric if got.get(k) != args[k]]
    if rounded:
        return f"warning: big integers rounded ({', '.join(rounded)}); read the *_text fields"
    return ""


def _hello(impl: JsonLinesImplementation) -> str:
    reply = impl.request({"id": "hello", "op": "hello"})
    result = reply.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("name"), str):
        return f"hello must answer {{'name': ..., 'version': ...}}: {json.dumps(reply)[:160]}"
    return ""


def _unknown(impl: JsonLinesImplementation) -> str:
    impl.sequence += 1
    reply = impl.request({"id": str(impl.sequence), "op": "no_such_operation", "args": {}})
    return "" if "unsupported" in reply else f"want 'unsupported', got {json.dumps(reply)[:160]}"


def _pipelined(impl: JsonLinesImplementation) -> str:
    assert impl.proc.stdin is not None
    ids = [str(impl.sequence + 1), str(impl.sequence + 2)]
    impl.sequence += 2
    for i in ids:
        impl.proc.stdin.write(json.dumps({"id": i, "op": "echo", "args": {"i": i}}) + "\n")
    impl.proc.stdin.flush()
    got = []
    for _ in ids:
        line = impl.lines.get(timeout=impl.timeout)
        got.append(json.loads(line).get("id") if line else None)
    return "" if got == ids else f"replies out of order: sent {ids}, got {got}"


CHECKS: Final[list[tuple[str, Callable[[JsonLinesImplementation], str]]]] = [
    ("hello names the library", _hello),
    ("echo: plain text and small integers", lambda i: _echo(i, "plain")),
    ("echo: non-ASCII, control and bidi text", lambda i: _echo(i, "unicode")),
    ("echo: integers above 2**53 and their _text", lambda i: _echo(i, "big")),
    ("echo: tagged values", lambda i: _echo(i, "tags")),
    ("an unknown operation is 'unsupported'", _unknown),
    ("two pipelined requests answered in order", _pipelined),
]


def selftest(command: str, *, timeout: float = 10.0) -> list[tuple[str, str]]:
    """Run every check; ``[(check, problem)]`` with ``""`` for a check that passed."""
    try:
        impl = JsonLinesImplementation(command, timeout=timeout)
    except AdapterError as err:
        return [("the adapter starts and answers hello", str(err))]
    out = []
    try:
        for name, check in CHECKS:
            try:
                out.append((name, check(impl)))
            except (AdapterError, ValueError, OSError) as err:
                out.append((name, f"{type(err).__name__}: {err}"))
                impl.restart()
    finally:
        impl.close()
    return out


def selftest_main(command: str, out: TextIO) -> int:
    """Print one line per check; 0 if none failed (warnings allowed), else 1."""
    failed = 0
    for name, problem in selftest(command):
        mark = "ok  " if not problem else ("warn" if problem.startswith("warning") else "FAIL")
        failed += mark == "FAIL"
        print(f"{mark} {name}" + (f": {problem}" if problem else ""), file=out)
    print("adapter protocol: " + ("ok" if not failed else f"{failed} check(s) failed"), file=out)
    return 1 if failed else 0
