"""PostgreSQL-specific checks of the store, against the real server the tests start.

The interface itself is covered by ``test_store_contract.py`` on both backends; here: the
append-only trigger, the envelope CHECK, an application role without DDL rights, migration
under concurrent openers, ``PG*`` variables, timeouts, typed errors, fork and the service
opened from a ``postgresql://`` URL.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pg_server import PostgresServer
from service_workers import T0, Clock, policy
from test_store_contract import RULE, active, box, cred, ev

from rfc6238 import TOTP
from rfc6238.errors import InvalidParameter, ReplayedToken, StorageError
from rfc6238.service import TwoFactor
from rfc6238.service._pg_schema import MIGRATIONS, SCHEMA_VERSION
from rfc6238.service.keyring import KeyRing
from rfc6238.service.postgres_store import PostgresStore
from rfc6238.service.store import ClaimResult

SPEC = KeyRing({1: bytes(range(32))}).reveal_spec()


def _db(dsn: str) -> str:
    return dsn.rsplit("dbname=", 1)[1]


@pytest.fixture
def pg(pg_dsn: str) -> Any:
    store = PostgresStore(pg_dsn)
    yield store
    store.close()


def test_audit_log_is_append_only_even_for_the_owner(pg: PostgresStore, pg_dsn: str) -> None:
    pg.append_audit([ev()])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for sql in ("UPDATE rfc6238.audit_log SET outcome = 'ok'",
                    "DELETE FROM rfc6238.audit_log", "TRUNCATE rfc6238.audit_log"):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM rfc6238.audit_log").fetchone() == (1,)


def test_only_envelopes_are_stored_and_errors_name_no_values(pg: PostgresStore) -> None:
    plain = b"12345678901234567890-plaintext-secret"
    with pytest.raises(StorageError) as info:
        pg.put_pending(cred(secret=plain), require_active=False, event=ev("enroll"))
    assert "23514" in str(info.value)  # check_violation
    assert "plaintext" not in str(info.value)
    assert "Failing row" not in str(info.value)  # the DETAIL quotes the row: never shown
    assert pg.load_account("u") is None  # nothing written
    with pytest.raises(StorageError):
        pg.ensure_key_checks({1: b"not an envelope"}, 1)
    assert pg.ensure_key_checks({1: box()}, 1) == {1: box()}


# The grants of docs/service.md ("Permissions"), word for word.
GRANTS = """
GRANT USAGE ON SCHEMA rfc6238 TO {role};
GRANT SELECT ON rfc6238.schema_version TO {role};
GRANT SELECT, INSERT, UPDATE ON rfc6238.accounts, rfc6238.credentials TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON rfc6238.backup_codes TO {role};
GRANT SELECT, INSERT ON rfc6238.key_checks, rfc6238.audit_log TO {role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA rfc6238 TO {role};
"""


def test_documented_grants_are_the_ones_tested() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "service.md").read_text()
    for line in GRANTS.strip().splitlines():
        assert line.format(role="app_2fa") in doc, line


def _app_role(server: PostgresServer, db: str, name: str = "app") -> str:
    server.admin(f"DROP ROLE IF EXISTS {name}")
    server.admin(f"CREATE ROLE {name} LOGIN")
    server.admin(GRANTS.format(role=name), dbname=db)
    return server.dsn(db, user=name)


def test_application_role_needs_no_ddl(pg_server: PostgresServer, pg_dsn: str) -> None:
    PostgresStore(pg_dsn).close()  # migrated by the owner
    db = _db(pg_dsn)
    app_dsn = _app_role(pg_server, db)
    try:
        store = PostgresStore(app_dsn, migrate=False)
        active(store)
        account = store.load_account("u")
        assert account is not None
        (c,) = account.active
        assert store.claim_step(c, step=11, drift=0, now=100, event=ev()) is (
            ClaimResult.OK)  # fmt: skip
        assert store.reserve_attempt("u", now=100, rule=RULE).failures == 1
        store.close()
        PostgresStore(app_dsn).close()  # migrate=True runs no DDL when the schema is current
        with psycopg.connect(app_dsn, autocommit=True) as conn:
            for sql in ("CREATE TABLE rfc6238.x (i int)",
                        "DROP TRIGGER audit_log_no_change ON rfc6238.audit_log",
                        "DELETE FROM rfc6238.audit_log"):  # fmt: skip
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
    finally:
        pg_server.admin("DROP OWNED BY app", dbname=db)


def test_the_service_runs_as_the_application_role(pg_server: PostgresServer, pg_dsn: str) -> None:
    PostgresStore(pg_dsn).close()  # migrated by the owner
    db = _db(pg_dsn)
    app_dsn = _app_role(pg_server, db, "app3")
    try:
        clock = Clock(T0)  # the whole service, key rotation included, as the application
        ring = KeyRing({1: bytes(range(32)), 2: bytes(range(1, 33))}, active=1)
        tf = TwoFactor(PostgresStore(app_dsn), keyring=ring, issuer="T", clock=clock,
                       policy=policy())  # fmt: skip
        otp = TOTP(key=tf.enroll("bob").secret)
        codes = tf.confirm("bob", otp.at(T0)).reveal()
        clock.advance(30)
        tf.verify("bob", otp.at(clock.now))
        tf.use_backup_code("bob", codes[0])
        tf.regenerate_backup_codes("bob")
        tf.unlock("bob")
        tf.close()
        tf = TwoFactor(PostgresStore(app_dsn), keyring=ring.with_active(2), issuer="T",
                       clock=clock, policy=policy())  # fmt: skip
        assert tf.rotate_keys().complete
        tf.disable("bob")
        tf.close()
    finally:
        pg_server.admin("DROP OWNED BY app3", dbname=db)


def test_application_role_cannot_migrate(pg_server: PostgresServer, pg_dsn: str) -> None:
    db = _db(pg_dsn)
    pg_server.admin("CREATE SCHEMA rfc6238", dbname=db)
    pg_server.admin("DROP ROLE IF EXISTS app2")
    pg_server.admin("CREATE ROLE app2 LOGIN")
    pg_server.admin("GRANT USAGE ON SCHEMA rfc6238 TO app2", dbname=db)
    app_dsn = pg_server.dsn(db, user="app2")
    try:
        with pytest.raises(StorageError, match="migrating the schema failed"):
            PostgresStore(app_dsn)
        with pytest.raises(StorageError, match="behind"):
            PostgresStore(app_dsn, migrate=False)
    finally:
        pg_server.admin("DROP OWNED BY app2", dbname=db)


def test_concurrent_openers_migrate_once(pg_dsn: str) -> None:
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def open_one() -> None:
        barrier.wait(timeout=30)
        try:
            stores.append(PostgresStore(pg_dsn))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {s.schema_version() for s in stores} == {SCHEMA_VERSION}
    for s in stores:
        s.close()


def test_schemas_are_independent(pg_dsn: str) -> None:
    a, b = PostgresStore(pg_dsn), PostgresStore(pg_dsn, schema="tenant_b")
    active(a)
    assert b.load_account("u") is None
    a.close()
    b.close()


def test_connection_from_pg_environment(
    pg_server: PostgresServer, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGHOST", str(pg_server.base))
    monkeypatch.setenv("PGPORT", str(pg_server.port))
    monkeypatch.setenv("PGUSER", "postgres")
    monkeypatch.setenv("PGDATABASE", _db(pg_dsn))
    store = PostgresStore()
    active(store)
    store.close()
    assert PostgresStore(pg_dsn).load_account("u") is not None


@pytest.mark.parametrize(
    "kwargs",
    [{"pool_size": 0}, {"pool_size": True}, {"schema": "a;b"}, {"schema": "ß"},
     {"timeout": float("nan")}, {"timeout": -1}, {"statement_timeout": float("inf")},
     {"dsn": b"host=x"}],
)  # fmt: skip
def test_bad_arguments(pg_dsn: str, kwargs: dict[str, Any]) -> None:
    args = {"dsn": pg_dsn, **kwargs}
    with pytest.raises(InvalidParameter):
        PostgresStore(**args)


def test_unreachable_server_is_a_storage_error_and_leaks_no_threads() -> None:
    before = threading.active_count()
    started = time.monotonic()
    with pytest.raises(StorageError):
        PostgresStore("host=/nonexistent-rfc6238 connect_timeout=1", timeout=1)
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before


def test_statement_timeout_is_a_storage_error(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn, statement_timeout=0.3)
    c = active(store)
    with psycopg.connect(pg_dsn) as holder:  # a transaction holding the account row lock
        holder.execute("SELECT 1 FROM rfc6238.accounts WHERE user_id = 'u' FOR UPDATE")
        started = time.monotonic()
        with pytest.raises(StorageError, match=r"55P03|57014"):  # lock or statement timeout
            store.claim_step(c, step=11, drift=0, now=100, event=ev())
        assert time.monotonic() - started < 3
        holder.rollback()
    assert store.claim_step(c, step=11, drift=0, now=100, event=ev()) is (
        ClaimResult.OK)  # fmt: skip
    store.close()


def test_forked_child_uses_its_own_pool(pg: PostgresStore) -> None:
    active(pg)
    pid = os.fork()
    if pid == 0:  # the child: a new pool, the parent's connections untouched
        code = 1
        try:
            code = 0 if pg.reserve_attempt("u", now=1, rule=RULE).failures == 1 else 2
            pg.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    account = pg.load_account("u")
    assert account is not None
    assert account.failures == 1  # the parent's pool still works
    assert pg.reserve_attempt("u", now=2, rule=RULE).failures == 2


def test_service_opens_on_a_postgresql_url(pg_server: PostgresServer, pg_dsn: str) -> None:
    url = pg_server.url(_db(pg_dsn))
    clock = Clock(T0)
    with TwoFactor.open(url, keyring=KeyRing.parse(SPEC), issuer="Test", clock=clock,
                        policy=policy()) as tf:  # fmt: skip
        pending = tf.enroll("alice")
        otp = TOTP(key=pending.secret)
        codes = tf.confirm("alice", otp.at(T0)).reveal()
        clock.advance(30)
        assert tf.verify("alice", otp.at(clock.now)).user_id == "alice"
        with pytest.raises(ReplayedToken):
            tf.verify("alice", otp.at(clock.now))
        assert tf.use_backup_code("alice", codes[0]).remaining == len(codes) - 1
        assert [e.event for e in tf.audit("alice")][:2] == ["enroll", "confirm"]
    with psycopg.connect(pg_dsn) as conn:  # the secret is only an envelope in the table
        row = conn.execute("SELECT secret FROM rfc6238.credentials").fetchone()
        assert row is not None
        (secret,) = row
        assert pending.secret.reveal() not in secret


def test_a_version_1_database_migrates_to_devices(pg_dsn: str) -> None:
    """Schema 1 (one credential per user, backup codes per credential), written by its own
    statements, opens as the current schema with every row kept."""
    v1 = [stmt.format(schema='"rfc6238"') for stmt in MIGRATIONS[0]]
    with psycopg.connect(pg_dsn, autocommit=True) as conn, conn.transaction():
        conn.execute("CREATE SCHEMA rfc6238")
        conn.execute("CREATE TABLE rfc6238.schema_version (version integer NOT NULL)")
        conn.execute("INSERT INTO rfc6238.schema_version VALUES (1)")
        for stmt in v1:
            conn.execute(stmt.encode())  # the migration's own text, trusted
        conn.execute("INSERT INTO rfc6238.accounts VALUES ('old', 2, 90, 1)")
        conn.execute(
            "INSERT INTO rfc6238.credentials (id, user_id, state, secret, key_id, digits, "
            "period, algorithm, t0, last_step, created_at) VALUES "
            "('c-old', 'old', 'active', %s, 1, 6, 30, 'SHA1', 0, 77, 1)",
            (box(),),
        )
        conn.execute("INSERT INTO rfc6238.backup_codes VALUES ('b0', 'c-old', 0, 'h0', NULL), "
                     "('b1', 'c-old', 1, 'h1', 5)")  # fmt: skip
    store = PostgresStore(pg_dsn)
    assert store.schema_version() == SCHEMA_VERSION == 2
    account = store.load_account("old")
    assert account is not None
    (row,) = account.active
    assert (row.id, row.device, row.last_step, row.last_used_at) == ("c-old", "default", 77, None)
    assert (account.failures, account.last_failure_at) == (2, 90)
    codes = store.load_backup_codes("old")
    assert [(c.id, c.user_id, c.used_at) for c in codes] == [("b0", "old", None), ("b1", "old", 5)]
    tablet = cred("old", "c-tab", device="tablet")
    assert store.put_pending(tablet, require_active=False, event=ev("enroll", "old")) is (
        ClaimResult.OK)  # fmt: skip
    store.close()
