"""Implementations under test: the adapter layer of the conformance runner.

An :class:`Implementation` answers one *operation* per vector group type (the ``type`` of a
``testGroups`` entry in ``vectors/*.json``): ``hotp`` (RFC 4226 §5.3), ``totp`` (RFC 6238
§4), ``truncate`` (RFC 4226 §5.3 DT), ``verify_hotp`` (RFC 4226 §7.4), ``verify_totp``
(RFC 6238 §5.2), ``base32_decode`` and ``base32_encode`` (RFC 4648 §6, padded unless
``padding`` is false), ``parse_uri`` (the Key Uri Format) and ``parse_uri_then_code``
(parse, then the code at ``time``; the counter of an hotp URI). Each takes the
case's input fields (:data:`INPUTS`) as Python values and returns the answer (a code, a
match, bytes or text), raises :class:`Unsupported` when the implementation cannot express
the case (no T0 parameter, no window, a Python type a command line cannot carry), or raises
anything else to *refuse* it (an exception, a non-zero exit, an error reply, a rejected
token).

This module holds the contract, rfc6238 itself and any Python implementation;
:mod:`rfc6238.conformance.process` holds the out-of-process adapters (a command template,
a JSON-lines process) and :mod:`rfc6238.conformance.builtins` pyotp, cryptography,
python-oath and oathtool.

>>> impl = Rfc6238Implementation()
>>> impl.run("hotp", {"key": b"12345678901234567890", "counter": 0})
'755224'
"""

from __future__ import annotations

import dis
import importlib
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final

__all__ = [
    "INPUTS",
    "OPERATIONS",
    "POSITIONAL",
    "URI_FIELDS",
    "VECTOR_URI_FIELDS",
    "AdapterError",
    "Crashed",
    "Implementation",
    "PythonImplementation",
    "Rejected",
    "Rfc6238Implementation",
    "Unsupported",
    "refusal_kind",
    "uri_fields",
]

#: Input fields of each operation, in call order (the rest of a case is expected output
#: or documentation). Absent fields take the implementation's defaults.
INPUTS: Final[dict[str, tuple[str, ...]]] = {
    "hotp": ("key", "counter", "digits", "algorithm"),
    "totp": ("key", "time", "period", "t0", "digits", "algorithm"),
    "truncate": ("digest", "digits"),
    "verify_hotp": ("key", "token", "counter", "look_ahead", "digits", "algorithm",
                    "allow_short_key"),
    "verify_totp": ("key", "token", "time", "window", "period", "t0", "digits", "algorithm",
                    "allow_short_key"),
    "base32_decode": ("text", "strict"),
    "base32_encode": ("key", "padding"),
    "parse_uri": ("uri",),
    "parse_uri_then_code": ("uri", "time"),
}  # fmt: skip
OPERATIONS: Final = tuple(INPUTS)
#: How many leading inputs are passed positionally (the rest are keywords).
POSITIONAL: Final = {
    "hotp": 2,
    "totp": 2,
    "truncate": 1,
    "verify_hotp": 3,
    "verify_totp": 3,
    "base32_decode": 1,
    "base32_encode": 1,
    "parse_uri": 1,
    "parse_uri_then_code": 2,
}


class Unsupported(Exception):
    """The implementation cannot express this case (the case is *skipped*, not judged)."""


class AdapterError(Exception):
    """The adapter itself broke (a process died, a protocol error, a timeout).

    Never counted as a refusal, so a broken adapter cannot make invalid cases pass: the
    runner records the case as a *crash* (a failure), restarts the adapter and goes on.
    """


class Crashed(AdapterError):
    """The implementation crashed on one case: a panic, an uncaught exception, a signal, a
    timeout. Recorded as a failure whatever the case expects."""


class Rejected(Exception):
    """A verification said no without raising (``False``, ``(False, ...)``, exit 1)."""


def _raised_on_purpose(err: BaseException) -> bool:
    """True if the innermost frame raised ``err`` with a ``raise`` statement (a deliberate,
    typed refusal) rather than an operator or a call failing inside the library."""
    tb = err.__traceback__
    if tb is None:
        return True  # raised by the caller's own code path, not inside a library
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code.co_code
    return 0 <= tb.tb_lasti < len(code) and dis.opname[code[tb.tb_lasti]] in _RAISES


_RAISES: Final = frozenset({"RAISE_VARARGS", "RERAISE"})


def refusal_kind(err: BaseException) -> str:
    """``"rejection"`` (an error reply, a typed exception, a non-zero exit) or ``"crash"``.

    A crash is an :class:`AdapterError` (a dead process, a signal, a timeout) or a built-in
    exception the language raised by itself inside the library: a ``TypeError`` from an
    operator (``'<' not supported between 'int' and 'NoneType'``), an ``OverflowError``
    from a conversion, a ``UnicodeEncodeError``, a ``ZeroDivisionError``... A rejection is
    :class:`Rejected`, any exception type a library defines, a ``ValueError`` (Python's
    "bad value"), or a built-in exception raised on purpose by a ``raise`` statement
    (``raise TypeError("counter must be an int")``).

    >>> refusal_kind(ValueError("digits")), refusal_kind(Crashed("timeout"))
    ('rejection', 'crash')
    >>> try:
    ...     None < 1
    ... except TypeError as err:
    ...     refusal_kind(err)
    'crash'
    """
    if isinstance(err, AdapterError):
        return "crash"
    if isinstance(err, Rejected) or type(err).__module__ != "builtins":
        return "rejection"
    if isinstance(err, ValueError) and not isinstance(err, UnicodeError):
        return "rejection"
    return "rejection" if _raised_on_purpose(err) else "crash"


class Implementation:
    """Base class: ``name``, ``version()``, ``run(op, args)`` and ``close()``."""

    name: str = "implementation"
    description: str = ""
    #: True: :meth:`run` receives the case's fields as raw JSON (tags kept, keys as hex).
    raw_json: ClassVar[bool] = False
    #: True: :meth:`run` runs in this process (the runner guards it with a watchdog thread);
    #: out-of-process adapters enforce :attr:`timeout` themselves.
    in_process: ClassVar[bool] = True
    #: Seconds one case may take before it is recorded as a crash (a timeout).
    timeout: float = 10.0
    #: The case being run (``FILE:TCID``; set by the runner, named in adapter errors).
    case_id: str = ""

    def version(self) -> str:
        """A version string for reports (empty if unknown)."""
        return ""

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        """Answer one case; see the module docstring for the contract."""
        raise Unsupported(f"{self.name} has no {op} operation")

    def close(self) -> None:
        """Release processes or files (no-op by default)."""

    def restart(self) -> None:
        """Start afresh after a crash (a new process); no-op by default."""


def _distribution_version(name: str) -> str:
    # lazy: importlib.metadata costs 15-16 ms to import (python -X importtime, 3 runs), and
    # only the report's version column needs it.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""


#: The fields a parsed Key URI is compared on (the ``expected`` object of a vector case).
URI_FIELDS: Final = (
    "type", "secret_hex", "issuer", "account", "algorithm", "digits", "period", "counter"
)  # fmt: skip
#: Every field of ``expected`` in vectors/uri.json: the compared ones plus image, extra and
#: ignored (parameters that do not apply to the type, such as an hotp URI's period).
VECTOR_URI_FIELDS: Final = (*URI_FIELDS, "image", "extra", "ignored")


def uri_fields(parsed: object, names: tuple[str, ...] = URI_FIELDS) -> dict[str, Any]:
    """A parsed Key URI as the comparable dict: a mapping, or an object with attributes.

    ``secret`` bytes become ``secret_hex`` and ``extra`` pairs become JSON lists; fields the
    object lacks are left out (and not compared). ``names`` picks the fields
    (:data:`VECTOR_URI_FIELDS` gives a case's whole ``expected`` object).

    >>> uri_fields({"type": "totp", "secret": b"\\x01", "digits": 6})
    {'type': 'totp', 'secret_hex': '01', 'digits': 6}
    """
    get = parsed.get if isinstance(parsed, Mapping) else lambda k, d=None: getattr(parsed, k, d)
    out: dict[str, Any] = {}
    for name in names:
        source = "secret" if name == "secret_hex" else name
        missing = object()
        value = get(source, missing)
        if value is missing and name == "secret_hex":
            value = get("secret_hex", missing)
        if value is missing:
            continue
        if isinstance(value, bytes | bytearray):
            value = value.hex()
        elif name in ("extra", "ignored"):
            value = [list(pair) for pair in value]
        out[name] = value
    return out


class Rfc6238Implementation(Implementation):
    """This library: the reference every vector is computed with."""

    name = "rfc6238"
    description = "rfc6238 (this library): one-shot functions and base32 module"

    def version(self) -> str:
        from .._version import __version__

        return __version__

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        import rfc6238
        from rfc6238 import base32

        kw = dict(args)
        if op == "hotp":
            return rfc6238.hotp(kw.pop("key"), kw.pop("counter"), **kw)
        if op == "totp":
            return rfc6238.totp(kw.pop("key"), kw.pop("time"), **kw)
        if op == "truncate":
            return rfc6238.code_from_digest(kw["digest"], digits=kw.get("digits", 6))
        if op == "verify_hotp":
            match = rfc6238.verify_hotp(kw.pop("key"), kw.pop("token"), kw.pop("counter"), **kw)
            return {"counter": match.counter, "offset": match.offset}
        if op == "verify_totp":
            match = rfc6238.verify_totp(kw.pop("key"), kw.pop("token"), kw.pop("time"), **kw)
            return {"counter": match.counter, "offset": match.offset}
        if op == "base32_decode":
            return base32.decode(kw.pop("text"), **kw)
        if op == "base32_encode":  # rfc6238 writes the Key URI form; RFC 4648 pads
            text = base32.encode(kw["key"])
            return text if kw.get("padding") is False else text + "=" * (-len(text) % 8)
        if op == "parse_uri":
            from rfc6238.uri import parse_uri

            return uri_fields(parse_uri(kw["uri"]))
        if op == "parse_uri_then_code":
            from rfc6238.uri import parse_uri

            key = parse_uri(kw["uri"])
            otp = key.otp(allow_short_key=True)  # the code is the math; no key policy here
            return otp.at(kw["time"] if key.type == "totp" else key.counter)  # type: ignore[arg-type]  # TOTP takes a time, HOTP a counter
        return super().run(op, args)


def _load_object(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


class PythonImplementation(Implementation):
    """Any Python implementation: functions named after the operations.

    ``specs`` are ``MODULE[:OBJECT]`` (every operation the object has as an attribute) or
    ``OP=MODULE:FUNCTION`` (one operation). Signatures (``docs/conformance.md``)::

        hotp(key: bytes, counter: int, *, digits: int, algorithm: str) -> str
        totp(key: bytes, time: int | float | datetime, *, period: int, t0: int, digits: int,
             algorithm: str) -> str
        verify_totp(key, token, time, *, window, period, t0, digits, algorithm,
                    allow_short_key) -> int (the matched step) | object with .counter
        verify_hotp(key, token, counter, *, look_ahead, digits, algorithm,
                    allow_short_key) -> int (the matched counter) | object with .counter
        truncate(digest: bytes, *, digits: int) -> str
        base32_decode(text: str, *, strict: bool) -> bytes ; base32_encode(key: bytes) -> str

    A function raises ``NotImplementedError`` for a case it cannot express (skipped), and
    returns ``False``/``None`` or raises to refuse.
    """

    def __init__(self, specs: list[str], *, name: str | None = None) -> None:
        self.functions: dict[str, Callable[..., Any]] = {}
        for spec in specs:
            op, sep, target = spec.partition("=")
            if sep and op in INPUTS:
                self.functions[op] = _load_object(target)
                continue
            obj = _load_object(spec)
            for op in OPERATIONS:
                if callable(func := getattr(obj, op, None)):
                    self.functions[op] = func
        if not self.functions:
            raise ValueError("--python found no function named after an operation")
        first = specs[0].split("=", 1)[-1]
        self.name = name or first.split(":", 1)[0]
        self.description = f"Python: {', '.join(specs)}"

    def version(self) -> str:
        return _distribution_version(self.name.split(".", 1)[0])

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        func = self.functions.get(op)
        if func is None:
            raise Unsupported(f"no {op} function")
        leading = INPUTS[op][: POSITIONAL[op]]
        positional = [args[n] for n in leading if n in args]
        keywords = {n: v for n, v in args.items() if n not in leading}
        try:
            answer = func(*positional, **keywords)
        except NotImplementedError as err:
            raise Unsupported(str(err) or "NotImplementedError") from err
        if op.startswith("verify"):
            if answer is None or answer is False:
                raise Rejected("verification returned a false value")
            if isinstance(answer, int) and not isinstance(answer, bool):
                return {"counter": answer}
            counter = getattr(answer, "counter", None)
            return {"counter": counter} if isinstance(counter, int) else {}
        if op == "parse_uri":
            return uri_fields(answer)
        return answer
