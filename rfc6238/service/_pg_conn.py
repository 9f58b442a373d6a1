"""Connections, statements and migrations for the PostgreSQL store (``postgres_store``).

* A :class:`psycopg_pool.ConnectionPool` per process (re-made after ``fork``; connections
  copied into a child are dropped, never used or closed), connections in autocommit: a
  single statement is its own transaction, one round trip; multi-statement writes use
  ``BEGIN ... COMMIT`` explicitly.
* Each new connection sets ``search_path`` to the store's schema, ``statement_timeout`` and
  ``lock_timeout`` (one round trip when it is made, none per request).
* Every :class:`psycopg.Error` (including pool timeouts) becomes a
  :class:`~rfc6238.errors.StorageError` carrying the SQLSTATE and the server's primary
  message only: a ``DETAIL`` can quote row values, so it is never included.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameter, StorageError
from ._pg_schema import MIGRATIONS, SCHEMA_VERSION, VERSION_TABLE
from ._sqlite_conn import Abort
from .store import ClaimResult

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = ["PostgresConnections"]

_MIGRATION_LOCK = 0x7266_6336_3233_38  # pg_advisory_xact_lock key: "rfc6238"


def _import_driver() -> None:
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError as err:
        raise StorageError(
            "the PostgreSQL store needs psycopg 3 and psycopg_pool: pip install 'rfc6238[postgres]'"
        ) from err


def storage_error(what: str, err: Exception) -> StorageError:
    """A typed error naming the failure without any row values."""
    diag = getattr(err, "diag", None)
    state = getattr(err, "sqlstate", None) or ""
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    lines = str(err).splitlines()
    text = primary or (lines[0] if lines else "")
    code = f" {state}" if state else ""
    return StorageError(f"{what} failed: {type(err).__name__}{code}: {text}")


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidParameter(f"{name} must be a positive number of seconds")
    if value == float("inf"):
        raise InvalidParameter(f"{name} must be finite")
    return float(value)


class PostgresConnections:
    """A connection pool to one PostgreSQL database, and statement/transaction helpers.

    Args:
        dsn: A libpq connection string or ``postgresql://`` URL; empty: the ``PG*``
            environment variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGDATABASE``...).
        schema: The PostgreSQL schema holding the tables (created by the first migration).
        pool_size: Most connections this process opens (at least 1).
        timeout: Seconds to wait for a connection (pool or server) before StorageError.
        statement_timeout: Seconds one statement may run (and wait for locks).
        migrate: Create or upgrade the schema if it is behind (needs DDL rights); False
            refuses to open a database that is not at this library's version.
    """

    def __init__(
        self,
        dsn: str = "",
        *,
        schema: str = "rfc6238",
        pool_size: int = 4,
        timeout: float = 10.0,
        statement_timeout: float = 5.0,
        migrate: bool = True,
    ) -> None:
        _import_driver()
        if not isinstance(dsn, str):
            raise InvalidParameter("dsn must be a str (libpq string or postgresql:// URL)")
        if not isinstance(schema, str) or not schema.isascii() or not schema.isidentifier():
            raise InvalidParameter("schema must be an ASCII identifier")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise InvalidParameter("pool_size must be an int >= 1")
        self._dsn = dsn
        self._schema = schema
        self._pool_size = pool_size
        self._timeout = _seconds(timeout, "timeout")
        self._statement_ms = int(_seconds(statement_timeout, "statement_timeout") * 1000)
        self._guard = threading.Lock()
        self._inherited: list[Any] = []
        self._pool: ConnectionPool[Any] | None = None
        self._pid = os.getpid()
        try:
            self._migrate(migrate)
        except BaseException:
            self.close()  # a failed open leaves no pool (or its reconnecting threads) behind
            raise

    # --- the pool -------------------------------------------------------------------------

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(
            "SELECT set_config('search_path', %s, false), "
            "set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)",
            (f'"{self._schema}"', str(self._statement_ms), str(self._statement_ms)),
        )

    def _get_pool(self) -> ConnectionPool[Any]:
        if self._pid != os.getpid():
            with self._guard:  # a forked child: the parent's pool is not ours to use
                self._inherited.append(self._pool)
                self._pool, self._pid = None, os.getpid()
        pool = self._pool
        if pool is None:
            from psycopg_pool import ConnectionPool

            with self._guard:
                if self._pool is None:
                    made: ConnectionPool[Any] = ConnectionPool(
                        self._dsn,
                        min_size=1,
                        max_size=self._pool_size,
                        open=False,
                        timeout=self._timeout,
                        configure=self._configure,
                        kwargs={
                            "autocommit": True,
                            "connect_timeout": max(1, round(self._timeout)),
                        },
                        name=f"rfc6238-{self._schema}",
                    )
                    self._pool = made
                pool = self._pool
        if pool.closed:
            try:
                pool.open(wait=False)
            except Exception as err:
                raise storage_error("opening the connection pool", err) from err
        return pool

    def _failed(self, what: str, err: Exception) -> StorageError:
        import psycopg

        if isinstance(err, psycopg.OperationalError) and self._pool is not None:
            # The server went away (restart, failover): drop the dead idle connections
            # now, so that requests after the outage get fresh ones.
            with suppress(Exception):  # best effort: the original error is what we raise
                self._pool.check()
        return storage_error(what, err)

    # --- statements -----------------------------------------------------------------------

    def _one(self, what: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        """Run one statement (its own transaction); all its rows."""
        import psycopg

        try:
            with self._get_pool().connection() as conn:
                cur = conn.execute(sql, params)
                return cur.fetchall() if cur.description else []
        except psycopg.Error as err:
            raise self._failed(what, err) from err

    @contextmanager
    def _tx(self, what: str) -> Iterator[psycopg.Connection[Any]]:
        """``BEGIN ... COMMIT`` on one connection; rolled back on any exception."""
        import psycopg

        try:
            with self._get_pool().connection() as conn, conn.transaction():
                yield conn
        except psycopg.Error as err:
            raise self._failed(what, err) from err

    def _transact(self, what: str, body: Callable[[psycopg.Connection[Any]], None]) -> ClaimResult:
        try:
            with self._tx(what) as conn:
                body(conn)
        except Abort as abort:
            return abort.result
        return ClaimResult.OK

    # --- migrations -----------------------------------------------------------------------

    def _read_version(self, conn: psycopg.Connection[Any]) -> int:
        # A scan of the catalog (not to_regclass, whose cache may miss a table that a
        # concurrent opener just created while we waited for the advisory lock).
        exists = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s "
            "AND tablename = %s)",
            (self._schema, VERSION_TABLE),
        ).fetchone()
        if not exists or not exists[0]:
            return 0
        table = f'"{self._schema}".{VERSION_TABLE}'
        row = conn.execute(f"SELECT version FROM {table}").fetchone()  # noqa: S608
        return int(row[0]) if row else 0

    def _migrate(self, allowed: bool) -> None:
        with self._tx("reading the schema version") as conn:
            version = self._read_version(conn)
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"database schema version {version} is newer than this library's "
                f"({SCHEMA_VERSION}); upgrade rfc6238"
            )
        if not allowed:
            raise StorageError(
                f"database schema version {version} is behind ({SCHEMA_VERSION}); open it "
                "once with migrate=True as the role that owns the schema"
            )
        schema = f'"{self._schema}"'
        with self._tx("migrating the schema") as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            version = self._read_version(conn)  # another process may have done it
            if version == 0:
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                conn.execute(f"CREATE TABLE {schema}.{VERSION_TABLE} (version integer NOT NULL)")
                conn.execute(f"INSERT INTO {schema}.{VERSION_TABLE} VALUES (0)")  # noqa: S608
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement.format(schema=schema))
            conn.execute(f"UPDATE {schema}.{VERSION_TABLE} SET version = %s", (SCHEMA_VERSION,))  # noqa: S608

    def schema_version(self) -> int:
        """The version recorded in the database."""
        with self._tx("reading the schema version") as conn:
            return self._read_version(conn)

    def close(self) -> None:
        """Close this process's pool (call when no thread uses the store)."""
        if self._pid != os.getpid():
            return
        with self._guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
