"""The one error hierarchy of rfc6238.

Every rejection the library makes is an :class:`RFC6238Error`. Subclasses also inherit
the built-in exception they specialise (``TypeError``, ``ValueError``) so that callers who
catch those keep working. Messages name the parameter and the rule that was broken; they
never contain a secret, a submitted code, a backup code or a URI (RFC 4226 §7.5).

>>> issubclass(MalformedToken, InvalidToken) and not issubclass(InvalidToken, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "AccountLocked",
    "DecryptionError",
    "EnrollmentStateError",
    "InvalidEncoding",
    "InvalidParameter",
    "InvalidToken",
    "InvalidType",
    "InvalidURI",
    "KeyringError",
    "MalformedToken",
    "MissingDependency",
    "QRCodeError",
    "RFC6238Error",
    "RateLimited",
    "ReplayedToken",
    "SecretTooLong",
    "SecretTooShort",
    "StorageError",
    "UnsupportedAlgorithm",
]


class RFC6238Error(Exception):
    """Base class of every error this library raises on purpose."""


class InvalidType(RFC6238Error, TypeError):
    """An argument has the wrong Python type: ``None``, an int token, a str key, a bool."""


class InvalidParameter(RFC6238Error, ValueError):
    """A value is out of its allowed range: digits, period, counter, window, time, ..."""


class UnsupportedAlgorithm(InvalidParameter):
    """The hash is not one of SHA1, SHA256, SHA512 (RFC 6238 §1.2)."""


class SecretTooShort(InvalidParameter):
    """The key is empty, or shorter than the policy allows (RFC 4226 §4 R6: 128 bits)."""


class SecretTooLong(InvalidParameter):
    """The key is longer than the policy allows."""


class InvalidEncoding(RFC6238Error, ValueError):
    """Text that should encode something does not: bad base32, bad URI, bad payload."""


class InvalidURI(InvalidEncoding):
    """An ``otpauth://`` or ``otpauth-migration://`` URI is malformed or inconsistent."""


class QRCodeError(InvalidEncoding):
    """An image holds no readable QR code, or data does not fit in one."""


class MissingDependency(RFC6238Error, ImportError):
    """An optional feature was used without its extra; the message names the extra to install.

    ``name`` is the module that could not be imported, ``extra`` the extra that provides it.
    """

    def __init__(self, message: str, *, name: str, extra: str) -> None:
        super().__init__(message, name=name)
        self.extra = extra


class InvalidToken(RFC6238Error):
    """Verification failed. Deliberately not a ``ValueError``: a wrong code is not a bug."""


class MalformedToken(InvalidToken):
    """The token is not exactly ``digits`` ASCII digits ``0``-``9``."""


class ReplayedToken(InvalidToken):
    """The code is right but its time step (or backup code) was already used (RFC 6238 §5.2)."""


class RateLimited(RFC6238Error):
    """Too many consecutive failures; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountLocked(RateLimited):
    """The hard failure cap was reached; only an authorised reset unlocks the credential."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retry_after=float("inf"))


class EnrollmentStateError(RFC6238Error):
    """The operation does not fit the credential's lifecycle state (e.g. confirm twice)."""


class StorageError(RFC6238Error):
    """The store failed or holds data that cannot be used."""


class DecryptionError(StorageError):
    """An envelope could not be opened: tampered, wrong key, or moved to another row."""


class KeyringError(StorageError):
    """A key ring is misconfigured: bad key size, unknown key id, failed key check."""
