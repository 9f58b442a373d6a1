"""Benchmark: ``TwoFactor.verify`` on a SQLite file against a bare write transaction.

Not a test: it prints a table. The baseline is the cheapest durable write SQLite can do on
the same file, in the same run, with the same pragmas (WAL, same ``synchronous``)::

    BEGIN IMMEDIATE; UPDATE bench SET n = n + 1 WHERE id = ?; COMMIT

A successful ``verify`` does a read (account + credential), AES-GCM decryption, three
HMACs, then ``BEGIN IMMEDIATE``; the throttle-checked reset; the step claim; the audit
insert; ``COMMIT``. Target: median latency at most 3x the bare transaction.

Run: ``python benchmarks/bench_service.py [--seconds 2] [--synchronous FULL|NORMAL]``
(``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable

from rfc6238 import TOTP
from rfc6238.service import TwoFactor
from rfc6238.service.backup import ScryptParams
from rfc6238.service.keyring import KeyRing
from rfc6238.service.policy import Policy
from rfc6238.service.sqlite_store import SQLiteStore

T0 = 1_700_000_010
SPEC = KeyRing({1: bytes(range(32))}).reveal_spec()


class StepClock:
    """Each thread sees its own time; every call to ``next`` moves it one step on."""

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self) -> int:
        return getattr(self.local, "now", T0)

    def set(self, now: int) -> None:
        self.local.now = now


def open_service(path: str, clock: StepClock, synchronous: str) -> TwoFactor:
    store = SQLiteStore(path, synchronous=synchronous)  # type: ignore[arg-type]  # a CLI choice
    return TwoFactor(store, keyring=KeyRing.parse(SPEC), issuer="Bench", clock=clock,
                     policy=Policy(backup_scrypt=ScryptParams(n=1024)))  # fmt: skip


def setup(path: str, users: int, synchronous: str) -> dict[str, bytes]:
    clock = StepClock()
    tf = open_service(path, clock, synchronous)
    secrets = {}
    for i in range(users):
        pending = tf.enroll(f"user-{i}")
        tf.confirm(f"user-{i}", TOTP(key=pending.secret).at(T0))
        secrets[f"user-{i}"] = pending.secret.reveal()
    tf.close()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, n INTEGER)")
    con.executemany("INSERT OR IGNORE INTO bench VALUES (?, 0)", [(i,) for i in range(64)])
    con.commit()
    con.close()
    return secrets


def bare_connection(path: str, synchronous: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    con.execute(f"PRAGMA synchronous = {synchronous}")
    return con


def bare_op(con: sqlite3.Connection, row: int) -> Callable[[], None]:
    def op() -> None:
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE bench SET n = n + 1 WHERE id = ?", (row,))
        con.execute("COMMIT")

    return op


def verify_ops(tf: TwoFactor, clock: StepClock, user: str, key: bytes, start: int
               ) -> Callable[[], None]:  # fmt: skip
    otp = TOTP(key=key)
    state = {"now": start}

    def op() -> None:
        state["now"] += 30
        clock.set(state["now"])
        tf.verify(user, otp.at(state["now"]))

    return op


def latencies(op: Callable[[], None], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        op()
        out.append(time.perf_counter() - t)
    return out


def run_for(op: Callable[[], None], seconds: float) -> int:
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        op()
        done += 1
    return done


def threaded(make_op: Callable[[int], Callable[[], None]], threads: int, seconds: float) -> float:
    counts = [0] * threads
    ops = [make_op(i) for i in range(threads)]
    barrier = threading.Barrier(threads)

    def work(i: int) -> None:
        barrier.wait()
        counts[i] = run_for(ops[i], seconds)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / seconds


def process_worker(kind: str, path: str, synchronous: str, index: int, key: bytes,
                   seconds: float, start: int, barrier: object, out: object) -> None:  # fmt: skip
    if kind == "bare":
        op = bare_op(bare_connection(path, synchronous), index)
    else:
        clock = StepClock()
        tf = open_service(path, clock, synchronous)
        op = verify_ops(tf, clock, f"user-{index}", key, start)
    barrier.wait()  # type: ignore[attr-defined]  # a multiprocessing Barrier
    try:
        out.put(run_for(op, seconds))  # type: ignore[attr-defined]  # a multiprocessing Queue
    except Exception as err:
        out.put(0)  # type: ignore[attr-defined]  # a multiprocessing Queue
        raise SystemExit(f"worker failed: {err!r}") from err


_RUNS = [0]


def processes(kind: str, path: str, synchronous: str, keys: dict[str, bytes], n: int,
              seconds: float) -> float:  # fmt: skip
    ctx = multiprocessing.get_context("spawn")
    _RUNS[0] += 1
    start = T0 + 10**9 * _RUNS[0]  # a fresh time range per run, so no step is ever reused
    barrier, out = ctx.Barrier(n), ctx.Queue()
    procs = [
        ctx.Process(target=process_worker, args=(kind, path, synchronous, i + 40,
                    keys[f"user-{i + 40}"], seconds, start, barrier, out))
        for i in range(n)
    ]  # fmt: skip
    for p in procs:
        p.start()
    total: int = sum(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="per throughput cell")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    parser.add_argument("--processes", type=int, nargs="*", default=[2, 4])
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny samples")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.samples, args.processes = 0.3, 100, [2]
    sync = args.synchronous
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        keys = setup(path, 48, sync)
        clock = StepClock()
        tf = open_service(path, clock, sync)
        bare = bare_op(bare_connection(path, sync), 0)
        verify = verify_ops(tf, clock, "user-0", keys["user-0"], T0)
        for op in (bare, verify):  # warm up
            latencies(op, 20)
        # Interleave the two so that machine noise hits both alike.
        b, v = [], []
        for _ in range(args.samples // 50):
            b += latencies(bare, 50)
            v += latencies(verify, 50)
        mb, mv = statistics.median(b), statistics.median(v)
        print(f"SQLite {sqlite3.sqlite_version}, synchronous={sync}, WAL, file in {tmp}")
        print(f"{'operation':<36}{'median':>12}{'p90':>12}{'ratio':>8}")
        for name, xs, m in (("bare BEGIN IMMEDIATE;UPDATE;COMMIT", b, mb),
                            ("TwoFactor.verify (success)", v, mv)):  # fmt: skip
            p90 = statistics.quantiles(xs, n=10)[-1]
            print(f"{name:<36}{m * 1e6:>10.0f}us{p90 * 1e6:>10.0f}us{m / mb:>8.2f}", flush=True)
        print()
        print(f"{'throughput (ops/s)':<20}{'bare':>10}{'verify':>10}{'ratio':>8}")
        rows = []
        rounds = 3  # alternate bare and verify runs; report the median of each
        for n in (1, 4, 8):
            tbs, tvs = [], []
            for r in range(rounds):
                tbs.append(threaded(lambda i: bare_op(bare_connection(path, sync), i), n,
                                    args.seconds / rounds))  # fmt: skip
                start = T0 + 10**6 * (10 * n + r + 1)  # a fresh time range: no step reused

                def make(i: int, start: int = start) -> Callable[[], None]:
                    return verify_ops(tf, clock, f"user-{i}", keys[f"user-{i}"], start)

                tvs.append(threaded(make, n, args.seconds / rounds))
            rows.append((f"{n} thread{'s' if n > 1 else ''}", statistics.median(tbs),
                         statistics.median(tvs)))  # fmt: skip
        for n in args.processes:
            tbs, tvs = [], []
            for _ in range(rounds):
                tbs.append(processes("bare", path, sync, keys, n, args.seconds / rounds))
                tvs.append(processes("verify", path, sync, keys, n, args.seconds / rounds))
            rows.append((f"{n} processes", statistics.median(tbs), statistics.median(tvs)))
        for name, tb, tv in rows:
            print(f"{name:<20}{tb:>10.0f}{tv:>10.0f}{tb / max(tv, 1):>8.2f}")
        tf.close()


if __name__ == "__main__":
    main()
