#!/usr/bin/env python3
"""Regenerate and re-check the language-neutral test vectors in ``vectors/``.

Every file in ``vectors/`` is written by this script, deterministically:

* ``rfc4226.json`` and ``rfc6238.json`` hold values *transcribed* from RFC 4226 Appendix D
  (and §5.4) and RFC 6238 Appendix B (with the errata 2866 seeds). The transcription lives in
  this file; the script checks it against ``rfc6238`` and every oracle before writing.
* ``uri.json`` holds the Key URI parsing cases written by hand in ``tests/data/uris.json``
  (their single source: the decisions of ``docs/uri.md``); the script checks each against
  ``rfc6238.parse_uri`` and records what ``pyotp.parse_uri`` and python-oath's
  ``parse_otpauth`` make of it.
* The other files are *self-made*: the script chooses the inputs (fixed lists and
  deterministic searches, keys from SHAKE-256 of a label) and computes each expected value
  with ``rfc6238``, then asks every independent implementation it can (``cryptography``,
  ``pyotp``, python ``oath``, Debian ``oathtool``, and a minimal in-script HOTP) and records,
  per case, which of them agreed (``verified_by``), which disagreed (``disagreed``) and which
  could not run it (``refused``, with the reason they gave).

Usage::

    python scripts/make_vectors.py            # regenerate every file (needs every oracle)
    python scripts/make_vectors.py --check    # regenerate in memory; exit 1 on any difference
                                              # from the files or on any new disagreement

The check compares the regenerated text with the files on disk (oracle *versions* in
``source.oracles`` are compared loosely, with a warning), so a change in any oracle's answer,
in ``rfc6238`` or in the files shows up as a failure.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Naive datetimes are local time to pyotp and oathtool: pin the zone so files are reproducible.
os.environ["TZ"] = "UTC"
_time.tzset()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rfc6238  # noqa: E402  (after the path set-up so a checkout works without install)
from rfc6238 import errors as _errors  # noqa: E402
from rfc6238.conformance.vectors import decode_value  # noqa: E402

VECTORS = ROOT / "vectors"
FORMAT_VERSION = 1
MAX64 = 2**64 - 1
SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
SEED20 = SEEDS["SHA1"]
ALGS = ("SHA1", "SHA256", "SHA512")
BLOCK = {"SHA1": 64, "SHA256": 64, "SHA512": 128}
HASHLIB = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
EXTERNAL = ("cryptography", "pyotp", "oath", "oathtool")


# --------------------------------------------------------------------------- oracles


class Refused(Exception):
    """The oracle cannot express or compute this case (not a verdict on the input)."""


def _why(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}".replace("\n", " ")
    return text if len(text) <= 110 else text[:107] + "..."


def _plain_int(value: object, what: str) -> int:
    if type(value) is not int:
        raise Refused(f"{what} of type {type(value).__name__} is not expressible")
    return value


def _hashlib(alg: object) -> Callable[..., Any]:
    """The hashlib constructor an oracle gets for an algorithm name (names it can express)."""
    if isinstance(alg, str) and alg.isascii() and alg.upper() in HASHLIB:
        return HASHLIB[alg.upper()]
    if isinstance(alg, str) and alg in hashlib.algorithms_guaranteed:
        return getattr(hashlib, alg)  # type: ignore[no-any-return]
    raise Refused("takes a hash function; this algorithm name has none")


def _crypto_hash(alg: object) -> Any:
    from cryptography.hazmat.primitives import hashes

    if (
        isinstance(alg, str)
        and alg.isascii()
        and (alg.upper() in HASHLIB or alg in hashlib.algorithms_guaranteed)
    ):
        cls = getattr(hashes, alg.upper(), None)
        if cls is not None:
            return cls()
    raise Refused("takes a hash object; this algorithm name has none")


def _no_t0(t0: object) -> None:
    if type(t0) is not int or t0 != 0:
        raise Refused("no T0 parameter")


def _oath_format(digits: object) -> str:
    if type(digits) is not int:
        raise Refused("digits is part of the format string ('dec6')")
    return f"dec{digits}"


def minimal_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    """The weak oracle: RFC 4226 §5.3 written out with hmac.digest and int.from_bytes."""
    mac = hmac.digest(key, counter.to_bytes(8, "big"), alg.lower())
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def crypto_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    from cryptography.hazmat.primitives.twofactor.hotp import HOTP

    otp = HOTP(key, digits, _crypto_hash(alg), enforce_key_length=False)  # type: ignore[arg-type]
    return otp.generate(counter).decode()


def crypto_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    _no_t0(t0)
    if isinstance(time, dt.datetime):
        raise Refused("takes int/float Unix time only")
    otp = TOTP(key, digits, _crypto_hash(alg), period, enforce_key_length=False)  # type: ignore[arg-type]
    return otp.generate(time).decode()  # type: ignore[arg-type]


def _pyotp_classes() -> tuple[type, type]:
    import pyotp

    class HOTP(pyotp.HOTP):  # type: ignore[misc]
        # pyotp's documented override point; the default (112 bits) refuses short keys.
        min_secret_length_bits = 8

    class TOTP(pyotp.TOTP):  # type: ignore[misc]
        min_secret_length_bits = 8

    return HOTP, TOTP


def pyotp_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    hotp_cls, _ = _pyotp_classes()
    otp = hotp_cls(_b32(key), digits=digits, digest=_hashlib(alg))
    return str(otp.at(counter))


def pyotp_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    _, totp_cls = _pyotp_classes()
    _no_t0(t0)
    otp = totp_cls(_b32(key), digits=digits, digest=_hashlib(alg), interval=period)
    return str(otp.at(time))


def oath_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    import oath

    return str(oath.hotp(_hex(key), counter, format=_oath_format(digits), hash=_hashlib(alg)))


def oath_dec_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    import oath

    value = int(oath.hotp(_hex(key), counter, format="dec", hash=_hashlib(alg)))
    return str(value % 10**digits).zfill(digits)


def oath_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    import oath

    _no_t0(t0)
    if time is None:
        raise Refused("t=None means 'now'")
    return str(
        oath.totp(_hex(key), format=_oath_format(digits), period=period, t=time, hash=_hashlib(alg))
    )


class OathtoolError(Exception):
    """oathtool exited non-zero (a rejection for invalid cases, a refusal for valid ones)."""


def _b32(key: object) -> str:
    if not isinstance(key, bytes):
        raise Refused("takes a base32 str secret; a non-bytes key is not expressible")
    return base64.b32encode(key).decode()


def _hex(key: object) -> str:
    if not isinstance(key, bytes):
        raise Refused("takes a hex key; a non-bytes key is not expressible")
    return key.hex()


def _oathtool(*args: str) -> str:
    exe = shutil.which("oathtool")
    if exe is None:
        raise Refused("oathtool not installed")
    proc = subprocess.run([exe, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise OathtoolError(f"exit {proc.returncode}: {proc.stderr.strip()[:90]}")
    return proc.stdout.strip()


def oathtool_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    if not isinstance(alg, str) or not alg.isascii() or alg.upper() != "SHA1":
        raise Refused("--hotp is HMAC-SHA1 only")
    return _oathtool(
        "--hotp",
        "-c",
        str(_plain_int(counter, "counter")),
        "-d",
        str(_plain_int(digits, "digits")),
        _hex(key),
    )


def oathtool_s1(key: bytes, counter: int, digits: int, alg: str) -> str:
    """HOTP through oathtool's TOTP mode with a 1-second step: T = counter (< 2**63)."""
    if digits not in (6, 7, 8):
        raise Refused("only digits 6, 7 and 8 are supported")
    if not 0 <= _plain_int(counter, "counter") < 2**63:
        raise Refused("-N @TIME takes a signed 64-bit time")
    return _oathtool(
        f"--totp={alg}",
        "-s",
        "1s",
        "-N",
        f"@{counter}",
        "-d",
        str(_plain_int(digits, "digits")),
        _hex(key),
    )


def _oathtool_time(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # oathtool reads it as local time: TZ=UTC here
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if type(value) is int or type(value) is float:
        return f"@{value}"
    raise Refused(f"time of type {type(value).__name__} is not expressible")


def oathtool_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    args = [f"--totp={alg}", "-s", f"{_plain_int(period, 'period')}s", "-N", _oathtool_time(time)]
    args += ["-S", f"@{_plain_int(t0, 't0')}", "-d", str(_plain_int(digits, "digits")), _hex(key)]
    return _oathtool(*args)


#: name -> HOTP function (key, counter, digits, alg) -> code. Order is the report order.
HOTP_ORACLES: dict[str, Callable[[bytes, int, int, str], str]] = {
    "cryptography": crypto_hotp,
    "pyotp": pyotp_hotp,
    "oath": oath_hotp,
    "oathtool": oathtool_hotp,
}
#: Fallbacks used when the direct call refuses (other parameters, same implementation).
HOTP_FALLBACKS: dict[str, tuple[str, Callable[[bytes, int, int, str], str]]] = {
    "oath": ("oath-dec", oath_dec_hotp),
    "oathtool": ("oathtool-s1", oathtool_s1),
}
TOTP_ORACLES: dict[str, Callable[[bytes, object, int, int, int, str], str]] = {
    "cryptography": crypto_totp,
    "pyotp": pyotp_totp,
    "oath": oath_totp,
    "oathtool": oathtool_totp,
}
ORACLE_NAMES = {
    "rfc-text": "the value as printed in the RFC (transcribed into scripts/make_vectors.py)",
    "cryptography": "pyca/cryptography hazmat.primitives.twofactor HOTP/TOTP (OpenSSL HMAC), "
    "enforce_key_length=False",
    "cryptography-hotp": "cryptography's HOTP at the step (time - t0) // period computed by the "
    "script: checks the code, not cryptography's time arithmetic",
    "pyotp": "pyotp HOTP/TOTP (Python hmac), via a subclass with min_secret_length_bits = 8 "
    "(its documented override) so short keys run",
    "pyotp-hotp": "pyotp's HOTP at the script's step (see cryptography-hotp)",
    "oath": "python-oath hotp/totp (Python hmac), formats dec6-dec8",
    "oath-dec": "python-oath hotp(format='dec') (the full 31-bit truncated value) at the "
    "script's counter or step, reduced mod 10**digits by the script (used for 9 and 10 digits)",
    "oath-hotp": "python-oath hotp at the script's step (see cryptography-hotp)",
    "oathtool": "Debian oathtool (OATH Toolkit, C): --hotp -c, or --totp=ALG -s -S -N",
    "oathtool-s1": "oathtool --totp=ALG -s 1s -N @COUNTER: HOTP with SHA-256/512 for "
    "counters (or the script's TOTP step) < 2**63 (oathtool's --hotp is SHA-1 only)",
    "cryptography-window": "verification: cryptography's HOTP computes every code in the "
    "window (steps from the script); compared as the list of matching counters",
    "pyotp-window": "verification: as cryptography-window with pyotp's HOTP",
    "oath-window": "verification: as cryptography-window with python-oath's hotp",
    "oathtool-window": "verification: oathtool -w N generation of every code in the window",
    "minimal-window": "verification: as cryptography-window with the weak in-script HOTP",
    "pyotp-verify": "pyotp TOTP.verify_and_get_timecode (symmetric valid_window, no T0): "
    "compared by the offset of the step it returns",
    "cryptography-verify": "cryptography TOTP.verify(token.encode(), time) (no window: window 0)",
    "oath-verify": "python-oath accept_totp (backward/forward drift) or accept_hotp (drift): "
    "compared by the offset it reports",
    "oathtool-verify": "oathtool validation mode (KEY OTP with -w); for TOTP it prints the "
    "absolute offset, compared as |offset|",
    "minimal": "WEAK oracle: a 6-line HOTP in this script (hmac.digest + int.from_bytes); "
    "shares CPython's hmac with rfc6238, pyotp and oath",
}


def oracle_versions() -> dict[str, str]:
    versions = {}
    for dist in ("cryptography", "pyotp", "oath"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "missing"
    try:
        versions["oathtool"] = _oathtool("--version").splitlines()[0]
    except Refused:
        versions["oathtool"] = "missing"
    versions["rfc6238"] = rfc6238.__version__
    return versions


@dataclass
class Verdicts:
    """What the oracles said about one case."""

    verified_by: list[str] = field(default_factory=list)
    disagreed: list[dict[str, str]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)

    def record(self, name: str, expected: str | None, run: Callable[[], str]) -> bool:
        """Run one oracle; ``expected`` None means the case is invalid and must be rejected."""
        try:
            got = run()
        except Refused as err:
            self.refused.append({"oracle": name, "reason": str(err)})
            return False
        except Exception as err:
            if expected is None:
                self.verified_by.append(name)
                self.notes.append({"oracle": name, "note": f"rejected by raising {_why(err)}"})
                return True
            self.refused.append({"oracle": name, "reason": _why(err)})
            return False
        if expected is None:
            self.disagreed.append({"oracle": name, "got": f"accepted: {got}"})
        elif got == expected:
            self.verified_by.append(name)
            return True
        else:
            self.disagreed.append({"oracle": name, "got": got})
        return False

    def dump(self, case: dict[str, Any], *, minimum: int = 2) -> dict[str, Any]:
        case["verified_by"] = self.verified_by
        if self.disagreed:
            case["disagreed"] = self.disagreed
        if self.refused:
            case["refused"] = self.refused
        if self.notes:
            case["oracle_notes"] = self.notes
        external = [v for v in self.verified_by if not v.startswith(("minimal", "rfc-text"))]
        if case["result"] == "valid" and len(external) < minimum:
            case["flags"].append("FewOracles")
        return case


def check_hotp_oracles(key: bytes, counter: int, digits: int, alg: str, code: str) -> Verdicts:
    verdicts = Verdicts()
    for name, func in HOTP_ORACLES.items():
        agreed = verdicts.record(name, code, lambda f=func: f(key, counter, digits, alg))
        if (
            not agreed
            and name in HOTP_FALLBACKS
            and not any(d["oracle"] == name for d in verdicts.disagreed)
            and (name != "oathtool" or digits in (6, 7, 8))
        ):
            alt, alt_func = HOTP_FALLBACKS[name]
            verdicts.record(alt, code, lambda f=alt_func: f(key, counter, digits, alg))
    verdicts.record("minimal", code, lambda: minimal_hotp(key, counter, digits, alg))
    return verdicts


def check_totp_oracles(
    key: bytes, time: object, period: int, t0: int, digits: int, alg: str, step: int, code: str
) -> Verdicts:
    verdicts = Verdicts()
    for name, func in TOTP_ORACLES.items():
        ok = verdicts.record(name, code, lambda f=func: f(key, time, period, t0, digits, alg))
        if ok:
            continue
        # The oracle's HOTP at the script's step: separates HOTP errors from time arithmetic.
        if name == "oathtool":
            if digits in (6, 7, 8):
                verdicts.record("oathtool-s1", code, lambda: oathtool_s1(key, step, digits, alg))
            continue
        fallback = {"cryptography": crypto_hotp, "pyotp": pyotp_hotp, "oath": oath_hotp}[name]
        if name == "oath" and digits > 8:
            verdicts.record("oath-dec", code, lambda: oath_dec_hotp(key, step, digits, alg))
        else:
            verdicts.record(f"{name}-hotp", code, lambda f=fallback: f(key, step, digits, alg))
    verdicts.record("minimal", code, lambda: minimal_hotp(key, step, digits, alg))
    return verdicts


# --------------------------------------------------------------------------- building files


class FileBuilder:
    """Accumulates groups and cases with sequential tcIds and checks every flag has a note."""

    def __init__(self, name: str, description: str, source: dict[str, Any]) -> None:
        self.name = name
        self.description = description
        self.source = source
        self.notes: dict[str, str] = {}
        self.groups: list[dict[str, Any]] = []
        self.next_id = 1

    def note(self, **notes: str) -> None:
        self.notes.update(notes)

    def group(self, type_: str, comment: str) -> list[dict[str, Any]]:
        tests: list[dict[str, Any]] = []
        self.groups.append({"type": type_, "comment": comment, "tests": tests})
        return tests

    def case(
        self,
        tests: list[dict[str, Any]],
        comment: str,
        flags: Iterable[str],
        result: str,
        **fields: Any,
    ) -> dict[str, Any]:
        case = {"tcId": self.next_id, "comment": comment, "flags": list(flags), "result": result}
        case.update(fields)
        self.next_id += 1
        tests.append(case)
        return case

    def document(self) -> dict[str, Any]:
        used = {f for g in self.groups for c in g["tests"] for f in c["flags"]}
        missing = used - self.notes.keys()
        if missing:
            raise SystemExit(f"{self.name}: flags without a note: {sorted(missing)}")
        self.source.setdefault("generator", "scripts/make_vectors.py")
        return {
            "schema": "schema.json",
            "name": self.name,
            "formatVersion": FORMAT_VERSION,
            "description": self.description,
            "source": self.source,
            "notes": {k: self.notes[k] for k in sorted(used)},
            "numberOfTests": self.next_id - 1,
            "testGroups": self.groups,
        }


def self_made_source(what: str, references: list[str]) -> dict[str, Any]:
    return {
        "kind": "self-made",
        "references": references,
        "description": what,
        "verification": "Each expected value was computed by rfc6238 (one-shot and prepared "
        "objects) and then by every oracle listed in 'oracles' that can express the case; "
        "verified_by lists the oracles that returned the same value (for invalid cases: that "
        "rejected the input), disagreed those that returned something else (or accepted an "
        "invalid input), refused those that could not run the case and why. A valid "
        "self-made case verified by fewer than two external oracles carries the flag "
        "FewOracles. 'minimal' is a weak oracle (same CPython hmac).",
        "oracles": {k: v for k, v in ORACLE_NAMES.items() if k != "rfc-text"},
        "oracle_versions": oracle_versions(),
    }


def _expect(condition: bool, message: str) -> None:
    """Stop the generator when rfc6238 does not behave as the case says."""
    if not condition:
        raise SystemExit(f"make_vectors: {message}")


def hexkey(key: bytes) -> str:
    return key.hex()


def trace_fields(key: bytes, counter: int, digits: int, alg: str) -> dict[str, Any]:
    t = rfc6238.trace_hotp(key, counter, digits=digits, algorithm=alg)
    return {"hmac": t.digest.hex(), "offset": t.offset, "truncated": t.value}


# --------------------------------------------------------------------------- RFC 4226

#: RFC 4226 Appendix D, Table 1 and Table 2, exactly as printed (truncated hex without
#: leading zeros, as the RFC prints it).
RFC4226_TABLE = [
    (0, "cc93cf18508d94934c64b65d8ba7667fb7cde4b0", "4c93cf18", 1284755224, "755224"),
    (1, "75a48a19d4cbe100644e8ac1397eea747a2d33ab", "41397eea", 1094287082, "287082"),
    (2, "0bacb7fa082fef30782211938bc1c5e70416ff44", "82fef30", 137359152, "359152"),
    (3, "66c28227d03a2d5529262ff016a1e6ef76557ece", "66ef7655", 1726969429, "969429"),
    (4, "a904c900a64b35909874b33e61c5938a8e15ed1c", "61c5938a", 1640338314, "338314"),
    (5, "a37e783d7b7233c083d4f62926c7a25f238d0316", "33c083d4", 868254676, "254676"),
    (6, "bc9cd28561042c83f219324d3c607256c03272ae", "7256c032", 1918287922, "287922"),
    (7, "a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", "4e5b397", 82162583, "162583"),
    (8, "1b3c89f65e6c9e883012052823443f048b4332db", "2823443f", 673399871, "399871"),
    (9, "1637409809a679dc698207310c8c7fc07290d9e5", "2679dc69", 645520489, "520489"),
]


def build_rfc4226() -> dict[str, Any]:
    fb = FileBuilder(
        "rfc4226",
        "RFC 4226 Appendix D (HOTP test values with the HMAC and truncated intermediates) "
        "and the §5.4 truncation example.",
        {
            "kind": "rfc",
            "references": [
                "RFC 4226 Appendix D, Tables 1 and 2 (https://www.rfc-editor.org/rfc/rfc4226)",
                "RFC 4226 §5.4 (example of HOTP computation for Digit = 6)",
            ],
            "description": "Values transcribed from the RFC text; truncated_hex is printed as "
            "the RFC prints it (no leading zeros).",
            "verification": "The transcription is checked against rfc6238 and recomputed by "
            "every oracle; verified_by lists those that agreed.",
            "oracles": ORACLE_NAMES,
            "oracle_versions": oracle_versions(),
        },
    )
    fb.note(
        RFC4226AppendixD="RFC 4226 Appendix D: secret '12345678901234567890', counters 0-9.",
        RFC4226Section5_4="RFC 4226 §5.4: truncation of a given HMAC-SHA-1 value.",
    )
    tests = fb.group("hotp", "HOTP-SHA1, 6 digits, ASCII secret '12345678901234567890'.")
    for counter, mac, trunc_hex, trunc, code in RFC4226_TABLE:
        fields = trace_fields(SEED20, counter, 6, "SHA1")
        _expect(fields["hmac"] == mac, f"RFC 4226 HMAC of count {counter}")
        _expect(fields["truncated"] == trunc == int(trunc_hex, 16), f"truncation {counter}")
        _expect(rfc6238.hotp(SEED20, counter) == code, f"RFC 4226 count {counter}")
        verdicts = check_hotp_oracles(SEED20, counter, 6, "SHA1", code)
        verdicts.verified_by.insert(0, "rfc-text")
        fb.case(
            tests,
            f"RFC 4226 Appendix D, count {counter}",
            ["RFC4226AppendixD"],
            "valid",
            key=hexkey(SEED20),
            key_base32=rfc6238.base32.encode(SEED20),
            counter=counter,
            digits=6,
            algorithm="SHA1",
            hmac=mac,
            offset=fields["offset"],
            truncated_hex=trunc_hex,
            truncated=trunc,
            code=code,
        )
        verdicts.dump(fb.groups[-1]["tests"][-1])
    tests = fb.group("truncate", "Dynamic truncation of a given HMAC value (no key).")
    digest = "1f8698690e02ca16618550ef7f19da8e945b555a"
    _expect(rfc6238.dynamic_truncate(bytes.fromhex(digest)) == 0x50EF7F19, "RFC 4226 §5.4")
    case = fb.case(
        tests,
        "RFC 4226 §5.4: offset 0xa = 10, P = 0x50ef7f19, 872921",
        ["RFC4226Section5_4"],
        "valid",
        digest=digest,
        digits=6,
        offset=10,
        truncated_hex="50ef7f19",
        truncated=1357872921,
        code="872921",
    )
    case["verified_by"] = ["rfc-text"]
    return fb.document()


# --------------------------------------------------------------------------- RFC 6238

#: RFC 6238 Appendix B, as printed: time, UTC text, T in hex, and the TOTP per mode.
RFC6238_TABLE = [
    (
        59,
        "1970-01-01 00:00:59",
        "0000000000000001",
        {"SHA1": "94287082", "SHA256": "46119246", "SHA512": "90693936"},
    ),
    (
        1111111109,
        "2005-03-18 01:58:29",
        "00000000023523EC",
        {"SHA1": "07081804", "SHA256": "68084774", "SHA512": "25091201"},
    ),
    (
        1111111111,
        "2005-03-18 01:58:31",
        "00000000023523ED",
        {"SHA1": "14050471", "SHA256": "67062674", "SHA512": "99943326"},
    ),
    (
        1234567890,
        "2009-02-13 23:31:30",
        "000000000273EF07",
        {"SHA1": "89005924", "SHA256": "91819424", "SHA512": "93441116"},
    ),
    (
        2000000000,
        "2033-05-18 03:33:20",
        "0000000003F940AA",
        {"SHA1": "69279037", "SHA256": "90698825", "SHA512": "38618901"},
    ),
    (
        20000000000,
        "2603-10-11 11:33:20",
        "0000000027BC86AA",
        {"SHA1": "65353130", "SHA256": "77737706", "SHA512": "47863826"},
    ),
]


def build_rfc6238() -> dict[str, Any]:
    fb = FileBuilder(
        "rfc6238",
        "RFC 6238 Appendix B (TOTP, T0 = 0, X = 30, 8 digits) with the seeds of the "
        "Appendix A reference code (errata 2866), plus what the 20-byte seed gives for "
        "SHA-256/SHA-512 (NOT the RFC values; flagged WrongSeedErrata2866).",
        {
            "kind": "rfc",
            "references": [
                "RFC 6238 Appendix B (https://www.rfc-editor.org/rfc/rfc6238)",
                "RFC 6238 Appendix A reference code: seed (20 bytes), seed32, seed64",
                "RFC Errata 2866 (the Appendix B prose names only the 20-byte seed)",
            ],
            "description": "RFC values transcribed from the RFC text (time, UTC, T hex, "
            "TOTP). The WrongSeedErrata2866 cases are self-made: the same times with the "
            "20-byte ASCII seed for SHA-256 and SHA-512, which is what an implementation "
            "that believes the Appendix B prose computes.",
            "verification": "Transcription checked against rfc6238; every value recomputed "
            "by the oracles; verified_by lists those that agreed.",
            "oracles": ORACLE_NAMES,
            "oracle_versions": oracle_versions(),
        },
    )
    fb.note(
        RFC6238AppendixB="RFC 6238 Appendix B with the Appendix A seeds: 20 bytes for SHA1, "
        "32 for SHA256, 64 for SHA512.",
        WrongSeedErrata2866="Self-made: the 20-byte seed used with SHA256/SHA512. The result "
        "is valid for THAT key but differs from the RFC value (related_tcId); an "
        "implementation whose RFC test passes only with this key has mis-read errata 2866.",
    )
    tests = fb.group("totp", "RFC 6238 Appendix B: T0 = 0, X = 30 s, 8 digits.")
    rfc_ids: dict[tuple[int, str], int] = {}
    for time, utc, t_hex, codes in RFC6238_TABLE:
        step = rfc6238.time_step(time)
        _expect(f"{step:016X}" == t_hex, f"RFC 6238 T at {time}")
        when = dt.datetime.fromtimestamp(time, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        _expect(when == utc, f"RFC 6238 UTC at {time}")
        for alg in ALGS:
            key = SEEDS[alg]
            _expect(
                rfc6238.totp(key, time, digits=8, algorithm=alg) == codes[alg],
                f"RFC 6238 {time} {alg}",
            )
            verdicts = check_totp_oracles(key, time, 30, 0, 8, alg, step, codes[alg])
            verdicts.verified_by.insert(0, "rfc-text")
            case = fb.case(
                tests,
                f"RFC 6238 Appendix B, {utc} UTC, {alg}",
                ["RFC6238AppendixB"],
                "valid",
                key=hexkey(key),
                key_base32=rfc6238.base32.encode(key),
                time=time,
                period=30,
                t0=0,
                digits=8,
                algorithm=alg,
                utc=utc,
                step_hex=t_hex,
                step=step,
                code=codes[alg],
            )
            verdicts.dump(case)
            rfc_ids[time, alg] = case["tcId"]
    tests = fb.group(
        "totp",
        "NOT RFC values: the 20-byte seed with SHA256/SHA512 (errata 2866 trap). Valid for "
        "this key; each differs from the RFC case named by related_tcId.",
    )
    for time, utc, _t_hex, codes in RFC6238_TABLE:
        step = rfc6238.time_step(time)
        for alg in ("SHA256", "SHA512"):
            code = rfc6238.totp(SEED20, time, digits=8, algorithm=alg)
            _expect(code != codes[alg], f"20-byte seed {time} {alg}")
            verdicts = check_totp_oracles(SEED20, time, 30, 0, 8, alg, step, code)
            case = fb.case(
                tests,
                f"20-byte seed with {alg} at {utc} UTC: differs from the RFC's {codes[alg]}",
                ["WrongSeedErrata2866"],
                "valid",
                key=hexkey(SEED20),
                time=time,
                period=30,
                t0=0,
                digits=8,
                algorithm=alg,
                step=step,
                code=code,
                related_tcId=rfc_ids[time, alg],
            )
            verdicts.dump(case)
    return fb.document()


# --------------------------------------------------------------------------- HOTP edges


def derived_key(n: int, label: str = "key") -> bytes:
    """A deterministic n-byte test key: SHAKE-256 of 'rfc6238 vectors <label> <n>'."""
    return hashlib.shake_256(f"rfc6238 vectors {label} {n}".encode()).digest(n)


def hotp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    key: bytes,
    counter: int,
    digits: int,
    alg: str,
) -> dict[str, Any]:
    code = rfc6238.hotp(key, counter, digits=digits, algorithm=alg)
    if digits > 8:
        flags = [*flags, "BeyondRFCDigits"]
    case = fb.case(
        tests,
        comment,
        flags,
        "valid",
        key=hexkey(key),
        counter=counter,
        digits=digits,
        algorithm=alg,
        **trace_fields(key, counter, digits, alg),
        code=code,
    )
    return check_hotp_oracles(key, counter, digits, alg, code).dump(case)


COUNTERS = [
    0,
    1,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**53 - 1,
    2**53,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64 - 2,
    2**64 - 1,
]


def build_hotp_edges() -> dict[str, Any]:
    fb = FileBuilder(
        "hotp_edges",
        "Self-made HOTP edge vectors: every truncation offset 0-15, keys of 1 to 256 bytes "
        "(across the 64- and 128-byte HMAC block sizes), counters at the 32/53/63/64-bit "
        "limits, digits 6-10 and codes with leading zeros. Each case carries the HMAC, the "
        "offset and the 31-bit truncated value.",
        self_made_source(
            "Inputs chosen by the script (fixed lists; first counters found by a search from "
            "0; keys = SHAKE-256('rfc6238 vectors key <n>') truncated to n bytes).",
            ["RFC 4226 §5.1-§5.3", "RFC 2104 §2 (keys longer than the block are hashed)"],
        ),
    )
    fb.note(
        TruncationOffset="The first counter (from 0, RFC seed of the algorithm) whose HMAC "
        "ends in this low nibble; offsets 0-15 each appear once per algorithm.",
        TopBitMasked="The byte at the offset has its top bit set: the 0x7f mask matters.",
        KeyLength="Key length sweep 1-256 bytes (key = SHAKE-256 of a label).",
        ShortKey="Key shorter than 16 bytes: the one-shot hotp computes it; verification and "
        "OTP objects need allow_short_key.",
        KeyIsBlockSize="Key exactly the hash block size (64 for SHA1/SHA256, 128 for SHA512).",
        KeyLongerThanBlock="Key longer than the block size: HMAC hashes it first (RFC 2104).",
        LargeCounter="Counter at a 31/32/53/63/64-bit boundary (exact integer arithmetic; JSON "
        "readers must keep integers above 2**53 exact).",
        BeyondRFCDigits="9 or 10 digits: beyond RFC 4226 (biased; a 10-digit code starts "
        "with 0, 1 or 2). cryptography, oath (dec6-8) and oathtool refuse them.",
        LeadingZeros="The code starts with one or more zeros; it must be zero-padded.",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
    )
    tests = fb.group("hotp", "Every truncation offset 0-15 per algorithm (6 digits).")
    for alg in ALGS:
        found: dict[int, int] = {}
        counter = 0
        while len(found) < 16:
            t = rfc6238.trace_hotp(SEEDS[alg], counter, algorithm=alg)
            found.setdefault(t.offset, counter)
            counter += 1
        for offset in range(16):
            c = found[offset]
            t = rfc6238.trace_hotp(SEEDS[alg], c, algorithm=alg)
            flags = ["TruncationOffset"] + (["TopBitMasked"] if t.window[0] & 0x80 else [])
            hotp_case(
                fb, tests, f"{alg} offset {offset}: first counter {c}", flags, SEEDS[alg], c, 6, alg
            )
    tests = fb.group("hotp", "Key lengths 1-256 bytes per algorithm, counter = length.")
    for alg in ALGS:
        for n in range(1, 257):
            flags = ["KeyLength"]
            if n < 16:
                flags.append("ShortKey")
            if n == BLOCK[alg]:
                flags.append("KeyIsBlockSize")
            if n > BLOCK[alg]:
                flags.append("KeyLongerThanBlock")
            hotp_case(fb, tests, f"{alg} {n}-byte key", flags, derived_key(n), n, 6, alg)
    tests = fb.group("hotp", "Counters at integer-width limits, digits 6-10, RFC seeds.")
    for counter in COUNTERS:
        for alg in ALGS:
            for digits in range(6, 11):
                flags = ["LargeCounter"] if counter > 1 else []
                hotp_case(
                    fb,
                    tests,
                    f"{alg} counter {counter}, {digits} digits",
                    flags,
                    SEEDS[alg],
                    counter,
                    digits,
                    alg,
                )
    tests = fb.group("hotp", "Codes with leading zeros (first counter from 0, SHA1 seed).")
    for digits, zeros in [
        (6, 1),
        (6, 2),
        (6, 3),
        (6, 4),
        (7, 2),
        (8, 1),
        (8, 2),
        (8, 3),
        (9, 2),
        (10, 1),
        (10, 2),
        (10, 3),
    ]:
        counter = 0
        while not rfc6238.hotp(SEED20, counter, digits=digits).startswith("0" * zeros):
            counter += 1
        hotp_case(
            fb,
            tests,
            f"{digits} digits, {zeros} leading zero(s): counter {counter}",
            ["LeadingZeros"],
            SEED20,
            counter,
            digits,
            "SHA1",
        )
    return fb.document()


# --------------------------------------------------------------------------- TOTP edges

TIMES = [
    0,
    1,
    29,
    30,
    59,
    60,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**53 - 1,
    2**53,
    2**53 + 1,
    253402300799,
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    30 * 2**64 - 1,
]


def totp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    key: bytes,
    time: object,
    period: int,
    t0: int,
    digits: int,
    alg: str,
    time_json: object = None,
) -> dict[str, Any]:
    step = rfc6238.time_step(time, period=period, t0=t0)  # type: ignore[arg-type]
    code = rfc6238.totp(key, time, period=period, t0=t0, digits=digits, algorithm=alg)  # type: ignore[arg-type]
    if digits > 8:
        flags = [*flags, "BeyondRFCDigits"]
    case = fb.case(
        tests,
        comment,
        flags,
        "valid",
        key=hexkey(key),
        time=time if time_json is None else time_json,
        period=period,
        t0=t0,
        digits=digits,
        algorithm=alg,
        step=step,
        code=code,
    )
    verdicts = check_totp_oracles(key, time, period, t0, digits, alg, step, code)
    if not set(TOTP_ORACLES) & set(verdicts.verified_by):
        case["flags"].append("StepFromScript")
    return verdicts.dump(case)


def time_flags(time: int) -> list[str]:
    flags = []
    if 2**31 - 1 <= time < 2**32:
        flags.append("Y2038")
    if time >= 2**32:
        flags.append("Beyond32BitTime")
    if time >= 2**53 - 1:
        flags.append("Beyond53BitFloat")
    if time >= 2**63:
        flags.append("Beyond64BitSignedTime")
    return flags


def build_totp_edges() -> dict[str, Any]:
    fb = FileBuilder(
        "totp_edges",
        "Self-made TOTP edge vectors: times around 2**31, 2**32, 2**53, 2**63, 2**64 and the "
        "last time whose step fits 64 bits; periods other than 30; T0 != 0 (including time "
        "== T0 and a negative T0); digits 6-10; float and datetime times.",
        self_made_source(
            "Inputs are fixed lists in the script; keys are the RFC 6238 Appendix A seeds.",
            ["RFC 6238 §4.2 (T = floor((t - T0) / X), exact past 2038)", "RFC 4226 §5"],
        ),
    )
    fb.note(
        Y2038="Unix time at the signed 32-bit limit (2**31 - 1, 2**31 ...).",
        Beyond32BitTime="Unix time at or past 2**32 (RFC 6238 §4.2 requires > 32-bit time).",
        Beyond53BitFloat="Time at or past 2**53 - 1: float division (t / X) is wrong here.",
        Beyond64BitSignedTime="Time past 2**63 - 1: does not fit a signed 64-bit time_t.",
        MaxStep="The last time whose step T is 2**64 - 1 (one second later is invalid).",
        Period="A time step X other than 30 s.",
        NonZeroT0="T0 != 0.",
        NegativeT0="T0 before the epoch: valid in rfc6238 (any int); other tools may differ.",
        FloatTime="Time as a float (tagged); T uses the floor of the time.",
        DatetimeTime="Time as a timezone-aware ISO 8601 datetime (tagged).",
        Digits="Appendix B times at digits other than 8.",
        BeyondRFCDigits="9 or 10 digits: beyond RFC 4226; cryptography, oath and oathtool "
        "refuse them.",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
        StepFromScript="No oracle computed this TOTP itself (all refused or disagreed on the "
        "time arithmetic): the oracles only confirmed the HOTP value at the step, and the step "
        "(time - T0) // X comes from integer floor division in rfc6238 and in this script.",
    )
    tests = fb.group("totp", "Times at integer-width limits; X = 30, T0 = 0, 8 digits.")
    for time in TIMES:
        for alg in ALGS:
            flags = time_flags(time) + (["MaxStep"] if time == 30 * 2**64 - 1 else [])
            totp_case(fb, tests, f"{alg} at time {time}", flags, SEEDS[alg], time, 30, 0, 8, alg)
    tests = fb.group("totp", "Periods other than 30 s (SHA1 seed, T0 = 0, 8 digits).")
    for period in [1, 10, 15, 20, 45, 60, 90, 120, 121, 300, 3600, 86400, 2**32]:
        for time in [59, 1111111109, 2**31, 20000000000, 2**53 + 1]:
            totp_case(
                fb,
                tests,
                f"X = {period} s at time {time}",
                ["Period", *time_flags(time)],
                SEED20,
                time,
                period,
                0,
                8,
                "SHA1",
            )
    tests = fb.group("totp", "T0 != 0 (SHA1 seed, 8 digits).")
    for t0, period, offsets in [
        (1000, 30, [0, 29, 30, 59, 60]),
        (1000, 60, [0, 59, 60]),
        (1111111109, 30, [0, 1, 30]),
        (2**31, 30, [0, 30, 2**31]),
        (2**32, 15, [0, 14, 15]),
        (2**53, 30, [0, 30]),
        (-30, 30, [0, 29, 30, 59]),
    ]:
        for off in offsets:
            time = t0 + off
            flags = ["NonZeroT0"] + (["NegativeT0"] if t0 < 0 else []) + time_flags(time)
            if period != 30:
                flags.append("Period")
            totp_case(
                fb,
                tests,
                f"T0 = {t0}, X = {period}, time = T0 + {off}",
                flags,
                SEED20,
                time,
                period,
                t0,
                8,
                "SHA1",
            )
    tests = fb.group("totp", "Appendix B times at 6, 7, 9 and 10 digits (errata seeds).")
    for time, *_ in RFC6238_TABLE:
        for alg in ALGS:
            for digits in (6, 7, 9, 10):
                totp_case(
                    fb,
                    tests,
                    f"{alg} at {time}, {digits} digits",
                    ["Digits"],
                    SEEDS[alg],
                    time,
                    30,
                    0,
                    digits,
                    alg,
                )
    tests = fb.group("totp", "Float and timezone-aware datetime times (tagged values).")
    for text in ["59.999", "60.0", "1111111109.5", "1111111110.999", "0.5"]:
        totp_case(
            fb,
            tests,
            f"float time {text}",
            ["FloatTime"],
            SEED20,
            float(text),
            30,
            0,
            8,
            "SHA1",
            time_json={"float": text},
        )
    for text in [
        "2005-03-18T01:58:29+00:00",
        "2005-03-18T02:58:29+01:00",
        "2005-03-17T20:58:29-05:00",
        "2603-10-11T11:33:20+00:00",
        "9999-12-31T23:59:59+00:00",
    ]:
        totp_case(
            fb,
            tests,
            f"datetime {text}",
            ["DatetimeTime"],
            SEED20,
            dt.datetime.fromisoformat(text),
            30,
            0,
            8,
            "SHA1",
            time_json={"datetime": text},
        )
    return fb.document()


# --------------------------------------------------------------------------- verification


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
    """The oracles' own verify functions; each returns the offset it reports."""

    def pyotp_verify() -> str:
        import pyotp

        if t0 != 0 or past != future:
            raise Refused("no T0 / symmetric valid_window only")
        _, totp_cls = _pyotp_classes()
        try:
            otp = totp_cls(
                base64.b32encode(key).decode(), digits=digits, digest=_hashlib(alg), interval=period
            )
        except ValueError as err:
            raise Refused(_why(err)) from err
        try:
            step = otp.verify_and_get_timecode(token, for_time=time, valid_window=past)
        except pyotp.exceptions.OTPVerificationError as err:
            raise Rejected from err
        return f"offset {step - otp.timecode(time)}"

    def oath_verify() -> str:
        import oath

        if t0 != 0 or digits > 8:
            raise Refused("no T0 / formats dec6-dec8 only")
        ok, drift = oath.accept_totp(
            key.hex(),
            token,
            format=f"dec{digits}",
            period=period,
            t=time,
            hash=_hashlib(alg),
            forward_drift=future,
            backward_drift=past,
        )
        if not ok:
            raise Rejected
        return f"offset {drift}"

    def oathtool_verify() -> str:
        if past != future or digits > 8:
            raise Refused("symmetric -w window and digits 6-8 only")
        exe = shutil.which("oathtool")
        if exe is None:
            raise Refused("oathtool not installed")
        proc = subprocess.run(
            [
                exe,
                f"--totp={alg}",
                "-s",
                f"{period}s",
                "-S",
                f"@{t0}",
                "-N",
                f"@{time}",
                "-w",
                str(past),
                "-d",
                str(digits),
                key.hex(),
                token,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if "cannot parse" in proc.stderr:
            raise Refused(proc.stderr.strip()[:90])
        if proc.returncode != 0:
            raise Rejected(proc.stderr.strip())
        return f"|offset| {proc.stdout.strip()}"

    return {
        "pyotp-verify": pyotp_verify,
        "oath-verify": oath_verify,
        "oathtool-verify": oathtool_verify,
    }


def direct_hotp_verifiers(
    key: bytes, token: str, counter: int, look_ahead: int, digits: int, alg: str
) -> dict[str, Callable[[], str]]:
    def oath_verify() -> str:
        import oath

        if digits > 8:
            raise Refused("formats dec6-dec8 only")
        ok, following = oath.accept_hotp(
            key.hex(),
            token,
            counter,
            format=f"dec{digits}",
            hash=_hashlib(alg),
            drift=look_ahead,
            backward_drift=0,
        )
        if not ok:
            raise Rejected
        return f"offset {following - 1 - counter}"

    def oathtool_verify() -> str:
        if alg != "SHA1" or digits > 8:
            raise Refused("--hotp is SHA-1 only; digits 6-8")
        exe = shutil.which("oathtool")
        if exe is None:
            raise Refused("oathtool not installed")
        proc = subprocess.run(
            [
                exe,
                "--hotp",
                "-c",
                str(counter),
                "-w",
                str(look_ahead),
                "-d",
                str(digits),
                key.hex(),
                token,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise Rejected(proc.stderr.strip())
        return f"offset {proc.stdout.strip()}"

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
            if expected is None:
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
    try:
        match = rfc6238.verify_totp(
            key,
            token,
            time,
            window=window,
            period=period,
            t0=t0,
            digits=digits,
            algorithm=alg,
            allow_short_key=allow_short_key,
        )
    except _errors.RFC6238Error as err:
        _expect(type(err).__name__ == error, f"{comment}: raised {type(err).__name__}")
        case = fb.case(tests, comment, flags, "invalid", **fields, error=error)
        expected = None
    else:
        _expect(error is None, f"{comment}: accepted")
        matches = rfc6238.TOTP(
            key=key,
            digits=digits,
            algorithm=alg,
            period=period,
            t0=t0,
            allow_short_key=allow_short_key,
        ).matches(token, time, window=window)
        case = fb.case(
            tests,
            comment,
            flags,
            "valid",
            **fields,
            match={"counter": match.counter, "offset": match.offset},
            matches=matches,
        )
        expected = f"offset {match.offset}"
    verdicts = Verdicts()
    if oracles:
        hits = case.get("matches", [])
        record_verify(
            verdicts,
            window_oracles(key, step - past, step + future, digits, alg, token),
            f"matches {hits}",
        )
        record_verify(
            verdicts,
            direct_totp_verifiers(key, token, time, past, future, period, t0, digits, alg),
            expected,
        )
    return verdicts.dump(case)


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
    try:
        match = rfc6238.verify_hotp(
            key,
            token,
            counter,
            look_ahead=look_ahead,
            digits=digits,
            algorithm=alg,
            allow_short_key=allow_short_key,
        )
    except _errors.RFC6238Error as err:
        _expect(type(err).__name__ == error, f"{comment}: raised {type(err).__name__}")
        case = fb.case(tests, comment, flags, "invalid", **fields, error=error)
        expected = None
    else:
        _expect(error is None, f"{comment}: accepted")
        mac_matches = [
            c
            for c in range(counter, min(counter + look_ahead, MAX64) + 1)
            if rfc6238.hotp(key, c, digits=digits, algorithm=alg) == token
        ]
        case = fb.case(
            tests,
            comment,
            flags,
            "valid",
            **fields,
            match={"counter": match.counter, "offset": match.offset},
            matches=mac_matches,
        )
        expected = f"offset {match.offset}"
    verdicts = Verdicts()
    if oracles:
        hits = case.get("matches", [])
        record_verify(
            verdicts,
            window_oracles(key, counter, counter + look_ahead, digits, alg, token),
            f"matches {hits}",
        )
        record_verify(
            verdicts, direct_hotp_verifiers(key, token, counter, look_ahead, digits, alg), expected
        )
    return verdicts.dump(case, minimum=2)


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
            window,
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


# --------------------------------------------------------------------------- tokens


def token_verifiers(
    key: bytes, token: object, time: int, digits: int
) -> dict[str, Callable[[], str]]:
    """Direct verifiers at window 0 (SHA1, X = 30, T0 = 0), fed the token as it is."""

    def crypto_verify() -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.twofactor import InvalidToken
        from cryptography.hazmat.primitives.twofactor.totp import TOTP

        if isinstance(token, bytes):
            raise Refused("bytes is its native token type")
        raw = token.encode("utf-8") if isinstance(token, str) else token
        otp = TOTP(key, digits, hashes.SHA1(), 30, enforce_key_length=False)  # noqa: S303
        try:
            otp.verify(raw, time)  # type: ignore[arg-type]
        except InvalidToken as err:
            raise Rejected from err
        return "offset 0"

    def pyotp_verify() -> str:
        _, totp_cls = _pyotp_classes()
        otp = totp_cls(_b32(key), digits=digits)
        if not otp.verify(token, for_time=time):
            raise Rejected
        return "offset 0"

    def oath_verify() -> str:
        import oath

        ok, drift = oath.accept_totp(
            key.hex(), token, format=f"dec{digits}", t=time, forward_drift=0, backward_drift=0
        )
        if not ok:
            raise Rejected
        return f"offset {drift}"

    def oathtool_verify() -> str:
        if not isinstance(token, str):
            raise Refused("a non-str token is not expressible on the command line")
        if "\0" in token:
            raise Refused("NUL cannot be passed in argv")
        exe = shutil.which("oathtool")
        if exe is None:
            raise Refused("oathtool not installed")
        proc = subprocess.run(
            [exe, "--totp", "-N", f"@{time}", "-w", "0", "-d", str(digits), "--", key.hex(), token],
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            raise Rejected
        return "offset 0"

    return {
        "cryptography-verify": crypto_verify,
        "pyotp-verify": pyotp_verify,
        "oath-verify": oath_verify,
        "oathtool-verify": oathtool_verify,
    }


def token_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    token_json: object,
    time: int,
    digits: int,
) -> dict[str, Any]:
    token = decode_value(token_json)
    key = SEED20
    fields = {
        "key": hexkey(key),
        "token": token_json,
        "time": time,
        "window": 0,
        "period": 30,
        "t0": 0,
        "digits": digits,
        "algorithm": "SHA1",
        "allow_short_key": False,
    }
    try:
        match = rfc6238.verify_totp(key, token, time, window=0, digits=digits)  # type: ignore[arg-type]
    except _errors.RFC6238Error as err:
        case = fb.case(tests, comment, flags, "invalid", **fields, error=type(err).__name__)
        expected = None
    else:
        case = fb.case(
            tests,
            comment,
            flags,
            "valid",
            **fields,
            match={"counter": match.counter, "offset": match.offset},
            matches=[match.counter],
        )
        expected = "offset 0"
    verdicts = Verdicts()
    record_verify(verdicts, token_verifiers(key, token, time, digits), expected)
    return verdicts.dump(case)


def build_tokens() -> dict[str, Any]:
    fb = FileBuilder(
        "tokens",
        "Malformed tokens: a token is exactly `digits` characters from '0123456789'. "
        "Everything else is MalformedToken (a str) or InvalidType (not a str), never a "
        "crash and never a match. Each case is a TOTP verification at window 0 (SHA1 seed, "
        "X = 30, T0 = 0) whose real code the malformed token imitates.",
        self_made_source(
            "Tokens derived by hand from the real codes '07081804' (8 digits, time "
            "1111111109) and '287082' (6 digits, time 59).",
            ["RFC 4226 §5.3 (a code is Digit decimal digits)", "SECURITY.md 'Tokens'"],
        ),
    )
    fb.note(
        Control="The real code: must verify.",
        IntLike="int() of the token equals int() of the code (sign, whitespace, underscore, "
        "leading zeros stripped or added).",
        WrongLength="Not exactly `digits` characters.",
        Whitespace="Leading/trailing whitespace or a newline (re '^\\d{n}$' accepts a final "
        "newline).",
        NonAsciiDigit="Unicode decimal digits that str.isdigit(), int() and \\d accept.",
        NFKCDigit="Characters that Unicode NFKC normalisation turns into ASCII digits "
        "(full-width, mathematical, superscript).",
        Separator="A space or hyphen inside the code: a UI may strip these explicitly "
        "before verification, verify must not.",
        NotDigit="Letters or punctuation.",
        NotStr="Not a str (tagged value): InvalidType.",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
    )
    tests = fb.group("verify_totp", "8 digits at time 1111111109: the code is '07081804'.")
    t8, t6 = 1111111109, 59
    _expect(rfc6238.totp(SEED20, t8, digits=8) == "07081804", "8-digit token base")
    _expect(rfc6238.totp(SEED20, t6) == "287082", "6-digit token base")
    eight = [
        ("07081804", "the real code", ["Control"]),
        ("7081804", "leading zero stripped", ["WrongLength", "IntLike"]),
        ("007081804", "extra leading zero", ["WrongLength", "IntLike"]),
        ("+7081804", "plus sign, same length, int() equal", ["IntLike"]),
        ("-7081804", "minus sign", ["NotDigit"]),
        (" 7081804", "leading space, same length, int() equal", ["IntLike", "Whitespace"]),
        ("7081804 ", "trailing space, same length, int() equal", ["IntLike", "Whitespace"]),
        ("\t7081804", "leading tab", ["IntLike", "Whitespace"]),
        ("\u00a07081804", "leading no-break space", ["IntLike", "Whitespace"]),
        ("7_081804", "underscore, same length, int() equal", ["IntLike"]),
        ("07081804\n", "trailing newline", ["Whitespace", "WrongLength"]),
        ("07081804\r\n", "trailing CRLF", ["Whitespace", "WrongLength"]),
        (
            "\u0660\u0667\u0660\u0668\u0661\u0668\u0660\u0664",
            "Arabic-Indic digits",
            ["NonAsciiDigit"],
        ),
        (
            "\u06f0\u06f7\u06f0\u06f8\u06f1\u06f8\u06f0\u06f4",
            "Extended Arabic-Indic digits",
            ["NonAsciiDigit"],
        ),
        (
            "\u0966\u096d\u0966\u096e\u0967\u096e\u0966\u096a",
            "Devanagari digits",
            ["NonAsciiDigit"],
        ),
        ("\u09e6\u09ed\u09e6\u09ee\u09e7\u09ee\u09e6\u09ea", "Bengali digits", ["NonAsciiDigit"]),
        (
            "\uff10\uff17\uff10\uff18\uff11\uff18\uff10\uff14",
            "full-width digits",
            ["NonAsciiDigit", "NFKCDigit"],
        ),
        ("0708180\uff14", "one full-width digit", ["NonAsciiDigit", "NFKCDigit"]),
        (
            "\U0001d7ce\U0001d7d5\U0001d7ce\U0001d7d6\U0001d7cf\U0001d7d6\U0001d7ce\U0001d7d2",
            "mathematical bold digits",
            ["NonAsciiDigit", "NFKCDigit"],
        ),
        ("\u2070\u2077\u2070\u2078\u00b9\u2078\u2070\u2074", "superscript digits", ["NFKCDigit"]),
        ("0708 1804", "space-separated groups", ["Separator", "WrongLength"]),
        ("0708-1804", "hyphen-separated groups", ["Separator", "WrongLength"]),
        ("O7081804", "letter O for zero", ["NotDigit"]),
        ("7081804.", "trailing dot", ["NotDigit"]),
        ("07081804\u0000", "trailing NUL", ["WrongLength"]),
        ("", "empty", ["WrongLength"]),
        ("081804", "the 6-digit code where 8 digits are expected", ["WrongLength"]),
    ]
    for token, comment, flags in eight:
        token_case(fb, tests, comment, flags, token, t8, 8)
    tests = fb.group("verify_totp", "6 digits at time 59: the code is '287082'.")
    six: list[tuple[object, str, list[str]]] = [
        ("287082", "the real code", ["Control"]),
        ({"int": 287082}, "the code as an int", ["NotStr", "IntLike"]),
        ({"bytes_hex": b"287082".hex()}, "the code as ASCII bytes", ["NotStr"]),
        ({"none": True}, "None", ["NotStr"]),
        ("0287082", "leading zero added", ["WrongLength", "IntLike"]),
        ("287082\n", "trailing newline", ["Whitespace", "WrongLength"]),
        (
            "\uff12\uff18\uff17\uff10\uff18\uff12",
            "full-width digits",
            ["NonAsciiDigit", "NFKCDigit"],
        ),
        ("\u0662\u0668\u0667\u0660\u0668\u0662", "Arabic-Indic digits", ["NonAsciiDigit"]),
        ("287 082", "space in the middle", ["Separator", "WrongLength"]),
        ("28708", "one digit short", ["WrongLength"]),
    ]
    for token, comment, flags in six:
        token_case(fb, tests, comment, flags, token, t6, 6)
    return fb.document()


# --------------------------------------------------------------------------- base32


def base32_decoders(text: object, strict: bool) -> dict[str, Callable[[], str]]:
    """Other base32 decoders, each with its own rules; they return the key as hex."""

    def stdlib() -> str:
        if not isinstance(text, str):
            raise TypeError("not a str")
        body = text if strict else text.replace(" ", "").replace("-", "")
        body += "=" * (-len(body.rstrip("=")) % 8) if "=" not in body else ""
        return base64.b32decode(body, casefold=not strict).hex()

    def pyotp_decode() -> str:
        _, totp_cls = _pyotp_classes()
        if not isinstance(text, str):
            raise Refused("the secret is a str")
        return totp_cls(text).byte_secret().hex()  # type: ignore[no-any-return]

    def oathtool_decode() -> str:
        if not isinstance(text, str) or "\0" in text:
            raise Refused("not expressible on the command line")
        out = _oathtool("-b", "-v", "--hotp", "-c", "0", "--", text)
        line = out.splitlines()[0]
        if not line.startswith("Hex secret: "):
            raise OathtoolError(line)
        return line.removeprefix("Hex secret: ")

    return {
        "python-base64": stdlib,
        "pyotp-base32": pyotp_decode,
        "oathtool-base32": oathtool_decode,
    }


def build_base32() -> dict[str, Any]:
    fb = FileBuilder(
        "base32",
        "Base32 secrets (RFC 4648 §6) as rfc6238 decodes and encodes them: strict mode (upper "
        "case, optional padding, no separators, zero trailing bits) and lenient mode (also "
        "lower case, ASCII spaces and hyphens stripped). The ASCII check comes before any "
        "case mapping. Encoding is upper case without padding (Key URI format).",
        self_made_source(
            "RFC 4648 §10 test vectors (unpadded and padded) plus hand-made variants.",
            [
                "RFC 4648 §6, §10",
                "Google Authenticator Key URI format (no padding)",
                "SECURITY.md 'Base32'",
            ],
        ),
    )
    fb.source["oracles"] = {
        "python-base64": "CPython base64.b32decode/b32encode, after the mode's documented "
        "pre-processing (lenient: strip spaces/hyphens, casefold; padding added if absent); "
        "rfc6238 uses the same function internally, so this is a WEAK oracle",
        "pyotp-base32": "pyotp OTP.byte_secret() (casefold, pads, no separator stripping)",
        "oathtool-base32": "oathtool -b -v: the 'Hex secret' it prints (gnulib base32, strips "
        "spaces, accepts lower case)",
    }
    fb.note(
        RFC4648="An RFC 4648 §10 test vector.",
        Padding="With '=' padding (optional on input).",
        LowerCase="Lower or mixed case: lenient only.",
        Separators="Spaces or hyphens: stripped in lenient mode, rejected in strict mode.",
        NonAscii="Non-ASCII text; some upper-case to ASCII letters (dotless i, long s, "
        "Kelvin sign): rejected before case mapping.",
        NonCanonical="Non-zero unused trailing bits: strict rejects, lenient accepts.",
        BadLength="A length no base32 encoding has (1, 3 or 6 characters mod 8).",
        BadPadding="Wrong amount or position of '='.",
        BadAlphabet="A character outside A-Z, 2-7.",
        Empty="Empty text (or only separators/padding).",
        TooLong="Longer than the 1024-character bound.",
        NotStr="Not a str (tagged value): InvalidType.",
        Policy="The expected result is rfc6238's policy; other decoders may differ.",
    )
    tests = fb.group("base32_decode", "Decoding in both modes.")
    rfc = [
        (b"f", "MY"),
        (b"fo", "MZXQ"),
        (b"foo", "MZXW6"),
        (b"foob", "MZXW6YQ"),
        (b"fooba", "MZXW6YTB"),
        (b"foobar", "MZXW6YTBOI"),
    ]
    seed_b32 = rfc6238.base32.encode(SEED20)
    cases: list[tuple[object, str, list[str]]] = []
    for raw, text in rfc:
        cases.append((text, f"RFC 4648 {raw!r} unpadded", ["RFC4648"]))
        if len(text) % 8:
            padded = text + "=" * (-len(text) % 8)
            cases.append((padded, f"RFC 4648 {raw!r} padded", ["RFC4648", "Padding"]))
    cases += [
        (seed_b32, "the RFC 4226 seed", []),
        (seed_b32.lower(), "lower case", ["LowerCase", "Policy"]),
        ("GezdGNBVgy3tQOJQGEZDGNBVGY3TQOJQ", "mixed case", ["LowerCase", "Policy"]),
        (
            " ".join(seed_b32[i : i + 4] for i in range(0, 32, 4)),
            "groups of 4 with spaces",
            ["Separators", "Policy"],
        ),
        (
            "-".join(seed_b32[i : i + 4] for i in range(0, 32, 4)),
            "groups of 4 with hyphens",
            ["Separators", "Policy"],
        ),
        (
            "gezd gnbv-gy3t qojq gezd-gnbv gy3t qojq",
            "lower case, spaces and hyphens",
            ["Separators", "LowerCase", "Policy"],
        ),
        (" NBSWY3DP ", "surrounding spaces", ["Separators", "Policy"]),
        ("NBSWY3DP\t", "tab", ["Separators", "Policy"]),
        ("NBSWY3DP\n", "trailing newline", ["Separators", "Policy"]),
        ("NBSW\u00a0Y3DP", "no-break space", ["Separators", "NonAscii"]),
        ("NB\u017fWY3DP", "long s (upper() is 'S')", ["NonAscii"]),
        ("\u0131Y", "dotless i (upper() is 'I')", ["NonAscii"]),
        ("MZXW6YTB\u212a", "Kelvin sign (lower() is 'k')", ["NonAscii"]),
        ("\uff2e\uff22\uff33\uff37\uff39\uff13\uff24\uff30", "full-width letters", ["NonAscii"]),
        ("MZ", "'f' with a non-zero trailing bit", ["NonCanonical", "Policy"]),
        ("MZXR", "'fo' with a non-zero trailing bit", ["NonCanonical", "Policy"]),
        ("MZXW7", "'foo' with a non-zero trailing bit", ["NonCanonical", "Policy"]),
        ("MZXW6YR", "'foob' with non-zero trailing bits", ["NonCanonical", "Policy"]),
        ("M", "1 character", ["BadLength"]),
        ("MZX", "3 characters", ["BadLength"]),
        ("MZXW6Y", "6 characters", ["BadLength"]),
        ("MZXW6YTBO", "9 characters", ["BadLength"]),
        (seed_b32 + "=", "padding on a full group", ["BadPadding"]),
        ("MY=====", "5 '=' where 6 belong", ["BadPadding"]),
        ("MY=======", "7 '='", ["BadPadding"]),
        ("M=Y=====", "'=' in the middle", ["BadPadding"]),
        ("GEZDGNB1", "'1' is not base32", ["BadAlphabet"]),
        ("GEZDGNB0", "'0' is not base32", ["BadAlphabet"]),
        ("GEZDGNB8", "'8' is not base32", ["BadAlphabet"]),
        ("GEZDGNB!", "punctuation", ["BadAlphabet"]),
        ("", "empty", ["Empty"]),
        ("========", "padding only", ["Empty", "BadPadding"]),
        ("  -- ", "separators only", ["Empty", "Separators"]),
        ("A" * 1032, "1032 characters", ["TooLong", "Policy"]),
        ({"bytes_hex": seed_b32.encode().hex()}, "ASCII bytes instead of str", ["NotStr"]),
        ({"none": True}, "None", ["NotStr"]),
    ]
    for text, comment, flags in cases:
        for strict in (False, True):
            value = decode_value(text)
            try:
                key = rfc6238.base32.decode(value, strict=strict)  # type: ignore[arg-type]
            except _errors.RFC6238Error as err:
                case = fb.case(
                    tests,
                    f"{comment} ({'strict' if strict else 'lenient'})",
                    flags,
                    "invalid",
                    text=text,
                    strict=strict,
                    error=type(err).__name__,
                )
                expected = None
            else:
                case = fb.case(
                    tests,
                    f"{comment} ({'strict' if strict else 'lenient'})",
                    flags,
                    "valid",
                    text=text,
                    strict=strict,
                    key=key.hex(),
                )
                expected = key.hex()
            verdicts = Verdicts()
            for name, run in base32_decoders(value, strict).items():
                verdicts.record(name, expected, run)
            verdicts.dump(case, minimum=0)
    tests = fb.group("base32_encode", "Encoding: upper case, no padding.")
    for raw in [
        b"",
        *(r for r, _ in rfc),
        SEED20,
        SEEDS["SHA256"],
        SEEDS["SHA512"],
        bytes(range(256))[:37],
        b"\xff" * 10,
    ]:
        text = rfc6238.base32.encode(raw)
        case = fb.case(
            tests,
            f"encode {len(raw)} bytes",
            ["RFC4648"] if raw in dict(rfc) else [],
            "valid",
            key=raw.hex(),
            text=text,
        )
        verdicts = Verdicts()
        verdicts.record(
            "python-base64", text, lambda r=raw: base64.b32encode(r).decode().rstrip("=")
        )
        verdicts.dump(case, minimum=0)
    return fb.document()


# --------------------------------------------------------------------------- parameters


def _oneshot_hotp(key: object, counter: object, digits: object, alg: object) -> str:
    return rfc6238.hotp(key, counter, digits=digits, algorithm=alg)  # type: ignore[arg-type]


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
    try:
        code = _oneshot_hotp(py["key"], py["counter"], py["digits"], py["algorithm"])
    except _errors.RFC6238Error as err:
        case = fb.case(tests, comment, flags, "invalid", **args, error=type(err).__name__)
        expected = None
    else:
        case = fb.case(tests, comment, flags, "valid", **args, code=code)
        expected = code
    if expected is not None:
        return check_hotp_oracles(
            py["key"], py["counter"], py["digits"], py["algorithm"], expected
        ).dump(case)
    verdicts = Verdicts()
    for name, func in HOTP_ORACLES.items():
        verdicts.record(
            name,
            expected,
            lambda f=func: f(py["key"], py["counter"], py["digits"], py["algorithm"]),
        )
    return verdicts.dump(case)


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
        k: (bytes.fromhex(v) if k == "key" else decode_value(v)) for k, v in args.items()
    }
    try:
        code = rfc6238.totp(
            py["key"],
            py["time"],
            period=py["period"],
            t0=py["t0"],  # type: ignore[arg-type]
            digits=py["digits"],
            algorithm=py["algorithm"],
        )  # type: ignore[arg-type]
    except _errors.RFC6238Error as err:
        case = fb.case(tests, comment, flags, "invalid", **args, error=type(err).__name__)
        expected = None
    else:
        case = fb.case(tests, comment, flags, "valid", **args, code=code)
        expected = code
    if expected is not None:
        step = rfc6238.time_step(py["time"], period=py["period"], t0=py["t0"])  # type: ignore[arg-type]
        return check_totp_oracles(
            py["key"],
            py["time"],
            py["period"],
            py["t0"],
            py["digits"],
            py["algorithm"],
            step,
            expected,
        ).dump(case)
    verdicts = Verdicts()
    for name, func in TOTP_ORACLES.items():
        verdicts.record(
            name,
            expected,
            lambda f=func: f(
                py["key"], py["time"], py["period"], py["t0"], py["digits"], py["algorithm"]
            ),
        )
    return verdicts.dump(case)


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
        func(key, token, where, **py)  # type: ignore[arg-type]
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
        param_totp_case(fb, tests, comment, flags, **kwargs)

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


# --------------------------------------------------------------------------- key URIs

#: The single source of the Key URI cases (tests/test_uri.py reads the same file).
URI_CASES = ROOT / "tests" / "data" / "uris.json"
URI_NOTES = {
    "WikiExample": "The URI (or its label) is an example from the Key Uri Format wiki page.",
    "Policy": "The expected result is rfc6238's decision (docs/uri.md) where the Key Uri "
    "Format is silent or only says 'should'; other parsers may differ.",
    "ShortKey": "The secret is below 128 bits (RFC 4226 §4 R6): parsed and reported, not "
    "refused; the policy applies when an OTP object is made.",
    "EncodedSeparator": "The label's issuer/account separator is written %3A.",
    "Plus": "A '+' or %2B: a space in the query (form encoding), a plus in the label.",
    "Case": "Upper or lower case in the scheme, type, algorithm, secret or parameter names.",
    "Padding": "Base32 '=' padding in the secret (raw or %3D).",
    "Uint64": "A counter at or beyond the 64-bit boundary (RFC 4226 §5.1).",
    "UnknownParameter": "Parameters outside the Key Uri Format (image, others): kept.",
    "Unicode": "Non-ASCII text in the URI (percent-encoded UTF-8 or raw).",
    "Scheme": "A scheme other than otpauth:// (or a malformed one).",
    "Type": "A type other than totp/hotp, or an authority with userinfo or a port.",
    "Secret": "The secret parameter is missing or empty.",
    "Base32": "The secret is not valid base32 (RFC 4648 §6).",
    "Counter": "The counter parameter: required for hotp, not allowed for totp, 0..2**64-1.",
    "Period": "The period parameter: a positive integer, totp only.",
    "Digits": "The digits parameter: ASCII decimal 6-10, no sign or leading zero.",
    "Algorithm": "The algorithm parameter: SHA1, SHA256 or SHA512 (any case).",
    "Duplicate": "A parameter name that appears twice.",
    "Injection": "Query syntax that can smuggle a parameter: no '=', an encoded '&', a '#'.",
    "IssuerMismatch": "The label's issuer prefix differs from the issuer parameter.",
    "Control": "Control, line-separator or bidi-override characters in the label or issuer.",
    "Encoding": "A bad percent-escape or bytes that are not UTF-8.",
    "Oversized": "A URI longer than rfc6238's bound of 4096 characters.",
}


def key_uri_fields(key: Any) -> dict[str, Any]:
    """A parsed rfc6238 KeyURI as the ``expected`` object of a case (the runner's reading)."""
    from rfc6238.conformance.adapters import VECTOR_URI_FIELDS, uri_fields

    return uri_fields(key, VECTOR_URI_FIELDS)


def pyotp_uri(uri: str) -> dict[str, Any]:
    """pyotp.parse_uri (pyotp's defaults: it refuses keys below its 112-bit minimum), through
    the conformance runner's adapter, so both read pyotp's answer the same way."""
    from rfc6238.conformance.builtins import PyotpImplementation

    fields: dict[str, Any] = PyotpImplementation().run("parse_uri", {"uri": uri})
    return fields


def oath_uri(uri: str) -> dict[str, Any]:
    """python-oath parse_otpauth (through the conformance runner's adapter); it returns the
    label unsplit, so account and a label-only issuer are not compared."""
    from rfc6238.conformance.builtins import OathImplementation

    return OathImplementation._parse_uri(uri)


def _uri_show(fields: dict[str, Any], names: Iterable[str]) -> str:
    return ", ".join(f"{name} {json.dumps(fields[name], ensure_ascii=True)}" for name in names)


def uri_oracle(
    parse: Callable[[str], dict[str, Any]], uri: str, expected: dict[str, Any] | None
) -> Callable[[], str]:
    """An oracle run for Verdicts.record: '' when every field it reports equals the expected
    one, else the differing fields (for invalid cases: what it accepted)."""

    def run() -> str:
        got = parse(uri)
        if expected is None:
            return _uri_show(got, got)
        return _uri_show(got, [k for k in got if k in expected and got[k] != expected[k]])

    return run


def build_uri() -> dict[str, Any]:
    fb = FileBuilder(
        "uri",
        "Key URIs (otpauth://TYPE/LABEL?PARAMETERS, the Google Authenticator 'Key Uri "
        "Format') parsed into their fields, or rejected. 'expected' holds every field: type, "
        "secret_hex (the decoded secret as hex), issuer, account, algorithm, digits, period "
        "(totp), counter (hotp), image and extra (other parameters as [name, value] pairs in "
        "URI order); null where absent.",
        {
            "kind": "self-made",
            "references": [
                "Google Authenticator wiki 'Key Uri Format' "
                "(github.com/google/google-authenticator/wiki/Key-Uri-Format; read through "
                "the mirror katydtf1234/fluffy-doodle KeyUriFormat.md)",
                "RFC 3986 (URI syntax)",
                "RFC 4648 §6 (base32)",
                "RFC 4226 §5.1, §5.3; RFC 6238 §1.2, §4.1",
                "docs/uri.md (the decision table, with the behaviour of pyotp 2.12, otpauth 9 "
                "and otplib 13 read from their source)",
            ],
            "description": "The cases are hand-written in tests/data/uris.json (the single "
            "source; this file is generated from it). Each case's 'reference' says where it "
            "comes from: an example or rule of the Key Uri Format wiki, an RFC, or a row of "
            "the decision table in docs/uri.md, which records what pyotp, otpauth (npm) and "
            "otplib do at that point and why rfc6238 decides as it does (flag Policy). "
            "otpauth and otplib were read, not run; pyotp and python-oath are run below.",
            "verification": "The expected fields (or error class) are written by hand in "
            "tests/data/uris.json; the generator stops unless rfc6238.parse_uri returns "
            "exactly them (or raises exactly that class). Then pyotp.parse_uri and python-oath's "
            "parse_otpauth parse every URI: verified_by lists those that returned the same "
            "value for every field they report (for invalid cases: that raised, for whatever "
            "reason; oracle_notes quotes it), disagreed "
            "those that returned other values (only the differing fields are shown) or "
            "accepted an invalid URI, refused those that raised on a valid URI. The "
            "expectations are decisions, not computations: no minimum number of agreeing "
            "oracles applies, and the disagreements are the findings of docs/findings.md.",
            "oracles": {
                "pyotp": "pyotp.parse_uri with its defaults (so keys below 112 bits are "
                "refused); compared on type, secret_hex, issuer, account (its name), "
                "algorithm, digits, period (interval), counter (initial_count)",
                "oath": "python-oath oath.google_authenticator.parse_otpauth; the label comes "
                "back unsplit, so compared on type, secret_hex, algorithm, digits, period, "
                "counter and an issuer parameter only",
            },
            "oracle_versions": {
                k: v for k, v in oracle_versions().items() if k in ("pyotp", "oath", "rfc6238")
            },
        },
    )
    fb.note(**URI_NOTES)
    tests = fb.group("parse_uri", "Key URIs: parse into fields, or raise the error class.")
    names = set()
    for source in json.loads(URI_CASES.read_text(encoding="utf-8"))["cases"]:
        _expect(source["id"] not in names, f"uris.json: duplicate id {source['id']}")
        names.add(source["id"])
        uri = source["uri"]
        fields: dict[str, Any] = {"reference": source["reference"], "uri": uri}
        try:
            parsed = rfc6238.parse_uri(uri)
        except _errors.RFC6238Error as err:
            _expect(
                type(err).__name__ == source.get("error"),
                f"uris.json {source['id']}: rfc6238 raised {type(err).__name__}",
            )
            fields["error"] = source["error"]
            expected = None
        else:
            expected = key_uri_fields(parsed)
            _expect(
                source["result"] == "valid" and expected == source["expected"],
                f"uris.json {source['id']}: rfc6238 parsed {expected}",
            )
            fields["expected"] = expected
        comment = f"{source['id']}: {source['comment']}"
        case = fb.case(tests, comment, source["flags"], source["result"], **fields)
        verdicts = Verdicts()
        agree = None if expected is None else ""  # '' = no field differs
        verdicts.record("pyotp", agree, uri_oracle(pyotp_uri, uri, expected))
        verdicts.record("oath", agree, uri_oracle(oath_uri, uri, expected))
        verdicts.dump(case, minimum=0)
    return fb.document()


# --------------------------------------------------------------------------- main

BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "rfc4226": build_rfc4226,
    "rfc6238": build_rfc6238,
    "hotp_edges": build_hotp_edges,
    "totp_edges": build_totp_edges,
    "verify": build_verify,
    "tokens": build_tokens,
    "base32": build_base32,
    "parameters": build_parameters,
    "uri": build_uri,
}


def render(doc: dict[str, Any]) -> str:
    """Pretty JSON with one test case per line (ASCII only, so every byte is unambiguous)."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=True, allow_nan=False)

    lines = ["{"]
    items = list(doc.items())
    for i, (name, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if name != "testGroups":
            text = json.dumps(value, ensure_ascii=True, allow_nan=False, indent=2)
            text = text.replace("\n", "\n  ")
            lines.append(f"  {dump(name)}: {text}{comma}")
            continue
        lines.append('  "testGroups": [')
        for g, group in enumerate(value):
            lines.append("    {")
            lines.append(f'      "type": {dump(group["type"])},')
            lines.append(f'      "comment": {dump(group["comment"])},')
            lines.append('      "tests": [')
            for t, case in enumerate(group["tests"]):
                sep = "," if t < len(group["tests"]) - 1 else ""
                lines.append(f"        {dump(case)}{sep}")
            lines.append("      ]")
            lines.append("    }" + ("," if g < len(value) - 1 else ""))
        lines.append(f"  ]{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _without_versions(text: str) -> Any:
    doc = json.loads(text)
    doc["source"].pop("oracle_versions", None)
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate in memory and compare with vectors/; exit 1 on any difference",
    )
    parser.add_argument(
        "names",
        nargs="*",
        choices=[*BUILDERS, []],
        metavar="NAME",
        help=f"files to build (default: all of {', '.join(BUILDERS)})",
    )
    args = parser.parse_args(argv)
    versions = oracle_versions()
    missing = [k for k, v in versions.items() if v == "missing"]
    if missing:
        print(f"oracles missing: {', '.join(missing)}", file=sys.stderr)
        if not args.check:
            print("refusing to write files that would lose their oracle records", file=sys.stderr)
            return 2
    failures = 0
    for name in args.names or BUILDERS:
        text = render(BUILDERS[name]())
        path = VECTORS / f"{name}.json"
        if args.check:
            on_disk = path.read_text(encoding="utf-8") if path.exists() else ""
            if text == on_disk:
                print(f"ok       {path.relative_to(ROOT)}")
            elif on_disk and _without_versions(text) == _without_versions(on_disk):
                print(f"ok       {path.relative_to(ROOT)} (oracle versions differ)")
            else:
                failures += 1
                print(f"DIFFERS  {path.relative_to(ROOT)}: regenerate and review the diff")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote    {path.relative_to(ROOT)} ({len(text.encode())} bytes)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
