"""Throttling under bursts of parallel guesses (RFC 4226 §7.3; issue: reserve before evaluating).

A burst of N requests, each with another code and one of them the right code, hits one
account at once, from N threads of one service or from N processes. Whatever N:

* the number of codes evaluated (counted by a hook on the evaluation, and again from the
  audit log) is exactly what the policy allows at that moment;
* every refused request gets the same answer, whether its code was right or wrong;
* the failures on record never pass the lock threshold.

Both at 0 failures and at threshold-1 failures, for TOTP and HOTP, default back-off and none.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from service_workers import Clock, outcome, policy

from rfc6238 import HOTP, TOTP
from rfc6238.service import TwoFactor
from rfc6238.service.keyring import KeyRing

RING = KeyRing({1: bytes(range(32))})
USER = "target"
EVALUATED = {"ok", "invalid", "malformed", "replay"}
FORK = multiprocessing.get_context("fork")

# (policy overrides, failures on record before the burst, guesses the policy allows then)
CASES = [
    ({}, 0, 5),  # back-off starts after 5 failures (and the clock does not move)
    ({}, 19, 1),  # back-off waited out, one guess before the lock at 20
    ({"backoff_after": 20}, 0, 20),  # no back-off: 20 guesses, then locked
    ({"backoff_after": 20}, 19, 1),
]


class Counting:
    """Counts the evaluations of the service (wraps the one function that compares codes)."""

    def __init__(self, tf: TwoFactor) -> None:
        self.calls = 0
        self.lock = threading.Lock()
        inner = tf._attempts.evaluate

        def evaluate(*args: Any) -> Any:
            with self.lock:
                self.calls += 1
            return inner(*args)

        tf._attempts.evaluate = evaluate  # type: ignore[method-assign,assignment]  # a test hook


def _prepare(path: str, kind: str, failures: int, **overrides: Any) -> tuple[TwoFactor, str]:
    clock = Clock()
    tf = TwoFactor.open(path, keyring=RING, issuer="T", clock=clock,
                        policy=policy(type=kind, **overrides))  # fmt: skip
    pending = tf.enroll(USER)
    device = TOTP(key=pending.secret) if kind == "totp" else HOTP(key=pending.secret)
    tf.confirm(USER, device.at(clock.now if kind == "totp" else 0))
    clock.advance(30)
    good = device.at(clock.now) if kind == "totp" else device.at(1)
    for _ in range(failures):
        assert outcome(tf.verify, USER, _wrong(good, 0)) == "invalid"
        clock.advance(100_000)  # wait out any back-off
        good = device.at(clock.now) if kind == "totp" else good
    return tf, good


def _wrong(good: str, i: int) -> str:
    code = f"{(int(good) + 1 + i) % 10**6:06d}"
    return code if code != good else f"{(int(good) + 500_000) % 10**6:06d}"


def _burst_codes(good: str, n: int, seed: int, with_good: bool) -> list[str]:
    codes = [_wrong(good, i) for i in range(n - 1)]
    codes.insert(random.Random(seed).randrange(n), good if with_good else _wrong(good, n))
    return codes


def _check(tf: TwoFactor, good: str, codes: list[str], answers: list[str], evaluated: int,
           allowed: int, start: int) -> None:  # fmt: skip
    assert len(answers) == len(codes)
    events = [e for e in tf.audit(USER, limit=10_000) if e.event == "verify"][start:]
    audited = sum(e.outcome in EVALUATED for e in events)
    refused = [a for a in answers if a in ("rate_limited", "locked")]
    assert all(a in ("ok", "invalid", "rate_limited", "locked") for a in answers), answers
    status = tf.status(USER)
    assert status.failures <= 20
    if "ok" in answers:  # the right code was among the guesses the policy allowed
        assert answers.count("ok") == 1
        assert answers[codes.index(good)] == "ok"
        # Its success resets the count, which lets later requests of the burst in again
        # (so the refusals before and after it may differ: locked, then rate limited).
        assert evaluated == audited == len(answers) - len(refused) >= 1
        return
    # The right code, if it was sent, was refused like the wrong ones: one answer for all.
    assert len(set(refused)) <= 1, refused
    assert evaluated == audited == allowed, answers  # the code was never looked at otherwise
    assert len(answers) - len(refused) == allowed
    assert status.failures == min(20, start + allowed)


@pytest.mark.parametrize("with_good", [False, True])
@pytest.mark.parametrize("kind", ["totp", "hotp"])
@pytest.mark.parametrize("burst", [32, 96])
@pytest.mark.parametrize(("overrides", "start", "allowed"), CASES)
def test_thread_burst(tmp_path: Path, kind: str, burst: int, overrides: dict[str, Any],
                      start: int, allowed: int, with_good: bool) -> None:  # fmt: skip
    tf, good = _prepare(str(tmp_path / "b.db"), kind, start, **overrides)
    counting = Counting(tf)
    codes = _burst_codes(good, burst, burst + start, with_good)
    answers = [""] * burst
    barrier = threading.Barrier(burst)

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = outcome(tf.verify, USER, codes[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(burst)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check(tf, good, codes, answers, counting.calls, allowed, start)
    tf.close()


def fork_burst(target: Callable[[TwoFactor, str, Any, Any, int], None], tf: TwoFactor,
               codes: list[str], *, timeout: float) -> tuple[list[str], int]:  # fmt: skip
    """One forked ``target(tf, code, barrier, out, i)`` a code, released together by the
    barrier; each reports ``(i, answer, evaluated)``. The answers in code order, and the sum
    of the evaluations the children counted."""
    barrier, out = FORK.Barrier(len(codes)), FORK.Queue()
    procs = [FORK.Process(target=target, args=(tf, code, barrier, out, i))
             for i, code in enumerate(codes)]  # fmt: skip
    for p in procs:
        p.start()
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    answers = [""] * len(codes)
    for i, answer, _ in results:
        answers[i] = answer
    return answers, sum(r[2] for r in results)


def _process(tf: TwoFactor, code: str, barrier: Any, out: Any, i: int) -> None:  # pragma: no cover
    counting = Counting(tf)  # in the child: counts this process's evaluations
    barrier.wait(timeout=60)
    out.put((i, outcome(tf.verify, USER, code), counting.calls))


@pytest.mark.slow
@pytest.mark.parametrize("with_good", [False, True])
@pytest.mark.parametrize("kind", ["totp", "hotp"])
@pytest.mark.parametrize("burst", [32, 96])
@pytest.mark.parametrize(("overrides", "start", "allowed"), [CASES[0], CASES[1]])
def test_process_burst(tmp_path: Path, kind: str, burst: int, overrides: dict[str, Any],
                       start: int, allowed: int, with_good: bool) -> None:  # fmt: skip
    tf, good = _prepare(str(tmp_path / "p.db"), kind, start, **overrides)
    codes = _burst_codes(good, burst, burst + start + 1, with_good)
    answers, evaluated = fork_burst(_process, tf, codes, timeout=120)
    _check(tf, good, codes, answers, evaluated, allowed, start)
    tf.close()
