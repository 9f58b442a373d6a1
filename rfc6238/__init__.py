"""rfc6238: a reference toolkit for TOTP (RFC 6238) and HOTP (RFC 4226).

The core is pure standard library: one-shot functions (:func:`hotp`, :func:`totp`,
:func:`time_step`, :func:`verify_hotp`, :func:`verify_totp`), prepared configurations
(:class:`TOTP`, :class:`HOTP`), secrets that hide themselves (:class:`Secret`), traces of
every intermediate value (:func:`trace_hotp`, :func:`trace_totp`) and one error hierarchy
(:class:`RFC6238Error`). Optional parts (QR codes, encrypted storage, plots) are extras,
imported only when used.

``import rfc6238`` itself imports nothing else: each public name is listed in ``_EXPORTS``
with its module, which is imported on first use (PEP 562 module ``__getattr__``), so a process
pays only for what it touches (``benchmarks/bench_startup.py`` measures it). ``from rfc6238
import X``, ``dir(rfc6238)``, type checkers and IDEs see the same names as before.

>>> import rfc6238
>>> rfc6238.totp(b"12345678901234567890", 59, digits=8)
'94287082'
"""

from __future__ import annotations

from ._version import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from . import (
        base32,
        bruteforce,  # brute-force odds (RFC 4226 §6, Appendix A); stdlib only
    )
    from .core import (
        code_from_digest,
        dynamic_truncate,
        hotp,
        pack_counter,
        time_step,
        totp,
        unix_seconds,
    )
    from .errors import (
        AccountLocked,
        DecryptionError,
        EnrollmentStateError,
        InvalidEncoding,
        InvalidParameter,
        InvalidToken,
        InvalidType,
        InvalidURI,
        KeyringError,
        MalformedToken,
        MissingDependency,
        QRCodeError,
        RateLimited,
        ReplayedToken,
        RFC6238Error,
        SecretTooLong,
        SecretTooShort,
        StorageError,
        UnsupportedAlgorithm,
    )
    from .migration import (
        MigrationAccount,
        MigrationBatch,
        build_migration_uris,
        decode_migration_payload,
        encode_migration_payload,
        parse_migration_uri,
    )
    from .otp import HOTP, TOTP
    from .secret import Secret, generate_secret
    from .trace import HOTPTrace, TOTPTrace, trace_hotp, trace_totp
    from .uri import KeyURI, build_uri, parse_uri
    from .verify import Match, verify_hotp, verify_totp

#: The module of each public name (relative to the package), imported on first use.
_MODULES: dict[str, str] = {
    ".base32": "base32",
    ".bruteforce": "bruteforce",
    ".core": "code_from_digest dynamic_truncate hotp pack_counter time_step totp unix_seconds",
    ".errors": (
        "AccountLocked DecryptionError EnrollmentStateError InvalidEncoding InvalidParameter "
        "InvalidToken InvalidType InvalidURI KeyringError MalformedToken MissingDependency "
        "QRCodeError RateLimited ReplayedToken RFC6238Error SecretTooLong SecretTooShort "
        "StorageError UnsupportedAlgorithm"
    ),
    ".migration": (
        "MigrationAccount MigrationBatch build_migration_uris decode_migration_payload "
        "encode_migration_payload parse_migration_uri"
    ),
    ".otp": "HOTP TOTP",
    ".secret": "Secret generate_secret",
    ".trace": "HOTPTrace TOTPTrace trace_hotp trace_totp",
    ".uri": "KeyURI build_uri parse_uri",
    ".verify": "Match verify_hotp verify_totp",
}
_EXPORTS: dict[str, str] = {
    name: module for module, names in _MODULES.items() for name in names.split()
}

__all__ = [
    "HOTP",
    "TOTP",
    "AccountLocked",
    "DecryptionError",
    "EnrollmentStateError",
    "HOTPTrace",
    "InvalidEncoding",
    "InvalidParameter",
    "InvalidToken",
    "InvalidType",
    "InvalidURI",
    "KeyURI",
    "KeyringError",
    "MalformedToken",
    "Match",
    "MigrationAccount",
    "MigrationBatch",
    "MissingDependency",
    "QRCodeError",
    "RFC6238Error",
    "RateLimited",
    "ReplayedToken",
    "Secret",
    "SecretTooLong",
    "SecretTooShort",
    "StorageError",
    "TOTPTrace",
    "UnsupportedAlgorithm",
    "__version__",
    "base32",
    "bruteforce",
    "build_migration_uris",
    "build_uri",
    "code_from_digest",
    "decode_migration_payload",
    "dynamic_truncate",
    "encode_migration_payload",
    "generate_secret",
    "hotp",
    "pack_counter",
    "parse_migration_uri",
    "parse_uri",
    "time_step",
    "totp",
    "trace_hotp",
    "trace_totp",
    "unix_seconds",
    "verify_hotp",
    "verify_totp",
]


if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """Import the module of a public name on first use and keep the value (PEP 562)."""
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        owner = import_module(module, __name__)
        value = owner if module == "." + name else getattr(owner, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        """The module's attributes, the public names not imported yet included."""
        return sorted(set(globals()) | set(__all__))
