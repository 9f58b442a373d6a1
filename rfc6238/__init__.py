"""rfc6238: a reference toolkit for TOTP (RFC 6238) and HOTP (RFC 4226).

The core is pure standard library: one-shot functions (:func:`hotp`, :func:`totp`,
:func:`time_step`, :func:`verify_hotp`, :func:`verify_totp`), prepared configurations
(:class:`TOTP`, :class:`HOTP`), secrets that hide themselves (:class:`Secret`), traces of
every intermediate value (:func:`trace_hotp`, :func:`trace_totp`) and one error hierarchy
(:class:`RFC6238Error`). Optional parts (QR codes, encrypted storage, plots) are extras,
imported only when used.

>>> import rfc6238
>>> rfc6238.totp(b"12345678901234567890", 59, digits=8)
'94287082'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import (
    base32,
    bruteforce,  # brute-force odds (RFC 4226 §6, Appendix A); stdlib only
)
from ._version import __version__
from .core import dynamic_truncate, hotp, pack_counter, time_step, totp
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

# The two-factor service (layer 4) loads on first use, so `import rfc6238` stays the pure
# core; `cryptography` is imported only when a key ring is used.
_LAZY: dict[str, str] = {
    "AuditEvent": "audit",
    "BackupCodes": "enrollment",
    "Enrollment": "enrollment",
    "KeyRing": "keyring",
    "Policy": "policy",
    "RotationReport": "enrollment",
    "SQLiteStore": "sqlite_store",
    "TwoFactor": "service",
    "TwoFactorStore": "store",
    "Verification": "enrollment",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rfc6238' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .audit import AuditEvent
    from .enrollment import BackupCodes, Enrollment, RotationReport, Verification
    from .keyring import KeyRing
    from .policy import Policy
    from .service import TwoFactor
    from .sqlite_store import SQLiteStore
    from .store import TwoFactorStore

__all__ = [
    "HOTP",
    "TOTP",
    "AccountLocked",
    "AuditEvent",
    "BackupCodes",
    "DecryptionError",
    "Enrollment",
    "EnrollmentStateError",
    "HOTPTrace",
    "InvalidEncoding",
    "InvalidParameter",
    "InvalidToken",
    "InvalidType",
    "InvalidURI",
    "KeyRing",
    "KeyURI",
    "KeyringError",
    "MalformedToken",
    "Match",
    "MigrationAccount",
    "MigrationBatch",
    "Policy",
    "QRCodeError",
    "RFC6238Error",
    "RateLimited",
    "ReplayedToken",
    "RotationReport",
    "SQLiteStore",
    "Secret",
    "SecretTooLong",
    "SecretTooShort",
    "StorageError",
    "TOTPTrace",
    "TwoFactor",
    "TwoFactorStore",
    "UnsupportedAlgorithm",
    "Verification",
    "__version__",
    "base32",
    "bruteforce",
    "build_migration_uris",
    "build_uri",
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
    "verify_hotp",
    "verify_totp",
]
