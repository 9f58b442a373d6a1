"""One verification attempt: reserve, then evaluate, then settle (RFC 4226 §7.3).

1. **Reserve** (:meth:`Attempts.reserve`): one conditional write counts the attempt as a
   failure while the policy still allows a guess; refused requests are audited and answered
   ``RateLimited``/``AccountLocked`` without their code being looked at.
2. **Evaluate** (:meth:`Attempts.match_otp`, :meth:`Attempts.match_backup`): the token is
   validated, then the secret decrypted (or the dummy, for unknown users) and every
   candidate compared.
3. **Settle**: a match is claimed by the caller (the claim resets the count); a failure
   (:meth:`Attempts.fail`) keeps the reserved count and is audited.

Shared by the service's TOTP/HOTP, confirmation and backup-code paths, so all of them use
the same failure counter, the same audit events and the same dummy work for unknown users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from .._checks import check_token
from ..errors import (
    AccountLocked,
    InvalidEncoding,
    InvalidToken,
    MalformedToken,
    RateLimited,
    ReplayedToken,
    StorageError,
)
from ..secret import generate_secret
from ..verify import Match as VerifiedMatch
from ..verify import verify_hotp, verify_totp
from . import backup
from ._enroll import sealed_credential
from .audit import AuditEvent, EventName, Factor, Outcome
from .envelope import open_envelope
from .keyring import KeyRing
from .policy import Policy
from .rotation import credential_binding
from .store import DEFAULT_DEVICE, BackupCodeRow, CredentialRow, Reservation, TwoFactorStore

__all__ = ["INVALID", "REPLAYED", "Attempts", "Match"]

INVALID: Final = "code is not valid"
REPLAYED: Final = "code was already used"


@dataclass(frozen=True, slots=True)
class Match:
    """A code that matched: the credential, the step (or counter) to claim, its offset."""

    credential: CredentialRow
    step: int
    offset: int


class Attempts:
    """Reservation, code evaluation and failure settlement over one store."""

    def __init__(self, store: TwoFactorStore, ring: KeyRing, policy: Policy, dummy_id: str) -> None:
        self.store, self.ring, self.policy, self.rule = store, ring, policy, policy.rule
        # Unknown users decrypt and check this credential, so they cost what a real user does.
        raw = generate_secret(policy.secret_bytes).reveal()
        pending = sealed_credential(ring, policy, "", DEFAULT_DEVICE, dummy_id, raw, 0)
        self.dummy = replace(pending, state="active")
        self.dummy_hash = backup.hash_backup_code(
            backup.generate_backup_code(), params=policy.backup_scrypt
        )

    # --- 1. reserve -------------------------------------------------------------------------

    def reserve(
        self, user_id: str, now: int, event: EventName, factor: Factor | None
    ) -> Reservation:
        """Reserve one attempt, or audit the refusal and raise; nothing about the code is used.

        ``factor`` None: the kind of the user's active credential (or the policy's type).

        Raises:
            RateLimited: backing off (``retry_after`` seconds).
            AccountLocked: the failure cap was reached.
        """
        res = self.store.reserve_attempt(user_id, now=now, rule=self.rule)
        if res.granted:
            return res
        active = res.account.active[0] if res.account.active else None
        wait = max(self.rule.retry_after(res.failures, res.last_failure_at, now), 1.0)
        locked = wait == float("inf")
        self.store.append_audit(
            [
                AuditEvent(
                    at=now,
                    event=event,
                    user_id=user_id,
                    credential_id=active.id if active else None,
                    factor=factor or (active.kind if active else self.policy.type),
                    outcome="locked" if locked else "rate_limited",
                    failures=res.failures,
                )
            ]
        )
        if locked:
            raise AccountLocked("too many consecutive failures: locked until an authorised unlock")
        raise RateLimited(
            f"too many consecutive failures: retry after {wait:.0f} s", retry_after=wait
        )

    # --- 3. settle a failure ------------------------------------------------------------------

    def fail(
        self,
        res: Reservation,
        user_id: str,
        cred: CredentialRow | None,
        now: int,
        event: EventName,
        factor: Factor,
        outcome: Outcome,
        detail: str = "token is malformed",
    ) -> InvalidToken:
        """Audit a failed attempt (its reservation already counted it); the error to raise.

        The reservation that reached the cap also writes the ``lockout`` event.
        """
        events = [
            AuditEvent(
                at=now,
                event=event,
                user_id=user_id,
                credential_id=cred.id if cred else None,
                factor=factor,
                outcome=outcome,
                failures=res.failures,
            )
        ]
        if res.failures == self.rule.max_failures:
            events.append(
                AuditEvent(at=now, event="lockout", user_id=user_id, failures=res.failures)
            )
        self.store.append_audit(events)
        if outcome == "replay":
            return ReplayedToken(REPLAYED)
        if outcome == "malformed":
            return MalformedToken(detail)
        return InvalidToken(INVALID)

    # --- 2. evaluate --------------------------------------------------------------------------

    def evaluate(self, cred: CredentialRow, token: str, now: int) -> VerifiedMatch | Outcome:
        """Compare ``token`` with every candidate of ``cred``'s window.

        The token is validated first, before the secret is decrypted (``"malformed"``).
        Then the public engine with the replay floor ``after = last_step`` (RFC 6238 §5.2):
        TOTP ``T - past .. T + future`` around the current step, widened on one side by the
        learned drift, which is bounded again here (RFC 6238 §6); HOTP the next counter and
        ``look_ahead`` more (RFC 4226 §7.4). Returns the match or the outcome. The secret is
        decrypted for this call only, and the engine's exception (whose frames hold it) is
        dropped here, not re-raised.
        """
        try:
            check_token(token, cred.digits)
        except MalformedToken:
            return "malformed"
        key = open_envelope(self.ring, cred.secret, credential_binding(cred))
        try:
            if cred.kind == "hotp":
                return verify_hotp(
                    key,
                    token,
                    cred.last_step + 1,
                    look_ahead=self.policy.look_ahead,
                    after=cred.last_step,
                    digits=cred.digits,
                    algorithm=cred.algorithm,
                    allow_short_key=True,
                )
            past, future = self.policy.window
            drift = max(-self.policy.max_drift, min(self.policy.max_drift, cred.drift))
            return verify_totp(
                key,
                token,
                now,
                window=(past + max(0, -drift), future + max(0, drift)),
                after=cred.last_step,
                period=cred.period,
                t0=cred.t0,
                digits=cred.digits,
                algorithm=cred.algorithm,
                allow_short_key=True,
            )
        except ReplayedToken:
            return "replay"
        except InvalidToken:
            return "invalid"
        finally:
            del key

    def match_otp(
        self,
        res: Reservation,
        user_id: str,
        creds: Sequence[CredentialRow],
        token: str,
        now: int,
        event: EventName,
    ) -> Match:
        """Evaluate ``token`` against every credential in ``creds`` (the dummy if none).

        Every credential is evaluated, matching or not, so the work does not tell which
        device (if any) matched. Returns the first match in device order; otherwise settles
        the failure (malformed for every device, replay, or invalid) and raises.
        """
        targets = tuple(creds) or (self.dummy,)
        found = [(cred, self.evaluate(cred, token, now)) for cred in targets]
        for cred, result in found:
            if creds and not isinstance(result, str):
                return Match(cred, result.counter, result.offset)
        outcomes = {result for _, result in found}
        outcome: Outcome = (
            "malformed"
            if outcomes == {"malformed"}
            else "replay"
            if creds and "replay" in outcomes
            else "invalid"
        )
        one = creds[0] if len(creds) == 1 else None
        raise self.fail(
            res,
            user_id,
            one,
            now,
            event,
            targets[0].kind,
            outcome,
            f"token must be {targets[0].digits} ASCII digits",
        )

    def match_backup(
        self,
        res: Reservation,
        user_id: str,
        enrolled: bool,
        rows: list[BackupCodeRow],
        code: str,
        now: int,
    ) -> BackupCodeRow:
        """The unused row ``code`` matches; every attempt hashes a full, padded set."""
        try:
            canonical = backup.normalize_backup_code(code)
        except MalformedToken as err:
            raise self.fail(
                res, user_id, None, now, "verify", "backup_code", "malformed", str(err)
            ) from None
        slots: list[BackupCodeRow | None] = [*rows]
        slots += [None] * (max(self.policy.backup_codes, len(rows)) - len(rows))
        matched: BackupCodeRow | None = None
        for row in slots:  # no early exit: every slot costs one scrypt
            try:
                ok = backup.check_normalized(canonical, row.code_hash if row else self.dummy_hash)
            except InvalidEncoding:  # bounded parameters: refused before any hashing
                raise StorageError("a stored backup code hash is corrupt") from None
            if ok and row is not None and matched is None:
                matched = row
        if not enrolled or matched is None:
            raise self.fail(res, user_id, None, now, "verify", "backup_code", "invalid")
        if matched.used_at is not None:
            raise self.fail(res, user_id, None, now, "verify", "backup_code", "replay")
        return matched
