"""The pure parts of enrollment and resynchronisation: new credentials, new backup codes,
and the search for two consecutive HOTP codes (RFC 4226 §7.4). No storage here."""

from __future__ import annotations

import hmac
import secrets

from ..core import hotp
from ..errors import InvalidParameter, SecretTooLong
from ..secret import Secret, check_key, generate_secret
from . import backup
from .audit import check_device, check_user_id
from .envelope import Binding, open_envelope, seal
from .keyring import KeyRing
from .policy import MAX_SECRET_BYTES, Policy
from .results import BackupCodes, Enrollment
from .rotation import credential_binding
from .store import BackupCodeRow, CredentialRow

__all__ = ["find_resync_pair", "new_codes", "new_credential", "new_id", "sealed_credential"]


def new_id() -> str:
    """A random row id, made by the application before the insert (the envelope binds it).

    >>> len(new_id())
    32
    """
    return secrets.token_hex(16)


def new_credential(
    ring: KeyRing,
    policy: Policy,
    issuer: str,
    user_id: str,
    device: str,
    secret: Secret | bytes | None,
    account: str | None,
    now: int,
) -> tuple[CredentialRow, Enrollment]:
    """A pending credential (secret sealed to its row) and the enrollment to show the user.

    Raises:
        InvalidParameter, InvalidType: a bad user id, device name or account name.
        SecretTooShort, SecretTooLong: an imported secret outside the policy.
    """
    user_id, device = check_user_id(user_id), check_device(device)
    account = user_id if account is None else check_user_id(account)
    if ":" in account:  # the Key URI label is "issuer:account"
        raise InvalidParameter("account must not contain ':'; pass account= to name it")
    if secret is None:
        raw = generate_secret(policy.secret_bytes).reveal()
    else:
        raw = check_key(secret, min_bytes=policy.min_key_bytes)
        if len(raw) > MAX_SECRET_BYTES:
            raise SecretTooLong(f"imported secrets must be at most {MAX_SECRET_BYTES} bytes")
    cred_id, p = new_id(), policy
    row = sealed_credential(ring, policy, user_id, device, cred_id, raw, now)
    enrollment = Enrollment(
        type=p.type,
        user_id=user_id,
        credential_id=cred_id,
        device=device,
        secret=Secret(raw),
        account=account,
        issuer=issuer,
        digits=p.digits,
        period=p.period,
        algorithm=p.algorithm,
        expires_at=now + p.enrollment_ttl,
    )
    return row, enrollment


def sealed_credential(
    ring: KeyRing, policy: Policy, user_id: str, device: str, cred_id: str, raw: bytes, now: int
) -> CredentialRow:
    """A pending credential of ``policy``'s type with ``raw`` sealed to its row."""
    p = policy
    return CredentialRow(
        id=cred_id,
        kind=p.type,
        user_id=user_id,
        device=device,
        state="pending",
        secret=seal(ring, raw, Binding(user_id=user_id, credential_id=cred_id)),
        key_id=ring.active,
        digits=p.digits,
        period=p.period,
        algorithm=p.algorithm,
        t0=0,
        last_step=-1,
        drift=0,
        created_at=now,
    )


def new_codes(policy: Policy, user_id: str) -> tuple[BackupCodes, list[BackupCodeRow]]:
    """A new set of backup codes: what to show once, and the hashed rows to store."""
    codes = backup.generate_backup_codes(policy.backup_codes)
    params = policy.backup_scrypt
    rows = [
        BackupCodeRow(
            id=new_id(), user_id=user_id, code_hash=backup.hash_backup_code(c, params=params)
        )
        for c in codes
    ]
    return BackupCodes(tuple(codes)), rows


def find_resync_pair(
    ring: KeyRing, cred: CredentialRow, wanted: tuple[bytes, bytes], window: int
) -> int | None:
    """The counter ``c + 1`` where ``wanted`` are the codes at ``c, c + 1``, for ``c`` in the
    ``window + 1`` counters after ``cred.last_step``; None if no such pair.

    Every counter is computed and every pair compared (no early exit). The secret is
    decrypted for this call only.
    """
    key = open_envelope(ring, cred.secret, credential_binding(cred))
    try:
        first = cred.last_step + 1
        codes = [
            hotp(key, c, digits=cred.digits, algorithm=cred.algorithm).encode()
            for c in range(first, first + window + 2)
        ]
    finally:
        del key
    found = None
    for i in range(len(codes) - 1):
        pair = hmac.compare_digest(codes[i], wanted[0]) & hmac.compare_digest(
            codes[i + 1], wanted[1]
        )
        if pair and found is None:
            found = first + i + 1
    return found
