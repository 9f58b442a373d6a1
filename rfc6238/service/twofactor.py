"""The two-factor service: enrollment of named devices, verification with replay protection
and throttling, backup codes, HOTP resynchronisation, encrypted secrets and an audit log
(RFC 6238, RFC 4226).

Every attempt reads as **throttle, match, claim**:

* **Throttle** (RFC 4226 §7.3): the attempt is *reserved* first with one conditional write
  that counts it as a failure only while the policy allows a guess; a refused request is
  answered ``RateLimited``/``AccountLocked`` without its code being looked at, so the answer
  cannot depend on the code. Shared by all devices, backup codes and processes.
* **Match**: the token is validated, then every active device's secret decrypted and every
  candidate compared through the public engine (``verify_totp``/``verify_hotp`` with the
  replay floor ``after=last_step``), so the work does not tell which device matched.
  Unknown users check a dummy secret: same work, same answers, same throttle.
* **Claim** (RFC 6238 §5.2): ``UPDATE ... WHERE last_step < :step``, one row changed, with
  the failure reset and the audit event in the same transaction; a lost race is a
  :class:`~rfc6238.errors.ReplayedToken`. The confirmation code consumes its step too.

The clock is injected: ``clock`` returns Unix time; nothing else reads the time. Needs the
``storage`` extra (``cryptography``), imported only when the service opens.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Final

from .._checks import TimeLike, check_int, check_token, to_seconds
from ..errors import (
    EnrollmentStateError,
    InvalidParameter,
    InvalidType,
    MalformedToken,
    RFC6238Error,
)
from ..secret import Secret
from ._attempts import Attempts
from ._enroll import find_resync_pair, new_codes, new_credential, new_id
from .audit import AuditEvent, EventName, Factor, check_device, check_user_id
from .keyring import KeyRing, require_cryptography
from .policy import Policy
from .results import (
    BackupCodes,
    BackupCodeUse,
    Device,
    Enrollment,
    RotationReport,
    Status,
    Verification,
)
from .rotation import check_keys, rotate_keys
from .store import DEFAULT_DEVICE, ClaimResult, CredentialRow, TwoFactorStore

__all__ = ["MAX_CLOCK", "TwoFactor"]

#: The latest time the service accepts from its clock: stores keep times as signed 64-bit ints.
MAX_CLOCK: Final = 2**63 - 1


def _check_type(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise InvalidType(f"{name} must be a str, not {type(value).__name__}")


def _ok_event(
    now: int, event: EventName, cred: CredentialRow, factor: Factor, offset: int | None = None
) -> AuditEvent:
    return AuditEvent(
        at=now,
        event=event,
        user_id=cred.user_id,
        credential_id=cred.id,
        factor=factor,
        outcome="ok",
        offset=offset,
        failures=0,
    )


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
        issuer = check_user_id(issuer)  # same rule: no control or invisible characters
        policy = Policy() if policy is None else policy
        if not isinstance(policy, Policy):
            raise InvalidType("policy must be a Policy")
        if not callable(clock):
            raise InvalidType("clock must be a callable returning Unix time")
        self._store = store
        self._ring = keyring
        self._issuer = issuer
        self._policy = policy
        self._clock = clock
        check_keys(store, keyring, self._now())
        self._attempts = Attempts(store, keyring, policy, "dummy-" + new_id())

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
        """Open (or create) the service on a SQLite file, or on PostgreSQL for a
        ``postgresql://`` URL (:class:`~rfc6238.service.postgres_store.PostgresStore`).

        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> tf = TwoFactor.open(os.path.join(d, "2fa.db"), keyring=KeyRing.generate(),
        ...                     issuer="MyApp", clock=lambda: 1_700_000_000)
        >>> pending = tf.enroll("alice@example.com")
        >>> pending.secret, pending.type, pending.device, pending.expires_at
        (Secret(<20 bytes, hidden>), 'totp', 'default', 1700000900)
        >>> tf.close()
        """
        require_cryptography()
        store: TwoFactorStore
        if isinstance(path, str) and path.startswith(("postgresql://", "postgres://")):
            from .postgres_store import PostgresStore  # a URL: PostgreSQL (extra "postgres")

            store = PostgresStore(path, timeout=timeout)
        else:
            from .sqlite_store import SQLiteStore

            store = SQLiteStore(path, timeout=timeout)
        try:
            return cls(store, keyring=keyring, issuer=issuer, policy=policy, clock=clock)
        except BaseException:
            store.close()
            raise

    def _now(self) -> int:
        """The injected clock in whole Unix seconds, inside what every store can hold."""
        try:
            value = self._clock()
        except RFC6238Error:
            raise
        except Exception as err:  # the clock is user code
            raise InvalidParameter("clock() failed; it must return Unix time") from err
        now = to_seconds(value, "clock()")
        if not 0 <= now <= MAX_CLOCK:
            raise InvalidParameter(
                f"clock() must return Unix time between 0 and {MAX_CLOCK} (a signed 64-bit "
                "integer, the range SQLite and PostgreSQL store)"
            )
        return now

    # --- verification: throttle, match, claim ---------------------------------------------

    def verify(self, user_id: str, token: str) -> Verification:
        """Verify a TOTP (or HOTP) code from any of the user's active devices; claim its step.

        Raises:
            MalformedToken: not exactly ``digits`` ASCII digits (counted as a failure).
            ReplayedToken: the right code, but its step was already used.
            InvalidToken: wrong code, or no active device (unknown users included).
            RateLimited: backing off after failures (``retry_after`` seconds).
            AccountLocked: the failure cap was reached; see :meth:`unlock`.
        """
        user_id = check_user_id(user_id)
        _check_type(token, "token")
        now = self._now()
        attempts = self._attempts
        res = attempts.reserve(user_id, now, "verify", None)
        active = res.account.active
        match = attempts.match_otp(res, user_id, active, token, now, "verify")
        cred = match.credential
        limit = self._policy.max_drift if cred.kind == "totp" else 0
        drift = max(-limit, min(limit, match.offset))
        event = _ok_event(now, "verify", cred, cred.kind, offset=match.offset)
        claim = self._store.claim_step(cred, step=match.step, drift=drift, now=now, event=event)
        if claim is not ClaimResult.OK:
            raise attempts.fail(res, user_id, cred, now, "verify", cred.kind, "replay")
        return Verification(
            user_id=user_id,
            credential_id=cred.id,
            device=cred.device,
            step=match.step,
            offset=match.offset,
        )

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
        attempts = self._attempts
        res = attempts.reserve(user_id, now, "verify", "backup_code")
        enrolled = bool(res.account.active)
        rows = self._store.load_backup_codes(user_id) if enrolled else []
        matched = attempts.match_backup(res, user_id, enrolled, rows, code, now)
        event = AuditEvent(
            at=now, event="verify", user_id=user_id, factor="backup_code", outcome="ok", failures=0
        )
        left = self._store.claim_backup_code(matched, user_id=user_id, now=now, event=event)
        if left is None:
            raise attempts.fail(res, user_id, None, now, "verify", "backup_code", "replay")
        return BackupCodeUse(user_id=user_id, remaining=left)

    def resync(
        self, user_id: str, code1: str, code2: str, *, device: str = DEFAULT_DEVICE
    ) -> Verification:
        """Resynchronise an HOTP device that drifted beyond the look-ahead (RFC 4226 §7.4).

        The user sends two consecutive codes; the next ``policy.resync_window`` counters are
        searched (every one computed and compared) for ``code1`` at ``c`` and ``code2`` at
        ``c + 1``. On a match the counter moves to ``c + 1`` (claimed like any code).
        Throttled and audited (``resync``) like any attempt: it is one guess.

        Raises:
            MalformedToken, InvalidToken, ReplayedToken, RateLimited, AccountLocked: as
            :meth:`verify` (InvalidToken also when the device is not an active HOTP one).
        """
        user_id, device = check_user_id(user_id), check_device(device)
        _check_type(code1, "code1")
        _check_type(code2, "code2")
        now = self._now()
        attempts = self._attempts
        res = attempts.reserve(user_id, now, "resync", "hotp")
        cred = res.account.find(device, "active")
        target = cred if cred is not None and cred.kind == "hotp" else attempts.dummy
        try:
            wanted = (check_token(code1, target.digits), check_token(code2, target.digits))
        except MalformedToken as err:
            raise attempts.fail(
                res, user_id, cred, now, "resync", "hotp", "malformed", str(err)
            ) from None
        step = find_resync_pair(self._ring, target, wanted, self._policy.resync_window)
        if step is None or target is attempts.dummy:
            raise attempts.fail(res, user_id, cred, now, "resync", "hotp", "invalid")
        event = _ok_event(now, "resync", target, "hotp", offset=step - target.last_step - 1)
        if self._store.claim_step(target, step=step, drift=0, now=now, event=event) is not (
            ClaimResult.OK
        ):
            raise attempts.fail(res, user_id, target, now, "resync", "hotp", "replay")
        return Verification(
            user_id=user_id,
            credential_id=target.id,
            device=target.device,
            step=step,
            offset=step - target.last_step - 1,
        )

    # --- lifecycle ------------------------------------------------------------------------

    def enroll(
        self,
        user_id: str,
        *,
        device: str = DEFAULT_DEVICE,
        secret: Secret | bytes | None = None,
        account: str | None = None,
    ) -> Enrollment:
        """Start enrolling ``device``: a new secret (or an imported one), pending until
        :meth:`confirm`. A user may enroll several devices, each under its own name.

        Raises:
            EnrollmentStateError: the device is already active (:meth:`reenroll`).
            SecretTooShort, SecretTooLong: an imported secret outside the policy.
        """
        return self._begin(user_id, device, secret, account, reenroll=False)

    def reenroll(
        self,
        user_id: str,
        *,
        device: str = DEFAULT_DEVICE,
        secret: Secret | bytes | None = None,
        account: str | None = None,
    ) -> Enrollment:
        """Start replacing an active device's secret; the old one works until :meth:`confirm`.

        Raises:
            EnrollmentStateError: the device is not active (use :meth:`enroll`).
        """
        return self._begin(user_id, device, secret, account, reenroll=True)

    def _begin(
        self,
        user_id: str,
        device: str,
        secret: Secret | bytes | None,
        account: str | None,
        *,
        reenroll: bool,
    ) -> Enrollment:
        now = self._now()
        row, enrollment = new_credential(
            self._ring, self._policy, self._issuer, user_id, device, secret, account, now
        )
        event = AuditEvent(
            at=now,
            event="reenroll" if reenroll else "enroll",
            user_id=row.user_id,
            credential_id=row.id,
        )
        if self._store.put_pending(row, require_active=reenroll, event=event) is not ClaimResult.OK:
            raise EnrollmentStateError(
                f"device {row.device!r} is not active; use enroll"
                if reenroll
                else f"device {row.device!r} is already active; use reenroll"
            )
        return enrollment

    def confirm(self, user_id: str, token: str, *, device: str = DEFAULT_DEVICE) -> BackupCodes:
        """Activate the device's pending credential with a first code (consuming its step).

        Returns new backup codes when the user had no other active device (the only time
        they can be shown); otherwise the user's codes stay and the result is empty.

        Raises:
            EnrollmentStateError: nothing pending for the device, or it expired.
            MalformedToken, InvalidToken, ReplayedToken, RateLimited, AccountLocked.
        """
        user_id, device = check_user_id(user_id), check_device(device)
        _check_type(token, "token")
        now = self._now()
        account = self._store.load_account(user_id)
        pending = account.find(device, "pending") if account else None
        if pending is None:
            raise EnrollmentStateError(f"device {device!r} has no pending enrollment")
        if now > pending.created_at + self._policy.enrollment_ttl:
            raise EnrollmentStateError("the pending enrollment expired; call enroll again")
        attempts = self._attempts
        res = attempts.reserve(user_id, now, "confirm", pending.kind)
        pending = res.account.find(device, "pending")
        if pending is None:
            raise EnrollmentStateError("the pending enrollment was replaced; enroll again")
        match = attempts.match_otp(res, user_id, (pending,), token, now, "confirm")
        others = [c for c in res.account.active if c.device != device]
        codes, rows = (BackupCodes(()), None) if others else new_codes(self._policy, user_id)
        events = [_ok_event(now, "confirm", pending, pending.kind, offset=match.offset)]
        if rows is not None:
            events.append(
                AuditEvent(at=now, event="backup_codes_generated", user_id=user_id, count=len(rows))
            )
        result = self._store.activate(pending, step=match.step, now=now, codes=rows, events=events)
        if result is ClaimResult.STATE:
            raise EnrollmentStateError("the pending enrollment was replaced; enroll again")
        if result is not ClaimResult.OK:
            raise attempts.fail(res, user_id, pending, now, "confirm", pending.kind, "replay")
        return codes

    def regenerate_backup_codes(self, user_id: str) -> BackupCodes:
        """Replace every backup code of the user at once (old ones stop working); audited.

        Raises:
            EnrollmentStateError: the user has no active device.
        """
        user_id = check_user_id(user_id)
        codes, rows = new_codes(self._policy, user_id)
        event = AuditEvent(
            at=self._now(), event="backup_codes_regenerated", user_id=user_id, count=len(rows)
        )
        if not self._store.replace_backup_codes(user_id, rows, event=event):
            raise EnrollmentStateError("user has no active device")
        return codes

    def disable(self, user_id: str, *, device: str | None = None) -> None:
        """Revoke one device (pending or active), or every device when ``device`` is None.

        Backup codes are dropped when no active device is left.

        Raises:
            EnrollmentStateError: nothing to disable.
        """
        user_id = check_user_id(user_id)
        device = None if device is None else check_device(device)
        now = self._now()
        event = AuditEvent(at=now, event="disable", user_id=user_id)
        if not self._store.disable(user_id, device, now=now, event=event):
            raise EnrollmentStateError("nothing to disable")

    def unlock(self, user_id: str) -> None:
        """Reset the failure count after an authorised review (lifts back-off and lock)."""
        user_id = check_user_id(user_id)
        event = AuditEvent(at=self._now(), event="unlock", user_id=user_id, failures=0)
        if not self._store.unlock(user_id, event=event):
            raise EnrollmentStateError("user has no two-factor account")

    def devices(self, user_id: str) -> list[Device]:
        """The user's active and pending devices, by name (names, types, times; no secret)."""
        user_id = check_user_id(user_id)
        account = self._store.load_account(user_id)
        creds = account.credentials if account else ()
        return [
            Device(
                name=c.device,
                type=c.kind,
                state=c.state,
                created_at=c.created_at,
                last_used_at=c.last_used_at,
            )
            for c in creds
        ]

    def status(self, user_id: str) -> Status:
        """Whether the user is enrolled, pending, throttled, and how many codes are left."""
        user_id = check_user_id(user_id)
        account = self._store.load_account(user_id)
        if account is None:
            return Status(
                user_id=user_id,
                enrolled=False,
                pending=False,
                failures=0,
                locked=False,
                retry_after=0.0,
                backup_codes_remaining=0,
            )
        rule = self._policy.rule
        wait = rule.retry_after(account.failures, account.last_failure_at, self._now())
        rows = self._store.load_backup_codes(user_id) if account.active else []
        return Status(
            user_id=user_id,
            enrolled=bool(account.active),
            pending=any(c.state == "pending" for c in account.credentials),
            failures=account.failures,
            locked=wait == float("inf"),
            retry_after=wait,
            backup_codes_remaining=sum(1 for r in rows if r.used_at is None),
        )

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
        picked up by the next batch; a row that cannot be decrypted is audited and reported
        (``undecryptable``) without stopping the others. Retire old keys only when the
        report is complete.
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
