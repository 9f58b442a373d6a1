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
import json
import queue
import shlex
import subprocess
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from .adapters import INPUTS, AdapterError, Implementation, Rejected, Unsupported

__all__ = ["CommandImplementation", "JsonLinesImplementation", "command_values"]

_TIMEOUT: Final = 20.0
_HEX: Final = frozenset("0123456789abcdefABCDEF")

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

    def __init__(self, templates: list[str], *, name: str | None = None) -> None:
        self.templates: dict[str, str] = {}
        for template in templates:
            op, sep, rest = template.partition("=")
            if sep and op in INPUTS:
                self.templates[op] = rest
            else:
                self.templates[self.infer(template)] = template
        first = shlex.split(next(iter(self.templates.values())))[0]
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

    def argv(
        self, op: str, args: Mapping[str, Any], extra: Mapping[str, str] | None = None
    ) -> list[str]:
        """The filled argv for one case (``extra`` adds placeholders), or :class:`Unsupported`."""
        template = self.templates.get(op)
        if template is None:
            raise Unsupported(f"no template for {op}")
        values = {**command_values(args), **(extra or {})}
        try:
            return [word.format_map(values) for word in shlex.split(template)]
        except KeyError as err:
            raise Unsupported(f"{err.args[0]} is not expressible on a command line") from err

    def call(self, argv: list[str]) -> str:
        """Run one command; a non-zero exit raises (a refusal)."""
        try:
            proc = subprocess.run(  # noqa: S603 - argv from the user's own template, no shell
                argv, capture_output=True, text=True, timeout=_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise AdapterError(f"cannot run {argv[0]}: {type(err).__name__}") from err
        if proc.returncode != 0:
            reason = proc.stderr.strip().splitlines()[-1:] or [""]
            raise Rejected(f"exit {proc.returncode}: {reason[0][:160]}")
        return proc.stdout.strip()

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


class JsonLinesImplementation(Implementation):
    """A long-lived process speaking JSON lines (the protocol of ``docs/conformance.md``).

    Request: ``{"id": "1", "op": OP, "args": {...}}`` (ids count up); ``args`` are the case's
    input fields exactly as in the vector file (keys as hex, tagged values kept), plus
    ``key_base32`` and, for integers above 2**53, ``FIELD_text`` decimal strings. Reply:
    ``{"id": ..., "result": ...}``, ``{"id": ..., "error": "why"}`` (refused) or
    ``{"id": ..., "unsupported": "why"}`` (skipped). The first request is
    ``{"id": "hello", "op": "hello"}``; answer ``{"id": "hello", "result": {"name": ...,
    "version": ...}}``.
    """

    raw_json = True

    def __init__(self, command: str, *, name: str | None = None) -> None:
        argv = shlex.split(command)
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - the user's own adapter command, no shell
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as err:
            raise AdapterError(f"cannot start {argv[0]}: {type(err).__name__}") from err
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.sequence = 0
        threading.Thread(target=self._pump, daemon=True).start()
        hello = self.request({"id": "hello", "op": "hello"})
        result = hello.get("result")
        info: dict[str, Any] = result if isinstance(result, dict) else {}
        self.name = name or str(info.get("name") or argv[-1].rsplit("/", 1)[-1])
        self._version = str(info.get("version") or "")
        self.description = f"JSON lines: {command}"

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def version(self) -> str:
        return self._version

    def request(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request line and wait for its answer line."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message, ensure_ascii=True) + "\n")
            self.proc.stdin.flush()
            line = self.lines.get(timeout=_TIMEOUT)
        except (OSError, queue.Empty) as err:
            raise AdapterError("the JSON-lines adapter stopped answering") from err
        if line is None:
            raise AdapterError("the JSON-lines adapter exited")
        try:
            reply = json.loads(line)
        except ValueError as err:
            raise AdapterError("the JSON-lines adapter wrote a line that is not JSON") from err
        if not isinstance(reply, dict) or reply.get("id") != message["id"]:
            raise AdapterError("the JSON-lines adapter answered out of order")
        return reply

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        payload = dict(args)  # raw JSON fields, exactly as in the vector file
        for name, value in args.items():
            if type(value) is int and abs(value) > 2**53:
                payload[f"{name}_text"] = str(value)
        key = args.get("key")
        if isinstance(key, str) and len(key) % 2 == 0 and all(c in _HEX for c in key):
            payload["key_base32"] = command_values({"key": bytes.fromhex(key)})["key_base32"]
        self.sequence += 1
        reply = self.request({"id": str(self.sequence), "op": op, "args": payload})
        if "unsupported" in reply:
            raise Unsupported(str(reply["unsupported"]))
        if "error" in reply:
            raise Rejected(str(reply["error"]))
        result = reply.get("result")
        if op == "base32_decode" and isinstance(result, str):
            return bytes.fromhex(result)
        return result

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
