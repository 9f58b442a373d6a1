"""Concurrency tests on one SQLite file: threads and processes.

* the same valid code (or backup code) submitted twice at once: exactly one success, the
  other a ReplayedToken (threads, and separately processes);
* 8 threads and 4 processes hammering verify/use_backup_code: no ``database is locked``
  escapes, no lost failure counts, no code used twice, the database intact;
* a process killed with SIGKILL in the middle of writing: the file opens cleanly and every
  committed change is there;
* key rotation while other threads verify: no update lost on either side.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from service_workers import T0, Clock, enroll, hammer, open_service, outcome, race_worker

from rfc6238 import HOTP, TOTP
from rfc6238.service import TwoFactor
from rfc6238.service.keyring import KeyRing

SPEC = KeyRing({1: bytes(range(32))}).reveal_spec()
SPAWN = multiprocessing.get_context("spawn")


def _setup(path: str, users: list[str], now: int = T0, **kw: Any) -> dict[str, Any]:
    with open_service(path, SPEC, now, **kw) as tf:
        return {u: enroll(tf, u, now) for u in users}


def _thread_race(path: str, now: int, kind: str, user: str, value: str) -> list[str]:
    barrier = threading.Barrier(2)
    results: list[str] = []
    services = [open_service(path, SPEC, now) for _ in range(2)]

    def run(tf: TwoFactor) -> None:
        call = tf.verify if kind == "totp" else tf.use_backup_code
        barrier.wait()
        results.append(outcome(call, user, value))

    threads = [threading.Thread(target=run, args=(tf,)) for tf in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for tf in services:
        tf.close()
    return sorted(results)


def test_same_code_two_threads(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    ((otp, codes),) = _setup(path, ["u"]).values()
    for round_ in range(1, 6):
        now = T0 + 30 * round_
        assert _thread_race(path, now, "totp", "u", otp.at(now)) == ["ok", "replayed"]
    for code in codes[:3]:
        assert _thread_race(path, T0, "backup", "u", code) == ["ok", "replayed"]


def test_same_hotp_code_two_threads(tmp_path: Path) -> None:
    path = str(tmp_path / "hotp.db")
    with open_service(path, SPEC, T0, type="hotp") as tf:
        pending = tf.enroll("h")
        device = HOTP(key=pending.secret)
        tf.confirm("h", device.at(0))
    for counter in range(1, 4):
        assert _thread_race(path, T0, "totp", "h", device.at(counter)) == ["ok", "replayed"]


def test_same_code_one_thread_pool_of_eight(tmp_path: Path) -> None:
    path = str(tmp_path / "r8.db")
    ((otp, _),) = _setup(path, ["u"]).values()
    now = T0 + 30
    tf = open_service(path, SPEC, now)
    barrier = threading.Barrier(8)
    results: list[str] = []

    def run() -> None:
        barrier.wait()
        results.append(outcome(tf.verify, "u", otp.at(now)))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tf.close()
    # Replays count as failures, so after five of them the rest may be rate limited.
    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"replayed", "rate_limited"}
    assert "replayed" in results


def _process_race(path: str, now: int, kind: str, user: str, value: str) -> list[str]:
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    procs = [
        SPAWN.Process(
            target=race_worker, args=(path, SPEC, now, kind, user, value, barrier, results)
        )
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    out = sorted(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    return out


@pytest.mark.slow
def test_same_code_two_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "p.db")
    ((otp, codes),) = _setup(path, ["u"]).values()
    now = T0 + 30
    assert _process_race(path, now, "totp", "u", otp.at(now)) == ["ok", "replayed"]
    assert _process_race(path, now, "backup", "u", codes[0]) == ["ok", "replayed"]


@pytest.mark.slow
def test_hammer_eight_threads_four_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "h.db")
    bad = [f"bad-{i}" for i in range(3)]
    enrolled = _setup(path, [*bad, "bk"], backup_codes=20)
    window = {u: [enrolled[u][0].at(T0 + d) for d in (-30, 0, 30)] for u in bad}
    codes = list(enrolled["bk"][1])
    seconds = 3.0
    args = [(path, SPEC, T0, seconds, window, "bk", codes, seed) for seed in range(12)]
    results = SPAWN.Queue()
    procs = [SPAWN.Process(target=_hammer_process, args=(a, results)) for a in args[8:]]
    for p in procs:
        p.start()
    thread_out: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda a=a: thread_out.append(hammer(*a))) for a in args[:8]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outs = thread_out + [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)

    assert [e for o in outs for e in o["errors"]] == []
    invalid = {u: sum(o["invalid"].get(u, 0) for o in outs) for u in bad}
    used = [c for o in outs for c in o["used"]]
    assert len(used) == len(set(used)), "a backup code was accepted twice"
    with TwoFactor.open(path, keyring=KeyRing.parse(SPEC), issuer="T", clock=Clock()) as tf:
        for user in bad:
            assert tf.status(user).failures == invalid[user], "lost failure count"
            logged = [e for e in tf.audit(user, limit=10_000) if e.outcome == "invalid"]
            assert len(logged) == invalid[user]
            assert sorted(e.failures or 0 for e in logged) == list(range(1, invalid[user] + 1))
        assert tf.status("bk").backup_codes_remaining == 20 - len(used)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    assert sum(invalid.values()) > 50  # the test really exercised the path


def _hammer_process(args: tuple[Any, ...], results: Any) -> None:  # pragma: no cover (child)
    results.put(hammer(*args))


_WRITER = """
import sys
from rfc6238 import HOTP, TOTP
from service_workers import T0, open_service
tf = open_service(sys.argv[1], sys.argv[2], T0)
i = 0
while True:
    user = f"user-{i}"
    pending = tf.enroll(user)
    tf.confirm(user, TOTP(key=pending.secret).at(T0))
    print(user, flush=True)
    i += 1
"""


@pytest.mark.slow
def test_sigkill_mid_write_loses_nothing_committed(tmp_path: Path) -> None:
    path = str(tmp_path / "k.db")
    _setup(path, ["first"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    child = subprocess.Popen([sys.executable, "-c", _WRITER, path, SPEC], stdout=subprocess.PIPE,
                             text=True, env=env)  # fmt: skip
    assert child.stdout is not None
    committed: list[str] = []
    deadline = time.monotonic() + 30
    while len(committed) < 5 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        committed.append(line.strip())
    time.sleep(random.uniform(0, 0.05))  # land somewhere inside the next enrollment
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    committed += [line.strip() for line in child.stdout.read().splitlines() if line.strip()]
    assert len(committed) >= 3
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with TwoFactor.open(path, keyring=KeyRing.parse(SPEC), issuer="T", clock=Clock()) as tf:
        for user in committed:
            assert tf.status(user).enrolled, user
        pending_or_none = tf.status(f"user-{len(committed)}")
        assert not pending_or_none.enrolled or pending_or_none.backup_codes_remaining == 10


@pytest.mark.slow
def test_rotation_under_concurrent_verification(tmp_path: Path) -> None:
    path = str(tmp_path / "rot.db")
    users = [f"u{i}" for i in range(6)]
    otps = {u: otp for u, (otp, _) in _setup(path, users).items()}
    both = KeyRing({1: bytes(range(32)), 2: bytes(range(7, 39))}, active=1)
    local = threading.local()
    verifier = TwoFactor.open(
        path, keyring=both, issuer="T", clock=lambda: getattr(local, "now", T0)
    )
    steps = 25
    errors: list[str] = []

    def verify_user(user: str, otp: TOTP) -> None:
        for i in range(1, steps + 1):
            local.now = T0 + 30 * i
            result = outcome(verifier.verify, user, otp.at(local.now))
            if result != "ok":
                errors.append(f"{user} step {i}: {result}")
        for _ in range(3):
            wrong = f"{(int(otp.at(local.now)) + 7) % 10**6:06d}"
            result = outcome(verifier.verify, user, wrong)
            if result != "invalid":
                errors.append(f"{user} failure: {result}")

    threads = [threading.Thread(target=verify_user, args=(u, otps[u])) for u in users]
    for t in threads:
        t.start()
    # Rotate back and forth between the two keys for as long as the verifiers run.
    rotators = [TwoFactor.open(path, keyring=both.with_active(k), issuer="T", clock=Clock())
                for k in (2, 1)]  # fmt: skip
    rounds = moved = 0
    while any(t.is_alive() for t in threads) or rounds < 2:
        moved += rotators[rounds % 2].rotate_keys(batch_size=2).reencrypted
        rounds += 1
    for t in threads:
        t.join()
    final = rotators[0].rotate_keys()
    verifier.close()
    assert errors == []
    assert final.complete
    assert moved + final.reencrypted >= len(users) * rounds
    with TwoFactor.open(path, keyring=both.with_active(2).without_key(1), issuer="T",
                        clock=Clock(T0 + 30 * (steps + 1))) as tf:  # fmt: skip
        for user in users:
            assert tf.status(user).failures == 3
            account = tf._store.load_account(user)
            assert account is not None
            (cred,) = account.active
            assert cred.last_step == (T0 + 30 * steps) // 30
            tf.verify(user, otps[user].at(T0 + 30 * (steps + 1)))
    for rotator in rotators:
        rotator.close()
