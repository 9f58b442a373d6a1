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
