"""The two-factor service: enrollment, verification with replay protection and throttling,
backup codes, re-enrollment, encrypted secrets and an audit log (RFC 6238, RFC 4226).

* **Replay** (RFC 6238 §5.2): every matching step in the window is computed, and the
  smallest one above the credential's last accepted step is claimed with one conditional
  ``UPDATE``; a lost race is a :class:`~rfc6238.errors.ReplayedToken`. The confirmation code
  consumes its step too.
* **Throttling** (RFC 4226 §7.3): checked before any code is evaluated, re-checked by the
  claim; consecutive failures are counted atomically in the database (shared by all
  processes, OTPs and backup codes), with exponential back-off and a hard lock.
* **Unknown users** cost the same work: a dummy secret is decrypted and checked, and the
  failure is written to the audit log in a write transaction, as for a known user.
* **Secrets** are stored only in the AES-256-GCM envelope (:mod:`rfc6238.service.envelope`); the key
  ring's key-check values are verified when the service opens.
* The clock is injected: ``clock`` returns Unix time; nothing else reads the time.

Needs the ``storage`` extra (``cryptography``), imported only when the service opens.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable

from .._checks import TimeLike, check_int, to_seconds
from ..errors import (
    EnrollmentStateError,
    InvalidParameter,
    InvalidType,
    ReplayedToken,
    SecretTooLong,
)
from ..secret import Secret, check_key, generate_secret
from . import backup
from ._attempts import REPLAYED, Attempts
from .audit import AuditEvent, check_user_id
from .envelope import Binding, seal
from .keyring import KeyRing, require_cryptography
from .policy import MAX_SECRET_BYTES, Policy
from .results import (
    BackupCodes,
    BackupCodeUse,
    Enrollment,
    RotationReport,
    Status,
    Verification,
)
from .rotation import check_keys, rotate_keys
from .store import BackupCodeRow, ClaimResult, CredentialRow, TwoFactorStore

__all__ = ["TwoFactor"]


def _new_id() -> str:
    # Made by the application before the insert, so the envelope can bind to it.
    return secrets.token_hex(16)


def _check_type(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise InvalidType(f"{name} must be a str, not {type(value).__name__}")


class TwoFactor:
    """Two-factor authentication over a :class:`~rfc6238.service.store.TwoFactorStore`.

    Use :meth:`open` for the SQLite default. The constructor takes any store.

    Args:
        store: Where accounts, credentials, backup codes and the audit log live.
        keyring: The encryption keys (:meth:`KeyRing.from_env`, :meth:`KeyRing.from_file`).
        issuer: The service name authenticator apps show.
        policy: Digits, period, window, throttle...; validated when built.
        clock: Returns Unix time (``time.time`` in production, a fake in tests).

    Raises:
        KeyringError: a key fails its key check, or rows use a key id not in the ring.
        MissingDependency: the ``storage`` extra is not installed.
        StorageError: the store fails.
    """

    def __init__(
        self,
        store: TwoFactorStore,
        *,
        keyring: KeyRing,
        issuer: str,
        policy: Policy | None = None,
        clock: Callable[[], TimeLike] = time.time,
    ) -> None:
        require_cryptography()
        if not isinstance(keyring, KeyRing):
            raise InvalidType("keyring must be a KeyRing")
        if not isinstance(issuer, str) or not issuer or ":" in issuer:
            raise InvalidParameter("issuer must be a non-empty str without ':'")
        check_user_id(issuer)  # same rule: no control characters
        policy = Policy() if policy is None else policy
        if not isinstance(policy, Policy):
            raise InvalidType("policy must be a Policy")
        if not callable(clock):
            raise InvalidType("clock must be a callable returning Unix time")
        self._store = store
        self._ring = keyring
        self._issuer = issuer
        self._policy = policy
        self._rule = policy.rule
        self._clock = clock
        check_keys(store, keyring, self._now())
        self._attempts = Attempts(store, keyring, policy, "dummy-" + _new_id())

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        keyring: KeyRing,
        issuer: str,
        policy: Policy | None = None,
        clock: Callable[[], TimeLike] = time.time,
        timeout: float = 30.0,
    ) -> TwoFactor:
        """Open (or create) the service on a SQLite file.

        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> tf = TwoFactor.open(os.path.join(d, "2fa.db"), keyring=KeyRing.generate(),
        ...                     issuer="MyApp", clock=lambda: 1_700_000_000)
        >>> pending = tf.enroll("alice@example.com")
        >>> pending.secret, pending.type, pending.expires_at
        (Secret(<20 bytes, hidden>), 'totp', 1700000900)
        >>> tf.close()
        """
        require_cryptography()
        from .sqlite_store import SQLiteStore

        store = SQLiteStore(path, timeout=timeout)
        try:
            return cls(store, keyring=keyring, issuer=issuer, policy=policy, clock=clock)
        except BaseException:
            store.close()
            raise

    def _now(self) -> int:
        return to_seconds(self._clock(), "clock()")

    # --- verification ---------------------------------------------------------------------

    def verify(self, user_id: str, token: str) -> Verification:
        """Verify a TOTP (or HOTP) code and claim its time step (or counter).

        Raises:
            MalformedToken: not exactly ``digits`` ASCII digits (counted as a failure).
            ReplayedToken: the right code, but its step was already used.
            InvalidToken: wrong code, or no active credential (unknown users included).
            RateLimited: backing off after failures (``retry_after`` seconds).
            AccountLocked: the failure cap was reached; see :meth:`unlock`.
        """
        user_id = check_user_id(user_id)
        _check_type(token, "token")
        now = self._now()
        account = self._store.load_account(user_id)
        attempts = self._attempts
        active = account.active if account else None
        kind = active.kind if active else self._policy.type
        attempts.check_throttle(account, now, "verify", kind)
        cred, step, offset = attempts.match_otp(user_id, active, token, now, "verify")
        limit = self._policy.max_drift if kind == "totp" else 0
        drift = max(-limit, min(limit, offset))
        result = self._store.claim_step(cred, step=step, drift=drift, now=now, rule=self._rule,
            event=AuditEvent(at=now, event="verify", user_id=user_id, credential_id=cred.id,
                             factor=kind, outcome="ok", offset=offset, failures=0))  # fmt: skip
        if result is ClaimResult.OK:
            return Verification(user_id=user_id, credential_id=cred.id, step=step, offset=offset)
        if result is ClaimResult.THROTTLED:
            attempts.throttled_at_claim(user_id, now, "verify", kind)
        attempts.fail(user_id, cred, now, "verify", kind, "replay")
        raise ReplayedToken(REPLAYED)

    def use_backup_code(self, user_id: str, code: str) -> BackupCodeUse:
        """Accept a backup code once (typed with or without dashes; case-insensitive).

        Every attempt hashes the input against a full set of codes (padded with a dummy),
        so the work does not depend on the user or how many codes are left.

        Raises:
            MalformedToken, ReplayedToken, InvalidToken, RateLimited, AccountLocked: as
            :meth:`verify`; the failure count is the same one.
        """
        user_id = check_user_id(user_id)
        _check_type(code, "code")
        now = self._now()
        account = self._store.load_account(user_id)
        attempts = self._attempts
        attempts.check_throttle(account, now, "verify", "backup_code")
        cred = account.active if account else None
        rows = self._store.load_backup_codes(cred.id) if cred else []
        matched = attempts.match_backup(user_id, cred, rows, code, now)
        assert cred is not None  # match_backup raised otherwise
        remaining = sum(1 for r in rows if r.used_at is None) - 1
        result = self._store.claim_backup_code(matched, user_id=user_id, now=now, rule=self._rule,
            events=[
                AuditEvent(at=now, event="verify", user_id=user_id, credential_id=cred.id,
                           factor="backup_code", outcome="ok", failures=0),
                AuditEvent(at=now, event="backup_code_used", user_id=user_id,
                           credential_id=cred.id, count=remaining),
            ])  # fmt: skip
        if result is ClaimResult.OK:
            return BackupCodeUse(user_id=user_id, remaining=remaining)
        if result is ClaimResult.THROTTLED:
            attempts.throttled_at_claim(user_id, now, "verify", "backup_code")
        attempts.fail(user_id, cred, now, "verify", "backup_code", "replay")
        raise ReplayedToken(REPLAYED)

    # --- lifecycle ------------------------------------------------------------------------

    def enroll(self, user_id: str, *, secret: Secret | bytes | None = None,
               account: str | None = None) -> Enrollment:  # fmt: skip
        """Start enrollment: a new secret (or an imported one), pending until :meth:`confirm`.

        Raises:
            EnrollmentStateError: the user already has an active credential (:meth:`reenroll`).
            SecretTooShort, SecretTooLong: an imported secret outside the policy.
        """
        return self._begin(user_id, secret, account, reenroll=False)

    def reenroll(self, user_id: str, *, secret: Secret | bytes | None = None,
                 account: str | None = None) -> Enrollment:  # fmt: skip
        """Start replacing the active credential; the old one works until :meth:`confirm`.

        Raises:
            EnrollmentStateError: the user has no active credential (use :meth:`enroll`).
        """
        return self._begin(user_id, secret, account, reenroll=True)

    def _begin(self, user_id: str, secret: Secret | bytes | None, account: str | None,
               *, reenroll: bool) -> Enrollment:  # fmt: skip
        user_id = check_user_id(user_id)
        account = user_id if account is None else check_user_id(account)
        if ":" in account:  # the Key URI label is "issuer:account"
            raise InvalidParameter("account must not contain ':'; pass account= to name it")
        if secret is None:
            raw = generate_secret(self._policy.secret_bytes).reveal()
        else:
            raw = check_key(secret, min_bytes=self._policy.min_key_bytes)
            if len(raw) > MAX_SECRET_BYTES:
                raise SecretTooLong(f"imported secrets must be at most {MAX_SECRET_BYTES} bytes")
        now = self._now()
        cred_id = _new_id()
        p = self._policy
        row = CredentialRow(
            id=cred_id, kind=p.type, user_id=user_id, state="pending",
            secret=seal(self._ring, raw, Binding(user_id=user_id, credential_id=cred_id)),
            key_id=self._ring.active, digits=p.digits, period=p.period, algorithm=p.algorithm,
            t0=0, last_step=-1, drift=0, created_at=now,
        )  # fmt: skip
        event = AuditEvent(at=now, event="reenroll" if reenroll else "enroll", user_id=user_id,
                           credential_id=cred_id)  # fmt: skip
        if self._store.put_pending(row, require_active=reenroll, event=event) is not ClaimResult.OK:
            raise EnrollmentStateError(
                "user has no active credential; use enroll" if reenroll
                else "user already has an active credential; use reenroll"
            )  # fmt: skip
        return Enrollment(
            type=p.type, user_id=user_id, credential_id=cred_id, secret=Secret(raw),
            account=account,
            issuer=self._issuer, digits=p.digits, period=p.period, algorithm=p.algorithm,
            expires_at=now + p.enrollment_ttl,
        )  # fmt: skip

    def confirm(self, user_id: str, token: str) -> BackupCodes:
        """Activate the pending credential with a first code (which consumes its step).

        Returns the new backup codes: the only time they can be shown.

        Raises:
            EnrollmentStateError: nothing pending, or it expired.
            MalformedToken, InvalidToken, ReplayedToken, RateLimited, AccountLocked.
        """
        user_id = check_user_id(user_id)
        _check_type(token, "token")
        now = self._now()
        account = self._store.load_account(user_id)
        pending = account.pending if account else None
        if account is None or pending is None:
            raise EnrollmentStateError("user has no pending enrollment; call enroll first")
        if now > pending.created_at + self._policy.enrollment_ttl:
            raise EnrollmentStateError("the pending enrollment expired; call enroll again")
        attempts = self._attempts
        attempts.check_throttle(account, now, "confirm", pending.kind)
        cred, step, offset = attempts.match_otp(user_id, pending, token, now, "confirm")
        codes, rows = self._new_codes(cred.id)
        result = self._store.activate(cred, step=step, now=now, rule=self._rule, codes=rows,
            events=[
                AuditEvent(at=now, event="confirm", user_id=user_id, credential_id=cred.id,
                           factor=cred.kind, outcome="ok", offset=offset, failures=0),
                AuditEvent(at=now, event="backup_codes_generated", user_id=user_id,
                           credential_id=cred.id, count=len(rows)),
            ])  # fmt: skip
        if result is ClaimResult.OK:
            return codes
        if result is ClaimResult.THROTTLED:
            attempts.throttled_at_claim(user_id, now, "confirm", cred.kind)
        if result is ClaimResult.STATE:
            raise EnrollmentStateError("the pending enrollment was replaced; enroll again")
        attempts.fail(user_id, cred, now, "confirm", cred.kind, "replay")
        raise ReplayedToken(REPLAYED)

    def _new_codes(self, credential_id: str) -> tuple[BackupCodes, list[BackupCodeRow]]:
        codes = backup.generate_backup_codes(self._policy.backup_codes)
        rows = [
            BackupCodeRow(id=_new_id(), credential_id=credential_id,
                          code_hash=backup.hash_backup_code(c, params=self._policy.backup_scrypt))
            for c in codes
        ]  # fmt: skip
        return BackupCodes(tuple(codes)), rows

    def regenerate_backup_codes(self, user_id: str) -> BackupCodes:
        """Replace every backup code at once (old ones stop working); audited.

        Raises:
            EnrollmentStateError: the user has no active credential.
        """
        user_id = check_user_id(user_id)
        account = self._store.load_account(user_id)
        if account is None or account.active is None:
            raise EnrollmentStateError("user has no active credential")
        codes, rows = self._new_codes(account.active.id)
        event = AuditEvent(at=self._now(), event="backup_codes_regenerated", user_id=user_id,
                           credential_id=account.active.id, count=len(rows))  # fmt: skip
        if not self._store.replace_backup_codes(account.active.id, rows, event=event):
            raise EnrollmentStateError("the credential changed; try again")
        return codes

    def disable(self, user_id: str) -> None:
        """Turn two-factor off for the user: credentials disabled, backup codes dropped."""
        user_id = check_user_id(user_id)
        now = self._now()
        event = AuditEvent(at=now, event="disable", user_id=user_id)
        if not self._store.disable(user_id, now=now, event=event):
            raise EnrollmentStateError("user has no credential to disable")

    def unlock(self, user_id: str) -> None:
        """Reset the failure count after an authorised review (lifts back-off and lock)."""
        user_id = check_user_id(user_id)
        event = AuditEvent(at=self._now(), event="unlock", user_id=user_id, failures=0)
        if not self._store.unlock(user_id, event=event):
            raise EnrollmentStateError("user has no two-factor account")

    def status(self, user_id: str) -> Status:
        """Whether the user is enrolled, pending, throttled, and how many codes are left."""
        user_id = check_user_id(user_id)
        account = self._store.load_account(user_id)
        if account is None:
            return Status(user_id=user_id, enrolled=False, pending=False, failures=0,
                          locked=False, retry_after=0.0, backup_codes_remaining=0)  # fmt: skip
        wait = self._rule.retry_after(account.failures, account.last_failure_at, self._now())
        rows = self._store.load_backup_codes(account.active.id) if account.active else []
        return Status(
            user_id=user_id, enrolled=account.active is not None,
            pending=account.pending is not None, failures=account.failures,
            locked=wait == float("inf"), retry_after=wait,
            backup_codes_remaining=sum(1 for r in rows if r.used_at is None),
        )  # fmt: skip

    def audit(self, user_id: str | None, *, limit: int = 100) -> list[AuditEvent]:
        """The user's newest audit events (``None``: service-wide events), oldest first."""
        if user_id is not None:
            user_id = check_user_id(user_id)
        limit = check_int(limit, "limit")
        if not 1 <= limit <= 10_000:
            raise InvalidParameter("limit must be between 1 and 10000")
        return self._store.audit(user_id, limit=limit)

    def rotate_keys(self, *, batch_size: int = 100) -> RotationReport:
        """Re-encrypt every secret under the active key, in batches, with compare-and-swap.

        Safe while the service runs: a row changed meanwhile is skipped by its swap and
        picked up by the next batch. Retire old keys only when the report is complete.
        """
        return rotate_keys(self._store, self._ring, batch_size=batch_size, now=self._now())

    def close(self) -> None:
        """Close the store's connections."""
        self._store.close()

    def __enter__(self) -> TwoFactor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"TwoFactor(issuer={self._issuer!r}, keyring={self._ring!r}, policy={self._policy!r})"
        )
