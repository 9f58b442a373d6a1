"""Values the two-factor service hands back: enrollment, backup codes, verification results.

Whatever holds a secret hides it: :class:`Enrollment` shows neither the secret nor the
``otpauth://`` URI (the URI *is* the secret, RFC 4226 §7.5) until :meth:`Enrollment.reveal_uri`
is called; :class:`BackupCodes` shows only how many codes it holds until
:meth:`BackupCodes.reveal`.

>>> codes = BackupCodes(("0123-4567-89AB-CDEF",))
>>> codes, len(codes)
(BackupCodes(<1 code, hidden>), 1)
>>> codes.reveal()
('0123-4567-89AB-CDEF',)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Literal

from ..errors import InvalidType
from ..secret import Secret

if TYPE_CHECKING:  # pragma: no cover
    from ..qr import QRCode
    from ..uri import KeyURI

__all__ = [
    "BackupCodeUse",
    "BackupCodes",
    "Device",
    "Enrollment",
    "RotationReport",
    "Status",
    "Verification",
]


class BackupCodes:
    """A freshly generated set of backup codes, shown to the user exactly once."""

    __slots__ = ("_codes",)

    def __init__(self, codes: tuple[str, ...]) -> None:
        self._codes = tuple(codes)

    def reveal(self) -> tuple[str, ...]:
        """The codes as ``XXXX-XXXX-XXXX-XXXX``: show them to the user, store them nowhere."""
        return self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        n = len(self._codes)
        return f"BackupCodes(<{n} code{'' if n == 1 else 's'}, hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> str:
        raise InvalidType("BackupCodes cannot be pickled; show them once and drop them")


def _html_table(caption: str, rows: Mapping[str, str]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
        f"{escape(v)}</td></tr>"
        for k, v in rows.items()
    )
    return f"<table><caption>{escape(caption)}</caption>{body}</table>"


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrollment:
    """A pending enrollment: not active until :meth:`TwoFactor.confirm` sees a code.

    Attributes:
        type: ``"totp"`` or ``"hotp"`` (an HOTP app starts at counter 0).
        user_id: The user.
        credential_id: The new credential's id.
        device: The device name it is enrolled under.
        secret: The new shared secret (masked; :meth:`Secret.reveal_base32` for manual entry).
        account: The account name shown in the app (defaults to the user id).
        issuer: The service name shown in the app.
        digits, period, algorithm: The OTP parameters (``period`` is unused for HOTP).
        expires_at: Unix time after which :meth:`TwoFactor.confirm` refuses it.
    """

    type: Literal["totp", "hotp"]
    user_id: str
    credential_id: str
    device: str
    secret: Secret
    account: str
    issuer: str
    digits: int
    period: int
    algorithm: str
    expires_at: int

    def key_uri(self) -> KeyURI:
        """The :class:`~rfc6238.uri.KeyURI` (its repr hides the secret too)."""
        from ..uri import KeyURI

        hotp = self.type == "hotp"
        return KeyURI(
            type=self.type,
            secret=self.secret.reveal(),
            account=self.account,
            issuer=self.issuer,
            algorithm=self.algorithm,  # type: ignore[arg-type]  # a checked name, typed str here
            digits=self.digits,
            period=None if hotp else self.period,
            counter=0 if hotp else None,
        )

    def reveal_uri(self) -> str:
        """The ``otpauth://`` URI: it contains the secret, so treat it as one."""
        return self.key_uri().to_uri()

    def qr(self, **options: object) -> QRCode:
        """A QR code of the URI for authenticator apps (needs the ``qr`` extra)."""
        return self.key_uri().qr(**options)

    def _repr_html_(self) -> str:
        every = "" if self.type == "hotp" else f", every {self.period} s"
        return _html_table(
            "Enrollment (pending until confirmed)",
            {
                "user": self.user_id,
                "account shown in the app": self.account,
                "issuer": self.issuer,
                "secret": f"<{len(self.secret)} bytes, {8 * len(self.secret)} bits, hidden>",
                "codes": f"{self.type}, {self.digits} digits, HMAC-{self.algorithm}{every}",
                "confirm before": datetime.fromtimestamp(self.expires_at, UTC).isoformat(),
            },
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    """A successful verification: ``step`` (or counter) of ``device`` was claimed; ``offset``
    is its distance from the expected step or counter."""

    user_id: str
    credential_id: str
    device: str
    step: int
    offset: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    """One authenticator of a user, as :meth:`TwoFactor.devices` lists it (never a secret).

    Attributes:
        name: The device name (``"default"`` unless one was given at enrollment).
        type: ``"totp"`` or ``"hotp"``.
        state: ``"active"`` or ``"pending"`` (waiting for its first code).
        created_at: Unix time of the enrollment.
        last_used_at: Unix time of the last accepted code (its confirmation included).
    """

    name: str
    type: Literal["totp", "hotp"]
    state: Literal["active", "pending", "disabled"]
    created_at: int
    last_used_at: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupCodeUse:
    """A backup code was accepted and consumed; ``remaining`` unused codes are left."""

    user_id: str
    remaining: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    """What the application needs to decide whether to ask for a second factor."""

    user_id: str
    enrolled: bool
    pending: bool
    failures: int
    locked: bool
    retry_after: float
    backup_codes_remaining: int

    def _repr_html_(self) -> str:
        if self.locked:
            throttle = "locked until an authorised unlock"
        elif self.retry_after:
            throttle = f"backing off: retry after {self.retry_after:.0f} s"
        else:
            throttle = "accepting attempts"
        return _html_table(
            "Status",
            {
                "user": self.user_id,
                "two-factor": "active" if self.enrolled else "not enrolled",
                "pending enrollment": "yes" if self.pending else "no",
                "consecutive failures": str(self.failures),
                "throttle": throttle,
                "backup codes left": str(self.backup_codes_remaining),
            },
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RotationReport:
    """The outcome of :meth:`TwoFactor.rotate_keys`.

    Attributes:
        active_key_id: The key everything was re-encrypted to.
        reencrypted: Rows moved to the active key in this run.
        remaining: Rows still on other keys, by key id (empty when rotation is complete:
            the old keys can then be removed from the ring).
        undecryptable: Ids of rows that failed to decrypt (tampered or sealed under a
            wrong key): each is audited and left in place; the others are still moved.
    """

    active_key_id: int
    reencrypted: int
    remaining: Mapping[int, int] = field(default_factory=dict)
    undecryptable: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when no row is left on an old key."""
        return not any(self.remaining.values())
