"""Benchmark: ``TwoFactor.verify`` on PostgreSQL against two baselines on the same server.

Not a test: it prints a table. It starts its own server (``tests/service/pg_server.py``:
``initdb`` in a temporary directory, durable settings: ``fsync`` on, ``synchronous_commit``
on) and connects over TCP on 127.0.0.1, as application servers do. With 1, 4 and 16
concurrent client threads (one pool of that size each), interleaved rounds of:

* ``verify``: a successful ``TwoFactor.verify`` with a fresh code (reservation, AES-GCM
  decryption, three HMACs, the replay claim with its failure reset and audit row);
* ``raw``: the same SQL statements a verify sends (the reservation upsert joined to the live
  credentials, then the claim statement with its audit arrays), issued with psycopg
  directly and the same parameters: like for like, without the library's Python;
* ``bare``: the bare conditional ``UPDATE credentials SET last_step = :s WHERE id = :id
  AND last_step < :s`` in its own transaction (one round trip).

Target: verify <= 1.5x raw at each concurrency. Statements per verify are counted by
``pg_stat_statements`` (connections are in autocommit and statements are not pipelined, so
each statement is one round trip). Also printed: the audit log's bytes per row.

Run: ``python benchmarks/bench_postgres.py [--seconds 1.5] [--rounds 3] [--markdown]``
(``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "service"))

from pg_server import PostgresServer

from rfc6238 import TOTP
from rfc6238.service import TwoFactor
from rfc6238.service import _pg_sql as q
from rfc6238.service.audit import AuditEvent
from rfc6238.service.backup import ScryptParams
from rfc6238.service.keyring import KeyRing
from rfc6238.service.policy import Policy
from rfc6238.service.postgres_store import PostgresStore

T0 = 1_700_000_010
SPEC = KeyRing({1: bytes(range(32))}).reveal_spec()
POLICY = Policy(backup_scrypt=ScryptParams(n=1024))


class StepClock:
    """Each thread sees its own time."""

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self) -> int:
        return getattr(self.local, "now", T0)


class User:
    """One enrolled user, driven by one client thread: each use takes the next step."""

    def __init__(self, name: str, key: bytes, cred_id: str) -> None:
        self.name, self.otp, self.cred_id, self.step = name, TOTP(key=key), cred_id, 1

    def next_time(self) -> int:
        self.step += 1
        return T0 + 30 * self.step


def run_clients(
    clients: int, seconds: float, op: Callable[[int], None]
) -> tuple[float, list[float]]:
    """``clients`` threads call ``op(thread)`` for ``seconds``: ops/s and latencies (s)."""
    barrier = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = threading.Event()

    def loop(i: int) -> None:
        barrier.wait()
        own = latencies[i]
        while not stop.is_set():
            started = time.perf_counter()
            op(i)
            own.append(time.perf_counter() - started)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for own in latencies for x in own]
    return len(flat) / elapsed, flat


class Bench:
    def __init__(self, server: PostgresServer, users_per_client: int, max_clients: int) -> None:
        self.server = server
        self.dsn = server.tcp_dsn()
        server.admin("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        self.clock = StepClock()
        setup = TwoFactor(PostgresStore(self.dsn), keyring=KeyRing.parse(SPEC), issuer="B",
                          clock=lambda: T0, policy=POLICY)  # fmt: skip
        self.users: list[list[User]] = []
        for c in range(max_clients):
            group = []
            for u in range(users_per_client):
                name = f"bench-{c}-{u}"
                pending = setup.enroll(name)
                setup.confirm(name, TOTP(key=pending.secret).at(T0))
                account = setup._store.load_account(name)
                assert account is not None
                (row,) = account.active
                group.append(User(name, pending.secret.reveal(), row.id))
            self.users.append(group)
        setup.close()
        self.rule = POLICY.rule

    def _pick(self, i: int) -> User:
        group = self.users[i]
        user = group[0]
        group.append(group.pop(0))  # round robin within this thread's own users
        return user

    def verify_op(self, tf: TwoFactor) -> Callable[[int], None]:
        def op(i: int) -> None:
            user = self._pick(i)
            now = user.next_time()
            self.clock.local.now = now
            tf.verify(user.name, user.otp.at(now))

        return op

    def raw_op(self, pool: Any) -> Callable[[int], None]:
        rule = q.rule_params(self.rule)

        def op(i: int) -> None:
            user = self._pick(i)
            now = user.next_time()
            step = now // 30
            event = AuditEvent(at=now, event="verify", user_id=user.name,
                               credential_id=user.cred_id, factor="totp", outcome="ok",
                               offset=0, failures=0)  # fmt: skip
            with pool.connection() as conn:
                row = conn.execute(q.RESERVE, {"user": user.name, "now": now, **rule}).fetchone()
                assert row is not None
                claimed = conn.execute(q.CLAIM_STEP, {"user": user.name, "id": user.cred_id,
                                       "step": step, "drift": 0, "now": now,
                                       **q.audit_params([event])}).fetchone()  # fmt: skip
                assert claimed == (True,)

        return op

    def bare_op(self, pool: Any) -> Callable[[int], None]:
        def op(i: int) -> None:
            user = self._pick(i)
            step = user.next_time() // 30
            with pool.connection() as conn:
                cur = conn.execute(
                    "UPDATE credentials SET last_step = %s WHERE id = %s AND last_step < %s",
                    (step, user.cred_id, step),
                )
                assert cur.rowcount == 1

        return op

    def statements_per_verify(self, tf: TwoFactor, n: int = 50) -> float:
        self.server.admin("SELECT pg_stat_statements_reset()")
        before = self._calls()
        op = self.verify_op(tf)
        for _ in range(n):
            op(0)
        return (self._calls() - before) / n

    def _calls(self) -> int:
        rows = self.server.admin(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_roles r "
            "ON r.oid = s.userid WHERE r.rolname = 'postgres' AND s.query NOT LIKE "
            "'%pg_stat_statements%' AND s.query NOT LIKE 'SELECT set_config%'"
        )
        return int(rows[0][0])

    def audit_bytes_per_row(self) -> float:
        size, rows = self.server.admin(
            "SELECT pg_total_relation_size('rfc6238.audit_log'), "
            "(SELECT count(*) FROM rfc6238.audit_log)"
        )[0]
        return float(size) / max(int(rows), 1)


def _pool(dsn: str, size: int) -> Any:
    from psycopg_pool import ConnectionPool

    def configure(conn: Any) -> None:
        conn.execute("SET search_path = rfc6238")

    pool: Any = ConnectionPool(dsn, min_size=size, max_size=size, configure=configure,
                               kwargs={"autocommit": True}, open=True)  # fmt: skip
    pool.wait()
    return pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="per round and variant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 4, 16])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--no-fsync",
        action="store_true",
        help="fsync off: the library's CPU cost without the disk's noise",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run; numbers mean nothing")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.clients = 0.2, 1, [1, 4]
    stats = ("shared_preload_libraries=pg_stat_statements",)
    server = PostgresServer.launch(tcp=True, durable=not args.no_fsync, settings=stats)
    try:
        bench = Bench(server, users_per_client=8, max_clients=max(args.clients))
        rows = []
        for clients in args.clients:
            tf = TwoFactor(PostgresStore(bench.dsn, pool_size=clients), keyring=KeyRing.parse(SPEC),
                           issuer="B", clock=bench.clock, policy=POLICY)  # fmt: skip
            pool = _pool(bench.dsn, clients)
            ops = {"verify": bench.verify_op(tf), "raw": bench.raw_op(pool),
                   "bare": bench.bare_op(pool)}  # fmt: skip
            for op in ops.values():  # warm up: connections made, statements prepared
                run_clients(clients, 0.2, op)
            rate: dict[str, list[float]] = {k: [] for k in ops}
            lat: dict[str, list[float]] = {k: [] for k in ops}
            for _ in range(args.rounds):
                order = list(ops)
                random.shuffle(order)
                for name in order:
                    per_s, latencies = run_clients(clients, args.seconds, ops[name])
                    rate[name].append(per_s)
                    lat[name].extend(latencies)
            if clients == args.clients[0]:
                stmts = bench.statements_per_verify(tf)
            med = {k: statistics.median(v) * 1000 for k, v in lat.items()}
            p99 = {k: statistics.quantiles(v, n=100)[98] * 1000 for k, v in lat.items()}
            thr = {k: statistics.median(v) for k, v in rate.items()}
            rows.append((clients, med, p99, thr))
            tf.close()
            pool.close()
        audit = bench.audit_bytes_per_row()
    finally:
        server.stop()
    _print(rows, stmts, audit, args.markdown)


def _print(rows: list[Any], stmts: float, audit: float, markdown: bool) -> None:
    head = ("clients", "verify ms (p99)", "raw SQL ms (p99)", "bare UPDATE ms (p99)",
            "verify/s", "raw/s", "bare/s", "verify / raw", "verify / bare",
            "throughput raw / verify")  # fmt: skip
    lines = []
    for clients, med, p99, thr in rows:
        lines.append((
            str(clients),
            f"{med['verify']:.2f} ({p99['verify']:.2f})",
            f"{med['raw']:.2f} ({p99['raw']:.2f})",
            f"{med['bare']:.2f} ({p99['bare']:.2f})",
            f"{thr['verify']:.0f}", f"{thr['raw']:.0f}", f"{thr['bare']:.0f}",
            f"{med['verify'] / med['raw']:.2f}x", f"{med['verify'] / med['bare']:.2f}x",
            f"{thr['raw'] / thr['verify']:.2f}x",
        ))  # fmt: skip
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        for line in lines:
            print("  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)))
    print(f"\nstatements (= round trips) per successful verify: {stmts:.2f}")
    print(f"audit_log bytes per row (table + indexes): {audit:.0f}")


if __name__ == "__main__":
    main()
