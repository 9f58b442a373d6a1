"""Benchmark: ``TwoFactor.verify`` on SQLite against two baselines, same file, same run.

Not a test: it prints a table. For ``synchronous`` FULL and NORMAL (WAL both), with 1, 4
and 16 concurrent clients (threads, one service shared by all), three operations are timed,
interleaved in rounds so that machine noise hits all alike:

* **bare**: the cheapest durable write, ``BEGIN IMMEDIATE; UPDATE bench SET n = n + 1
  WHERE id = ?; COMMIT``;
* **raw**: the *same SQL statements* a successful verify runs, issued without the library
  (like for like): ``BEGIN IMMEDIATE``; the reservation upsert ``RETURNING``; the device
  read; ``COMMIT``; ``BEGIN IMMEDIATE``; the step claim; the failure reset; the audit
  insert; ``COMMIT`` (the statement texts are the store's own constants);
* **verify**: ``TwoFactor.verify`` with a correct code (a fresh step every call): the same
  SQL, plus the library around it (AES-GCM decryption, the HMACs, the row types).

Reported: throughput per setting and the ratios verify/bare and verify/raw (time per
operation), and the median latency of one client. Target: verify <= 1.5x raw.

Run: ``python benchmarks/bench_service.py [--seconds 1.0] [--synchronous FULL NORMAL]``
(``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
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
from rfc6238.service.sqlite_store import (
    _CLAIM_STEP,
    _INSERT_AUDIT,
    _LIVE_CREDS,
    _RESERVE,
    _RESET,
    SQLiteStore,
)

T0 = 1_700_000_010
RING = KeyRing({1: bytes(range(32))})
POLICY = Policy(backup_scrypt=ScryptParams(n=1024))
CLIENTS = (1, 4, 16)
Op = Callable[[], None]


class StepClock:
    """Each thread sees its own time, set by its own verify loop."""

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self) -> int:
        return int(getattr(self.local, "now", T0))


def setup(path: str, sync: str) -> tuple[TwoFactor, StepClock, dict[str, bytes], dict[str, str]]:
    clock = StepClock()
    store = SQLiteStore(path, synchronous=sync)  # type: ignore[arg-type]  # the choices are FULL or NORMAL
    tf = TwoFactor(store, keyring=RING, issuer="Bench", clock=clock, policy=POLICY)
    keys, creds = {}, {}
    for prefix in ("verify", "raw"):
        for i in range(max(CLIENTS)):
            user = f"{prefix}-{i}"
            pending = tf.enroll(user)
            tf.confirm(user, TOTP(key=pending.secret).at(T0))
            keys[user], creds[user] = pending.secret.reveal(), pending.credential_id
    con = connect(path, sync)
    con.execute("CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, n INTEGER)")
    con.executemany("INSERT OR IGNORE INTO bench VALUES (?, 0)", [(i,) for i in range(64)])
    con.close()
    return tf, clock, keys, creds


def connect(path: str, sync: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    con.execute(f"PRAGMA synchronous = {sync}")
    return con


def bare_op(con: sqlite3.Connection, row: int) -> Op:
    def op() -> None:
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE bench SET n = n + 1 WHERE id = ?", (row,))
        con.execute("COMMIT")

    return op


def raw_op(con: sqlite3.Connection, user: str, cred: str, start: int) -> Op:
    state = {"now": start}
    limits = {"max": 20, "after": 5, "base": 1, "cap": 900}

    def op() -> None:
        now = state["now"] = state["now"] + 30
        con.execute("BEGIN IMMEDIATE")
        con.execute(_RESERVE, {"user": user, "now": now, **limits}).fetchone()
        con.execute(_LIVE_CREDS, (user,)).fetchall()
        con.execute("COMMIT")
        con.execute("BEGIN IMMEDIATE")
        con.execute(_CLAIM_STEP, (now // 30, 0, now, cred, now // 30))
        con.execute(_RESET, (user,))
        con.execute(_INSERT_AUDIT, (now, "verify", user, cred, "totp", "ok", 0, 0, None))
        con.execute("COMMIT")

    return op


def verify_op(tf: TwoFactor, clock: StepClock, user: str, key: bytes, start: int) -> Op:
    otp, state = TOTP(key=key), {"now": start}

    def op() -> None:
        now = state["now"] = state["now"] + 30
        clock.local.now = now
        tf.verify(user, otp.at(now))

    return op


def throughput(ops: list[Op], seconds: float) -> float:
    counts = [0] * len(ops)
    barrier = threading.Barrier(len(ops))

    def work(i: int) -> None:
        barrier.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            ops[i]()
            counts[i] += 1

    pool = [threading.Thread(target=work, args=(i,)) for i in range(len(ops))]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / seconds


def latency(op: Op, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        op()
        out.append(time.perf_counter() - t)
    return out


def run(sync: str, seconds: float, samples: int, rounds: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        tf, clock, keys, creds = setup(path, sync)
        epoch = [T0]

        def fresh() -> int:  # a new time range for every run: no step is ever reused
            epoch[0] += 10**8
            return epoch[0]

        def make(kind: str, n: int) -> list[Op]:
            start = fresh()
            if kind == "bare":
                return [bare_op(connect(path, sync), i) for i in range(n)]
            if kind == "raw":
                return [raw_op(connect(path, sync), f"raw-{i}", creds[f"raw-{i}"], start)
                        for i in range(n)]  # fmt: skip
            return [verify_op(tf, clock, f"verify-{i}", keys[f"verify-{i}"], start)
                    for i in range(n)]  # fmt: skip

        single = {kind: make(kind, 1)[0] for kind in ("bare", "raw", "verify")}
        lat: dict[str, list[float]] = {kind: [] for kind in single}
        for op in single.values():
            latency(op, 20)  # warm up
        for _ in range(max(samples // 50, 1)):
            for kind, op in single.items():
                lat[kind] += latency(op, 50)
        med = {kind: statistics.median(xs) for kind, xs in lat.items()}
        rows = [
            f"| {sync} | 1 (median latency) | {med['bare'] * 1e6:.0f} us | "
            f"{med['raw'] * 1e6:.0f} us | {med['verify'] * 1e6:.0f} us | "
            f"{med['verify'] / med['bare']:.2f} | {med['verify'] / med['raw']:.2f} |"
        ]
        for n in CLIENTS:
            got: dict[str, list[float]] = {"bare": [], "raw": [], "verify": []}
            for _ in range(rounds):
                for kind in got:
                    got[kind].append(throughput(make(kind, n), seconds / rounds))
            ops = {kind: statistics.median(xs) for kind, xs in got.items()}
            rows.append(
                f"| {sync} | {n} (ops/s) | {ops['bare']:.0f} | {ops['raw']:.0f} | "
                f"{ops['verify']:.0f} | {ops['bare'] / ops['verify']:.2f} | "
                f"{ops['raw'] / ops['verify']:.2f} |"
            )
        tf.close()
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="per throughput cell")
    parser.add_argument("--samples", type=int, default=300, help="latency samples per kind")
    parser.add_argument("--synchronous", nargs="+", choices=["FULL", "NORMAL"],
                        default=["FULL", "NORMAL"])  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny samples")
    args = parser.parse_args()
    rounds = 3
    if args.quick:
        args.seconds, args.samples, rounds = 0.15, 50, 1
    print(f"SQLite {sqlite3.sqlite_version}, WAL; ratios are time per operation")
    print("| synchronous | clients | bare UPDATE | raw verify SQL | verify | verify/bare "
          "| verify/raw |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for sync in args.synchronous:
        for row in run(sync, args.seconds, args.samples, rounds):
            print(row, flush=True)


if __name__ == "__main__":
    main()
