"""Tests of the SQLite store: pragmas, migrations, the append-only audit log, and each
conditional claim on its own (one row changed or none)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rfc6238.errors import InvalidParameter, StorageError
from rfc6238.service._sqlite_schema import SCHEMA_VERSION
from rfc6238.service.audit import AuditEvent
from rfc6238.service.sqlite_store import SQLiteStore
from rfc6238.service.store import BackupCodeRow, ClaimResult, CredentialRow, ThrottleRule

RULE = ThrottleRule(max_failures=10, backoff_after=3, backoff_base=2, backoff_max=16)


def cred(user: str = "u", cid: str = "c1", **kw: object) -> CredentialRow:
    values: dict[str, object] = {
        "id": cid, "user_id": user, "state": "pending", "secret": b"\x01" + bytes(40),
        "key_id": 1, "digits": 6, "period": 30, "algorithm": "SHA1", "t0": 0,
        "last_step": -1, "drift": 0, "created_at": 100,
    }  # fmt: skip
    values.update(kw)
    return CredentialRow(**values)  # type: ignore[arg-type]  # keyword values of mixed types


def ev(event: str = "verify", user: str | None = "u", **kw: object) -> AuditEvent:
    return AuditEvent(at=100, event=event, user_id=user, **kw)  # type: ignore[arg-type]  # keyword values of mixed types


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def active(store: SQLiteStore, user: str = "u", cid: str = "c1") -> CredentialRow:
    c = cred(user, cid)
    assert store.put_pending(c, require_active=False, event=ev("enroll", user)) is ClaimResult.OK
    codes = [
        BackupCodeRow(id=f"{cid}-b{i}", credential_id=cid, code_hash=f"h{i}") for i in range(3)
    ]
    result = store.activate(
        c, step=10, now=100, rule=RULE, codes=codes, events=[ev("confirm", user)]
    )
    assert result is ClaimResult.OK
    account = store.load_account(user)
    assert account is not None
    assert account.active is not None
    return account.active


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
    conn = store._conn()
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
        SQLiteStore(path if not path.endswith(".db") else tmp_path / path, **kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


def test_unopenable_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        SQLiteStore(tmp_path / "missing-dir" / "x.db")


def test_audit_log_is_append_only(store: SQLiteStore) -> None:
    store.append_audit(ev())
    conn = store._conn()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET outcome = 'ok'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    assert len(store.audit("u", limit=10)) == 1


def test_foreign_keys_are_enforced(store: SQLiteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store._conn().execute(
            "INSERT INTO credentials (id, user_id, state, secret, key_id, digits, period, "
            "algorithm, t0, created_at) "
            "VALUES ('x', 'ghost', 'active', x'00', 1, 6, 30, 'SHA1', 0, 0)"
        )


def test_put_pending_states(store: SQLiteStore) -> None:
    assert store.put_pending(cred(), require_active=True, event=ev("reenroll")) is ClaimResult.STATE
    active(store)
    again = cred(cid="c2")
    assert store.put_pending(again, require_active=False, event=ev("enroll")) is ClaimResult.STATE
    assert store.put_pending(again, require_active=True, event=ev("reenroll")) is ClaimResult.OK
    account = store.load_account("u")
    assert account is not None
    assert account.pending is not None
    assert account.pending.id == "c2"


def test_claim_step_is_conditional(store: SQLiteStore) -> None:
    c = active(store)
    assert c.last_step == 10
    for step, expected in [(10, ClaimResult.REPLAYED), (9, ClaimResult.REPLAYED),
                           (11, ClaimResult.OK), (11, ClaimResult.REPLAYED)]:  # fmt: skip
        got = store.claim_step(c, step=step, drift=1, now=100, rule=RULE, event=ev(outcome="ok"))
        assert got is expected
    account = store.load_account("u")
    assert account is not None
    assert account.active is not None
    assert (account.active.last_step, account.active.drift) == (11, 1)
    assert [e.outcome for e in store.audit("u", limit=10)].count("ok") == 1


def test_record_failure_counts_and_locks(store: SQLiteStore) -> None:
    active(store)
    counts = [store.record_failure("u", now=100 + i, rule=RULE, event=ev(outcome="invalid"))
              for i in range(11)]  # fmt: skip
    assert counts == list(range(1, 12))
    assert [e.event for e in store.audit("u", limit=100)].count("lockout") == 1
    assert store.record_failure("nobody", now=1, rule=RULE, event=ev(user="nobody")) is None
    assert store.audit("nobody", limit=5)[0].failures is None


@pytest.mark.parametrize("failures", range(12))
def test_sql_throttle_matches_python(tmp_path: Path, failures: int) -> None:
    store = SQLiteStore(tmp_path / "t.db")
    c = active(store)
    for _i in range(failures):
        store.record_failure("u", now=1000, rule=RULE, event=ev())
    wait = RULE.retry_after(failures, 1000 if failures else None, 1000)
    for now in sorted({1000, 1000 + int(min(wait, 10**6)) - 1, 1000 + int(min(wait, 10**6))}):
        allowed = RULE.retry_after(failures, 1000 if failures else None, now) == 0
        got = store.claim_step(c, step=now, drift=0, now=now, rule=RULE, event=ev())
        assert (got is ClaimResult.OK) == allowed, (failures, now)
        if got is ClaimResult.OK:
            break
    store.close()


def test_backup_code_claim_is_single_use(store: SQLiteStore) -> None:
    c = active(store)
    codes = store.load_backup_codes(c.id)
    assert [r.id for r in codes] == ["c1-b0", "c1-b1", "c1-b2"]
    assert (
        store.claim_backup_code(codes[1], user_id="u", now=5, rule=RULE, events=[ev()])
        is ClaimResult.OK
    )
    assert (
        store.claim_backup_code(codes[1], user_id="u", now=6, rule=RULE, events=[ev()])
        is ClaimResult.REPLAYED
    )
    assert [r.used_at for r in store.load_backup_codes(c.id)] == [None, 5, None]


def test_replace_codes_disable_unlock(store: SQLiteStore) -> None:
    c = active(store)
    new = [BackupCodeRow(id="n0", credential_id=c.id, code_hash="x")]
    assert store.replace_backup_codes(c.id, new, event=ev("backup_codes_regenerated"))
    assert [r.id for r in store.load_backup_codes(c.id)] == ["n0"]
    assert not store.replace_backup_codes("ghost", new, event=ev())
    store.record_failure("u", now=1, rule=RULE, event=ev())
    assert store.unlock("u", event=ev("unlock"))
    assert not store.unlock("ghost", event=ev())
    assert store.disable("u", now=1, event=ev("disable"))
    assert not store.disable("u", now=1, event=ev("disable"))
    assert store.load_backup_codes(c.id) == []
    account = store.load_account("u")
    assert account is not None
    assert account.active is None
    assert account.failures == 0


def test_swap_secrets_is_compare_and_swap(store: SQLiteStore) -> None:
    c = active(store)
    assert store.count_by_key() == {1: 1}
    assert store.credentials_not_on_key(2, limit=10) == [c]
    assert store.swap_secrets([(c, b"\x01new", 2)]) == 1
    assert store.swap_secrets([(c, b"\x01other", 2)]) == 0  # c.secret is stale now
    assert store.count_by_key() == {2: 1}
    assert store.credentials_not_on_key(2, limit=10) == []


def test_key_checks_are_kept(store: SQLiteStore) -> None:
    assert store.ensure_key_checks({1: b"a"}, 1) == {1: b"a"}
    assert store.ensure_key_checks({1: b"b", 2: b"c"}, 1) == {1: b"a", 2: b"c"}


def test_close_then_reuse_reopens(store: SQLiteStore) -> None:
    store.close()
    assert store.load_account("u") is None


def _child_reads(store: SQLiteStore, out: Any) -> None:  # pragma: no cover (runs in the child)
    out.put(store.load_account("u") is not None and store.schema_version())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_forked_child_opens_its_own_connection(store: SQLiteStore) -> None:
    active(store)
    parent_conn = store._conn()
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_child_reads, args=(store, out))
    child.start()
    assert out.get(timeout=30) == 1
    child.join(timeout=30)
    assert child.exitcode == 0
    assert store._conn() is parent_conn  # the parent's connection was left alone
    assert store.load_account("u") is not None
