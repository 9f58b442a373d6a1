"""Audit events of the two-factor service, and the user-id rule they rely on.

One structured event per verification (time, user, credential, factor, outcome, matched
offset, failures after) and per lifecycle change (enroll, confirm, disable, re-enroll,
backup codes generated/used/regenerated, lockout, unlock, key rotation), as SECURITY.md
asks (63B-4 §3.2.2, ASVS 5.0 V16). An event has no field that could hold a code, a secret,
a URI or a backup code: the type makes the leak impossible rather than forbidden.

User ids and device names are NFC-normalised; control, bidi and invisible characters are
refused (they forge log lines and terminal output, or make two ids look the same).

>>> check_user_id("alice@example.com")
'alice@example.com'
>>> check_user_id("alice\\nOK admin")
Traceback (most recent call last):
  ...
rfc6238.errors.InvalidParameter: user_id must not contain control, format or invisible characters
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from ..errors import InvalidParameter, InvalidType

__all__ = [
    "MAX_DEVICE_LENGTH",
    "MAX_USER_ID_LENGTH",
    "AuditEvent",
    "EventName",
    "Factor",
    "Outcome",
    "check_device",
    "check_name",
    "check_user_id",
]

#: Longest accepted user id (characters).
MAX_USER_ID_LENGTH: Final = 256

EventName = Literal[
    "verify",
    "enroll",
    "reenroll",
    "confirm",
    "disable",
    "backup_codes_generated",
    "backup_codes_regenerated",
    "backup_code_used",
    "lockout",
    "unlock",
    "resync",
    "undecryptable",
    "key_rotation",
]
Factor = Literal["totp", "hotp", "backup_code"]
Outcome = Literal["ok", "invalid", "malformed", "replay", "locked", "rate_limited"]

#: Longest accepted device name (characters).
MAX_DEVICE_LENGTH: Final = 64

# Cc control, Cf format (bidi overrides and marks, zero-width characters, soft hyphen),
# Cs surrogates, Co private use, Cn unassigned, Zl/Zp line breaks.
_FORBIDDEN: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Letters and marks that render as nothing: Hangul fillers, the braille blank, the combining
# grapheme joiner and the variation selectors.
_INVISIBLE: Final = frozenset(
    [
        0x034F,
        0x115F,
        0x1160,
        0x2800,
        0x3164,
        0xFFA0,
        *range(0x180B, 0x1810),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)


def check_name(value: object, name: str, max_length: int) -> str:
    """Return ``value`` NFC-normalised if it is a str a person can read and compare.

    Refused: not a str; empty or longer than ``max_length`` (after normalisation);
    control, format (bidi, zero-width), private-use or unassigned characters; invisible
    letters; spaces other than U+0020; a leading or trailing space.

    >>> check_name("Cafe\u0301", "device", 64) == "Caf\u00e9"
    True
    """
    if not isinstance(value, str):
        raise InvalidType(f"{name} must be a str, not {type(value).__name__}")
    if len(value) > 4 * max_length:  # bound the work before normalising
        raise InvalidParameter(f"{name} must be 1 to {max_length} characters")
    text = value if value.isascii() else unicodedata.normalize("NFC", value)
    if not 1 <= len(text) <= max_length:
        raise InvalidParameter(f"{name} must be 1 to {max_length} characters")
    if not text.isascii() or not text.isprintable():
        for c in text:
            category = unicodedata.category(c)
            if category in _FORBIDDEN or ord(c) in _INVISIBLE or (category == "Zs" and c != " "):
                raise InvalidParameter(
                    f"{name} must not contain control, format or invisible characters"
                )
    if text != text.strip(" "):
        raise InvalidParameter(f"{name} must not start or end with a space")
    return text


def check_user_id(user_id: object) -> str:
    """Return ``user_id`` (NFC) if it is a non-empty str without control or invisible
    characters (:func:`check_name`, at most 256 characters).

    Raises:
        InvalidType: not a str.
        InvalidParameter: empty, longer than 256 characters, or with a forbidden character.

    >>> check_user_id("")
    Traceback (most recent call last):
      ...
    rfc6238.errors.InvalidParameter: user_id must be 1 to 256 characters
    """
    return check_name(user_id, "user_id", MAX_USER_ID_LENGTH)


def check_device(device: object) -> str:
    """Return a device name (NFC) under the same rule, at most 64 characters.

    >>> check_device("Pixel 8")
    'Pixel 8'
    """
    return check_name(device, "device", MAX_DEVICE_LENGTH)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One row of the append-only audit log.

    Attributes:
        at: Unix seconds (UTC) from the service's clock; :attr:`when` as a datetime.
        event: What happened (``"verify"``, ``"enroll"``, ``"lockout"``, ...).
        user_id: The user, or ``None`` for service-wide events (key rotation).
        credential_id: The credential involved, if any.
        factor: ``"totp"``, ``"hotp"`` or ``"backup_code"`` for verifications.
        outcome: ``"ok"``, ``"invalid"``, ``"malformed"``, ``"replay"``, ``"locked"``,
            ``"rate_limited"`` for verifications; ``None`` for lifecycle events.
        offset: The matched step minus the current step (TOTP drift), on success.
        failures: Consecutive failures after this event, when known.
        count: A number that goes with the event (codes generated, rows re-encrypted).
        id: The row id, once stored.

    >>> AuditEvent(at=0, event="verify", user_id="bob", outcome="ok", factor="totp").when
    datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """

    at: int
    event: EventName
    user_id: str | None
    credential_id: str | None = None
    factor: Factor | None = None
    outcome: Outcome | None = None
    offset: int | None = None
    failures: int | None = None
    count: int | None = None
    id: int | None = None

    @property
    def when(self) -> datetime:
        """:attr:`at` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.at, UTC)
