"""Helpers for the service tests: a fake clock, fast policies, and process/thread workers.

Worker functions live here (not in a test module) so that ``multiprocessing`` in spawn mode
can import them cheaply in the child.
"""

from __future__ import annotations

import random
import time
from typing import Any

from rfc6238 import TOTP
from rfc6238.errors import AccountLocked, InvalidToken, RateLimited, ReplayedToken
from rfc6238.service import TwoFactor
from rfc6238.service.backup import ScryptParams
from rfc6238.service.keyring import KeyRing
from rfc6238.service.policy import Policy

T0 = 1_700_000_010  # inside a 30 s step, 10 s after its start
FAST = ScryptParams(n=1024)


class Clock:
    """A settable clock: tests say what time it is."""

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


def policy(**overrides: Any) -> Policy:
    return Policy(**{"backup_scrypt": FAST, **overrides})


def open_service(path: str, spec: str, now: int = T0, **overrides: Any) -> TwoFactor:
    return TwoFactor.open(
        path,
        keyring=KeyRing.parse(spec),
        issuer="Test",
        clock=Clock(now),
        policy=policy(**overrides),
    )


def enroll(tf: TwoFactor, user: str, now: int) -> tuple[TOTP, tuple[str, ...]]:
    """Enroll and confirm ``user`` at ``now``; the OTP and the backup codes."""
    pending = tf.enroll(user)
    otp = TOTP(key=pending.secret)
    codes = tf.confirm(user, otp.at(now))
    return otp, codes.reveal()


def outcome(call: Any, *args: Any) -> str:
    try:
        call(*args)
    except ReplayedToken:
        return "replayed"
    except AccountLocked:
        return "locked"
    except RateLimited:
        return "rate_limited"
    except InvalidToken:
        return "invalid"
    except Exception as err:  # anything else is a bug the test reports
        return f"error: {type(err).__name__}: {err}"
    return "ok"


def race_worker(path: str, spec: str, now: int, kind: str, user: str, value: str,
                barrier: Any, results: Any) -> None:  # fmt: skip
    """Open the service in this process, wait for the others, submit ``value`` once."""
    tf = open_service(path, spec, now)
    call = tf.verify if kind == "totp" else tf.use_backup_code
    barrier.wait(timeout=30)
    results.put(outcome(call, user, value))
    tf.close()


def hammer(path: str, spec: str, now: int, seconds: float, bad_users: dict[str, list[str]],
           backup_user: str, backup_codes: list[str], seed: int) -> dict[str, Any]:  # fmt: skip
    """Submit wrong OTPs and backup codes for ``seconds``; count every outcome.

    ``bad_users`` maps each user to the codes valid in the window, which are never sent.
    """
    rng = random.Random(seed)
    tf = open_service(path, spec, now, max_failures=100, backoff_after=100,
                      backup_codes=len(backup_codes))  # fmt: skip
    counts: dict[str, Any] = {"invalid": {}, "locked": 0, "used": [], "errors": []}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if rng.random() < 0.8:
            user = rng.choice(sorted(bad_users))
            token = f"{rng.randrange(10**6):06d}"
            while token in bad_users[user]:
                token = f"{rng.randrange(10**6):06d}"
            result = outcome(tf.verify, user, token)
            if result == "invalid":
                counts["invalid"][user] = counts["invalid"].get(user, 0) + 1
            elif result == "locked":
                counts["locked"] += 1
        else:
            code = rng.choice(backup_codes)
            result = outcome(tf.use_backup_code, backup_user, code)
            if result == "ok":
                counts["used"].append(code)
        if result.startswith("error"):
            counts["errors"].append(result)
    tf.close()
    return counts


def hammer_process(args: tuple[Any, ...], results: Any) -> None:
    results.put(hammer(*args))
