"""Child-process workers for the PostgreSQL tests (importable cheaply under ``spawn``).

Each worker opens its own store, so its own connection pool: the processes share nothing
but the server.
"""

from __future__ import annotations

import time
from typing import Any

from service_workers import Clock, outcome, policy

from rfc6238 import TOTP
from rfc6238.errors import StorageError
from rfc6238.service import TwoFactor
from rfc6238.service.keyring import KeyRing
from rfc6238.service.postgres_store import PostgresStore


def open_pg(url: str, spec: str, now: int, *, timeout: float = 10.0, **overrides: Any) -> Any:
    """The service on its own pool; returns ``(service, clock)``."""
    store = PostgresStore(url, timeout=timeout, statement_timeout=5, pool_size=2)
    clock = Clock(now)
    tf = TwoFactor(store, keyring=KeyRing.parse(spec), issuer="Test", clock=clock,
                   policy=policy(**overrides))  # fmt: skip
    return tf, clock


def verify_steps(url: str, spec: str, t0: int, users: dict[str, bytes], steps: int,
                 results: Any) -> None:  # fmt: skip
    """Verify each user's code at steps 1..``steps`` after ``t0``; every outcome."""
    tf, clock = open_pg(url, spec, t0)
    out: list[str] = []
    otps = {u: TOTP(key=k) for u, k in users.items()}
    for i in range(1, steps + 1):
        clock.now = t0 + 30 * i
        out += [f"{u}@{i}:{outcome(tf.verify, u, otp.at(clock.now))}" for u, otp in otps.items()]
    tf.close()
    results.put(out)


def verify_through_outage(url: str, spec: str, t0: int, user: str, key: bytes,
                          seconds: float, ready: Any, results: Any) -> None:  # fmt: skip
    """Verify a fresh valid code every few milliseconds for ``seconds``: (time, outcome)."""
    deadline = time.time() + 30
    while True:  # a loaded machine may need more than the 1 s pool wait to open
        try:
            tf, clock = open_pg(url, spec, t0, timeout=1.0)
            break
        except StorageError:
            if time.time() > deadline:
                raise
    otp = TOTP(key=key)
    out: list[tuple[float, str]] = []
    clock.advance(30)
    out.append((time.time(), outcome(tf.verify, user, otp.at(clock.now))))
    ready.put(user)
    deadline = time.time() + seconds
    while time.time() < deadline:
        clock.advance(30)
        out.append((time.time(), outcome(tf.verify, user, otp.at(clock.now))))
        time.sleep(0.02)
    tf.close()
    results.put(out)


def race(url: str, spec: str, now: int, kind: str, user: str, value: str, barrier: Any,
         results: Any) -> None:  # fmt: skip
    """Open the service on its own pool, wait for the others, submit ``value`` once (no
    back-off within the burst, so every answer is the replay check's)."""
    tf, _ = open_pg(url, spec, now, backoff_after=20)
    call = tf.verify if kind == "totp" else tf.use_backup_code
    barrier.wait(timeout=60)
    results.put(outcome(call, user, value))
    tf.close()


def burst_guess(tf: TwoFactor, code: str, barrier: Any, out: Any, i: int) -> None:
    """In a forked child (its own pool): one guess; reports (i, answer, codes evaluated)."""
    calls = []
    inner = tf._attempts.evaluate

    def evaluate(*args: Any) -> Any:  # the one function that compares codes
        calls.append(1)
        return inner(*args)

    tf._attempts.evaluate = evaluate  # type: ignore[method-assign,assignment]  # a test hook
    barrier.wait(timeout=60)
    out.put((i, outcome(tf.verify, "target", code), len(calls)))
