"""The embedded default store: SQLite through the standard library :mod:`sqlite3`.

* WAL journal (readers never block the writer), ``synchronous=FULL`` by default (a commit
  survives power loss; ``NORMAL`` survives a crashed process only), a busy timeout instead of
  ``database is locked`` errors, ``foreign_keys=ON``, schema migrations by ``user_version``.
* Every write is ``BEGIN IMMEDIATE ... COMMIT``: it takes the write lock first (waiting up to
  the busy timeout), so a transaction never fails half-way to upgrade a read lock.
* One connection per thread (``sqlite3`` connections must not be shared between threads) and
  per process (connections inherited over ``fork`` are left alone, never reused or closed).

The claims are single conditional statements; see :mod:`rfc6238.service.store` for the list.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as d:
...     store = SQLiteStore(os.path.join(d, "2fa.db"))
...     print(store.load_account("nobody"), store.schema_version())
...     store.close()
None 1
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Final

from ._sqlite_conn import Abort, SQLiteConnections
from .audit import AuditEvent
from .store import AccountRow, BackupCodeRow, ClaimResult, CredentialRow, ThrottleRule

__all__ = ["SQLiteStore"]

_CRED: Final = (
    "{p}.id, {p}.user_id, {p}.state, {p}.secret, {p}.key_id, {p}.digits, {p}.period, "
    "{p}.algorithm, {p}.t0, {p}.last_step, {p}.drift, {p}.created_at, {p}.confirmed_at, {p}.kind"
)
_CRED_KEYS: Final = (
    *("id", "user_id", "state", "secret", "key_id", "digits", "period", "algorithm", "t0"),
    *("last_step", "drift", "created_at", "confirmed_at", "kind"),
)
_CRED_FIELDS: Final = len(_CRED_KEYS)
_AUDIT_KEYS: Final = (
    *("id", "at", "event", "user_id", "credential_id", "factor", "outcome", "offset"),
    *("failures", "count"),
)
# S608: these queries are assembled from constants only; values are always bound.
_LOAD_ACCOUNT: Final = (
    f"SELECT a.user_id, a.failures, a.last_failure_at, {_CRED.format(p='c')}, "  # noqa: S608
    f"{_CRED.format(p='p')} FROM accounts a "
    "LEFT JOIN credentials c ON c.user_id = a.user_id AND c.state = 'active' "
    "LEFT JOIN credentials p ON p.user_id = a.user_id AND p.state = 'pending' "
    "WHERE a.user_id = ?"
)
_INSERT_AUDIT: Final = (
    "INSERT INTO audit_log (at, event, user_id, credential_id, factor, outcome, step_offset, "
    "failures, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_CRED: Final = (
    "INSERT INTO credentials (id, user_id, state, secret, key_id, digits, period, algorithm, "
    "t0, last_step, drift, created_at, confirmed_at, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _credential(row: Sequence[Any], start: int) -> CredentialRow | None:
    values = row[start : start + _CRED_FIELDS]
    if values[0] is None:
        return None
    return CredentialRow(**dict(zip(_CRED_KEYS, values, strict=True)))


def _reset_if_allowed(conn: sqlite3.Connection, rule: ThrottleRule, user: str, now: int) -> None:
    """Inside the write transaction: re-check the throttle, then reset the failure count.

    The read and the write are atomic because ``BEGIN IMMEDIATE`` holds the write lock; a
    server database would use ``SELECT ... FOR UPDATE``. The reset is skipped when the count
    is already 0, so the common success writes no ``accounts`` page.
    """
    row = conn.execute(
        "SELECT failures, last_failure_at FROM accounts WHERE user_id = ?", (user,)
    ).fetchone()
    if row is None or rule.retry_after(row[0], row[1], now):
        raise Abort(ClaimResult.THROTTLED)
    if row[0]:
        conn.execute("UPDATE accounts SET failures = 0 WHERE user_id = ?", (user,))


def _audit_row(e: AuditEvent) -> tuple[Any, ...]:
    return (e.at, e.event, e.user_id, e.credential_id, e.factor, e.outcome, e.offset,
            e.failures, e.count)  # fmt: skip


class SQLiteStore(SQLiteConnections):
    """:class:`~rfc6238.service.store.TwoFactorStore` on one SQLite file.

    Args:
        path: The database file (created if missing). ``":memory:"`` is refused: every
            thread has its own connection, and each would see a different empty database.
        timeout: Seconds a writer waits for the lock before :class:`StorageError`.
        synchronous: ``"FULL"`` (default) or ``"NORMAL"`` (faster, may lose the last
            commits on power loss, never on a process crash).
    """

    # --- keys -----------------------------------------------------------------------------

    def ensure_key_checks(self, checks: dict[int, bytes], now: int) -> dict[int, bytes]:
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO key_checks (key_id, envelope, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key_id) DO NOTHING",
                [(key_id, box, now) for key_id, box in checks.items()],
            )
            rows = conn.execute("SELECT key_id, envelope FROM key_checks").fetchall()
        return {int(k): bytes(v) for k, v in rows}

    def count_by_key(self) -> dict[int, int]:
        rows = self._read("SELECT key_id, COUNT(*) FROM credentials GROUP BY key_id")
        return {int(k): int(n) for k, n in rows}

    # --- reads ----------------------------------------------------------------------------

    def load_account(self, user_id: str) -> AccountRow | None:
        rows = self._read(_LOAD_ACCOUNT, (user_id,))
        if not rows:
            return None
        row = rows[0]
        return AccountRow(
            user_id=row[0],
            failures=row[1],
            last_failure_at=row[2],
            active=_credential(row, 3),
            pending=_credential(row, 3 + _CRED_FIELDS),
        )

    def load_backup_codes(self, credential_id: str) -> list[BackupCodeRow]:
        rows = self._read(
            "SELECT id, credential_id, code_hash, used_at FROM backup_codes "
            "WHERE credential_id = ? ORDER BY position",
            (credential_id,),
        )
        return [
            BackupCodeRow(id=r[0], credential_id=r[1], code_hash=r[2], used_at=r[3]) for r in rows
        ]

    def audit(self, user_id: str | None, *, limit: int) -> list[AuditEvent]:
        where = "user_id IS NULL" if user_id is None else "user_id = ?"
        params: tuple[Any, ...] = () if user_id is None else (user_id,)
        rows = self._read(
            "SELECT id, at, event, user_id, credential_id, factor, outcome, step_offset, "  # noqa: S608
            f"failures, count FROM audit_log WHERE {where} ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        return [AuditEvent(**dict(zip(_AUDIT_KEYS, r, strict=True))) for r in reversed(rows)]

    # --- lifecycle ------------------------------------------------------------------------

    def put_pending(
        self, credential: CredentialRow, *, require_active: bool, event: AuditEvent
    ) -> ClaimResult:
        c = credential

        def body(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO accounts (user_id, failures, created_at) VALUES (?, 0, ?) "
                "ON CONFLICT (user_id) DO NOTHING",
                (c.user_id, c.created_at),
            )
            has_active = conn.execute(
                "SELECT COUNT(*) FROM credentials WHERE user_id = ? AND state = 'active'",
                (c.user_id,),
            ).fetchone()[0]
            if bool(has_active) != require_active:
                raise Abort(ClaimResult.STATE)
            conn.execute(
                "UPDATE credentials SET state = 'disabled', disabled_at = ? "
                "WHERE user_id = ? AND state = 'pending'",
                (c.created_at, c.user_id),
            )
            conn.execute(_INSERT_CRED, (c.id, c.user_id, "pending", c.secret, c.key_id, c.digits,
                                        c.period, c.algorithm, c.t0, c.last_step, c.drift,
                                        c.created_at, None, c.kind))  # fmt: skip
            conn.execute(_INSERT_AUDIT, _audit_row(event))

        return self._transact(body)

    def activate(
        self,
        credential: CredentialRow,
        *,
        step: int,
        now: int,
        rule: ThrottleRule,
        codes: Sequence[BackupCodeRow],
        events: Sequence[AuditEvent],
    ) -> ClaimResult:
        def body(conn: sqlite3.Connection) -> None:
            _reset_if_allowed(conn, rule, credential.user_id, now)
            conn.execute(
                "DELETE FROM backup_codes WHERE credential_id IN "
                "(SELECT id FROM credentials WHERE user_id = ? AND state = 'active')",
                (credential.user_id,),
            )
            conn.execute(
                "UPDATE credentials SET state = 'disabled', disabled_at = ? "
                "WHERE user_id = ? AND state = 'active'",
                (now, credential.user_id),
            )
            claimed = conn.execute(
                "UPDATE credentials SET state = 'active', last_step = ?, confirmed_at = ? "
                "WHERE id = ? AND state = 'pending' AND last_step < ?",
                (step, now, credential.id, step),
            ).rowcount
            if claimed != 1:
                state = conn.execute(
                    "SELECT state FROM credentials WHERE id = ?", (credential.id,)
                ).fetchone()
                active = state is not None and state[0] == "active"
                raise Abort(ClaimResult.REPLAYED if active else ClaimResult.STATE)
            self._insert_codes(conn, codes)
            conn.executemany(_INSERT_AUDIT, [_audit_row(e) for e in events])

        return self._transact(body)

    @staticmethod
    def _insert_codes(conn: sqlite3.Connection, codes: Sequence[BackupCodeRow]) -> None:
        conn.executemany(
            "INSERT INTO backup_codes (id, credential_id, position, code_hash) VALUES (?,?,?,?)",
            [(c.id, c.credential_id, i, c.code_hash) for i, c in enumerate(codes)],
        )

    def replace_backup_codes(
        self, credential_id: str, codes: Sequence[BackupCodeRow], *, event: AuditEvent
    ) -> bool:
        def body(conn: sqlite3.Connection) -> None:
            active = conn.execute(
                "SELECT 1 FROM credentials WHERE id = ? AND state = 'active'", (credential_id,)
            ).fetchone()
            if active is None:
                raise Abort(ClaimResult.STATE)
            conn.execute("DELETE FROM backup_codes WHERE credential_id = ?", (credential_id,))
            self._insert_codes(conn, codes)
            conn.execute(_INSERT_AUDIT, _audit_row(event))

        return self._transact(body) is ClaimResult.OK

    def disable(self, user_id: str, *, now: int, event: AuditEvent) -> bool:
        def body(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM backup_codes WHERE credential_id IN "
                "(SELECT id FROM credentials WHERE user_id = ?)",
                (user_id,),
            )
            changed = conn.execute(
                "UPDATE credentials SET state = 'disabled', disabled_at = ? "
                "WHERE user_id = ? AND state IN ('active', 'pending')",
                (now, user_id),
            ).rowcount
            if not changed:
                raise Abort(ClaimResult.STATE)
            conn.execute(_INSERT_AUDIT, _audit_row(event))

        return self._transact(body) is ClaimResult.OK

    def unlock(self, user_id: str, *, event: AuditEvent) -> bool:
        def body(conn: sqlite3.Connection) -> None:
            sql = "UPDATE accounts SET failures = 0 WHERE user_id = ?"
            if conn.execute(sql, (user_id,)).rowcount != 1:
                raise Abort(ClaimResult.STATE)
            conn.execute(_INSERT_AUDIT, _audit_row(event))

        return self._transact(body) is ClaimResult.OK

    # --- claims ---------------------------------------------------------------------------

    def claim_step(
        self,
        credential: CredentialRow,
        *,
        step: int,
        drift: int,
        now: int,
        rule: ThrottleRule,
        event: AuditEvent,
    ) -> ClaimResult:
        def body(conn: sqlite3.Connection) -> None:
            _reset_if_allowed(conn, rule, credential.user_id, now)
            claimed = conn.execute(
                "UPDATE credentials SET last_step = ?, drift = ? "
                "WHERE id = ? AND state = 'active' AND last_step < ?",
                (step, drift, credential.id, step),
            ).rowcount
            if claimed != 1:
                raise Abort(ClaimResult.REPLAYED)
            conn.execute(_INSERT_AUDIT, _audit_row(event))

        return self._transact(body)

    def claim_backup_code(
        self,
        code: BackupCodeRow,
        *,
        user_id: str,
        now: int,
        rule: ThrottleRule,
        events: Sequence[AuditEvent],
    ) -> ClaimResult:
        def body(conn: sqlite3.Connection) -> None:
            _reset_if_allowed(conn, rule, user_id, now)
            claimed = conn.execute(
                "UPDATE backup_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                (now, code.id),
            ).rowcount
            if claimed != 1:
                raise Abort(ClaimResult.REPLAYED)
            conn.executemany(_INSERT_AUDIT, [_audit_row(e) for e in events])

        return self._transact(body)

    def record_failure(
        self, user_id: str, *, now: int, rule: ThrottleRule, event: AuditEvent
    ) -> int | None:
        with self._write() as conn:
            rows = conn.execute(
                "UPDATE accounts SET failures = failures + 1, last_failure_at = ? "
                "WHERE user_id = ? RETURNING failures",
                (now, user_id),
            ).fetchall()
            failures = int(rows[0][0]) if rows else None
            row = _audit_row(event)
            conn.execute(_INSERT_AUDIT, (*row[:7], failures, row[8]))
            if failures == rule.max_failures:
                lock = AuditEvent(at=now, event="lockout", user_id=user_id, failures=failures)
                conn.execute(_INSERT_AUDIT, _audit_row(lock))
        return failures

    def append_audit(self, event: AuditEvent) -> None:
        with self._write() as conn:
            conn.execute(_INSERT_AUDIT, _audit_row(event))

    # --- rotation -------------------------------------------------------------------------

    def credentials_not_on_key(self, key_id: int, *, limit: int) -> list[CredentialRow]:
        rows = self._read(
            f"SELECT {_CRED.format(p='c')} FROM credentials c WHERE c.key_id != ? LIMIT ?",  # noqa: S608
            (key_id, limit),
        )
        return [row for r in rows if (row := _credential(r, 0)) is not None]

    def swap_secrets(self, swaps: Sequence[tuple[CredentialRow, bytes, int]]) -> int:
        swapped = 0
        with self._write() as conn:
            for row, secret, key_id in swaps:
                swapped += conn.execute(
                    "UPDATE credentials SET secret = ?, key_id = ? WHERE id = ? AND secret = ?",
                    (secret, key_id, row.id, row.secret),
                ).rowcount
        return swapped
