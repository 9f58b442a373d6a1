"""Tests of the SQLite store itself: pragmas, migrations, the append-only audit log, files,
connections and fork. The store interface is tested in test_store_contract.py."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_store_contract import active, ev

from rfc6238.errors import InvalidParameter, StorageError
from rfc6238.service._sqlite_schema import SCHEMA_VERSION
from rfc6238.service.sqlite_store import SQLiteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def test_pragmas_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    SQLiteStore(path, timeout=2.5).close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"accounts", "credentials", "backup_codes", "key_checks", "audit_log"} <= tables
    con.close()
    store = SQLiteStore(path, timeout=2.5, synchronous="NORMAL")
    conn = store._db.connection()
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


def test_reopen_is_idempotent_and_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    for _ in range(2):
        SQLiteStore(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StorageError, match="newer"):
        SQLiteStore(path)


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [(":memory:", {}), ("", {}), ("file:x?mode=memory", {}), ("x.db", {"synchronous": "OFF"}),
     ("x.db", {"timeout": -1}), ("x.db", {"timeout": True})],
)  # fmt: skip
def test_bad_arguments(tmp_path: Path, path: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidParameter):
        SQLiteStore(path if not path.endswith(".db") else tmp_path / path, **kwargs)  # type: ignore[arg-type]  # bad arguments on purpose


def test_unopenable_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        SQLiteStore(tmp_path / "missing-dir" / "x.db")


def test_audit_log_is_append_only(store: SQLiteStore) -> None:
    store.append_audit([ev()])
    conn = store._db.connection()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET outcome = 'ok'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    assert len(store.audit("u", limit=10)) == 1


def test_foreign_keys_are_enforced(store: SQLiteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store._db.connection().execute(
            "INSERT INTO credentials (id, user_id, state, secret, key_id, digits, period, "
            "algorithm, t0, created_at) "
            "VALUES ('x', 'ghost', 'active', x'00', 1, 6, 30, 'SHA1', 0, 0)"
        )


def _child_reads(store: SQLiteStore, out: Any) -> None:  # pragma: no cover (runs in the child)
    out.put(store.load_account("u") is not None and store.schema_version())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_forked_child_opens_its_own_connection(store: SQLiteStore) -> None:
    active(store)
    parent_conn = store._db.connection()
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_child_reads, args=(store, out))
    child.start()
    assert out.get(timeout=30) == SCHEMA_VERSION
    child.join(timeout=30)
    assert child.exitcode == 0
    assert store._db.connection() is parent_conn  # the parent's connection was left alone
    assert store.load_account("u") is not None
