"""The independent implementations every self-made vector is checked against."""

from __future__ import annotations

import base64
import hmac
import importlib.metadata
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import rfc6238
from rfc6238.conformance.adapters import Implementation, Unsupported, refusal_kind
from rfc6238.conformance.adapters import Rejected as AdapterRejected
from rfc6238.conformance.builtins import (
    OathtoolImplementation,
    builtin,
    hash_constructor,
    hex_key,
    plain_int,
)


class Refused(Exception):
    """The oracle cannot express or compute this case (not a verdict on the input)."""


def _why(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}".replace("\n", " ")
    return text if len(text) <= 110 else text[:107] + "..."


def _builtin(name: str) -> Implementation:
    """The conformance runner's adapter ``name`` (one instance per run)."""
    if name not in _ADAPTERS:
        _ADAPTERS[name] = builtin(name)
    return _ADAPTERS[name]


_ADAPTERS: dict[str, Implementation] = {}


def ask(name: str, op: str, **args: Any) -> Any:
    """Run one operation on the runner's built-in adapter ``name``.

    The adapter's :class:`Unsupported` (the library's API cannot express the case) becomes
    :class:`Refused`; oathtool's non-zero exit becomes :class:`OathtoolError`; anything the
    library raises passes through (its own refusal or rejection).
    """
    try:
        return _builtin(name).run(op, args)
    except Unsupported as err:
        raise Refused(str(err)) from err
    except LookupError as err:
        raise Refused(f"{name} not installed") from err
    except AdapterRejected as err:
        if name == "oathtool":
            raise OathtoolError(str(err)) from err
        raise


def _plain_int(value: object, what: str) -> int:
    try:
        return plain_int(value, what)
    except Unsupported as err:
        raise Refused(str(err)) from err


def _hashlib(alg: object) -> Callable[..., Any]:
    """The hashlib constructor an oracle gets for an algorithm name (names it can express)."""
    try:
        return hash_constructor(alg)
    except Unsupported as err:
        raise Refused(str(err)) from err


def minimal_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    """The weak oracle: RFC 4226 §5.3 written out with hmac.digest and int.from_bytes."""
    mac = hmac.digest(key, counter.to_bytes(8, "big"), alg.lower())
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def _hotp_args(key: bytes, counter: int, digits: int, alg: str) -> dict[str, Any]:
    return {"key": key, "counter": counter, "digits": digits, "algorithm": alg}


def _totp_args(
    key: bytes, time: object, period: int, t0: int, digits: int, alg: str
) -> dict[str, Any]:
    return {"key": key, "time": time, "period": period, "t0": t0, "digits": digits,
            "algorithm": alg}  # fmt: skip


def crypto_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    return str(ask("cryptography", "hotp", **_hotp_args(key, counter, digits, alg)))


def crypto_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    return str(ask("cryptography", "totp", **_totp_args(key, time, period, t0, digits, alg)))


def pyotp_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    return str(ask("pyotp", "hotp", **_hotp_args(key, counter, digits, alg)))


def pyotp_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    return str(ask("pyotp", "totp", **_totp_args(key, time, period, t0, digits, alg)))


def oath_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    return str(ask("oath", "hotp", **_hotp_args(key, counter, digits, alg)))


def oath_dec_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    """python-oath's full 31-bit value (``format='dec'``) reduced by the script: 9-10 digits.

    Not a runner adapter (users never call it so): a variant only the generator needs.
    """
    import oath  # type: ignore[import-untyped]  # python-oath ships no type hints

    value = int(oath.hotp(_hex(key), counter, format="dec", hash=_hashlib(alg)))
    return str(value % 10**digits).zfill(digits)


def oath_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    return str(ask("oath", "totp", **_totp_args(key, time, period, t0, digits, alg)))


class OathtoolError(Exception):
    """oathtool exited non-zero (a rejection for invalid cases, a refusal for valid ones)."""


def _b32(key: object) -> str:
    if not isinstance(key, bytes):
        raise Refused("takes a base32 str secret; a non-bytes key is not expressible")
    return base64.b32encode(key).decode()


def _hex(key: object) -> str:
    try:
        return hex_key(key)
    except Unsupported as err:
        raise Refused(str(err)) from err


def _oathtool(*args: str) -> str:
    """Run the runner's oathtool adapter's executable with ``args`` (generator variants)."""
    impl = _builtin("oathtool") if shutil.which("oathtool") else None
    if not isinstance(impl, OathtoolImplementation):
        raise Refused("oathtool not installed")
    try:
        return impl.call([impl.executable, *args])
    except AdapterRejected as err:
        raise OathtoolError(str(err)) from err


def oathtool_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    return str(ask("oathtool", "hotp", **_hotp_args(key, counter, digits, alg)))


def oathtool_s1(key: bytes, counter: int, digits: int, alg: str) -> str:
    """HOTP through oathtool's TOTP mode with a 1-second step: T = counter (< 2**63)."""
    if digits not in (6, 7, 8):
        raise Refused("only digits 6, 7 and 8 are supported")
    if not 0 <= _plain_int(counter, "counter") < 2**63:
        raise Refused("-N @TIME takes a signed 64-bit time")
    return _oathtool(
        f"--totp={alg}", "-s", "1s", "-N", f"@{counter}", "-d", str(_plain_int(digits, "digits")),
        _hex(key),
    )  # fmt: skip


def oathtool_totp(key: bytes, time: object, period: int, t0: int, digits: int, alg: str) -> str:
    return str(ask("oathtool", "totp", **_totp_args(key, time, period, t0, digits, alg)))


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
            if refusal_kind(err) == "crash":  # a crash verifies nothing: always a failure
                self.disagreed.append({"oracle": name, "got": f"crash: {_why(err)}"})
                return False
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
        agreed = verdicts.record(name, code, partial(func, key, counter, digits, alg))
        if (
            not agreed
            and name in HOTP_FALLBACKS
            and not any(d["oracle"] == name for d in verdicts.disagreed)
            and (name != "oathtool" or digits in (6, 7, 8))
        ):
            alt, alt_func = HOTP_FALLBACKS[name]
            verdicts.record(alt, code, partial(alt_func, key, counter, digits, alg))
    verdicts.record("minimal", code, lambda: minimal_hotp(key, counter, digits, alg))
    return verdicts


def check_totp_oracles(
    key: bytes, time: object, period: int, t0: int, digits: int, alg: str, step: int, code: str
) -> Verdicts:
    verdicts = Verdicts()
    for name, func in TOTP_ORACLES.items():
        ok = verdicts.record(name, code, partial(func, key, time, period, t0, digits, alg))
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
            verdicts.record(f"{name}-hotp", code, partial(fallback, key, step, digits, alg))
    verdicts.record("minimal", code, lambda: minimal_hotp(key, step, digits, alg))
    return verdicts
