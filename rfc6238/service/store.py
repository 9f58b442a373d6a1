"""The storage interface of the two-factor service, and its row types.

The service talks to storage only through :class:`TwoFactorStore`. Every decision that
must hold under concurrency is one *conditional statement* that reports whether it changed
a row, so any database with atomic single-row updates can implement it (SQLite here; a
server database later):

* replay (RFC 6238 §5.2): ``UPDATE credentials SET last_step = :step WHERE id = :id AND
  last_step < :step`` - one row changed or the step was already used. The same statement
  serves an HOTP counter (RFC 4226 §7.2: ``last_step`` is the last accepted counter);
* throttle reservation (RFC 4226 §7.3), *before* any code is evaluated: one conditional
  write that counts the attempt as a failure only while the policy still allows a guess,
  ``INSERT INTO accounts ... ON CONFLICT (user_id) DO UPDATE SET failures = failures + 1,
  last_failure_at = :now WHERE failures < :max AND <back-off elapsed> RETURNING failures``;
  no row returned means refused, and the code is never looked at. Settling a success resets
  the count (``UPDATE accounts SET failures = 0``, in the claim's transaction); settling a
  failure leaves the reserved count as it is;
* backup code use: ``UPDATE backup_codes SET used_at = :now WHERE id = :id AND used_at IS
  NULL``;
* key rotation: ``UPDATE credentials SET secret = :new WHERE id = :id AND secret = :old``
  (compare-and-swap, so a concurrent change is never overwritten).

Each write method is one transaction that also appends its audit events.

>>> ThrottleRule(max_failures=10, backoff_after=5, backoff_base=1, backoff_max=60).delay(7)
4
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from .audit import AuditEvent

__all__ = [
    "AccountRow",
    "BackupCodeRow",
    "ClaimResult",
    "CredentialRow",
    "CredentialState",
    "OTPKind",
    "Reservation",
    "ThrottleRule",
    "TwoFactorStore",
]

CredentialState = Literal["pending", "active", "disabled"]
#: TOTP (RFC 6238) or HOTP (RFC 4226); ``last_step`` is the last accepted step or counter.
OTPKind = Literal["totp", "hotp"]


class ClaimResult(enum.Enum):
    """What a conditional write did."""

    OK = "ok"
    #: The step, counter or backup code was already used (the condition did not hold).
    REPLAYED = "replayed"
    #: The credential is not in the state the write needs (e.g. no longer pending).
    STATE = "state"


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottleRule:
    """Consecutive-failure throttling (RFC 4226 §7.3, 63B-4 §3.2.2).

    ``delay(n)`` seconds must pass after the last failure when ``n`` failures are on record:
    0 below ``backoff_after``, then ``backoff_base * 2**(n - backoff_after)`` capped at
    ``backoff_max``. At ``max_failures`` the account is locked until :meth:`unlock`.
    """

    max_failures: int
    backoff_after: int
    backoff_base: int
    backoff_max: int

    def delay(self, failures: int) -> int:
        """Seconds to wait after the last of ``failures`` consecutive failures."""
        if failures < self.backoff_after:
            return 0
        return min(self.backoff_base << min(failures - self.backoff_after, 40), self.backoff_max)

    def retry_after(self, failures: int, last_failure_at: int | None, now: int) -> float:
        """0 if an attempt may be evaluated now, the wait in seconds, or ``inf`` if locked."""
        if failures >= self.max_failures:
            return float("inf")
        delay = self.delay(failures)
        if not delay:
            return 0.0
        return float(max((last_failure_at or 0) + delay - now, 0))


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialRow:
    """One OTP credential. ``secret`` is the encrypted envelope, never the key.

    For HOTP, ``last_step`` is the last accepted counter (the next expected is one more)
    and ``period``/``t0``/``drift`` are unused.
    """

    id: str
    user_id: str
    state: CredentialState
    secret: bytes = field(repr=False)
    key_id: int
    digits: int
    period: int
    algorithm: str
    t0: int
    last_step: int
    drift: int
    created_at: int
    confirmed_at: int | None = None
    kind: OTPKind = "totp"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRow:
    """A user's throttle state and their active and pending credentials."""

    user_id: str
    failures: int
    last_failure_at: int | None
    active: CredentialRow | None
    pending: CredentialRow | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupCodeRow:
    """One backup code: only its salted hash is stored."""

    id: str
    credential_id: str
    code_hash: str = field(repr=False)
    used_at: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservation:
    """The answer of :meth:`TwoFactorStore.reserve_attempt`, read in its transaction.

    Attributes:
        granted: The attempt was counted (``failures`` includes it) and may be evaluated.
            False: the policy allowed no guess; nothing was written, nothing may be evaluated.
        failures: Consecutive failures on record after the reservation.
        last_failure_at: Time of the last failure (this reservation, when granted).
        account: The account's credentials as of the reservation (None: no account row
            before, e.g. an unknown user).
    """

    granted: bool
    failures: int
    last_failure_at: int | None
    account: AccountRow | None


class TwoFactorStore(Protocol):
    """What the service needs from a database. Every write method is one transaction.

    A verification is three calls: :meth:`reserve_attempt` (throttle), then the service
    evaluates the code, then one settlement: :meth:`claim_step`, :meth:`claim_backup_code` or
    :meth:`activate` on a match (each resets the failure count), or :meth:`append_audit`
    on a failure (the reserved count stays).
    """

    def ensure_key_checks(self, checks: dict[int, bytes], now: int) -> dict[int, bytes]:
        """Insert key-check envelopes for new key ids; return all stored ones by id."""
        ...

    def count_by_key(self) -> dict[int, int]:
        """Credentials (any state) per key id, to find rows left on an old key."""
        ...

    def load_account(self, user_id: str) -> AccountRow | None:
        """The account with its active and pending credentials, read consistently."""
        ...

    def load_backup_codes(self, credential_id: str) -> list[BackupCodeRow]:
        """The current backup codes of a credential, used or not, in a stable order."""
        ...

    def reserve_attempt(self, user_id: str, *, now: int, rule: ThrottleRule) -> Reservation:
        """Count one attempt as a failure if ``rule`` allows a guess now; one atomic write.

        Allowed means ``failures < rule.max_failures`` and ``rule.delay(failures)`` seconds
        have passed since ``last_failure_at``, evaluated on the stored row by the write
        itself, so N concurrent reservations grant at most what the rule allows. A user
        without an account row gets one (``failures = 1``), so unknown users are throttled
        exactly like known ones. The account's credentials are read in the same transaction.
        """
        ...

    def put_pending(
        self, credential: CredentialRow, *, require_active: bool, event: AuditEvent
    ) -> ClaimResult:
        """Create the account if needed and store ``credential`` as the one pending one.

        ``require_active``: re-enrollment (an active credential must exist) or first
        enrollment (none may exist); else :attr:`ClaimResult.STATE`.
        """
        ...

    def activate(
        self,
        credential: CredentialRow,
        *,
        step: int,
        now: int,
        codes: Sequence[BackupCodeRow],
        events: Sequence[AuditEvent],
    ) -> ClaimResult:
        """Confirm a pending credential: claim ``step`` (``last_step < step``), retire the old
        active credential and its backup codes, store ``codes``, reset failures to 0.

        :attr:`ClaimResult.REPLAYED` if the step was taken, :attr:`ClaimResult.STATE` if the
        credential is no longer pending; nothing is written then.
        """
        ...

    def claim_step(
        self, credential: CredentialRow, *, step: int, drift: int, now: int, event: AuditEvent
    ) -> ClaimResult:
        """Accept a verified code: ``UPDATE ... WHERE state = 'active' AND last_step < step``
        (one row changed, else :attr:`ClaimResult.REPLAYED`), failures reset to 0, ``event``
        appended; one transaction."""
        ...

    def claim_backup_code(
        self, code: BackupCodeRow, *, user_id: str, now: int, event: AuditEvent
    ) -> int | None:
        """Use a backup code once (``UPDATE ... WHERE used_at IS NULL``), reset failures,
        append ``event`` and a ``backup_code_used`` event counting the unused codes left.

        Returns that count (read in the same transaction, so exact under concurrency), or
        None if the code was already used (nothing written).
        """
        ...

    def append_audit(self, events: Sequence[AuditEvent]) -> None:
        """Append events in one transaction (failures, refusals, rotation)."""
        ...

    def replace_backup_codes(
        self, credential_id: str, codes: Sequence[BackupCodeRow], *, event: AuditEvent
    ) -> bool:
        """Drop all backup codes of an active credential and store ``codes``; False if the
        credential is not active."""
        ...

    def disable(self, user_id: str, *, now: int, event: AuditEvent) -> bool:
        """Disable every pending or active credential and drop backup codes; False if none."""
        ...

    def unlock(self, user_id: str, *, event: AuditEvent) -> bool:
        """Reset the failure count (an authorised reset); False if no account."""
        ...

    def audit(self, user_id: str | None, *, limit: int) -> list[AuditEvent]:
        """The newest ``limit`` events of ``user_id`` (or service-wide ones), oldest first."""
        ...

    def credentials_not_on_key(
        self, key_id: int, *, limit: int, skip: Sequence[str] = ()
    ) -> list[CredentialRow]:
        """Up to ``limit`` credentials whose secret is sealed under another key, leaving out
        the ids in ``skip`` (rows that could not be decrypted)."""
        ...

    def swap_secrets(self, swaps: Sequence[tuple[CredentialRow, bytes, int]]) -> int:
        """Compare-and-swap each ``(row, new_secret, new_key_id)``; the number swapped."""
        ...

    def close(self) -> None:
        """Release connections held by this store."""
        ...
