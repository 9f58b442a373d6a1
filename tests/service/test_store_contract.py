"""The store contract: what any :class:`~rfc6238.service.store.TwoFactorStore` must do.

These tests use the interface only, so every backend runs the same suite, unchanged: SQLite
(a file in a temporary directory) and PostgreSQL (a fresh database on the server the tests
start, see ``pg_fixtures.py``). The ``backend`` fixture opens any number of stores on one
database (migrations, several instances); ``store`` is one of them. Stored secrets and key
checks are envelope-shaped, as the service writes them (PostgreSQL's CHECK refuses others).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from rfc6238.errors import StorageError
from rfc6238.service.audit import AuditEvent
from rfc6238.service.sqlite_store import SQLiteStore
from rfc6238.service.store import (
    FIELD_TYPES,
    BackupCodeRow,
    ClaimResult,
    CredentialRow,
    ThrottleRule,
    TwoFactorStore,
)

RULE = ThrottleRule(max_failures=10, backoff_after=3, backoff_base=2, backoff_max=16)


def box(tag: bytes = b"", key_id: int = 1) -> bytes:
    """Envelope-shaped bytes: 0x01, key id, nonce, a body and a tag's worth of length."""
    return b"\x01" + key_id.to_bytes(4, "big") + bytes(12) + b"ciphertext" + tag + bytes(16)


class Backend:
    """Opens stores on one database; can force the schema version it records."""

    def __init__(self, opener: Callable[[], Any], set_version: Callable[[int], None]) -> None:
        self._opener = opener
        self.set_version = set_version
        self.opened: list[Any] = []

    def open(self) -> Any:
        s = self._opener()
        self.opened.append(s)
        return s


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "contract.db"

        def set_sqlite(version: int) -> None:
            with sqlite3.connect(path) as conn:
                conn.execute(f"PRAGMA user_version = {version}")

        b = Backend(lambda: SQLiteStore(path), set_sqlite)
    else:
        from rfc6238.service.postgres_store import PostgresStore

        dsn = request.getfixturevalue("pg_dsn")
        server = request.getfixturevalue("pg_server")

        def set_pg(version: int) -> None:
            sql = "UPDATE rfc6238.schema_version SET version = %s"
            server.admin(sql, (version,), dsn.rsplit("dbname=", 1)[1])

        b = Backend(lambda: PostgresStore(dsn), set_pg)
    yield b
    for s in b.opened:
        s.close()


@pytest.fixture
def store(backend: Backend) -> TwoFactorStore:
    return backend.open()  # type: ignore[no-any-return]  # Backend.open: either store type


def cred(user: str = "u", cid: str = "c1", **kw: object) -> CredentialRow:
    values: dict[str, object] = {
        "id": cid, "user_id": user, "state": "pending", "secret": box(),
        "key_id": 1, "digits": 6, "period": 30, "algorithm": "SHA1", "t0": 0,
        "last_step": -1, "drift": 0, "created_at": 100,
    }  # fmt: skip
    values.update(kw)
    return CredentialRow(**values)  # type: ignore[arg-type]  # keyword values of mixed types


def ev(event: str = "verify", user: str | None = "u", **kw: object) -> AuditEvent:
    return AuditEvent(at=100, event=event, user_id=user, **kw)  # type: ignore[arg-type]  # keyword values of mixed types


def codes_for(cid: str, n: int = 3, user: str = "u") -> list[BackupCodeRow]:
    return [BackupCodeRow(id=f"{cid}-b{i}", user_id=user, code_hash=f"h{i}") for i in range(n)]


def active(
    store: TwoFactorStore, user: str = "u", cid: str = "c1", device: str = "default"
) -> CredentialRow:
    c = cred(user, cid, device=device)
    assert store.put_pending(c, require_active=False, event=ev("enroll", user)) is ClaimResult.OK
    codes = codes_for(cid, user=user)
    result = store.activate(c, step=10, now=100, codes=codes, events=[ev("confirm", user)])
    assert result is ClaimResult.OK
    account = store.load_account(user)
    assert account is not None
    found = account.find(device, "active")
    assert found is not None
    return found


def failures_of(store: TwoFactorStore, user: str = "u") -> int:
    account = store.load_account(user)
    assert account is not None
    return account.failures


def burst(n: int, run: Callable[[int], None]) -> None:
    """Run ``run(i)`` for i < n in n threads released at once."""
    barrier = threading.Barrier(n)

    def go(i: int) -> None:
        barrier.wait()
        run(i)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def fail_n(store: TwoFactorStore, n: int, user: str = "u", now: int = 1000) -> None:
    big = ThrottleRule(max_failures=100, backoff_after=100, backoff_base=1, backoff_max=1)
    for _ in range(n):
        assert store.reserve_attempt(user, now=now, rule=big).granted


def test_field_types_cover_the_row_type() -> None:
    assert list(FIELD_TYPES) == [f.name for f in fields(CredentialRow)]


# --- reads and enrollment -----------------------------------------------------------------


def test_unknown_user_has_no_account(store: TwoFactorStore) -> None:
    assert store.load_account("nobody") is None
    assert store.load_backup_codes("nothing") == []
    assert store.audit("nobody", limit=10) == []


def test_put_pending_states(store: TwoFactorStore) -> None:
    assert store.put_pending(cred(), require_active=True, event=ev("reenroll")) is ClaimResult.STATE
    active(store)
    again = cred(cid="c2")
    assert store.put_pending(again, require_active=False, event=ev("enroll")) is ClaimResult.STATE
    assert store.put_pending(again, require_active=True, event=ev("reenroll")) is ClaimResult.OK
    account = store.load_account("u")
    assert account is not None
    assert [(c.id, c.state) for c in account.credentials] == [("c1", "active"), ("c2", "pending")]


def test_activate_claims_its_step_and_checks_state(store: TwoFactorStore) -> None:
    c = active(store)
    assert (c.state, c.last_step, c.confirmed_at, c.last_used_at) == ("active", 10, 100, 100)
    assert store.activate(c, step=11, now=1, codes=[], events=[]) is ClaimResult.REPLAYED
    ghost = cred(cid="ghost")
    assert store.activate(ghost, step=11, now=1, codes=[], events=[]) is ClaimResult.STATE
    assert [e.event for e in store.audit("u", limit=10)] == ["enroll", "confirm"]


# --- throttle reservation -----------------------------------------------------------------


@pytest.mark.parametrize("failures", range(12))
def test_reservation_follows_the_rule(store: TwoFactorStore, failures: int) -> None:
    active(store)
    fail_n(store, failures)
    wait = RULE.retry_after(failures, 1000 if failures else None, 1000)
    for now in sorted({1000, 1000 + int(min(wait, 10**6)) - 1, 1000 + int(min(wait, 10**6))}):
        allowed = RULE.retry_after(failures, 1000 if failures else None, now) == 0
        res = store.reserve_attempt("u", now=now, rule=RULE)
        assert res.granted is allowed, (failures, now)
        assert res.failures == failures + allowed
        if allowed:
            assert res.last_failure_at == now
            break
        assert res.last_failure_at == (1000 if failures else None)


def test_reservation_reads_the_account(store: TwoFactorStore) -> None:
    c = active(store)
    res = store.reserve_attempt("u", now=5, rule=RULE)
    assert res.granted
    assert res.account is not None
    assert res.account.active == (c,)
    assert res.account.failures == 1


def test_unknown_users_are_throttled_like_known_ones(store: TwoFactorStore) -> None:
    answers = [store.reserve_attempt("nobody", now=7, rule=RULE) for _ in range(5)]
    assert [r.granted for r in answers] == [True, True, True, False, False]
    assert answers[0].account.credentials == ()
    assert [r.failures for r in answers] == [1, 2, 3, 3, 3]
    account = store.load_account("nobody")
    assert account is not None
    assert (account.failures, account.credentials) == (3, ())


@pytest.mark.parametrize(("start", "size"), [(0, 32), (0, 96), (9, 32), (9, 96)])
def test_concurrent_reservations_grant_what_the_rule_allows(
    store: TwoFactorStore, start: int, size: int
) -> None:
    rule = ThrottleRule(max_failures=10, backoff_after=10, backoff_base=1, backoff_max=1)
    active(store)
    fail_n(store, start)
    granted: list[bool] = []
    burst(size, lambda _: granted.append(store.reserve_attempt("u", now=2000, rule=rule).granted))
    assert granted.count(True) == 10 - start
    assert failures_of(store) == 10


# --- settlement ---------------------------------------------------------------------------


def test_claim_step_is_conditional_and_resets_failures(store: TwoFactorStore) -> None:
    c = active(store)
    fail_n(store, 2)
    for step, expected in [(10, ClaimResult.REPLAYED), (9, ClaimResult.REPLAYED),
                           (11, ClaimResult.OK), (11, ClaimResult.REPLAYED)]:  # fmt: skip
        got = store.claim_step(c, step=step, drift=1, now=100, event=ev(outcome="ok"))
        assert got is expected
    account = store.load_account("u")
    assert account is not None
    (now_active,) = account.active
    assert (now_active.last_step, now_active.drift, now_active.last_used_at) == (11, 1, 100)
    assert account.failures == 0
    assert [e.outcome for e in store.audit("u", limit=10)].count("ok") == 1


def test_replayed_claim_keeps_the_failures(store: TwoFactorStore) -> None:
    c = active(store)
    fail_n(store, 2)
    assert store.claim_step(c, step=10, drift=0, now=1, event=ev()) is ClaimResult.REPLAYED
    assert failures_of(store) == 2


def test_backup_code_claim_is_single_use_and_counts_what_is_left(store: TwoFactorStore) -> None:
    c = active(store)
    fail_n(store, 1)
    codes = store.load_backup_codes(c.user_id)
    assert [r.id for r in codes] == ["c1-b0", "c1-b1", "c1-b2"]
    assert store.claim_backup_code(codes[1], user_id="u", now=5, event=ev()) == 2
    assert store.claim_backup_code(codes[1], user_id="u", now=6, event=ev()) is None
    assert store.claim_backup_code(codes[0], user_id="u", now=7, event=ev()) == 1
    assert [r.used_at for r in store.load_backup_codes("u")] == [7, 5, None]
    used = [e for e in store.audit("u", limit=20) if e.event == "backup_code_used"]
    assert [e.count for e in used] == [2, 1]
    account = store.load_account("u")
    assert account is not None
    assert account.failures == 0


def test_concurrent_backup_codes_count_exactly(store: TwoFactorStore) -> None:
    active(store)
    store.replace_backup_codes("u", codes_for("c1", 12), event=ev("backup_codes_regenerated"))
    rows = store.load_backup_codes("u")
    left: list[int | None] = []
    burst(24, lambda i: left.append(store.claim_backup_code(rows[i % 12], user_id="u", now=9,
                                                            event=ev())))  # fmt: skip
    assert sorted(n for n in left if n is not None) == list(range(12))
    assert left.count(None) == 12


def test_append_audit_keeps_order_and_fields(store: TwoFactorStore) -> None:
    store.append_audit([ev(outcome="invalid", failures=1), ev("lockout", failures=1)])
    store.append_audit([ev("key_rotation", user=None, count=3)])
    events = store.audit("u", limit=10)
    assert [(e.event, e.outcome, e.failures) for e in events] == [
        ("verify", "invalid", 1),
        ("lockout", None, 1),
    ]
    assert all(e.id is not None for e in events)
    (rotation,) = store.audit(None, limit=10)
    assert (rotation.event, rotation.count) == ("key_rotation", 3)
    assert [e.event for e in store.audit("u", limit=1)] == ["lockout"]


# --- lifecycle ------------------------------------------------------------------------------


def test_replace_codes_disable_unlock(store: TwoFactorStore) -> None:
    active(store)
    new = [BackupCodeRow(id="n0", user_id="u", code_hash="x")]
    assert store.replace_backup_codes("u", new, event=ev("backup_codes_regenerated"))
    assert [r.id for r in store.load_backup_codes("u")] == ["n0"]
    ghost = [BackupCodeRow(id="g0", user_id="ghost", code_hash="x")]
    assert not store.replace_backup_codes("ghost", ghost, event=ev())
    fail_n(store, 3)
    assert store.unlock("u", event=ev("unlock"))
    assert not store.unlock("ghost", event=ev())
    assert store.disable("u", None, now=1, event=ev("disable"))
    assert not store.disable("u", None, now=1, event=ev("disable"))
    assert store.load_backup_codes("u") == []
    account = store.load_account("u")
    assert account is not None
    assert account.credentials == ()
    assert account.failures == 0


def test_devices_are_enrolled_claimed_and_disabled_on_their_own(store: TwoFactorStore) -> None:
    phone = active(store, device="phone")
    tablet = cred(cid="c2", device="tablet")
    assert store.put_pending(tablet, require_active=False, event=ev("enroll")) is ClaimResult.OK
    assert store.activate(tablet, step=3, now=200, codes=None, events=[]) is ClaimResult.OK
    assert [r.id for r in store.load_backup_codes("u")] == ["c1-b0", "c1-b1", "c1-b2"]
    account = store.load_account("u")
    assert account is not None
    assert [(c.device, c.state, c.last_step) for c in account.credentials] == [
        ("phone", "active", 10),
        ("tablet", "active", 3),
    ]
    assert store.put_pending(cred(cid="c3", device="phone"), require_active=False,
                             event=ev("enroll")) is ClaimResult.STATE  # fmt: skip
    assert store.claim_step(phone, step=11, drift=0, now=300, event=ev()) is ClaimResult.OK
    assert store.disable("u", "phone", now=400, event=ev("disable"))
    assert not store.disable("u", "phone", now=400, event=ev("disable"))
    assert len(store.load_backup_codes("u")) == 3  # the tablet is still active
    account = store.load_account("u")
    assert account is not None
    assert [c.device for c in account.active] == ["tablet"]
    assert store.disable("u", "tablet", now=500, event=ev("disable"))
    assert store.load_backup_codes("u") == []  # no active device left


# --- keys and rotation --------------------------------------------------------------------


def test_swap_secrets_is_compare_and_swap(store: TwoFactorStore) -> None:
    c = active(store)
    assert store.count_by_key() == {1: 1}
    assert store.credentials_not_on_key(2, limit=10) == [c]
    assert store.credentials_not_on_key(2, limit=10, skip=[c.id]) == []
    assert store.swap_secrets([(c, box(b"new", 2), 2)]) == 1
    assert store.swap_secrets([(c, box(b"other", 2), 2)]) == 0  # c.secret is stale now
    assert store.count_by_key() == {2: 1}
    assert store.credentials_not_on_key(2, limit=10) == []


def test_key_checks_are_kept(store: TwoFactorStore) -> None:
    a, b, c = box(b"a"), box(b"b"), box(b"c", 2)
    assert store.ensure_key_checks({}, 1) == {}
    assert store.ensure_key_checks({1: a}, 1) == {1: a}
    assert store.ensure_key_checks({1: b, 2: c}, 1) == {1: a, 2: c}


def test_close_then_reuse_reopens(store: TwoFactorStore) -> None:
    active(store)
    store.close()
    assert store.load_account("u") is not None


# --- migrations, counts and reads ---------------------------------------------------------


def test_fresh_reopened_and_newer_schema(backend: Backend) -> None:
    first = backend.open()
    active(first)
    version = first.schema_version()
    assert version >= 1
    again = backend.open()  # reopening migrates nothing and keeps every row
    assert again.schema_version() == version
    account = again.load_account("u")
    assert account is not None
    assert [c.id for c in account.active] == ["c1"]
    assert [e.event for e in again.audit("u", limit=10)] == ["enroll", "confirm"]
    backend.set_version(version + 1)
    with pytest.raises(StorageError, match="newer"):
        backend.open()


def test_count_by_key_and_rotation_listing(store: TwoFactorStore) -> None:
    assert store.count_by_key() == {}
    active(store, "a", "ca")
    other = cred("b", "cb", key_id=2, secret=box(key_id=2))
    assert store.put_pending(other, require_active=False, event=ev("enroll", "b")) is (
        ClaimResult.OK)  # fmt: skip
    assert store.count_by_key() == {1: 1, 2: 1}
    assert [r.id for r in store.credentials_not_on_key(3, limit=10)] == ["ca", "cb"]
    assert [r.id for r in store.credentials_not_on_key(3, limit=1)] == ["ca"]
    assert [r.id for r in store.credentials_not_on_key(3, limit=5, skip=["ca"])] == ["cb"]
    assert store.credentials_not_on_key(2, limit=10)[0].id == "ca"


def test_a_new_pending_credential_replaces_the_old_one(store: TwoFactorStore) -> None:
    assert store.put_pending(cred(), require_active=False, event=ev("enroll")) is ClaimResult.OK
    newer = cred(cid="c2", created_at=200)
    assert store.put_pending(newer, require_active=False, event=ev("enroll")) is ClaimResult.OK
    account = store.load_account("u")
    assert account is not None
    assert (account.credentials, account.failures) == ((newer,), 0)
    assert account.last_failure_at is None
    old = cred()  # the replaced one can no longer be confirmed
    assert store.activate(old, step=1, now=1, codes=[], events=[]) is ClaimResult.STATE


def test_refused_writes_change_nothing(store: TwoFactorStore) -> None:
    assert store.put_pending(cred(), require_active=True, event=ev("reenroll")) is ClaimResult.STATE
    assert store.load_account("u") is None
    assert store.audit("u", limit=10) == []
    c = active(store)
    fail_n(store, 2)
    used = cred(cid="c2", last_step=50)
    store.put_pending(used, require_active=True, event=ev("reenroll"))
    stale = store.activate(used, step=50, now=1, codes=codes_for("c2"), events=[ev("confirm")])
    assert stale is ClaimResult.REPLAYED  # the step is not above last_step
    account = store.load_account("u")
    assert account is not None
    assert account.active == (c,)
    assert account.failures == 2
    assert [r.id for r in store.load_backup_codes("u")] == ["c1-b0", "c1-b1", "c1-b2"]


def test_claims_on_a_disabled_credential_fail(store: TwoFactorStore) -> None:
    c = active(store)
    code = store.load_backup_codes("u")[0]
    assert store.disable("u", None, now=5, event=ev("disable"))
    assert store.claim_step(c, step=99, drift=0, now=5, event=ev()) is ClaimResult.REPLAYED
    assert store.claim_backup_code(code, user_id="u", now=5, event=ev()) is None


def test_far_steps_and_counters_are_stored_exactly(store: TwoFactorStore) -> None:
    c = active(store)
    for step in (2**31, 2**62):
        assert store.claim_step(c, step=step, drift=-3, now=1, event=ev()) is ClaimResult.OK
    account = store.load_account("u")
    assert account is not None
    (row,) = account.active
    assert (row.last_step, row.drift, row.last_used_at) == (2**62, -3, 1)


def test_audit_limit_returns_the_newest_oldest_first(store: TwoFactorStore) -> None:
    store.append_audit([ev(offset=i - 2, failures=i, factor="totp") for i in range(5)])
    store.append_audit([])
    newest = store.audit("u", limit=3)
    assert [e.offset for e in newest] == [0, 1, 2]
    assert [e.factor for e in newest] == ["totp"] * 3
    ids = [e.id or 0 for e in newest]
    assert ids == sorted(ids)
    assert store.audit("other", limit=10) == []


def test_two_instances_share_one_database(backend: Backend) -> None:
    one, two = backend.open(), backend.open()
    c = active(one)
    assert two.claim_step(c, step=11, drift=0, now=1, event=ev()) is ClaimResult.OK
    assert one.claim_step(c, step=11, drift=0, now=1, event=ev()) is ClaimResult.REPLAYED
    results: list[ClaimResult] = []
    burst(8, lambda i: results.append((one, two)[i % 2].claim_step(
        c, step=12, drift=0, now=1, event=ev())))  # fmt: skip
    assert sorted(r.value for r in results) == ["ok"] + ["replayed"] * 7
