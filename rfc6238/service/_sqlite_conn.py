"""Connections and transactions for the SQLite store (see :mod:`rfc6238.service.sqlite_store`).

One connection per thread and per process; writes are ``BEGIN IMMEDIATE ... COMMIT`` with
a busy timeout; the schema is migrated by ``PRAGMA user_version`` in one transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from ..errors import InvalidParameter, StorageError
from ._sqlite_schema import MIGRATIONS, MIN_SQLITE, SCHEMA_VERSION
from .store import ClaimResult

__all__ = ["Abort", "SQLiteConnections"]


class Abort(Exception):
    """Roll the current transaction back and return ``result``."""

    def __init__(self, result: ClaimResult) -> None:
        self.result = result


class SQLiteConnections:
    """Per-thread, fork-aware connections to one database file, and transaction helpers.

    Args:
        path: The database file (created if missing). ``":memory:"`` is refused: every
            thread has its own connection, and each would see a different empty database.
        timeout: Seconds a writer waits for the lock before :class:`StorageError`.
        synchronous: ``"FULL"`` (default) or ``"NORMAL"`` (faster, may lose the last
            commits on power loss, never on a process crash).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StorageError("the SQLite store needs SQLite 3.37 or later")
        self._path = os.fspath(path)
        if self._path in ("", ":memory:") or self._path.startswith("file:"):
            raise InvalidParameter("path must be a database file, not ':memory:' or a URI")
        if synchronous not in ("FULL", "NORMAL"):
            raise InvalidParameter("synchronous must be 'FULL' or 'NORMAL'")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise InvalidParameter("timeout must be a non-negative number of seconds")
        self._timeout = float(timeout)
        self._synchronous = synchronous
        self._guard = threading.Lock()
        self._fork_reset()
        self._migrate()

    def _fork_reset(self) -> None:
        self._pid = os.getpid()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []

    def _conn(self) -> sqlite3.Connection:
        if self._pid != os.getpid():
            # Connections copied by fork belong to the parent: dropping them is safe, using
            # or closing them is not (their POSIX locks are the parent's).
            self._inherited = self._connections
            self._fork_reset()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self._path, timeout=self._timeout, isolation_level=None,
                    check_same_thread=False,
                )  # fmt: skip
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute(f"PRAGMA synchronous = {self._synchronous}")
                conn.execute("PRAGMA trusted_schema = OFF")
            except sqlite3.Error as err:
                raise StorageError(f"cannot open the database: {type(err).__name__}") from err
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise StorageError(f"cannot start a write transaction: {err}") from err
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StorageError(f"write failed: {exc}") from exc
            raise

    def _transact(self, body: Callable[[sqlite3.Connection], None]) -> ClaimResult:
        try:
            with self._write() as conn:
                body(conn)
        except Abort as abort:
            return abort.result
        return ClaimResult.OK

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise StorageError(f"read failed: {err}") from err

    def _migrate(self) -> None:
        conn = self._conn()
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.Error as err:
            raise StorageError(f"cannot switch the database to WAL: {err}") from err
        if str(mode).lower() != "wal":
            raise StorageError("the database file does not support the WAL journal")
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"database schema version {version} is newer than this library's "
                    f"({SCHEMA_VERSION}); upgrade rfc6238"
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def schema_version(self) -> int:
        """The ``user_version`` of the database."""
        return int(self._read("PRAGMA user_version")[0][0])

    def close(self) -> None:
        """Close every connection this process opened (call when no thread uses the store)."""
        if self._pid != os.getpid():
            return
        with self._guard:
            connections, self._connections = self._connections, []
        self._local = threading.local()
        for conn in connections:
            conn.close()
