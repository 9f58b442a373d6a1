"""One verification attempt: throttle first, then evaluate, then count (RFC 4226 §7.3).

Shared by the service's TOTP, confirmation and backup-code paths, so all three use the same
failure counter, the same audit events and the same dummy work for unknown users.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final, NoReturn

from .._checks import check_algorithm, check_token
from ..core import time_step
from ..errors import AccountLocked, InvalidToken, MalformedToken, RateLimited, ReplayedToken
from ..prepared import PreparedMAC
from ..secret import generate_secret
from ..verify import scan
from . import backup
from .audit import AuditEvent, EventName, Factor, Outcome
from .envelope import open_envelope, seal
from .keyring import KeyRing
from .policy import Policy
from .rotation import credential_binding
from .store import AccountRow, BackupCodeRow, CredentialRow, TwoFactorStore

__all__ = ["INVALID", "REPLAYED", "Attempts"]

INVALID: Final = "code is not valid"
REPLAYED: Final = "code was already used"


class Attempts:
    """Throttle checks, code evaluation and failure recording over one store."""

    def __init__(self, store: TwoFactorStore, ring: KeyRing, policy: Policy, dummy_id: str) -> None:
        self.store, self.ring, self.policy, self.rule = store, ring, policy, policy.rule
        # Unknown users decrypt and check this credential, so they cost what a real user does.
        dummy = CredentialRow(
            id=dummy_id, kind=policy.type, user_id="", state="active", secret=b"",
            key_id=ring.active,
            digits=policy.digits, period=policy.period, algorithm=policy.algorithm, t0=0,
            last_step=-1, drift=0, created_at=0,
        )  # fmt: skip
        raw = generate_secret(policy.secret_bytes).reveal()
        secret = seal(ring, raw, credential_binding(dummy))
        self.dummy = replace(dummy, secret=secret)
        self.dummy_hash = backup.hash_backup_code(
            backup.generate_backup_code(), params=policy.backup_scrypt
        )

    def steps(self, cred: CredentialRow, token: str, now: int) -> tuple[list[int], int]:
        """Every matching step (TOTP) or counter (HOTP) in the window, and the expected one.

        TOTP: ``T - past .. T + future`` around the current step ``T``, widened on one side
        by the learned drift (RFC 6238 §5.2, §6). HOTP: the next counter and ``look_ahead``
        more (RFC 4226 §7.4). The secret is decrypted for this call only (never cached), the
        token checked, and every candidate compared (:func:`rfc6238.verify.scan`).
        """
        key = open_envelope(self.ring, cred.secret, credential_binding(cred))
        mac = PreparedMAC(key, check_algorithm(cred.algorithm))
        wanted = check_token(token, cred.digits)
        if cred.kind == "hotp":
            first = cred.last_step + 1
            return scan(mac, wanted, first, first + self.policy.look_ahead, cred.digits), first
        current = time_step(now, period=cred.period, t0=cred.t0)
        past, future = self.policy.window  # type: ignore[misc]  # Policy stores a (past, future) pair
        first = current - past - max(0, -cred.drift)
        last = current + future + max(0, cred.drift)
        return scan(mac, wanted, first, last, cred.digits), current

    def check_throttle(
        self, account: AccountRow | None, now: int, event: EventName, factor: Factor
    ) -> None:
        """Raise (and audit) if the account is backing off or locked; before any evaluation."""
        if account is None:
            return
        wait = self.rule.retry_after(account.failures, account.last_failure_at, now)
        if wait:
            self.reject(account, now, event, factor, wait)

    def reject(
        self, account: AccountRow, now: int, event: EventName, factor: Factor, wait: float
    ) -> NoReturn:
        locked = wait == float("inf")
        self.store.append_audit(AuditEvent(
            at=now, event=event, user_id=account.user_id, factor=factor,
            credential_id=account.active.id if account.active else None,
            outcome="locked" if locked else "rate_limited", failures=account.failures,
        ))  # fmt: skip
        if locked:
            raise AccountLocked("too many consecutive failures: locked until an authorised unlock")
        raise RateLimited(
            f"too many consecutive failures: retry after {wait:.0f} s", retry_after=wait
        )

    def throttled_at_claim(
        self, user_id: str, now: int, event: EventName, factor: Factor
    ) -> NoReturn:
        """A concurrent failure throttled the account between check and claim."""
        account = self.store.load_account(user_id)
        if account is not None:
            wait = self.rule.retry_after(account.failures, account.last_failure_at, now)
            self.reject(account, now, event, factor, max(wait, 1.0))
        raise InvalidToken(INVALID)

    def fail(self, user_id: str, cred: CredentialRow | None, now: int, event: EventName,
             factor: Factor, outcome: Outcome) -> None:  # fmt: skip
        """Count one failure atomically and audit it (also for unknown users: same work)."""
        self.store.record_failure(user_id, now=now, rule=self.rule, event=AuditEvent(
            at=now, event=event, user_id=user_id, credential_id=cred.id if cred else None,
            factor=factor, outcome=outcome,
        ))  # fmt: skip

    def match_otp(self, user_id: str, cred: CredentialRow | None, token: str, now: int,
                   event: EventName) -> tuple[CredentialRow, int, int]:  # fmt: skip
        """Evaluate ``token`` (against the dummy if ``cred`` is None).

        Returns the credential, the smallest matching step above its last used step, and
        that step's offset from now. Failures are counted before raising.
        """
        target = self.dummy if cred is None else cred
        try:
            steps, expected = self.steps(target, token, now)
        except MalformedToken:
            self.fail(user_id, cred, now, event, target.kind, "malformed")
            raise
        fresh = [s for s in steps if s > target.last_step]
        if cred is None or not steps:
            self.fail(user_id, cred, now, event, target.kind, "invalid")
            raise InvalidToken(INVALID)
        if not fresh:
            self.fail(user_id, cred, now, event, target.kind, "replay")
            raise ReplayedToken(REPLAYED)
        return cred, min(fresh), min(fresh) - expected

    def match_backup(self, user_id: str, cred: CredentialRow | None, rows: list[BackupCodeRow],
                     code: str, now: int) -> BackupCodeRow:  # fmt: skip
        """The unused row ``code`` matches; every attempt hashes a full, padded set."""
        try:
            canonical = backup.normalize_backup_code(code)
        except MalformedToken:
            self.fail(user_id, cred, now, "verify", "backup_code", "malformed")
            raise
        slots: list[BackupCodeRow | None] = [*rows]
        slots += [None] * (max(self.policy.backup_codes, len(rows)) - len(rows))
        matched: BackupCodeRow | None = None
        for row in slots:  # no early exit: every slot costs one scrypt
            ok = backup.check_normalized(canonical, row.code_hash if row else self.dummy_hash)
            if ok and row is not None and matched is None:
                matched = row
        if cred is None or matched is None:
            self.fail(user_id, cred, now, "verify", "backup_code", "invalid")
            raise InvalidToken(INVALID)
        if matched.used_at is not None:
            self.fail(user_id, cred, now, "verify", "backup_code", "replay")
            raise ReplayedToken(REPLAYED)
        return matched
