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
from typing import Final, Literal, Protocol

from ..errors import StorageError
from .audit import AuditEvent

__all__ = [
    "DEFAULT_DEVICE",
    "FIELD_TYPES",
    "AccountRow",
    "BackupCodeRow",
    "ClaimResult",
    "CredentialRow",
    "CredentialState",
    "OTPKind",
    "Reservation",
    "ThrottleRule",
    "TwoFactorStore",
    "stored_credential",
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


#: The device name of calls that do not name one (single-device applications).
DEFAULT_DEVICE: Final = "default"


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialRow:
    """One OTP credential: one device of a user. ``secret`` is the encrypted envelope.

    For HOTP, ``last_step`` is the last accepted counter (the next expected is one more)
    and ``period``/``t0``/``drift`` are unused. A user has at most one active and one pending
    credential per ``device`` name.
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
    device: str = DEFAULT_DEVICE
    last_used_at: int | None = None


#: The Python type of every CredentialRow field as a store reads it (None allowed too for
#: the optional times).
FIELD_TYPES: Final[dict[str, type]] = {
    "id": str,
    "user_id": str,
    "state": str,
    "secret": bytes,
    "key_id": int,
    "digits": int,
    "period": int,
    "algorithm": str,
    "t0": int,
    "last_step": int,
    "drift": int,
    "created_at": int,
    "confirmed_at": int,
    "kind": str,
    "device": str,
    "last_used_at": int,
}
_ALGORITHMS: Final = frozenset({"SHA1", "SHA256", "SHA512"})
_OPTIONAL_INT: Final = frozenset({"confirmed_at", "last_used_at"})


def stored_credential(values: dict[str, object]) -> CredentialRow:
    """A :class:`CredentialRow` from the values a store read, each checked (for stores).

    Raises:
        StorageError: a value has the wrong type or is out of range (a corrupt or tampered
            database), rather than an error from deep inside verification.

    >>> stored_credential({"id": 7})
    Traceback (most recent call last):
      ...
    rfc6238.errors.StorageError: corrupt credential row: bad 'id'
    """
    for name, kind in FIELD_TYPES.items():
        value = values.get(name)
        if type(value) is not kind and not (value is None and name in _OPTIONAL_INT):
            raise StorageError(f"corrupt credential row: bad {name!r}")
    ok = (
        values["state"] in ("pending", "active", "disabled")
        and values["kind"] in ("totp", "hotp")
        and values["algorithm"] in _ALGORITHMS
        and 6 <= values["digits"] <= 10  # type: ignore[operator]  # checked to be int above
        and 1 <= values["period"] <= 86_400  # type: ignore[operator]  # checked to be int above
        and -1 <= values["last_step"] < 2**64  # type: ignore[operator]  # checked to be int above
    )
    if not ok:
        raise StorageError("corrupt credential row: a value is out of range")
    return CredentialRow(**values)  # type: ignore[arg-type]  # every field checked above


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRow:
    """A user's throttle state and live credentials (active and pending, every device).

    ``credentials`` is ordered by device name, then state (active first), then id.
    """

    user_id: str
    failures: int
    last_failure_at: int | None
    credentials: tuple[CredentialRow, ...] = ()

    @property
    def active(self) -> tuple[CredentialRow, ...]:
        """The active credentials, one per device."""
        return tuple(c for c in self.credentials if c.state == "active")

    def find(self, device: str, state: CredentialState) -> CredentialRow | None:
        """The ``state`` credential of ``device``, if any."""
        for c in self.credentials:
            if c.device == device and c.state == state:
                return c
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupCodeRow:
    """One backup code of a user (shared by all devices): only its salted hash is stored."""

    id: str
    user_id: str
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
        account: The account as of the reservation, with its live credentials (none for
            an unknown user, whose row the reservation created).
    """

    granted: bool
    failures: int
    last_failure_at: int | None
    account: AccountRow

    @classmethod
    def of(cls, account: AccountRow, *, granted: bool) -> Reservation:
        """The reservation whose counts are those of ``account``, as read by it.

        >>> a = AccountRow(user_id="u", failures=2, last_failure_at=9, credentials=())
        >>> r = Reservation.of(a, granted=False)
        >>> (r.granted, r.failures, r.last_failure_at, r.account is a)
        (False, 2, 9, True)
        """
        return cls(
            granted=granted,
            failures=account.failures,
            last_failure_at=account.last_failure_at,
            account=account,
        )


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
        """The account with its live credentials (every device), read consistently."""
        ...

    def load_backup_codes(self, user_id: str) -> list[BackupCodeRow]:
        """The user's current backup codes, used or not, in a stable order."""
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
        """Create the account if needed and store ``credential`` as its device's pending one
        (replacing an older pending one of that device).

        ``require_active``: re-enrollment (an active credential of the same device must
        exist) or first enrollment (none may exist); else :attr:`ClaimResult.STATE`.
        """
        ...

    def activate(
        self,
        credential: CredentialRow,
        *,
        step: int,
        now: int,
        codes: Sequence[BackupCodeRow] | None,
        events: Sequence[AuditEvent],
    ) -> ClaimResult:
        """Confirm a pending credential: claim ``step`` (``last_step < step``), disable the
        old active credential of the same device, reset failures to 0; if ``codes`` is not
        None, replace the user's backup codes with them.

        :attr:`ClaimResult.REPLAYED` if the step was taken, :attr:`ClaimResult.STATE` if the
        credential is no longer pending; nothing is written then.
        """
        ...

    def claim_step(
        self, credential: CredentialRow, *, step: int, drift: int, now: int, event: AuditEvent
    ) -> ClaimResult:
        """Accept a verified code: ``UPDATE … SET last_step = step, drift, last_used_at = now
        WHERE state = 'active' AND last_step < step`` (one row changed, else
        :attr:`ClaimResult.REPLAYED`), failures reset to 0, ``event`` appended; one
        transaction."""
        ...

    def claim_backup_code(
        self, code: BackupCodeRow, *, user_id: str, now: int, event: AuditEvent
    ) -> int | None:
        """Use a backup code once (``UPDATE … WHERE used_at IS NULL``), reset failures,
        append ``event`` and a ``backup_code_used`` event counting the unused codes left.

        Returns that count (read in the same transaction, so exact under concurrency), or
        None if the code was already used (nothing written).
        """
        ...

    def append_audit(self, events: Sequence[AuditEvent]) -> None:
        """Append events in one transaction (failures, refusals, rotation)."""
        ...

    def replace_backup_codes(
        self, user_id: str, codes: Sequence[BackupCodeRow], *, event: AuditEvent
    ) -> bool:
        """Drop all the user's backup codes and store ``codes``; False (nothing written) if
        the user has no active credential."""
        ...

    def disable(self, user_id: str, device: str | None, *, now: int, event: AuditEvent) -> bool:
        """Disable the pending and active credentials of ``device`` (None: every device);
        drop the backup codes when no active credential is left; False if nothing changed."""
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
