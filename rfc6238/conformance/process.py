"""Out-of-process implementations: a command line per case, or a JSON-lines process.

These let the conformance runner (:mod:`rfc6238.conformance`) measure an OTP
implementation in any language: :class:`CommandImplementation` fills an argv template per
case (no shell, so vector data cannot inject commands) and reads standard output and the
exit status; :class:`JsonLinesImplementation` keeps one process and exchanges one JSON
object per line each way (the protocol is in ``docs/conformance.md``). The operations and
verdict rules are those of :mod:`rfc6238.conformance.adapters` (RFC 4226 §5.3, RFC 6238
§4 and §5.2, RFC 4648 §6).

>>> CommandImplementation(["oathtool --hotp -c {counter} {key_hex}"]).templates
{'hotp': 'oathtool --hotp -c {counter} {key_hex}'}
"""

from __future__ import annotations

import base64
import collections
import contextlib
import json
import queue
import shlex
import signal
import string
import subprocess
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final

from .adapters import INPUTS, AdapterError, Crashed, Implementation, Rejected, Unsupported

__all__ = ["CommandImplementation", "JsonLinesImplementation", "command_values", "with_text"]

_HEX: Final = frozenset("0123456789abcdefABCDEF")
#: Placeholders that carry each input field (a template must use one of them, or the case
#: is skipped rather than run with the field silently dropped).
_CARRIERS: Final[dict[str, frozenset[str]]] = {
    "key": frozenset({"key_hex", "key_base32"}),
    "digest": frozenset({"digest_hex"}),
    "window": frozenset({"window", "past", "future"}),
    "time": frozenset({"time", "time_iso"}),
    "algorithm": frozenset({"algorithm", "algorithm_lower"}),
}
#: Input values that equal what a template without the placeholder means anyway.
_DEFAULTS: Final[dict[str, object]] = {
    "digits": 6, "algorithm": "SHA1", "period": 30, "t0": 0, "window": 1, "look_ahead": 0,
    "strict": False, "allow_short_key": False, "padding": True,
}  # fmt: skip


def _placeholders(words: list[str]) -> frozenset[str]:
    names: set[str] = set()
    for word in words:
        names.update(name for _, name, _, _ in string.Formatter().parse(word) if name)
    return frozenset(names)


#: The type a command line can carry for each field (argv is text: a Python type is lost).
_KINDS: Final[dict[str, tuple[type, ...]]] = {
    "key": (bytes,),
    "digest": (bytes,),
    "counter": (int,),
    "digits": (int,),
    "period": (int,),
    "t0": (int,),
    "look_ahead": (int,),
    "window": (int, tuple),
    "time": (int, float, datetime),
    "token": (str,),
    "text": (str,),
    "uri": (str,),
    "algorithm": (str,),
}


def command_values(args: Mapping[str, Any]) -> dict[str, str]:
    """Placeholder values for a command template.

    A value a command line cannot carry is left out (its placeholder makes the case
    *skipped*): a bool, ``None``, a str where a number belongs or a float where an int
    belongs (argv would lose the type), a naive datetime, text with a NUL character.

    >>> command_values({"key": b"12", "counter": 3, "algorithm": "SHA1"})["key_base32"]
    'GEZA'
    """
    out: dict[str, str] = {}
    for name, value in args.items():
        kinds = _KINDS.get(name)
        if kinds is None or isinstance(value, bool) or not isinstance(value, kinds):
            continue
        if isinstance(value, bytes):
            out[f"{name}_hex"] = value.hex()
            if name == "key":
                out["key_base32"] = base64.b32encode(value).decode().rstrip("=")
        elif isinstance(value, datetime):
            if value.tzinfo is not None and value.utcoffset() is not None:
                out[name] = str((value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1))
                out[f"{name}_iso"] = value.isoformat()
        elif isinstance(value, tuple):
            if len(value) == 2 and all(type(v) is int for v in value):
                out["past"], out["future"] = str(value[0]), str(value[1])
        elif isinstance(value, str):
            if "\0" not in value:
                out[name] = value
        else:
            out[name] = str(value)
    if "window" in out:
        out.setdefault("past", out["window"])
        out.setdefault("future", out["window"])
    if "algorithm" in out:
        out["algorithm_lower"] = out["algorithm"].lower()
    return out


class CommandImplementation(Implementation):
    """A command-line program, one process per case, from argv templates (no shell).

    Each template is split with :func:`shlex.split` and every word is filled with
    :meth:`str.format_map` from :func:`command_values`: ``{key_hex}``, ``{key_base32}``,
    ``{counter}``, ``{time}``, ``{digits}``, ``{algorithm}``, ``{algorithm_lower}``,
    ``{period}``, ``{t0}``, ``{token}``, ``{window}``, ``{past}``, ``{future}``,
    ``{look_ahead}``, ``{digest_hex}``, ``{text}``, ``{uri}``. A template serves the
    operation named by an ``OP=`` prefix, else the one its placeholders imply (``{token}``:
    verify, ``{counter}``: hotp, ``{time}``: totp, ``{text}``: base32_decode, ``{uri}``:
    parse_uri, whose command prints one JSON object). The answer is standard output, stripped; for a
    verification, exit status 0 means accepted. Any non-zero exit is a refusal.
    """

    in_process: ClassVar[bool] = False
    #: Input fields an adapter subclass handles itself (not through a placeholder).
    handled: ClassVar[Mapping[str, frozenset[str]]] = {}

    def __init__(self, templates: list[str], *, name: str | None = None) -> None:
        self.templates: dict[str, str] = {}
        for template in templates:
            op, sep, rest = template.partition("=")
            if sep and op in INPUTS:
                self.templates[op] = rest
            else:
                self.templates[self.infer(template)] = template
        self.words = {op: shlex.split(t) for op, t in self.templates.items()}  # split once
        self.uses = {op: _placeholders(w) for op, w in self.words.items()}
        first = next(iter(self.words.values()))[0]
        self.name = name or first.rsplit("/", 1)[-1]
        self.description = "command: " + " | ".join(f"{op}={t}" for op, t in self.templates.items())

    @staticmethod
    def infer(template: str) -> str:
        """The operation a template's placeholders imply."""
        if "{token}" in template:
            return "verify_hotp" if "{counter}" in template else "verify_totp"
        if "{counter}" in template:
            return "hotp"
        if "{time}" in template:
            return "totp"
        if "{text}" in template:
            return "base32_decode"
        if "{uri}" in template:
            return "parse_uri"
        raise ValueError("cannot tell the operation of a --command template; prefix OP=")

    def unused(self, op: str, args: Mapping[str, Any]) -> list[str]:
        """Input fields of the case the template for ``op`` would silently drop."""
        uses, handled = self.uses.get(op, frozenset()), self.handled.get(op, frozenset())
        dropped: list[str] = []
        for name, value in args.items():
            if name in handled or uses & _CARRIERS.get(name, frozenset({name})):
                continue
            default = _DEFAULTS.get(name, dropped)  # a sentinel no value equals
            if type(value) is type(default) and value == default:
                continue
            dropped.append(name)
        return dropped

    def argv(
        self, op: str, args: Mapping[str, Any], extra: Mapping[str, str] | None = None
    ) -> list[str]:
        """The filled argv for one case (``extra`` adds placeholders), or :class:`Unsupported`.

        A case with an input the template has no placeholder for (say ``algorithm`` SHA256
        with a template without ``{algorithm}``) is unsupported, never run as if the field
        were absent.
        """
        words = self.words.get(op)
        if words is None:
            raise Unsupported(f"no template for {op}")
        dropped = self.unused(op, args)
        if dropped:
            raise Unsupported(f"the {op} template has no placeholder for {', '.join(dropped)}")
        values = {**command_values(args), **(extra or {})}
        try:
            return [word.format_map(values) for word in words]
        except KeyError as err:
            raise Unsupported(f"{err.args[0]} is not expressible on a command line") from err

    def call(self, argv: list[str]) -> str:
        """Run one command under a watchdog timer (no polling); a non-zero exit is a
        refusal, a signal or the timeout a crash."""
        try:
            proc = subprocess.Popen(  # noqa: S603 - argv from the user's own template, no shell
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
            )
        except OSError as err:
            raise AdapterError(f"cannot run {argv[0]}: {type(err).__name__}") from err
        fired = threading.Event()

        def expire() -> None:
            fired.set()
            proc.kill()

        timer = threading.Timer(self.timeout, expire)
        timer.start()
        try:
            out, err_bytes = proc.communicate()
        finally:
            timer.cancel()
        stderr = err_bytes.decode("utf-8", "replace")
        if proc.returncode < 0:
            if fired.is_set():
                raise Crashed(f"timeout: no answer after {self.timeout:g} s: {shlex.join(argv)}")
            name = signal.Signals(-proc.returncode).name
            raise Crashed(f"killed by {name}: {shlex.join(argv)[:200]}")
        if proc.returncode != 0:
            reason = stderr.strip().splitlines()[-1:] or [""]
            raise Rejected(f"exit {proc.returncode}: {reason[0][:160]}")
        return out.decode("utf-8", "replace").strip()

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        out = self.call(self.argv(op, args))
        if op.startswith("verify"):
            return {}
        if op == "base32_decode":
            return bytes.fromhex(out)
        if op == "parse_uri":
            try:
                return json.loads(out)  # an object with URI_FIELDS keys
            except ValueError as err:
                raise AdapterError("a parse_uri command must print one JSON object") from err
        return out


def with_text(args: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-lines ``args``: the raw fields plus ``FIELD_text`` decimal strings for every
    integer (and list of integers), so no reader has to trust its JSON numbers, and
    ``key_base32`` for a hex key.

    >>> sorted(with_text({"counter": 2**64 - 1, "key": "3132"}).items())[1:]
    [('counter_text', '18446744073709551615'), ('key', '3132'), ('key_base32', 'GEZA')]
    """
    payload = dict(args)  # raw JSON fields, exactly as in the vector file
    for name, value in args.items():
        if name.endswith("_text"):
            continue
        if type(value) is int:
            payload.setdefault(f"{name}_text", str(value))
        elif isinstance(value, list) and value and all(type(v) is int for v in value):
            payload.setdefault(f"{name}_text", [str(v) for v in value])
    key = args.get("key")
    if isinstance(key, str) and len(key) % 2 == 0 and all(c in _HEX for c in key):
        payload["key_base32"] = command_values({"key": bytes.fromhex(key)})["key_base32"]
    return payload


class JsonLinesImplementation(Implementation):
    """A long-lived process speaking JSON lines (the protocol of ``docs/protocol.md``).

    Request: ``{"id": "1", "op": OP, "case": "FILE:TCID", "args": {...}}`` (ids count up);
    ``args`` are the case's input fields exactly as in the vector file (keys as hex, tagged
    values kept), plus ``key_base32`` and ``FIELD_text`` decimal strings for every integer
    (:func:`with_text`). Reply: ``{"id": ..., "result": ...}``, ``{"id": ..., "error":
    "why"}`` (a clean rejection), ``{"id": ..., "crash": "why"}`` (the library crashed: an
    uncaught exception, a panic) or ``{"id": ..., "unsupported": "why"}`` (skipped). The
    first request is ``{"id": "hello", "op": "hello"}``; answer ``{"id": "hello", "result":
    {"name": ..., "version": ...}}``. A reply later than :attr:`timeout`, a dead process or
    a line that is not the answer is a crash of that case; :meth:`restart` starts the
    process again for the next one. Every error names the case and the last request.
    """

    raw_json = True
    in_process = False

    def __init__(
        self, command: str, *, name: str | None = None, timeout: float | None = None
    ) -> None:
        self.command = command
        self.argv = shlex.split(command)
        if timeout is not None:
            self.timeout = timeout
        self.sequence = 0
        self.case_id = ""
        self.last_request = ""
        self.ahead: collections.deque[tuple[str, str, dict[str, Any]]] = collections.deque()
        self.broken = False
        self._start()
        hello = self.request({"id": "hello", "op": "hello"})
        result = hello.get("result")
        info: dict[str, Any] = result if isinstance(result, dict) else {}
        self.name = name or str(info.get("name") or self.argv[-1].rsplit("/", 1)[-1])
        self._version = str(info.get("version") or "")
        self.description = f"JSON lines: {command}"

    def _start(self) -> None:
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - the user's own adapter command, no shell
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as err:
            raise AdapterError(f"cannot start {self.argv[0]}: {type(err).__name__}") from err
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, self.lines), daemon=True).start()

    @staticmethod
    def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def version(self) -> str:
        return self._version

    def _broken(self, why: str) -> Crashed:
        self.broken = True  # the transport failed: restart() starts a new process
        where = f"case {self.case_id}; " if self.case_id else ""
        return Crashed(f"{why} ({where}last request: {self.last_request[:300]})")

    def request(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request line and wait (at most :attr:`timeout`) for its answer line."""
        self._send(message)
        return self._receive(message)

    def _send(self, message: Mapping[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.last_request = json.dumps(message, ensure_ascii=True)
        try:
            self.proc.stdin.write(self.last_request + "\n")
            self.proc.stdin.flush()
        except OSError as err:
            raise self._broken("the JSON-lines adapter exited") from err

    def _receive(self, message: Mapping[str, Any]) -> dict[str, Any]:
        self.last_request = json.dumps(message, ensure_ascii=True)
        try:
            line = self.lines.get(timeout=self.timeout)
        except queue.Empty as err:
            raise self._broken(f"timeout: no answer after {self.timeout:g} s") from err
        if line is None:
            try:
                code: int | None = self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            how = f" (exit {code})" if code is not None and code >= 0 else ""
            if code is not None and code < 0:
                how = f" (killed by {signal.Signals(-code).name})"
            raise self._broken(f"the JSON-lines adapter exited{how}")
        try:
            reply = json.loads(line)
        except ValueError as err:
            raise self._broken(f"a line that is not JSON: {line[:120]!r}") from err
        if not isinstance(reply, dict) or reply.get("id") != message["id"]:
            raise self._broken(f"the JSON-lines adapter answered out of order: {line[:120]!r}")
        return reply

    def _message(self, op: str, args: Mapping[str, Any], case_id: str) -> dict[str, Any]:
        self.sequence += 1
        message: dict[str, Any] = {"id": str(self.sequence), "op": op}
        if case_id:
            message["case"] = case_id
        message["args"] = with_text(args)
        return message

    def prefetch(self, items: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
        """Write the requests of upcoming cases ``(case_id, op, args)`` now (pipelining):
        :meth:`run` then reads their replies in order instead of one round trip per case."""
        for case_id, op, args in items:
            message = self._message(op, args, case_id)
            self._send(message)
            self.ahead.append((case_id, op, message))

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        if self.ahead and self.ahead[0][:2] == (self.case_id, op):
            message = self.ahead.popleft()[2]
        else:  # not prefetched: drain what was (in order), then ask
            while self.ahead:
                self._receive(self.ahead.popleft()[2])
            message = self._message(op, args, self.case_id)
            self._send(message)
        reply = self._receive(message)
        if "unsupported" in reply:
            raise Unsupported(str(reply["unsupported"]))
        if "crash" in reply:
            raise Crashed(f"the library crashed: {reply['crash']} (case {self.case_id})")
        if "error" in reply:
            raise Rejected(str(reply["error"]))
        result = reply.get("result")
        if op == "base32_decode" and isinstance(result, str):
            return bytes.fromhex(result)
        return result

    def restart(self) -> None:
        """Kill the process (after a crash or a timeout) and start it again; requests sent
        ahead are dropped (their cases are asked again)."""
        if not self.broken and self.proc.poll() is None:
            return  # the library crashed but the adapter reported it and lives on
        self.ahead.clear()
        self._stop()
        self._start()
        self.broken = False
        self.request({"id": "hello", "op": "hello"})

    def _stop(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def close(self) -> None:
        self._stop()
