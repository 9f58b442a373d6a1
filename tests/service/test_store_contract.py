"""The store contract: one suite, run unchanged against every backend (SQLite, PostgreSQL).

Only the :class:`~rfc6238.service.store.TwoFactorStore` interface is used; each claim's edge
cases (condition held or not, throttle, state) and the migrations (fresh, reopened, newer
version refused) are checked the same way on both. Backend-specific checks (pragmas,
triggers, roles) live in ``test_store.py`` and ``test_postgres_store.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from rfc6238.errors import StorageError
from rfc6238.service.audit import AuditEvent
from rfc6238.service.store import (
    BackupCodeRow,
    ClaimResult,
    CredentialRow,
    ThrottleRule,
    TwoFactorStore,
)

RULE = ThrottleRule(max_failures=10, backoff_after=3, backoff_base=2, backoff_max=16)
T = TypeVar("T")
BOX = b"\x01\x00\x00\x00\x01" + bytes(12) + b"sealed-secret-bytes" + bytes(16)  # envelope-shaped


class Backend:
    """Opens stores on one database and can force its recorded schema version."""

    def __init__(self, name: str, opener: Callable[..., Any], set_version: Callable[[int], None]):
        self.name = name
        self._opener = opener
        self.set_version = set_version
        self.opened: list[Any] = []

    def open(self, **kw: Any) -> Any:
        store = self._opener(**kw)
        self.opened.append(store)
        return store

    def close_all(self) -> None:
        for store in self.opened:
            store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        import sqlite3

        from rfc6238.service.sqlite_store import SQLiteStore

        path = tmp_path / "contract.db"

        def set_sqlite(version: int) -> None:
            with sqlite3.connect(path) as conn:
                conn.execute(f"PRAGMA user_version = {version}")

        b = Backend("sqlite", lambda **kw: SQLiteStore(path, **kw), set_sqlite)
    else:
        from rfc6238.service.postgres_store import PostgresStore

        dsn = request.getfixturevalue("pg_dsn")
        server = request.getfixturevalue("pg_server")
        dbname = dsn.rsplit("dbname=", 1)[1]

        def set_pg(version: int) -> None:
            server.admin("UPDATE rfc6238.schema_version SET version = %s", (version,), dbname)

        b = Backend("postgres", lambda **kw: PostgresStore(dsn, **kw), set_pg)
    yield b
    b.close_all()


@pytest.fixture
def store(backend: Backend) -> TwoFactorStore:
    return backend.open()  # type: ignore[no-any-return]


def cred(user: str = "u", cid: str = "c1", **kw: Any) -> CredentialRow:
    values: dict[str, Any] = {
        "id": cid, "user_id": user, "state": "pending", "secret": BOX, "key_id": 1,
        "digits": 6, "period": 30, "algorithm": "SHA1", "t0": 0, "last_step": -1,
        "drift": 0, "created_at": 100,
    }  # fmt: skip
    values.update(kw)
    return CredentialRow(**values)


def ev(event: str = "verify", user: str | None = "u", **kw: Any) -> AuditEvent:
    return AuditEvent(at=100, event=event, user_id=user, **kw)


def codes_for(cid: str, n: int = 3, tag: str = "") -> list[BackupCodeRow]:
    return [BackupCodeRow(id=f"{cid}-{tag}b{i}", credential_id=cid, code_hash=f"h{tag}{i}")
            for i in range(n)]  # fmt: skip


def active(store: TwoFactorStore, user: str = "u", cid: str = "c1", **kw: Any) -> CredentialRow:
    c = cred(user, cid, **kw)
    assert store.put_pending(c, require_active=False, event=ev("enroll", user)) is ClaimResult.OK
    result = store.activate(c, step=10, now=100, rule=RULE, codes=codes_for(cid),
                            events=[ev("confirm", user)])  # fmt: skip
    assert result is ClaimResult.OK
    account = store.load_account(user)
    assert account is not None
    assert account.active is not None
    return account.active


def events(store: TwoFactorStore, user: str | None = "u") -> list[str]:
    return [e.event for e in store.audit(user, limit=1000)]


# --- migrations ---------------------------------------------------------------------------


def test_fresh_reopened_and_newer_schema(backend: Backend) -> None:
    first = backend.open()
    assert first.load_account("nobody") is None
    active(first)
    version = first.schema_version()
    assert version >= 1
    again = backend.open()  # reopening migrates nothing and keeps every row
    assert again.schema_version() == version
    assert again.load_account("u").active.id == "c1"
    assert events(again) == ["enroll", "confirm"]
    backend.set_version(version + 1)
    with pytest.raises(StorageError, match="newer"):
        backend.open()


# --- keys ---------------------------------------------------------------------------------


def test_key_checks_are_inserted_once_and_kept(store: TwoFactorStore) -> None:
    assert store.ensure_key_checks({}, 1) == {}
    assert store.ensure_key_checks({1: BOX}, 1) == {1: BOX}
    other = BOX[:-1] + b"\x01"
    assert store.ensure_key_checks({1: other, 2: other}, 2) == {1: BOX, 2: other}


def test_count_by_key(store: TwoFactorStore) -> None:
    assert store.count_by_key() == {}
    active(store, "a", "ca")
    store.put_pending(cred("b", "cb", key_id=2), require_active=False, event=ev("enroll", "b"))
    assert store.count_by_key() == {1: 1, 2: 1}


# --- lifecycle ----------------------------------------------------------------------------


def test_put_pending_states(store: TwoFactorStore) -> None:
    assert store.put_pending(cred(), require_active=True, event=ev("reenroll")) is ClaimResult.STATE
    assert store.load_account("u") is None  # a refused write writes nothing
    assert store.put_pending(cred(), require_active=False, event=ev("enroll")) is ClaimResult.OK
    replaced = cred(cid="c2")
    assert store.put_pending(replaced, require_active=False, event=ev("enroll")) is ClaimResult.OK
    account = store.load_account("u")
    assert account.pending == replaced
    assert account.active is None
    assert account.failures == 0
    assert account.last_failure_at is None


def test_activate_claims_retires_and_resets(store: TwoFactorStore) -> None:
    old = active(store)
    assert [c.id for c in store.load_backup_codes(old.id)] == [f"{old.id}-b{i}" for i in range(3)]
    assert old.state == "active"
    assert old.last_step == 10
    assert old.confirmed_at == 100
    assert store.put_pending(cred(cid="c2"), require_active=False, event=ev()) is ClaimResult.STATE
    new = cred(cid="c2")
    assert store.put_pending(new, require_active=True, event=ev("reenroll")) is ClaimResult.OK
    store.record_failure("u", now=100, rule=RULE, event=ev("verify"))
    result = store.activate(new, step=11, now=101, rule=RULE, codes=codes_for("c2", 2),
                            events=[ev("confirm"), ev("backup_codes_generated")])  # fmt: skip
    assert result is ClaimResult.OK
    account = store.load_account("u")
    assert account.active.id == "c2"
    assert account.pending is None
    assert account.failures == 0
    assert store.load_backup_codes(old.id) == []
    assert len(store.load_backup_codes("c2")) == 2
    again = store.activate(new, step=12, now=102, rule=RULE, codes=[], events=[ev("confirm")])
    assert again is ClaimResult.STATE  # no longer pending: nothing written
    assert store.load_account("u").active.id == "c2"


def test_activate_edge_cases(store: TwoFactorStore) -> None:
    c = cred(last_step=20)
    store.put_pending(c, require_active=False, event=ev("enroll"))
    used = store.activate(c, step=20, now=100, rule=RULE, codes=[], events=[ev("confirm")])
    assert used is ClaimResult.STATE  # the step is not above last_step; still pending
    for _ in range(RULE.max_failures):
        store.record_failure("u", now=100, rule=RULE, event=ev())
    locked = store.activate(c, step=21, now=10**6, rule=RULE, codes=[], events=[ev("confirm")])
    assert locked is ClaimResult.THROTTLED
    assert store.load_account("u").pending is not None
    ghost = cred("ghost", "cg")
    assert store.activate(ghost, step=1, now=1, rule=RULE, codes=[], events=[]) in (
        ClaimResult.THROTTLED, ClaimResult.STATE)  # fmt: skip
    assert events(store).count("confirm") == 0


def test_replace_backup_codes(store: TwoFactorStore) -> None:
    c = active(store)
    new = codes_for(c.id, 4, tag="n")
    assert store.replace_backup_codes(c.id, new, event=ev("backup_codes_regenerated"))
    assert store.load_backup_codes(c.id) == new
    assert not store.replace_backup_codes("nope", new, event=ev())
    store.put_pending(cred(cid="p"), require_active=True, event=ev("reenroll"))
    assert not store.replace_backup_codes("p", codes_for("p"), event=ev())  # pending only
    assert events(store)[-2:] == ["backup_codes_regenerated", "reenroll"]


def test_disable_and_unlock(store: TwoFactorStore) -> None:
    assert not store.disable("u", now=1, event=ev("disable"))
    assert not store.unlock("u", event=ev("unlock"))
    c = active(store)
    store.put_pending(cred(cid="p"), require_active=True, event=ev("reenroll"))
    for _ in range(3):
        store.record_failure("u", now=100, rule=RULE, event=ev())
    assert store.unlock("u", event=ev("unlock"))
    assert store.load_account("u").failures == 0
    assert store.disable("u", now=200, event=ev("disable"))
    account = store.load_account("u")
    assert account.active is None
    assert account.pending is None
    assert store.load_backup_codes(c.id) == []
    assert not store.disable("u", now=201, event=ev("disable"))
    assert events(store).count("disable") == 1
    assert events(store).count("unlock") == 1


# --- claims -------------------------------------------------------------------------------


def test_claim_step_is_conditional(store: TwoFactorStore) -> None:
    c = active(store)
    ok = store.claim_step(c, step=11, drift=1, now=100, rule=RULE, event=ev(outcome="ok"))
    assert ok is ClaimResult.OK
    for step in (11, 10, -5):
        again = store.claim_step(c, step=step, drift=0, now=100, rule=RULE, event=ev())
        assert again is ClaimResult.REPLAYED
    row = store.load_account("u").active
    assert (row.last_step, row.drift) == (11, 1)
    assert (
        store.claim_step(c, step=2**62, drift=0, now=100, rule=RULE, event=ev()) is ClaimResult.OK
    )
    assert events(store) == ["enroll", "confirm", "verify", "verify"]  # only the claims won


def test_claim_step_needs_an_active_credential(store: TwoFactorStore) -> None:
    c = active(store)
    store.disable("u", now=100, event=ev("disable"))
    result = store.claim_step(c, step=50, drift=0, now=100, rule=RULE, event=ev())
    assert result is ClaimResult.REPLAYED


@pytest.mark.parametrize("failures", range(12))
def test_claim_throttle_matches_the_rule(store: TwoFactorStore, failures: int) -> None:
    c = active(store)
    for _ in range(failures):
        store.record_failure("u", now=1000, rule=RULE, event=ev())
    for now in (1000, 1000 + RULE.delay(failures) - 1, 1000 + RULE.delay(failures), 10**6):
        expected_ok = RULE.retry_after(failures, 1000 if failures else None, now) == 0
        result = store.claim_step(c, step=now, drift=0, now=now, rule=RULE, event=ev())
        assert result is (ClaimResult.OK if expected_ok else ClaimResult.THROTTLED), now
        if expected_ok:
            assert store.load_account("u").failures == 0  # a success resets the count
            break


def test_claim_for_unknown_account_is_throttled(store: TwoFactorStore) -> None:
    ghost = cred("ghost", "cg", state="active")
    result = store.claim_step(ghost, step=5, drift=0, now=1, rule=RULE, event=ev())
    assert result is ClaimResult.THROTTLED


def test_backup_code_claim_is_single_use(store: TwoFactorStore) -> None:
    c = active(store)
    code = store.load_backup_codes(c.id)[1]
    store.record_failure("u", now=100, rule=RULE, event=ev())
    used = [ev("backup_code", outcome="ok"), ev("backup_code_used", count=2)]
    assert store.claim_backup_code(code, user_id="u", now=150, rule=RULE, events=used) is (
        ClaimResult.OK)  # fmt: skip
    assert store.load_account("u").failures == 0
    assert store.claim_backup_code(code, user_id="u", now=151, rule=RULE, events=used) is (
        ClaimResult.REPLAYED)  # fmt: skip
    rows = store.load_backup_codes(c.id)
    assert [r.used_at for r in rows] == [None, 150, None]
    assert events(store)[-2:] == ["backup_code", "backup_code_used"]
    assert store.audit("u", limit=1)[0].count == 2
    for _ in range(RULE.max_failures):
        store.record_failure("u", now=200, rule=RULE, event=ev())
    other = rows[0]
    assert store.claim_backup_code(other, user_id="u", now=10**6, rule=RULE, events=used) is (
        ClaimResult.THROTTLED)  # fmt: skip
    assert store.load_backup_codes(c.id)[0].used_at is None


def test_record_failure_counts_and_locks_once(store: TwoFactorStore) -> None:
    assert store.record_failure("ghost", now=1, rule=RULE, event=ev(user="ghost")) is None
    assert store.audit("ghost", limit=5)[0].failures is None
    active(store)
    counts = [store.record_failure("u", now=100 + i, rule=RULE, event=ev(outcome="invalid"))
              for i in range(RULE.max_failures + 2)]  # fmt: skip
    assert counts == list(range(1, RULE.max_failures + 3))
    account = store.load_account("u")
    assert (account.failures, account.last_failure_at) == (12, 111)
    log = store.audit("u", limit=100)
    assert [e.event for e in log].count("lockout") == 1
    lock_at = [e.event for e in log].index("lockout")
    assert log[lock_at - 1].failures == RULE.max_failures  # right after the failure that locked
    assert log[lock_at].failures == RULE.max_failures


def test_append_and_read_audit(store: TwoFactorStore) -> None:
    store.append_audit(AuditEvent(at=5, event="rotation", user_id=None, count=3))
    for i in range(5):
        store.append_audit(ev(outcome="invalid", offset=i - 2, failures=i, factor="totp"))
    service_wide = store.audit(None, limit=10)
    assert [(e.event, e.count) for e in service_wide] == [("rotation", 3)]
    newest = store.audit("u", limit=3)
    assert [e.offset for e in newest] == [0, 1, 2]  # the newest three, oldest first
    assert newest[0].factor == "totp"
    assert newest[0].id is not None
    assert newest[0].id < newest[1].id < newest[2].id
    assert store.audit("other", limit=10) == []


# --- rotation -----------------------------------------------------------------------------


def test_rotation_lists_and_compare_and_swaps(store: TwoFactorStore) -> None:
    a = active(store, "a", "ca")
    store.put_pending(cred("b", "cb"), require_active=False, event=ev("enroll", "b"))
    rows = store.credentials_not_on_key(2, limit=10)
    assert sorted(r.id for r in rows) == ["ca", "cb"]
    assert len(store.credentials_not_on_key(2, limit=1)) == 1
    new_box = BOX[:1] + b"\x00\x00\x00\x02" + BOX[5:]
    stale = a  # a concurrent change makes the old secret stale
    store.swap_secrets([(a, new_box, 2)])
    assert store.swap_secrets([(stale, BOX, 3)]) == 0
    b_row = next(r for r in rows if r.id == "cb")
    assert store.swap_secrets([(b_row, new_box, 2)]) == 1
    assert store.credentials_not_on_key(2, limit=10) == []
    assert store.count_by_key() == {2: 2}
    assert store.load_account("a").active.secret == new_box


# --- concurrency on the interface ---------------------------------------------------------


def _race(n: int, call: Callable[[], T]) -> list[T]:
    barrier = threading.Barrier(n)
    results: list[T] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait(timeout=30)
        outcome = call()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_same_step_from_eight_threads_one_wins(backend: Backend) -> None:
    stores = [backend.open() for _ in range(2)]
    c = active(stores[0])
    for step in range(11, 16):
        results = _race(8, lambda s=step: stores[s % 2].claim_step(
            c, step=s, drift=0, now=100, rule=RULE, event=ev()))  # fmt: skip
        assert sorted(r.value for r in results) == ["ok"] + ["replayed"] * 7


def test_same_backup_code_from_eight_threads_one_wins(backend: Backend) -> None:
    stores = [backend.open() for _ in range(2)]
    c = active(stores[0])
    for i, code in enumerate(stores[0].load_backup_codes(c.id)):
        results = _race(8, lambda code=code, i=i: stores[i % 2].claim_backup_code(
            code, user_id="u", now=100, rule=RULE, events=[ev()]))  # fmt: skip
        assert sorted(r.value for r in results) == ["ok"] + ["replayed"] * 7


def test_failures_from_eight_threads_are_all_counted(backend: Backend) -> None:
    stores = [backend.open() for _ in range(2)]
    active(stores[0])
    rule = ThrottleRule(max_failures=100, backoff_after=100, backoff_base=1, backoff_max=1)
    results = _race(8, lambda: stores[0].record_failure("u", now=1, rule=rule, event=ev()))
    assert sorted(r or 0 for r in results) == list(range(1, 9))
    assert stores[1].load_account("u").failures == 8
