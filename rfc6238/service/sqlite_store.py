"""The embedded default store: SQLite through the standard library :mod:`sqlite3`.

* WAL journal (readers never block the writer), ``synchronous=FULL`` by default (a commit
  survives power loss; ``NORMAL`` survives a crashed process only), a busy timeout instead of
  ``database is locked`` errors, ``foreign_keys=ON``, schema migrations by ``user_version``.
* Every write is ``BEGIN IMMEDIATE ... COMMIT``: it takes the write lock first (waiting up to
  the busy timeout), so a transaction never fails half-way to upgrade a read lock, and a
  read inside it sees exactly what the write will change.
* Connections (one per thread and per process, closed when their thread ends) live in
  :class:`~rfc6238.service._sqlite_conn.SQLiteConnections`, which this store holds.

The throttle and the claims are single conditional statements; see
:mod:`rfc6238.service.store` for the list.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as d:
...     store = SQLiteStore(os.path.join(d, "2fa.db"))
...     print(store.load_account("nobody"), store.schema_version())
...     store.close()
None 2
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from operator import attrgetter
from typing import Any, Final, Literal

from ..errors import StorageError
from . import _store_sql
from ._sqlite_conn import Abort, SQLiteConnections
from ._store_sql import AUDIT_COLUMNS, AUDIT_KEYS, CRED_KEYS
from .audit import AuditEvent
from .store import (
    AccountRow,
    BackupCodeRow,
    ClaimResult,
    CredentialRow,
    Reservation,
    ThrottleRule,
    stored_credential,
)

__all__ = ["SQLiteStore"]

# Column lists come from the row types: a column is named like its field.
_AUDIT_VALUES: Final = attrgetter(*AUDIT_KEYS)


def _columns(prefix: str) -> str:
    return ", ".join(f"{prefix}.{k}" for k in CRED_KEYS)


# S608: every query is assembled from the constants above; values are always bound.
_SELECT_CREDS: Final = f"SELECT {_columns('c')} FROM credentials c"  # noqa: S608
_INSERT_AUDIT: Final = (
    f"INSERT INTO audit_log ({AUDIT_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(AUDIT_KEYS))})"
)
_ACCOUNT: Final = "SELECT failures, last_failure_at FROM accounts WHERE user_id = ?"
_LIVE_CREDS: Final = (
    f"{_SELECT_CREDS} WHERE c.user_id = ? AND c.state IN ('active', 'pending') "
    "ORDER BY c.device, c.state, c.id"
)
# The throttle rule, evaluated on the stored row by the write itself (ThrottleRule.delay).
_ALLOWED: Final = (
    "failures < :max AND (failures < :after OR COALESCE(last_failure_at, 0) "
    "+ MIN(:base << MIN(failures - :after, 40), :cap) <= :now)"
)
_RESERVE: Final = (
    "INSERT INTO accounts (user_id, failures, last_failure_at, created_at) "  # noqa: S608
    "VALUES (:user, 1, :now, :now) ON CONFLICT (user_id) DO UPDATE SET "
    f"failures = failures + 1, last_failure_at = :now WHERE {_ALLOWED} "
    "RETURNING failures, last_failure_at"
)
_CLAIM_STEP: Final = (
    "UPDATE credentials SET last_step = ?, drift = ?, last_used_at = ? "
    "WHERE id = ? AND state = 'active' AND last_step < ?"
)
_RESET: Final = "UPDATE accounts SET failures = 0 WHERE user_id = ? AND failures != 0"
_UNUSED_CODES: Final = "SELECT COUNT(*) FROM backup_codes WHERE user_id = ? AND used_at IS NULL"


def _credential(row: Sequence[Any]) -> CredentialRow:
    return stored_credential(dict(zip(CRED_KEYS, row, strict=True)))


def _throttle_state(row: Sequence[Any] | None) -> Sequence[Any] | None:
    if row is not None and (
        type(row[0]) is not int or row[0] < 0 or (row[1] is not None and type(row[1]) is not int)
    ):
        raise StorageError("corrupt account row: bad failures or last_failure_at")
    return row


def _account(user_id: str, state: Sequence[Any], creds: list[Any]) -> AccountRow:
    return AccountRow(
        user_id=user_id,
        failures=state[0],
        last_failure_at=state[1],
        credentials=tuple(_credential(row) for row in creds),
    )


def _audit(conn: sqlite3.Connection, events: Sequence[AuditEvent]) -> None:
    if len(events) == 1:  # the usual case: execute is cheaper than executemany
        conn.execute(_INSERT_AUDIT, _AUDIT_VALUES(events[0]))
    else:
        conn.executemany(_INSERT_AUDIT, [_AUDIT_VALUES(e) for e in events])


def _insert_codes(conn: sqlite3.Connection, codes: Sequence[BackupCodeRow]) -> None:
    conn.executemany(
        "INSERT INTO backup_codes (id, user_id, position, code_hash) VALUES (?,?,?,?)",
        [(c.id, c.user_id, i, c.code_hash) for i, c in enumerate(codes)],
    )


# BEGIN IMMEDIATE holds the database's write lock already: no row lock is needed.
_DIALECT: Final = _store_sql.Dialect(mark="?", lock=None, audit=_audit, insert_codes=_insert_codes)


class SQLiteStore(_store_sql.StoreSQL):
    """:class:`~rfc6238.service.store.TwoFactorStore` on one SQLite file.

    Args:
        path: The database file (created 0600 if missing; symlinks refused). ``":memory:"``
            is refused: every thread has its own connection, and each would see a different
            empty database.
        timeout: Seconds a writer waits for the lock before :class:`StorageError`.
        synchronous: ``"FULL"`` (default) or ``"NORMAL"`` (faster, may lose the last
            commits on power loss, never on a process crash).

    Raises:
        InvalidParameter: a bad argument.
        StorageError: the file cannot be opened, is not a database, or is corrupt.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        self._db = SQLiteConnections(path, timeout, synchronous)

    def schema_version(self) -> int:
        """The ``user_version`` of the database."""
        return self._db.schema_version()

    def close(self) -> None:
        """Close every connection this process opened (call when no thread uses the store)."""
        self._db.close()

    # --- keys -----------------------------------------------------------------------------

    def ensure_key_checks(self, checks: dict[int, bytes], now: int) -> dict[int, bytes]:
        """``INSERT … ON CONFLICT (key_id) DO NOTHING`` each check, then read all back."""
        with self._db.write() as conn:
            conn.executemany(
                "INSERT INTO key_checks (key_id, envelope, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key_id) DO NOTHING",
                [(key_id, box, now) for key_id, box in checks.items()],
            )
            rows = conn.execute("SELECT key_id, envelope FROM key_checks").fetchall()
        if any(type(k) is not int or type(v) is not bytes for k, v in rows):
            raise StorageError("corrupt key_checks row")
        return dict(rows)

    # --- reads ----------------------------------------------------------------------------

    def load_account(self, user_id: str) -> AccountRow | None:
        """The account row and its live credentials, in one read transaction."""
        with self._db.snapshot() as conn:
            state = _throttle_state(conn.execute(_ACCOUNT, (user_id,)).fetchone())
            creds = conn.execute(_LIVE_CREDS, (user_id,)).fetchall()
        return None if state is None else _account(user_id, state, creds)

    # --- throttle -------------------------------------------------------------------------

    def reserve_attempt(self, user_id: str, *, now: int, rule: ThrottleRule) -> Reservation:
        """One ``BEGIN IMMEDIATE`` transaction: the conditional upsert that counts the
        attempt (``RETURNING failures, last_failure_at``; no row means refused, and the
        count is read instead), then the live credentials, under the same write lock."""
        values = {
            "user": user_id,
            "now": now,
            "max": rule.max_failures,
            "after": rule.backoff_after,
            "base": rule.backoff_base,
            "cap": rule.backoff_max,
        }
        with self._db.write() as conn:
            state = conn.execute(_RESERVE, values).fetchone()
            granted = state is not None
            if not granted:
                state = conn.execute(_ACCOUNT, (user_id,)).fetchone()
            creds = conn.execute(_LIVE_CREDS, (user_id,)).fetchall()
        state = _throttle_state(state)
        assert state is not None  # the upsert made the row or it was there
        account = _account(user_id, state, creds)
        return Reservation.of(account, granted=granted)

    # --- StoreSQL: the shared reads and lifecycle transactions run through these ----------

    dialect = _DIALECT

    def _read(self, what: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._db.read(sql, params)

    def _run(self, what: str, body: _store_sql.Body) -> ClaimResult:
        return self._db.transact(body)

    def unlock(self, user_id: str, *, event: AuditEvent) -> bool:
        """``UPDATE accounts SET failures = 0 WHERE user_id = ?`` (no row: False); audit."""

        def body(conn: sqlite3.Connection) -> None:
            sql = "UPDATE accounts SET failures = 0 WHERE user_id = ?"
            if conn.execute(sql, (user_id,)).rowcount != 1:
                raise Abort(ClaimResult.STATE)
            _audit(conn, [event])

        return self._db.transact(body) is ClaimResult.OK

    # --- claims ---------------------------------------------------------------------------

    def claim_step(
        self, credential: CredentialRow, *, step: int, drift: int, now: int, event: AuditEvent
    ) -> ClaimResult:
        """``UPDATE credentials SET last_step = ?, drift = ?, last_used_at = ? WHERE id = ?
        AND state = 'active' AND last_step < ?``; one row changed: reset failures and append
        ``event``."""

        def body(conn: sqlite3.Connection) -> None:
            claimed = conn.execute(_CLAIM_STEP, (step, drift, now, credential.id, step)).rowcount
            if claimed != 1:
                raise Abort(ClaimResult.REPLAYED)
            conn.execute(_RESET, (credential.user_id,))
            _audit(conn, [event])

        return self._db.transact(body)

    def claim_backup_code(
        self, code: BackupCodeRow, *, user_id: str, now: int, event: AuditEvent
    ) -> int | None:
        """``UPDATE backup_codes SET used_at = ? WHERE id = ? AND used_at IS NULL``; one row
        changed: reset failures, count the unused codes, append both events."""
        left: list[int] = []

        def body(conn: sqlite3.Connection) -> None:
            claimed = conn.execute(
                "UPDATE backup_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                (now, code.id),
            ).rowcount
            if claimed != 1:
                raise Abort(ClaimResult.REPLAYED)
            conn.execute(_RESET, (user_id,))
            left.append(int(conn.execute(_UNUSED_CODES, (user_id,)).fetchone()[0]))
            used = AuditEvent(at=now, event="backup_code_used", user_id=user_id, count=left[0])
            _audit(conn, [event, used])

        return left[0] if self._db.transact(body) is ClaimResult.OK else None

    def append_audit(self, events: Sequence[AuditEvent]) -> None:
        """``INSERT INTO audit_log`` each event, in one transaction."""
        with self._db.write() as conn:
            _audit(conn, events)

    # --- rotation -------------------------------------------------------------------------

    def credentials_not_on_key(
        self, key_id: int, *, limit: int, skip: Sequence[str] = ()
    ) -> list[CredentialRow]:
        """``SELECT … WHERE key_id != ? AND id NOT IN (skip) ORDER BY id LIMIT ?``."""
        marks = ", ".join("?" * len(skip))
        rows = self._db.read(
            f"{_SELECT_CREDS} WHERE c.key_id != ? AND c.id NOT IN ({marks}) ORDER BY c.id LIMIT ?",
            (key_id, *skip, limit),
        )
        return [_credential(r) for r in rows]

    def swap_secrets(self, swaps: Sequence[tuple[CredentialRow, bytes, int]]) -> int:
        """``UPDATE credentials SET secret = ?, key_id = ? WHERE id = ? AND secret = ?`` per
        row (compare-and-swap on the old ciphertext), in one transaction."""
        swapped = 0
        with self._db.write() as conn:
            for row, secret, key_id in swaps:
                swapped += conn.execute(
                    "UPDATE credentials SET secret = ?, key_id = ? WHERE id = ? AND secret = ?",
                    (secret, key_id, row.id, row.secret),
                ).rowcount
        return swapped
