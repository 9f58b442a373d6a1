"""The store for several application servers: PostgreSQL through psycopg 3 and psycopg_pool.

Same interface and guarantees as :class:`~rfc6238.service.sqlite_store.SQLiteStore`, across
machines. The claims that decide a login are *one statement each*, so one round trip and
their own transaction (connections are in autocommit):

* replay (RFC 6238 §5.2) and HOTP counter (RFC 4226 §7.2): ``UPDATE credentials SET
  last_step = :step WHERE id = :id AND state = 'active' AND last_step < :step``, in a
  statement that first locks the account row (``SELECT ... FOR UPDATE``), re-checks the
  throttle on it, resets the failure count and appends the audit event;
* backup codes: ``UPDATE backup_codes SET used_at = :now WHERE id = :id AND used_at IS
  NULL`` in the same shape;
* failures (RFC 4226 §7.3): ``UPDATE accounts SET failures = failures + 1 ... RETURNING
  failures`` with its event (and ``lockout``) in the same statement;
* rotation: compare-and-swap ``UPDATE credentials SET secret = :new WHERE id = :id AND
  secret = :old``, one row per statement (so rotation never holds two row locks).

Lifecycle changes (enroll, confirm, disable, new backup codes) are short ``BEGIN ...
COMMIT`` transactions that lock the account row first, so they are serialised per user like
SQLite's writes. Secrets are stored only as envelopes (a ``CHECK`` refuses anything else);
the audit log is append-only (a trigger refuses ``UPDATE``, ``DELETE`` and ``TRUNCATE``).

Needs the ``postgres`` extra; ``psycopg`` is imported when a store is opened.

>>> PostgresStore("host=/nonexistent", timeout=1)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
StorageError: reading the schema version failed: ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..errors import StorageError
from . import _pg_sql as q
from ._pg_conn import PostgresConnections
from ._sqlite_conn import Abort
from .audit import AuditEvent
from .sqlite_store import (
    _AUDIT_COLUMNS,
    _AUDIT_KEYS,
    _CRED_KEYS,
    _CRED_N,
    _CRED_VALUES,
    _account,
    _credential,
)
from .store import (
    AccountRow,
    BackupCodeRow,
    ClaimResult,
    CredentialRow,
    Reservation,
    ThrottleRule,
)

__all__ = ["PostgresStore"]

_INSERT_CRED = (
    f"INSERT INTO credentials ({', '.join(_CRED_KEYS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * _CRED_N)})"
)


def _live_account(user_id: str, rows: Sequence[Sequence[Any]], start: int) -> AccountRow:
    """The throttle state in ``row[:2]``, one credential per row from ``start`` (or NULLs)."""
    creds = [row[start : start + _CRED_N] for row in rows if row[start] is not None]
    return _account(user_id, rows[0][:2], creds)


_HAS_ACTIVE = "SELECT 1 FROM credentials WHERE user_id = %s AND state = 'active' LIMIT 1"


def _audit(conn: Any, events: Sequence[AuditEvent]) -> None:
    conn.execute(q.AUDIT_INSERT.format(where=""), q.audit_params(events))


def _lock_account(conn: Any, user_id: str) -> tuple[int, int | None] | None:
    row = conn.execute(
        "SELECT failures, last_failure_at FROM accounts WHERE user_id = %s FOR UPDATE",
        (user_id,),
    ).fetchone()
    return None if row is None else (int(row[0]), row[1])


class PostgresStore(PostgresConnections):
    """:class:`~rfc6238.service.store.TwoFactorStore` on a PostgreSQL database.

    Args:
        dsn: A libpq connection string or ``postgresql://`` URL; empty: the ``PG*``
            environment variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGDATABASE``...).
        schema: The PostgreSQL schema holding the tables (default ``rfc6238``).
        pool_size: Most connections this process opens.
        timeout: Seconds to wait for a connection before :class:`StorageError`.
        statement_timeout: Seconds one statement may run or wait for a lock.
        migrate: Create or upgrade the schema when it is behind (needs DDL rights).
    """

    # --- keys -----------------------------------------------------------------------------

    def ensure_key_checks(self, checks: dict[int, bytes], now: int) -> dict[int, bytes]:
        rows = self._one(
            "storing key checks",
            "WITH ins AS (INSERT INTO key_checks (key_id, envelope, created_at) "
            "SELECT k, e, %(now)s FROM unnest(%(ids)s::bigint[], %(boxes)s::bytea[]) AS t(k, e) "
            "ON CONFLICT (key_id) DO NOTHING RETURNING key_id, envelope) "
            "SELECT key_id, envelope FROM ins UNION ALL SELECT key_id, envelope FROM key_checks",
            {"now": now, "ids": list(checks), "boxes": list(checks.values())},
        )
        return {int(k): bytes(v) for k, v in rows}

    def count_by_key(self) -> dict[int, int]:
        rows = self._one(
            "counting credentials", "SELECT key_id, COUNT(*) FROM credentials GROUP BY key_id"
        )
        return {int(k): int(n) for k, n in rows}

    # --- reads ----------------------------------------------------------------------------

    def load_account(self, user_id: str) -> AccountRow | None:
        rows = self._one("loading the account", q.LOAD_ACCOUNT, {"user": user_id})
        return _live_account(user_id, rows, 2) if rows else None

    def reserve_attempt(self, user_id: str, *, now: int, rule: ThrottleRule) -> Reservation:
        params = {"user": user_id, "now": now, **q.rule_params(rule)}
        rows = self._one("reserving an attempt", q.RESERVE, params)
        if rows:  # granted: counted (the row made if new), the account read by the statement
            account = _live_account(user_id, rows, 2)
            return Reservation(
                granted=True,
                failures=account.failures,
                last_failure_at=account.last_failure_at,
                account=account,
            )
        # Refused (nothing written): read the row as it is now, for the answer's wait.
        current = self.load_account(user_id)
        if current is None:  # pragma: no cover - an upsert that refuses had a row
            raise StorageError("the account vanished during its reservation")
        return Reservation(
            granted=False,
            failures=current.failures,
            last_failure_at=current.last_failure_at,
            account=current,
        )

    def load_backup_codes(self, user_id: str) -> list[BackupCodeRow]:
        rows = self._one(
            "loading backup codes",
            "SELECT id, user_id, code_hash, used_at FROM backup_codes "
            "WHERE user_id = %s ORDER BY position",
            (user_id,),
        )
        return [BackupCodeRow(id=r[0], user_id=r[1], code_hash=r[2], used_at=r[3]) for r in rows]

    def audit(self, user_id: str | None, *, limit: int) -> list[AuditEvent]:
        where = "user_id IS NULL" if user_id is None else "user_id = %s"
        params: tuple[Any, ...] = () if user_id is None else (user_id,)
        rows = self._one(
            "reading the audit log",
            f"SELECT id, {_AUDIT_COLUMNS} FROM audit_log "  # noqa: S608
            f"WHERE {where} ORDER BY id DESC LIMIT %s",
            (*params, limit),
        )
        keys = ("id", *_AUDIT_KEYS)
        return [AuditEvent(**dict(zip(keys, r, strict=True))) for r in reversed(rows)]

    # --- lifecycle (short transactions, the account row locked first) ---------------------

    def put_pending(
        self, credential: CredentialRow, *, require_active: bool, event: AuditEvent
    ) -> ClaimResult:
        c = credential

        def body(conn: Any) -> None:
            conn.execute(
                "INSERT INTO accounts (user_id, failures, created_at) VALUES (%s, 0, %s) "
                "ON CONFLICT (user_id) DO NOTHING",
                (c.user_id, c.created_at),
            )
            _lock_account(conn, c.user_id)
            has_active = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM credentials WHERE user_id = %s "
                "AND device = %s AND state = 'active')",
                (c.user_id, c.device),
            ).fetchone()[0]
            if has_active != require_active:
                raise Abort(ClaimResult.STATE)
            conn.execute(
                "UPDATE credentials SET state = 'disabled', disabled_at = %s "
                "WHERE user_id = %s AND device = %s AND state = 'pending'",
                (c.created_at, c.user_id, c.device),
            )
            conn.execute(_INSERT_CRED, _CRED_VALUES(replace(c, state="pending")))
            _audit(conn, [event])

        return self._transact("storing the pending credential", body)

    def activate(
        self,
        credential: CredentialRow,
        *,
        step: int,
        now: int,
        codes: Sequence[BackupCodeRow] | None,
        events: Sequence[AuditEvent],
    ) -> ClaimResult:
        user = credential.user_id

        def body(conn: Any) -> None:
            _lock_account(conn, user)
            state = conn.execute(
                "SELECT state FROM credentials WHERE id = %s", (credential.id,)
            ).fetchone()
            if state is None or state[0] != "pending":  # a concurrent confirm won: a replay
                active = state is not None and state[0] == "active"
                raise Abort(ClaimResult.REPLAYED if active else ClaimResult.STATE)
            conn.execute(
                "UPDATE credentials SET state = 'disabled', disabled_at = %s "
                "WHERE user_id = %s AND device = %s AND state = 'active'",
                (now, user, credential.device),
            )
            claimed = conn.execute(
                "UPDATE credentials SET state = 'active', last_step = %s, confirmed_at = %s, "
                "last_used_at = %s WHERE id = %s AND state = 'pending' AND last_step < %s "
                "RETURNING 1",
                (step, now, now, credential.id, step),
            ).fetchall()
            if not claimed:
                raise Abort(ClaimResult.REPLAYED)
            if codes is not None:
                conn.execute("DELETE FROM backup_codes WHERE user_id = %s", (user,))
                self._insert_codes(conn, codes)
            conn.execute(
                "UPDATE accounts SET failures = 0 WHERE user_id = %s AND failures <> 0", (user,)
            )
            _audit(conn, events)

        return self._transact("confirming the credential", body)

    @staticmethod
    def _insert_codes(conn: Any, codes: Sequence[BackupCodeRow]) -> None:
        conn.execute(
            "INSERT INTO backup_codes (id, user_id, position, code_hash) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[])",
            (
                [c.id for c in codes],
                [c.user_id for c in codes],
                list(range(len(codes))),
                [c.code_hash for c in codes],
            ),
        )

    def replace_backup_codes(
        self, user_id: str, codes: Sequence[BackupCodeRow], *, event: AuditEvent
    ) -> bool:
        def body(conn: Any) -> None:
            _lock_account(conn, user_id)
            if conn.execute(_HAS_ACTIVE, (user_id,)).fetchone() is None:
                raise Abort(ClaimResult.STATE)
            conn.execute("DELETE FROM backup_codes WHERE user_id = %s", (user_id,))
            self._insert_codes(conn, codes)
            _audit(conn, [event])

        return self._transact("replacing backup codes", body) is ClaimResult.OK

    def disable(self, user_id: str, device: str | None, *, now: int, event: AuditEvent) -> bool:
        def body(conn: Any) -> None:
            _lock_account(conn, user_id)
            changed = conn.execute(
                "UPDATE credentials SET state = 'disabled', disabled_at = %s "
                "WHERE user_id = %s AND state IN ('active', 'pending') "
                "AND (%s::text IS NULL OR device = %s) RETURNING 1",
                (now, user_id, device, device),
            ).fetchall()
            if not changed:
                raise Abort(ClaimResult.STATE)
            if conn.execute(_HAS_ACTIVE, (user_id,)).fetchone() is None:
                conn.execute("DELETE FROM backup_codes WHERE user_id = %s", (user_id,))
            _audit(conn, [event])

        return self._transact("disabling", body) is ClaimResult.OK

    def unlock(self, user_id: str, *, event: AuditEvent) -> bool:
        rows = self._one(
            "unlocking",
            q.UNLOCK,
            {"user": user_id, **q.audit_params([event])},
        )
        return bool(rows[0][0])

    # --- claims -------------------------------------------------------------------------

    def claim_step(
        self, credential: CredentialRow, *, step: int, drift: int, now: int, event: AuditEvent
    ) -> ClaimResult:
        params = {
            "user": credential.user_id,
            "id": credential.id,
            "step": step,
            "drift": drift,
            "now": now,
            **q.audit_params([event]),
        }
        claimed = self._one("claiming the step", q.CLAIM_STEP, params)[0][0]
        return ClaimResult.OK if claimed else ClaimResult.REPLAYED

    def claim_backup_code(
        self, code: BackupCodeRow, *, user_id: str, now: int, event: AuditEvent
    ) -> int | None:
        params = {"user": user_id, "id": code.id, "now": now, **q.audit_params([event])}
        with self._tx("claiming the backup code") as conn:
            _lock_account(conn, user_id)  # then the count below sees every other use
            rows = conn.execute(q.CLAIM_BACKUP, params).fetchall()
        return int(rows[0][0]) if rows else None

    def append_audit(self, events: Sequence[AuditEvent]) -> None:
        if events:
            self._one(
                "appending to the audit log",
                q.AUDIT_INSERT.format(where=""),
                q.audit_params(events),
            )

    # --- rotation -------------------------------------------------------------------------

    def credentials_not_on_key(
        self, key_id: int, *, limit: int, skip: Sequence[str] = ()
    ) -> list[CredentialRow]:
        rows = self._one(
            "listing credentials to rotate",
            f"SELECT {q.CRED.format(p='c')} FROM credentials c WHERE c.key_id <> %s "  # noqa: S608
            "AND c.id <> ALL(%s::text[]) ORDER BY c.id LIMIT %s",
            (key_id, list(skip), limit),
        )
        return [_credential(r) for r in rows]

    def swap_secrets(self, swaps: Sequence[tuple[CredentialRow, bytes, int]]) -> int:
        swapped = 0
        for row, secret, key_id in swaps:
            swapped += len(
                self._one(
                    "re-encrypting a secret",
                    "UPDATE credentials SET secret = %s, key_id = %s "
                    "WHERE id = %s AND secret = %s RETURNING 1",
                    (secret, key_id, row.id, row.secret),
                )
            )
        return swapped
