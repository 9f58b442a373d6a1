"""What the SQLite and PostgreSQL stores share, written once: the lifecycle transactions
(enroll, confirm, new backup codes, disable) and the plain reads (backup codes, audit log,
credentials per key).

:class:`StoreSQL` holds them as methods of :class:`~rfc6238.service.store.TwoFactorStore`.
A read runs through the store's ``_read``; a lifecycle method builds the *body* of one short
transaction, which the store runs in its ``_run``
(:meth:`~rfc6238.service._sqlite_conn.SQLiteConnections.transact` for SQLite,
``PostgresConnections._transact`` for PostgreSQL); a refusal raises
:class:`~rfc6238.service._sqlite_conn.Abort` so that nothing is written. Every claim in them
stays one conditional statement (``UPDATE … WHERE <state> …``, judged by its row count).

The statements are written with ``?`` marks; a :class:`Dialect` says what the driver uses
instead, how the account row is locked first (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite:
nothing, ``BEGIN IMMEDIATE`` already holds the database's write lock), and how backup codes and
audit events are inserted.

>>> SQLITE = Dialect(mark="?", lock=None, audit=print, insert_codes=print)
>>> SQLITE.sql("DELETE FROM backup_codes WHERE user_id = ?")
'DELETE FROM backup_codes WHERE user_id = ?'
>>> replace(SQLITE, mark="%s").sql("DELETE FROM backup_codes WHERE user_id = ?")
'DELETE FROM backup_codes WHERE user_id = %s'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from operator import attrgetter
from typing import Any, ClassVar, Final

from ._sqlite_conn import Abort
from .audit import AuditEvent
from .store import BackupCodeRow, ClaimResult, CredentialRow

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_KEYS",
    "CRED_KEYS",
    "CRED_N",
    "CRED_VALUES",
    "Body",
    "Dialect",
    "StoreSQL",
]

# Column lists come from the row type: a column is named like its field.
CRED_KEYS: Final = tuple(f.name for f in fields(CredentialRow))
CRED_N: Final = len(CRED_KEYS)
CRED_VALUES: Final = attrgetter(*CRED_KEYS)
# The audit log's ``offset`` is ``step_offset`` (``offset`` is an SQL keyword).
AUDIT_KEYS: Final = tuple(f.name for f in fields(AuditEvent) if f.name != "id")
AUDIT_COLUMNS: Final = ", ".join("step_offset" if k == "offset" else k for k in AUDIT_KEYS)

#: One transaction's work on a driver connection (``sqlite3`` or ``psycopg``).
Body = Callable[[Any], None]

# S608: every statement is assembled from constants; values are always bound.
_INSERT_CRED: Final = (
    f"INSERT INTO credentials ({', '.join(CRED_KEYS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * CRED_N)})"
)
_NEW_ACCOUNT: Final = (
    "INSERT INTO accounts (user_id, failures, created_at) VALUES (?, 0, ?) "
    "ON CONFLICT (user_id) DO NOTHING"
)
_DEVICE_ACTIVE: Final = (
    "SELECT EXISTS (SELECT 1 FROM credentials "
    "WHERE user_id = ? AND device = ? AND state = 'active')"
)
_HAS_ACTIVE: Final = "SELECT 1 FROM credentials WHERE user_id = ? AND state = 'active' LIMIT 1"
_DISABLE_DEVICE: Final = (
    "UPDATE credentials SET state = 'disabled', disabled_at = ? "
    "WHERE user_id = ? AND device = ? AND state = '{state}'"
)
_CONFIRM: Final = (
    "UPDATE credentials SET state = 'active', last_step = ?, confirmed_at = ?, "
    "last_used_at = ? WHERE id = ? AND state = 'pending' AND last_step < ?"
)
_DISABLE_LIVE: Final = (
    "UPDATE credentials SET state = 'disabled', disabled_at = ? "
    "WHERE user_id = ? AND state IN ('active', 'pending') "
    "AND (CAST(? AS TEXT) IS NULL OR device = ?)"
)
_DROP_CODES: Final = "DELETE FROM backup_codes WHERE user_id = ?"
_BACKUP_CODES: Final = (
    "SELECT id, user_id, code_hash, used_at FROM backup_codes WHERE user_id = ? ORDER BY position"
)
_AUDIT_LOG: Final = (
    f"SELECT id, {AUDIT_COLUMNS} FROM audit_log "  # noqa: S608
    "WHERE {where} ORDER BY id DESC LIMIT ?"
)
_RESET: Final = "UPDATE accounts SET failures = 0 WHERE user_id = ? AND failures <> 0"


@lru_cache(maxsize=64)
def _bind(sql: str, mark: str) -> str:
    return sql.replace("?", mark)


@dataclass(frozen=True)
class Dialect:
    """What differs between the drivers for the statements of this module.

    Attributes:
        mark: The driver's placeholder (``?`` for sqlite3, ``%s`` for psycopg).
        lock: A statement (with ``?`` for the user id) that locks the account row before a
            change, or None when the transaction already holds the write lock.
        audit: Append audit events on the transaction's connection.
        insert_codes: Insert backup codes, in their order, on the transaction's connection.
    """

    mark: str
    lock: str | None
    audit: Callable[[Any, Sequence[AuditEvent]], object]
    insert_codes: Callable[[Any, Sequence[BackupCodeRow]], object]

    def sql(self, statement: str) -> str:
        """``statement`` with this driver's placeholders."""
        return _bind(statement, self.mark)

    def lock_account(self, conn: Any, user_id: str) -> None:
        """Lock the account row (if the dialect needs it), so writes per user are serial."""
        if self.lock is not None:
            conn.execute(self.sql(self.lock), (user_id,)).fetchone()


class StoreSQL:
    """Methods of :class:`~rfc6238.service.store.TwoFactorStore` for a store that sets
    :attr:`dialect`, runs one statement in :meth:`_read` and a body as one transaction in
    :meth:`_run` (``what`` names the work in a :class:`~rfc6238.errors.StorageError`)."""

    dialect: ClassVar[Dialect]

    def _read(self, what: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of one statement (with the driver's marks), outside any transaction."""
        raise NotImplementedError

    def _run(self, what: str, body: Body) -> ClaimResult:
        """Run ``body`` as one transaction: OK, or the result of the :class:`Abort` it
        raised (then nothing was written)."""
        raise NotImplementedError

    # --- reads ----------------------------------------------------------------------------

    def count_by_key(self) -> dict[int, int]:
        """``SELECT key_id, COUNT(*) FROM credentials GROUP BY key_id``."""
        sql = "SELECT key_id, COUNT(*) FROM credentials GROUP BY key_id"
        return {int(k): int(n) for k, n in self._read("counting credentials", sql)}

    def load_backup_codes(self, user_id: str) -> list[BackupCodeRow]:
        """``SELECT … FROM backup_codes WHERE user_id = ? ORDER BY position``."""
        sql = self.dialect.sql(_BACKUP_CODES)
        rows = self._read("loading backup codes", sql, (user_id,))
        return [BackupCodeRow(id=r[0], user_id=r[1], code_hash=r[2], used_at=r[3]) for r in rows]

    def audit(self, user_id: str | None, *, limit: int) -> list[AuditEvent]:
        """The newest ``limit`` rows by id (``user_id IS NULL``: service-wide), oldest first."""
        where = "user_id IS NULL" if user_id is None else "user_id = ?"
        params: tuple[Any, ...] = () if user_id is None else (user_id,)
        sql = self.dialect.sql(_AUDIT_LOG.format(where=where))
        rows = self._read("reading the audit log", sql, (*params, limit))
        keys = ("id", *AUDIT_KEYS)
        return [AuditEvent(**dict(zip(keys, r, strict=True))) for r in reversed(rows)]

    # --- lifecycle (short transactions) ---------------------------------------------------

    def put_pending(
        self, credential: CredentialRow, *, require_active: bool, event: AuditEvent
    ) -> ClaimResult:
        """Insert the account if missing; check whether the device has an active credential
        (it must iff ``require_active``); disable the device's old pending one; insert
        ``credential`` as pending; append ``event``."""
        c = credential

        d = self.dialect

        def body(conn: Any) -> None:
            conn.execute(d.sql(_NEW_ACCOUNT), (c.user_id, c.created_at))
            d.lock_account(conn, c.user_id)
            has_active = conn.execute(d.sql(_DEVICE_ACTIVE), (c.user_id, c.device)).fetchone()[0]
            if bool(has_active) != require_active:
                raise Abort(ClaimResult.STATE)
            sql = d.sql(_DISABLE_DEVICE.format(state="pending"))
            conn.execute(sql, (c.created_at, c.user_id, c.device))
            conn.execute(d.sql(_INSERT_CRED), CRED_VALUES(replace(c, state="pending")))
            d.audit(conn, [event])

        return self._run("storing the pending credential", body)

    def activate(
        self,
        credential: CredentialRow,
        *,
        step: int,
        now: int,
        codes: Sequence[BackupCodeRow] | None,
        events: Sequence[AuditEvent],
    ) -> ClaimResult:
        """Read the credential's state (active already: a replay; not pending: a state error);
        disable the device's active credential; ``UPDATE … SET state = 'active' WHERE id = ?
        AND state = 'pending' AND last_step < ?`` (one row, or roll back); replace the user's
        backup codes with ``codes`` unless None; reset failures; append ``events``."""
        user = credential.user_id

        d = self.dialect

        def body(conn: Any) -> None:
            d.lock_account(conn, user)
            sql = d.sql("SELECT state FROM credentials WHERE id = ?")
            state = conn.execute(sql, (credential.id,)).fetchone()
            if state is None or state[0] != "pending":  # a concurrent confirm won: a replay
                active = state is not None and state[0] == "active"
                raise Abort(ClaimResult.REPLAYED if active else ClaimResult.STATE)
            sql = d.sql(_DISABLE_DEVICE.format(state="active"))
            conn.execute(sql, (now, user, credential.device))
            claimed = conn.execute(d.sql(_CONFIRM), (step, now, now, credential.id, step)).rowcount
            if claimed != 1:
                raise Abort(ClaimResult.REPLAYED)
            if codes is not None:
                conn.execute(d.sql(_DROP_CODES), (user,))
                d.insert_codes(conn, codes)
            conn.execute(d.sql(_RESET), (user,))
            d.audit(conn, events)

        return self._run("confirming the credential", body)

    def replace_backup_codes(
        self, user_id: str, codes: Sequence[BackupCodeRow], *, event: AuditEvent
    ) -> bool:
        """If the user has an active credential: delete their codes, insert ``codes``, append
        ``event``."""

        d = self.dialect

        def body(conn: Any) -> None:
            d.lock_account(conn, user_id)
            if conn.execute(d.sql(_HAS_ACTIVE), (user_id,)).fetchone() is None:
                raise Abort(ClaimResult.STATE)
            conn.execute(d.sql(_DROP_CODES), (user_id,))
            d.insert_codes(conn, codes)
            d.audit(conn, [event])

        return self._run("replacing backup codes", body) is ClaimResult.OK

    def disable(self, user_id: str, device: str | None, *, now: int, event: AuditEvent) -> bool:
        """``UPDATE credentials SET state = 'disabled'`` for the live credentials of the device
        (or all; none changed: roll back); delete the user's backup codes if no active
        credential is left; append ``event``."""

        d = self.dialect

        def body(conn: Any) -> None:
            d.lock_account(conn, user_id)
            changed = conn.execute(d.sql(_DISABLE_LIVE), (now, user_id, device, device)).rowcount
            if not changed:
                raise Abort(ClaimResult.STATE)
            if conn.execute(d.sql(_HAS_ACTIVE), (user_id,)).fetchone() is None:
                conn.execute(d.sql(_DROP_CODES), (user_id,))
            d.audit(conn, [event])

        return self._run("disabling", body) is ClaimResult.OK
