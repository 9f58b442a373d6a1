"""Connections and transactions for the SQLite store (see :mod:`rfc6238.service.sqlite_store`).

* One connection per thread and per process. A connection lives in a small handle held
  only by its thread's ``threading.local``: when the thread ends, the handle is freed and
  the connection closed, so thousands of short-lived request threads do not pile up file
  descriptors. In a forked child the parent's connections are never used or closed (their
  POSIX locks and WAL state are the parent's): they are parked for the life of the child.
* The file is created ``0600`` with ``O_NOFOLLOW``; a symlink (for the database or its
  ``-wal``/``-shm`` files) is refused.
* Writes are ``BEGIN IMMEDIATE ... COMMIT`` with a busy timeout; every ``sqlite3`` error
  (locked, full disk, corrupt file) becomes a :class:`~rfc6238.errors.StorageError`.
* The schema is migrated by ``PRAGMA user_version`` in one transaction.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from ..errors import InvalidParameter, StorageError
from ._sqlite_schema import MIGRATIONS, MIN_SQLITE, SCHEMA_VERSION
from .store import ClaimResult

__all__ = ["Abort", "SQLiteConnections"]

#: Connections inherited over fork, kept alive (never closed) for the life of the child.
_PARKED: Final[list[sqlite3.Connection]] = []


class Abort(Exception):
    """Roll the current transaction back and return ``result``."""

    def __init__(self, result: ClaimResult) -> None:
        self.result = result


class _Handle:
    """Owns one connection; closing happens when its thread's local storage drops it."""

    __slots__ = ("__weakref__", "conn", "pid")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.pid = conn, os.getpid()

    def close(self) -> None:
        if self.pid == os.getpid():
            self.conn.close()
        else:  # a fork child: the connection is the parent's
            _PARKED.append(self.conn)

    def __del__(self) -> None:
        self.close()


#: What the sqlite3 module raises for a broken or corrupt database: its own errors, and
#: UnicodeDecodeError when a scribbled page holds a text column that is not UTF-8.
_DB_ERRORS: Final = (sqlite3.Error, UnicodeDecodeError)


def _storage_error(what: str, err: BaseException) -> StorageError:
    if isinstance(err, UnicodeDecodeError) or str(err).startswith("Could not decode to UTF-8"):
        # A scribbled page or a tampered row; sqlite3's message would quote the stored text.
        return StorageError(f"{what}: a stored text is not valid UTF-8 (corrupt database)")
    return StorageError(f"{what}: {type(err).__name__}: {err}")


def _create_private(path: str) -> None:
    """Create ``path`` 0600 if missing; refuse symlinks for it and its WAL/SHM files."""
    for candidate in (path, path + "-wal", path + "-shm"):
        try:
            if stat.S_ISLNK(os.lstat(candidate).st_mode):
                raise StorageError(f"refusing a symlink for the database file {candidate!r}")
        except FileNotFoundError:
            pass
        except OSError as err:
            raise _storage_error("cannot inspect the database file", err) from err
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as err:
        raise _storage_error("cannot open the database file", err) from err
    os.close(fd)


class SQLiteConnections:
    """Per-thread, fork-aware connections to one database file, and transaction helpers.

    The arguments are :class:`~rfc6238.service.sqlite_store.SQLiteStore`'s, checked here.
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float, synchronous: str) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StorageError("the SQLite store needs SQLite 3.37 or later")
        try:
            self._path = os.fspath(path)
        except TypeError as err:
            raise InvalidParameter("path must be a str or os.PathLike") from err
        if not isinstance(self._path, str):
            raise InvalidParameter("path must be a str path, not bytes")
        if self._path in ("", ":memory:") or self._path.startswith("file:"):
            raise InvalidParameter("path must be a database file, not ':memory:' or a URI")
        if "\x00" in self._path:
            raise InvalidParameter("path must not contain NUL characters")
        if synchronous not in ("FULL", "NORMAL"):
            raise InvalidParameter("synchronous must be 'FULL' or 'NORMAL'")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise InvalidParameter("timeout must be a number of seconds")
        if not 0 <= timeout <= 3600:  # also refuses nan
            raise InvalidParameter("timeout must be between 0 and 3600 seconds")
        self._timeout = float(timeout)
        self._synchronous = synchronous
        self._fork_reset()
        _create_private(self._path)
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _fork_reset(self) -> None:
        self._pid = os.getpid()
        # A new lock too: a fork taken while another thread held the old one would
        # otherwise leave it locked forever in the child.
        self._guard = threading.Lock()
        self._local = threading.local()
        self._handles: weakref.WeakSet[_Handle] = weakref.WeakSet()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, closed when the thread ends)."""
        if self._pid != os.getpid():
            self._fork_reset()
        handle: _Handle | None = getattr(self._local, "handle", None)
        if handle is not None:
            return handle.conn
        try:
            conn = sqlite3.connect(
                self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
        except _DB_ERRORS as err:
            raise _storage_error("cannot open the database", err) from err
        handle = _Handle(conn)  # from here on, dropping the handle closes the connection
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            conn.execute("PRAGMA trusted_schema = OFF")
        except _DB_ERRORS as err:
            handle.close()
            raise _storage_error("cannot configure the database", err) from err
        self._local.handle = handle
        with self._guard:
            self._handles.add(handle)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on any exception)."""
        conn = self.connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except _DB_ERRORS as err:
            raise _storage_error("cannot start a write transaction", err) from err
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except _DB_ERRORS as err:
                raise _storage_error("rollback failed", err) from exc
            if isinstance(exc, _DB_ERRORS):
                raise _storage_error("write failed", exc) from exc
            raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction (``BEGIN`` ... ``COMMIT``): several reads, one snapshot."""
        conn = self.connection()
        try:
            conn.execute("BEGIN")
            yield conn
        except _DB_ERRORS as err:
            raise _storage_error("read failed", err) from err
        finally:
            try:
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except _DB_ERRORS as err:
                raise _storage_error("read failed", err) from err

    def transact(self, body: Callable[[sqlite3.Connection], None]) -> ClaimResult:
        """Run ``body`` in a write transaction; an :class:`Abort` rolls back with its result."""
        try:
            with self.write() as conn:
                body(conn)
        except Abort as abort:
            return abort.result
        return ClaimResult.OK

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of one statement, outside any transaction."""
        try:
            return self.connection().execute(sql, params).fetchall()
        except _DB_ERRORS as err:
            raise _storage_error("read failed", err) from err

    def _migrate(self) -> None:
        conn = self.connection()
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except _DB_ERRORS as err:
            raise _storage_error("cannot switch the database to WAL", err) from err
        if str(mode).lower() != "wal":
            raise StorageError("the database file does not support the WAL journal")
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if not isinstance(version, int) or version < 0:
                raise StorageError("the database has a corrupt schema version")
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
        return int(self.read("PRAGMA user_version")[0][0])

    def close(self) -> None:
        """Close every connection this process opened (call when no thread uses the store)."""
        if self._pid != os.getpid():
            return
        with self._guard:
            handles, self._handles = list(self._handles), weakref.WeakSet()
        self._local = threading.local()
        for handle in handles:
            handle.close()
