"""The PostgreSQL store across processes that share nothing but the server.

* the same code (and the same backup code) from 6 processes, each with its own pool:
  exactly one success;
* a client killed with SIGKILL in the middle of its transactions: everything it saw
  committed is there, and the locks it held are gone at once;
* key rotation while 4 processes verify: no update lost on either side;
* the server restarted while 4 processes verify: typed StorageError during the outage,
  successes again after it, without any action from the application;
* throttle bursts of 32 and 96 processes: no more codes evaluated than the policy allows.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pg_server import PostgresServer
from pg_workers import burst_guess, open_pg, race, verify_steps, verify_through_outage
from service_workers import T0, enroll
from test_throttle_bursts import CASES, _burst_codes, _check, _prepare, fork_burst

from rfc6238.service.keyring import KeyRing

SPEC = KeyRing({1: bytes(range(32))}).reveal_spec()
SPAWN = multiprocessing.get_context("spawn")
pytestmark = pytest.mark.slow


@pytest.fixture
def url(pg_server: PostgresServer, pg_dsn: str) -> str:
    return pg_server.url(pg_dsn.rsplit("dbname=", 1)[1])


def _setup(url: str, users: list[str], **kw: Any) -> dict[str, Any]:
    tf, _ = open_pg(url, SPEC, T0, **kw)
    with tf:
        return {u: enroll(tf, u, T0) for u in users}


def _race(url: str, n: int, now: int, kind: str, user: str, value: str) -> list[str]:
    barrier = SPAWN.Barrier(n)
    results = SPAWN.Queue()
    procs = [SPAWN.Process(target=race,
                           args=(url, SPEC, now, kind, user, value, barrier, results))
             for _ in range(n)]  # fmt: skip
    for p in procs:
        p.start()
    outs = sorted(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    return outs


def test_same_code_from_six_processes_one_success(url: str) -> None:
    setup = _setup(url, ["u", "b"])
    otp, codes = setup["u"][0], setup["b"][1]
    for round_ in (1, 2):
        now = T0 + 30 * round_
        assert _race(url, 6, now, "totp", "u", otp.at(now)) == ["ok"] + ["replayed"] * 5
    assert _race(url, 6, T0, "backup", "b", codes[0]) == ["ok"] + ["replayed"] * 5


_CLIENT = """
import sys, psycopg
from rfc6238 import TOTP
from pg_workers import open_pg
url, spec, t0, mode, victim_key = sys.argv[1:6]
t0 = int(t0)
if mode == "lock":  # a transaction that holds the account row, never committed
    conn = psycopg.connect(url)
    conn.execute("UPDATE rfc6238.accounts SET failures = failures + 50 WHERE user_id = 'first'")
    print("locked", flush=True)
    sys.stdin.read()
tf, clock = open_pg(url, spec, t0, max_failures=100, backoff_after=100)
wrong = f"{(int(TOTP(key=bytes.fromhex(victim_key)).at(t0)) + 500_000) % 10**6:06d}"
i = 0
while True:
    user = f"{mode}-{i}"
    pending = tf.enroll(user)
    tf.confirm(user, TOTP(key=pending.secret).at(t0))
    print("enrolled", user, flush=True)
    try:
        tf.verify("victim", wrong)
    except Exception as err:
        print("failed", type(err).__name__, str(err)[:200].replace("\\n", " "), flush=True)
    i += 1
"""


def raw(key: Any) -> bytes:
    return key.reveal() if hasattr(key, "reveal") else bytes(key)


def _client(url: str, mode: str, victim_key: bytes) -> subprocess.Popen[str]:
    here = str(Path(__file__).parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, *sys.path])}
    return subprocess.Popen(
        [sys.executable, "-c", _CLIENT, url, SPEC, str(T0), mode, victim_key.hex()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def test_sigkill_mid_transaction_loses_nothing_and_leaves_no_lock(url: str) -> None:
    setup = _setup(url, ["first", "victim"])
    victim_key = raw(setup["victim"][0].key)
    holder = _client(url, "lock", victim_key)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    writers = [_client(url, f"w{i}", victim_key) for i in range(3)]
    seen: list[list[str]] = [[] for _ in writers]
    for lines, child in zip(seen, writers, strict=True):
        assert child.stdout is not None
        while len(lines) < 4:
            line = child.stdout.readline()
            assert line, "a writer died"
            lines.append(line.strip())
    time.sleep(random.uniform(0.0, 0.2))  # land inside the next enrollment or failure
    for child in [holder, *writers]:
        os.kill(child.pid, signal.SIGKILL)
    for lines, child in zip(seen, writers, strict=True):
        child.wait(timeout=10)
        assert child.stdout is not None
        lines += [ln.strip() for ln in child.stdout.read().splitlines() if ln.strip()]
    holder.wait(timeout=10)
    odd = [ln for lines in seen for ln in lines if ln.startswith("failed")
           and not ln.startswith("failed InvalidToken")]  # fmt: skip
    assert odd == []
    tf, _ = open_pg(url, SPEC, T0, timeout=5)
    with tf:
        started = time.monotonic()
        assert tf.status("first").failures == 0  # the holder's uncommitted +50 is gone...
        tf.unlock("first")  # ... and so is its row lock: this write does not wait
        assert time.monotonic() - started < 3
        enrolled = [ln.split()[1] for lines in seen for ln in lines if ln.startswith("enrolled")]
        assert len(enrolled) >= 6
        for user in enrolled:
            assert tf.status(user).enrolled, user  # every commit a client saw is there
        failed = sum(ln.startswith("failed InvalidToken") for lines in seen for ln in lines)
        logged = [e.failures or 0 for e in tf.audit("victim", limit=10_000)
                  if e.outcome == "invalid"]  # fmt: skip
        assert len(logged) >= failed  # every failure a client saw is on record ...
        assert len(set(logged)) == len(logged)  # ... each with its own count ...
        # ... and a request killed between its reservation and its audit row stays counted
        # (the reservation is the failure): at most one such request per killed writer.
        on_record = tf.status("victim").failures
        assert max(logged) <= on_record <= len(logged) + len(writers)
    with psycopg.connect(url) as conn:  # nobody still waits on a lock of a killed client
        waiting = conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
        assert waiting == (0,)


def test_rotation_while_four_processes_verify(url: str) -> None:
    users = [f"u{i}" for i in range(8)]
    keys = {u: raw(otp.key) for u, (otp, _) in _setup(url, users).items()}
    both = KeyRing({1: bytes(range(32)), 2: bytes(range(7, 39))}, active=1)
    steps = 12
    results = SPAWN.Queue()
    groups = [users[i::4] for i in range(4)]
    procs = [SPAWN.Process(target=verify_steps,
                           args=(url, both.reveal_spec(), T0, {u: keys[u] for u in g}, steps,
                                 results))
             for g in groups]  # fmt: skip
    for p in procs:
        p.start()
    rotators = [open_pg(url, both.with_active(k).reveal_spec(), T0)[0] for k in (2, 1)]
    rounds = moved = 0
    while any(p.is_alive() for p in procs) or rounds < 2:
        moved += rotators[rounds % 2].rotate_keys(batch_size=3).reencrypted
        rounds += 1
    outs = [o for _ in procs for o in results.get(timeout=120)]
    for p in procs:
        p.join(timeout=30)
    final = rotators[0].rotate_keys()
    assert final.complete
    assert [o for o in outs if not o.endswith(":ok")] == []
    assert len(outs) == len(users) * steps
    assert moved + final.reencrypted >= len(users) * 2  # the rows really moved meanwhile
    check, _ = open_pg(url, both.with_active(2).without_key(1).reveal_spec(), T0)
    with check:
        for user in users:
            account = check._store.load_account(user)
            (row,) = account.active
            assert row.last_step == (T0 + 30 * steps) // 30  # no claim lost
            assert row.key_id == 2
    for rotator in rotators:
        rotator.close()


def test_server_restart_while_four_processes_verify(pg_server: PostgresServer, url: str) -> None:
    users = [f"r{i}" for i in range(4)]
    keys = {u: raw(otp.key) for u, (otp, _) in _setup(url, users).items()}
    results, ready = SPAWN.Queue(), SPAWN.Queue()
    procs = [SPAWN.Process(target=verify_through_outage,
                           args=(url, SPEC, T0, u, keys[u], 12.0, ready, results))
             for u in users]  # fmt: skip
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=60)  # each has opened its pool and verified once
    time.sleep(1.0)
    down = time.time()
    pg_server.stop_server("fast")
    time.sleep(1.5)
    pg_server.start()
    up = time.time()
    outs: list[list[tuple[float, str]]] = [results.get(timeout=120) for _ in procs]
    assert time.time() - up > 3  # the workers ran on well after the restart
    for p in procs:
        p.join(timeout=30)
    for out in outs:
        kinds = {o.split(":")[0] if o.startswith("error") else o for _, o in out}
        assert kinds <= {"ok", "error"}, kinds
        errors = [o for _, o in out if o != "ok"]
        assert all(o.startswith("error: StorageError") for o in errors), errors[:3]
        assert any(t < down and o == "ok" for t, o in out)  # it worked before
        outage = [o for t, o in out if down + 0.2 < t < up - 0.2]
        assert outage
        assert all(o != "ok" for o in outage)  # typed errors while the server was down
        after = [(t, o) for t, o in out if t > up]  # then it recovered by itself:
        first_ok = min(t for t, o in after if o == "ok")
        assert first_ok - up < 10  # the pool reconnected without the application's help
        assert [o for _, o in after[-5:]] == ["ok"] * 5, after[-5:]


@pytest.mark.parametrize("kind", ["totp", "hotp"])
@pytest.mark.parametrize("burst", [32, 96])
@pytest.mark.parametrize(("overrides", "start", "allowed"), [CASES[0], CASES[1]])
def test_throttle_burst_from_processes(url: str, kind: str, burst: int,
                                       overrides: dict[str, Any], start: int,
                                       allowed: int) -> None:  # fmt: skip
    """The service's burst check (test_throttle_bursts) with every guess from its own process
    (forked: each child makes its own pool), the right code among them."""
    tf, good = _prepare(url, kind, start, **overrides)
    codes = _burst_codes(good, burst, burst + start + 7, True)
    answers, evaluated = fork_burst(burst_guess, tf, codes, timeout=60)
    _check(tf, good, codes, answers, evaluated, allowed, start)
    tf.close()
