"""Audit events of the two-factor service, and the user-id rule they rely on.

One structured event per verification (time, user, credential, factor, outcome, matched
offset, failures after) and per lifecycle change (enroll, confirm, disable, re-enroll,
backup codes generated/used/regenerated, lockout, unlock, key rotation), as SECURITY.md
asks (63B-4 §3.2.2, ASVS 5.0 V16). An event has no field that could hold a code, a secret,
a URI or a backup code: the type makes the leak impossible rather than forbidden.

User ids with control characters are refused (they forge log lines and terminal output).

>>> check_user_id("alice@example.com")
'alice@example.com'
>>> check_user_id("alice\\nOK admin")
Traceback (most recent call last):
  ...
rfc6238.errors.InvalidParameter: user_id must not contain control or format characters
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from ..errors import InvalidParameter, InvalidType

__all__ = [
    "MAX_USER_ID_LENGTH",
    "AuditEvent",
    "EventName",
    "Factor",
    "Outcome",
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
    "key_rotation",
]
Factor = Literal["totp", "hotp", "backup_code"]
Outcome = Literal["ok", "invalid", "malformed", "replay", "locked", "rate_limited"]

# Cc control, Cf format (bidi overrides, zero-width), Cs surrogates, Zl/Zp line breaks.
_FORBIDDEN: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def check_user_id(user_id: object) -> str:
    """Return ``user_id`` if it is a non-empty str without control characters.

    Raises:
        InvalidType: not a str.
        InvalidParameter: empty, longer than 256 characters, or with a control character.

    >>> check_user_id("")
    Traceback (most recent call last):
      ...
    rfc6238.errors.InvalidParameter: user_id must be 1 to 256 characters
    """
    if not isinstance(user_id, str):
        raise InvalidType(f"user_id must be a str, not {type(user_id).__name__}")
    if not 1 <= len(user_id) <= MAX_USER_ID_LENGTH:
        raise InvalidParameter(f"user_id must be 1 to {MAX_USER_ID_LENGTH} characters")
    if not user_id.isprintable() and any(unicodedata.category(c) in _FORBIDDEN for c in user_id):
        raise InvalidParameter("user_id must not contain control or format characters")
    return str(user_id)


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
