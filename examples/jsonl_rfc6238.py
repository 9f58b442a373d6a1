#!/usr/bin/env python3
"""A JSON-lines conformance adapter, written in Python, that drives rfc6238.

It is the reference for the protocol of ``docs/protocol.md``: copy its shape for an
implementation in any language. Run it with::

    rfc6238 conformance --jsonl 'python examples/jsonl_rfc6238.py'

One JSON object per line in, one per line out:

* in: ``{"id": "7", "op": "hotp", "args": {"key": "3132...", "counter": 1, ...}}``, the
  case's input fields exactly as in the vector file (keys and digests as hex; values JSON
  cannot carry are tagged: ``{"bool": true}``, ``{"none": true}``, ``{"str": "6"}``,
  ``{"int": 287082}``, ``{"float": "59.999"}``, ``{"bytes_hex": "..."}``,
  ``{"datetime": "2005-03-18T01:58:29+00:00"}``), plus ``key_base32`` and ``NAME_text``
  decimal strings for every integer;
* out: ``{"id": "7", "result": ...}`` (a code, ``{"counter": c, "offset": o}`` for a
  verification, hex for decoded base32), ``{"id": "7", "error": "why"}`` when the
  implementation refuses cleanly (a typed error), ``{"id": "7", "crash": "why"}`` when it
  crashed (any other exception), ``{"id": "7", "unsupported": "why"}`` when it cannot
  express the case. The first request is ``{"id": "hello", "op": "hello"}``; ``echo``
  returns its arguments (``rfc6238 conformance --selftest-adapter``).
"""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime
from typing import Any

import rfc6238
from rfc6238 import base32

HEX_FIELDS = {"key", "digest"}


def decode(name: str, value: Any) -> Any:
    """One argument as the Python value it stands for."""
    if isinstance(value, list):
        return tuple(decode("", v) for v in value)
    if not isinstance(value, dict):
        return bytes.fromhex(value) if name in HEX_FIELDS and isinstance(value, str) else value
    ((tag, inner),) = value.items()
    if tag == "float":
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(inner) or float(inner)
    if tag == "none":
        return None
    if tag == "bytes_hex":
        return bytes.fromhex(inner)
    if tag == "datetime":
        return datetime.fromisoformat(inner)
    return inner  # int, bool, str: the JSON value itself


def answer(op: str, args: dict[str, Any]) -> Any:
    """Run one operation on rfc6238; exceptions become refusals."""
    kw = {
        name: decode(name, value)
        for name, value in args.items()
        if name != "key_base32" and not name.endswith("_text")
    }
    if op == "hotp":
        return rfc6238.hotp(kw.pop("key"), kw.pop("counter"), **kw)
    if op == "totp":
        return rfc6238.totp(kw.pop("key"), kw.pop("time"), **kw)
    if op in ("verify_hotp", "verify_totp"):
        verify = rfc6238.verify_hotp if op == "verify_hotp" else rfc6238.verify_totp
        moment = kw.pop("counter" if op == "verify_hotp" else "time")
        match = verify(kw.pop("key"), kw.pop("token"), moment, **kw)
        return {"counter": match.counter, "offset": match.offset}
    if op == "truncate":
        digits = kw.get("digits", 6)
        rfc6238.hotp(b"k", 0, digits=digits)  # the same digits validation as HOTP
        return str(rfc6238.dynamic_truncate(kw["digest"]) % 10**digits).zfill(digits)
    if op == "base32_decode":
        return base32.decode(kw.pop("text"), **kw).hex()
    if op == "base32_encode":  # RFC 4648 pads; padding=false is the Key URI form
        text = base32.encode(kw["key"])
        return text if kw.get("padding") is False else text + "=" * (-len(text) % 8)
    if op == "parse_uri":
        from rfc6238.uri import parse_uri

        key = parse_uri(kw["uri"])
        return {"type": key.type, "secret_hex": key.secret.hex(), "issuer": key.issuer,
                "account": key.account, "algorithm": key.algorithm, "digits": key.digits,
                "period": key.period, "counter": key.counter}  # fmt: skip
    if op == "parse_uri_then_code":
        from rfc6238.uri import parse_uri

        key = parse_uri(kw["uri"])
        if key.type == "hotp":
            assert key.counter is not None  # required for hotp URIs
            return rfc6238.hotp(key.secret, key.counter, digits=key.digits, algorithm=key.algorithm)
        return rfc6238.totp(key.secret, kw["time"], period=key.period or 30, digits=key.digits,
                            algorithm=key.algorithm)  # fmt: skip
    raise NotImplementedError(f"no {op} operation")


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """One request object -> its reply object."""
    reply: dict[str, Any] = {"id": request["id"]}
    try:
        if request["op"] == "hello":
            reply["result"] = {"name": "rfc6238-jsonl", "version": rfc6238.__version__}
        elif request["op"] == "echo":  # the adapter self-test: args back unchanged
            reply["result"] = request.get("args", {})
        else:
            reply["result"] = answer(request["op"], request.get("args", {}))
    except NotImplementedError as err:
        reply["unsupported"] = str(err)
    except rfc6238.RFC6238Error as err:  # a typed refusal: a clean rejection
        reply["error"] = f"{type(err).__name__}: {err}"
    except Exception as err:  # anything else escaping the library is a crash
        reply["crash"] = f"{type(err).__name__}: {err}"
    return reply


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(handle(json.loads(line))) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
