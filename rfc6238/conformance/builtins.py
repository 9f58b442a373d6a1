"""Built-in adapters for the implementations users compare with (``docs/findings.md``).

pyotp (``pyotp.HOTP``/``TOTP``, base32 secrets), pyca/cryptography
(``hazmat.primitives.twofactor``), python-oath (``oath.hotp``/``totp``/``accept_*``, hex keys)
and Debian's ``oathtool`` (OATH Toolkit, C). Each adapter calls the library the way its
documentation shows, and raises :class:`~rfc6238.conformance.adapters.Unsupported` only
where the library's API cannot express the case (no T0, no window, a time type it does not
take); everything the library itself raises is its refusal.

For the pure ``hotp``/``totp`` operations (the math: RFC 4226 §5.3 defines HOTP for any
key) the adapters use each library's documented opt-out of its key-length policy (pyotp's
``min_secret_length_bits``, cryptography's ``enforce_key_length=False``); for verification
the case's ``allow_short_key`` decides.

>>> sorted(BUILTINS)
['cryptography', 'oath', 'oathtool', 'pyotp', 'rfc6238']
"""

from __future__ import annotations

import base64
import hashlib
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from .._optional import require
from ..errors import MissingDependency
from .adapters import (
    Implementation,
    Rejected,
    Rfc6238Implementation,
    Unsupported,
    _distribution_version,
)
from .process import CommandImplementation

__all__ = [
    "BUILTINS",
    "CryptographyImplementation",
    "OathImplementation",
    "OathtoolImplementation",
    "PyotpImplementation",
    "available_builtins",
    "builtin",
]
_PYCA: Final = "the cryptography adapter"


def _hash(algorithm: object) -> Callable[..., Any]:
    """A hashlib constructor for a plain name (``sha1``, ``md5``...); else unsupported."""
    name = algorithm.lower() if isinstance(algorithm, str) else ""
    if name not in hashlib.algorithms_guaranteed or not hasattr(hashlib, name):
        raise Unsupported("the algorithm is passed as a hash constructor, not a name")
    constructor: Callable[..., Any] = getattr(hashlib, name)
    return constructor


def _window(value: object) -> tuple[int, int]:
    if type(value) is int:
        return value, value
    if isinstance(value, tuple) and len(value) == 2 and all(type(v) is int for v in value):
        return value[0], value[1]
    raise Unsupported("window of this type is not expressible")


def _no_t0(args: Mapping[str, Any]) -> None:
    if args.get("t0", 0) != 0 or type(args.get("t0", 0)) is not int:
        raise Unsupported("no T0 parameter")


class PyotpImplementation(Implementation):
    """pyotp: base32 secret text, ``digest=`` a hashlib constructor, no T0."""

    name = "pyotp"
    description = "pyotp HOTP/TOTP (base32 secrets, NFKC token comparison)"

    def version(self) -> str:
        return _distribution_version("pyotp")

    @staticmethod
    def _secret(key: object) -> str:
        if not isinstance(key, bytes):
            raise Unsupported("pyotp takes base32 text; this key is not bytes")
        return base64.b32encode(key).decode()

    def _otp(self, kind: str, args: Mapping[str, Any], short: bool) -> Any:
        pyotp = require("pyotp", "conformance", feature="the pyotp adapter")
        base = pyotp.TOTP if kind == "totp" else pyotp.HOTP
        cls = type(base.__name__, (base,), {"min_secret_length_bits": 8}) if short else base
        kw: dict[str, Any] = {"digest": _hash(args.get("algorithm", "SHA1"))}
        if "digits" in args:
            kw["digits"] = args["digits"]
        if kind == "totp" and "period" in args:
            kw["interval"] = args["period"]
        return cls(self._secret(args["key"]), **kw)

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        if op == "hotp":
            return self._otp("hotp", args, True).at(args["counter"])
        if op == "totp":
            _no_t0(args)
            return self._otp("totp", args, True).at(args["time"])
        if op == "verify_totp":
            _no_t0(args)
            past, future = _window(args.get("window", 1))
            if past != future:
                raise Unsupported("valid_window is symmetric")
            otp = self._otp("totp", args, args.get("allow_short_key") is True)
            step = otp.verify_and_get_timecode(
                args["token"], for_time=args["time"], valid_window=past
            )
            return {"counter": step, "offset": step - otp.timecode(args["time"])}
        if op == "verify_hotp":
            if args.get("look_ahead", 0) != 0:
                raise Unsupported("HOTP.verify has no look-ahead")
            otp = self._otp("hotp", args, args.get("allow_short_key") is True)
            if not otp.verify(args["token"], args["counter"]):
                raise Rejected("HOTP.verify returned False")
            return {"counter": args["counter"], "offset": 0}
        if op == "parse_uri":
            pyotp = require("pyotp", "conformance", feature="the pyotp adapter")
            otp = pyotp.parse_uri(args["uri"])
            totp = isinstance(otp, pyotp.TOTP)
            return {
                "type": "totp" if totp else "hotp",
                "secret_hex": otp.byte_secret().hex(),
                "issuer": otp.issuer,
                "account": otp.name,
                "algorithm": otp.digest().name.upper(),
                "digits": otp.digits,
                "period": getattr(otp, "interval", None),
                "counter": getattr(otp, "initial_count", None),
            }
        if op == "base32_decode":
            pyotp = require("pyotp", "conformance", feature="the pyotp adapter")
            if args.get("strict") is True:
                raise Unsupported("pyotp has one (lenient) base32 decoder")
            cls = type("TOTP", (pyotp.TOTP,), {"min_secret_length_bits": 1})
            return cls(args["text"]).byte_secret()
        return super().run(op, args)


class CryptographyImplementation(Implementation):
    """pyca/cryptography ``hazmat.primitives.twofactor``: bytes keys, 6-8 digits, no window."""

    name = "cryptography"
    description = "cryptography hazmat.primitives.twofactor HOTP/TOTP"

    def version(self) -> str:
        return _distribution_version("cryptography")

    @staticmethod
    def _algorithm(name: object) -> Any:
        hashes = require("cryptography.hazmat.primitives.hashes", "conformance", feature=_PYCA)
        ascii_name = name.upper() if isinstance(name, str) and name.isascii() else ""
        cls = getattr(hashes, ascii_name, None) if ascii_name.isidentifier() else None
        if not isinstance(cls, type):
            raise Unsupported("the algorithm is passed as a hashes class, not a name")
        return cls()

    def _otp(self, kind: str, args: Mapping[str, Any], enforce: bool) -> Any:
        require("cryptography.hazmat.primitives.twofactor", "conformance", feature=_PYCA)
        from cryptography.hazmat.primitives.twofactor.hotp import HOTP
        from cryptography.hazmat.primitives.twofactor.totp import TOTP

        algorithm = self._algorithm(args.get("algorithm", "SHA1"))
        digits = args.get("digits", 6)
        if kind == "hotp":
            return HOTP(args["key"], digits, algorithm, enforce_key_length=enforce)
        return TOTP(
            args["key"], digits, algorithm, args.get("period", 30), enforce_key_length=enforce
        )

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        if op in ("totp", "verify_totp"):
            _no_t0(args)
            if isinstance(args["time"], datetime):
                raise Unsupported("takes int/float Unix time only")
        if op == "hotp":
            return self._otp("hotp", args, False).generate(args["counter"]).decode()
        if op == "totp":
            return self._otp("totp", args, False).generate(args["time"]).decode()
        if op.startswith("verify"):
            if op == "verify_hotp" and args.get("look_ahead", 0) != 0:
                raise Unsupported("no look-ahead")
            if op == "verify_totp" and _window(args.get("window", 1)) != (0, 0):
                raise Unsupported("no verification window (window 0 only)")
            token = args["token"]
            if isinstance(token, bytes):
                raise Unsupported("tokens are bytes in this API (str tokens are encoded)")
            token = token.encode() if isinstance(token, str) else token
            otp = self._otp(op[7:], args, args.get("allow_short_key") is not True)
            otp.verify(token, args["counter" if op == "verify_hotp" else "time"])
            return {"offset": 0}
        return super().run(op, args)


class OathImplementation(Implementation):
    """python-oath: hex keys, ``format='dec6'``..``'dec8'``, ``accept_totp`` drift window."""

    name = "oath"
    description = "python-oath hotp/totp/accept_hotp/accept_totp"

    def version(self) -> str:
        return _distribution_version("oath")

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        oath = require("oath", "conformance", feature="the oath adapter")

        if op == "parse_uri":
            return self._parse_uri(args["uri"])
        if op not in ("hotp", "totp", "verify_hotp", "verify_totp"):
            return super().run(op, args)
        if not isinstance(args["key"], bytes):
            raise Unsupported("oath takes hex key text; this key is not bytes")
        key, digest = args["key"].hex(), _hash(args.get("algorithm", "SHA1"))
        fmt = f"dec{args.get('digits', 6)}"
        if op == "hotp":
            return oath.hotp(key, args["counter"], format=fmt, hash=digest)
        _no_t0(args)
        if op == "totp":
            return oath.totp(
                key, format=fmt, period=args.get("period", 30), t=args["time"], hash=digest
            )
        if op == "verify_hotp":
            ok, after = oath.accept_hotp(
                key, args["token"], args["counter"], format=fmt, hash=digest,
                drift=args.get("look_ahead", 0), backward_drift=0,
            )  # fmt: skip
            if not ok:
                raise Rejected("accept_hotp returned False")
            return {"counter": after - 1, "offset": after - 1 - args["counter"]}
        past, future = _window(args.get("window", 1))
        ok, drift = oath.accept_totp(
            key, args["token"], format=fmt, period=args.get("period", 30), t=args["time"],
            hash=digest, forward_drift=future, backward_drift=past,
        )  # fmt: skip
        if not ok:
            raise Rejected("accept_totp returned False")
        return {"offset": drift}

    @staticmethod
    def _parse_uri(uri: object) -> dict[str, Any]:
        ga = require("oath.google_authenticator", "conformance", feature="the oath adapter")
        parse_otpauth = ga.parse_otpauth

        params = parse_otpauth(uri)
        hotp = params.get("type") == "hotp"
        fields = {
            "type": params.get("type"),
            "secret_hex": params["secret"],
            "algorithm": params["algorithm"]().name.upper(),
            "digits": params["digits"],
            "period": None if hotp else params.get("period"),
            "counter": params.get("counter") if hotp else None,
        }
        # The label comes back raw, not split into issuer and account: neither is compared,
        # except an issuer parameter, which python-oath does read.
        if "issuer" in params:
            fields["issuer"] = params["issuer"]
        return fields


class OathtoolImplementation(CommandImplementation):
    """Debian's ``oathtool`` (OATH Toolkit): ``--hotp`` (SHA-1 only) and ``--totp=ALG``."""

    TEMPLATES: Final = [
        "hotp=oathtool --hotp -c {counter} -d {digits} {key_hex}",
        "totp=oathtool --totp={algorithm} -s {period}s -S @{t0} -N {when} -d {digits} {key_hex}",
        "verify_hotp=oathtool --hotp -c {counter} -w {look_ahead} -d {digits} {key_hex} {token}",
        "verify_totp=oathtool --totp={algorithm} -s {period}s -S @{t0} -N {when} -w {past} "
        "-d {digits} {key_hex} {token}",
    ]

    def __init__(self, executable: str = "oathtool") -> None:
        super().__init__(self.TEMPLATES, name="oathtool")
        self.executable = executable
        self.description = "Debian oathtool (OATH Toolkit): --hotp -c / --totp=ALG -s -S -N -w"

    def version(self) -> str:
        try:
            return self.call([self.executable, "--version"]).splitlines()[0]
        except (OSError, Rejected):
            return ""

    def argv(
        self, op: str, args: Mapping[str, Any], extra: Mapping[str, str] | None = None
    ) -> list[str]:
        algorithm = args.get("algorithm", "SHA1")
        sha1 = isinstance(algorithm, str) and algorithm.isascii() and algorithm.upper() == "SHA1"
        if op in ("hotp", "verify_hotp") and not sha1:
            raise Unsupported("--hotp is HMAC-SHA1 only")
        when = {}
        if "time" in args:
            moment = args["time"]
            if isinstance(moment, datetime) and moment.utcoffset() is not None:
                when["when"] = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            elif type(moment) in (int, float):
                when["when"] = f"@{moment}"
            else:
                raise Unsupported("time of this type is not expressible")
        if op == "verify_totp":
            past, future = _window(args.get("window", 1))
            if past != future:
                raise Unsupported("-w is symmetric for TOTP")
        argv = super().argv(op, args, when)
        return [self.executable, *argv[1:]]

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        out = self.call(self.argv(op, args))
        if op == "verify_hotp":
            return {"counter": args["counter"] + int(out), "offset": int(out)}
        if op == "verify_totp":
            return {"abs_offset": int(out)}
        return out


BUILTINS: Final[dict[str, Callable[[], Implementation]]] = {
    "rfc6238": Rfc6238Implementation,
    "pyotp": PyotpImplementation,
    "cryptography": CryptographyImplementation,
    "oath": OathImplementation,
    "oathtool": OathtoolImplementation,
}
_PROBES: Final = {"pyotp": "pyotp", "cryptography": "cryptography", "oath": "oath"}


def builtin(name: str) -> Implementation:
    """Make the built-in adapter ``name``.

    Raises:
        LookupError: no such adapter, or ``oathtool`` is not on ``PATH``.
        MissingDependency: its Python library is not installed (the ``conformance`` extra).
    """
    if name not in BUILTINS:
        raise LookupError(f"no built-in implementation {name!r}; known: {', '.join(BUILTINS)}")
    if name == "oathtool" and shutil.which("oathtool") is None:
        raise LookupError("oathtool is not on PATH (Debian: apt-get install oathtool)")
    if name in _PROBES:
        require(_PROBES[name], "conformance", feature=f"the {name} adapter")
    return BUILTINS[name]()


def available_builtins() -> list[str]:
    """The built-in implementations usable here, in report order."""
    names = []
    for name in BUILTINS:
        try:
            builtin(name).close()
        except (LookupError, MissingDependency):
            continue
        names.append(name)
    return names
