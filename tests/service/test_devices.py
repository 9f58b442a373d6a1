"""Many authenticators per user, HOTP resynchronisation, and the schema-1 migration.

* devices: each named, with its own secret, type, replay state and drift; confirmed and
  revoked on its own; ``verify`` accepts a code of any active device, evaluates them all,
  and names the one that matched; throttling and backup codes are per user;
* resync (RFC 4226 §7.4): two consecutive codes move a drifted HOTP counter, within a
  bounded window, throttled and audited;
* a database written by the schema-1 release (tests/service/data/v1.db) opens, migrates
  and keeps working.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from service_workers import T0, Clock, policy

from rfc6238 import HOTP, TOTP
from rfc6238.errors import (
    AccountLocked,
    EnrollmentStateError,
    InvalidParameter,
    InvalidToken,
    MalformedToken,
    ReplayedToken,
)
from rfc6238.service import TwoFactor
from rfc6238.service._sqlite_schema import SCHEMA_VERSION
from rfc6238.service.keyring import KeyRing

RING = KeyRing({1: bytes(range(32))})
DATA = Path(__file__).parent / "data"


def make(db: Path, clock: Clock, **overrides: Any) -> TwoFactor:
    return TwoFactor.open(db, keyring=RING, issuer="T", clock=clock, policy=policy(**overrides))


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


# --- devices --------------------------------------------------------------------------------


def test_two_devices_each_confirmed_verified_and_revoked(tmp_path: Path, clock: Clock) -> None:
    tf = make(tmp_path / "d.db", clock)
    phone = TOTP(key=tf.enroll("u", device="phone").secret)
    tablet = TOTP(key=tf.enroll("u", device="tablet").secret)
    codes = tf.confirm("u", phone.at(clock.now), device="phone")
    assert len(codes) == 10
    assert len(tf.confirm("u", tablet.at(clock.now), device="tablet")) == 0  # codes are per user
    assert [(d.name, d.type, d.state, d.last_used_at) for d in tf.devices("u")] == [
        ("phone", "totp", "active", clock.now),
        ("tablet", "totp", "active", clock.now),
    ]
    clock.advance(30)
    assert tf.verify("u", tablet.at(clock.now)).device == "tablet"
    assert tf.verify("u", phone.at(clock.now)).device == "phone"  # its own replay state
    with pytest.raises(ReplayedToken):
        tf.verify("u", phone.at(clock.now))
    tf.disable("u", device="tablet")
    clock.advance(30)
    with pytest.raises(InvalidToken):
        tf.verify("u", tablet.at(clock.now))
    assert tf.verify("u", phone.at(clock.now)).device == "phone"
    assert tf.use_backup_code("u", codes.reveal()[0]).remaining == 9
    tf.disable("u")  # every device
    assert tf.devices("u") == []
    assert tf.status("u").backup_codes_remaining == 0
    with pytest.raises(EnrollmentStateError):
        tf.disable("u", device="phone")
    tf.close()


def test_default_device_keeps_single_device_calls(tmp_path: Path, clock: Clock) -> None:
    tf = make(tmp_path / "d.db", clock)
    otp = TOTP(key=tf.enroll("u").secret)
    tf.confirm("u", otp.at(clock.now))
    with pytest.raises(EnrollmentStateError, match="already active"):
        tf.enroll("u")
    pending = tf.reenroll("u")
    assert [(d.name, d.state) for d in tf.devices("u")] == [
        ("default", "active"),
        ("default", "pending"),
    ]
    assert tf.enroll("u", device="other").device == "other"
    new = TOTP(key=pending.secret)
    assert len(tf.confirm("u", new.at(clock.now))) == 10  # the only active device: new codes
    clock.advance(30)
    assert tf.verify("u", new.at(clock.now)).device == "default"
    tf.close()


def test_every_device_is_evaluated_whether_it_matches_or_not(tmp_path: Path, clock: Clock) -> None:
    tf = make(tmp_path / "d.db", clock)
    otps = {}
    for name in ("a", "b", "c"):
        otps[name] = TOTP(key=tf.enroll("u", device=name).secret)
        tf.confirm("u", otps[name].at(clock.now), device=name)
    calls: list[str] = []
    inner = tf._attempts.evaluate
    tf._attempts.evaluate = lambda cred, *a: calls.append(cred.device) or inner(cred, *a)  # type: ignore[method-assign,func-returns-value]  # a counting hook
    clock.advance(30)
    assert tf.verify("u", otps["a"].at(clock.now)).device == "a"
    assert calls == ["a", "b", "c"]
    calls.clear()
    with pytest.raises(InvalidToken):
        tf.verify("u", wrong(otps["a"].at(clock.now)))
    assert calls == ["a", "b", "c"]
    tf.close()


def test_throttle_counts_per_user_across_devices(tmp_path: Path, clock: Clock) -> None:
    tf = make(tmp_path / "d.db", clock, max_failures=4, backoff_after=4)
    phone = TOTP(key=tf.enroll("u", device="phone").secret)
    tf.confirm("u", phone.at(clock.now), device="phone")
    tablet = TOTP(key=tf.enroll("u", device="tablet").secret)
    tf.confirm("u", tablet.at(clock.now), device="tablet")
    clock.advance(30)
    for otp in (phone, tablet, phone, tablet):
        with pytest.raises(InvalidToken):
            tf.verify("u", wrong(otp.at(clock.now)))
    with pytest.raises(AccountLocked):
        tf.verify("u", tablet.at(clock.now))
    tf.close()


def test_totp_and_hotp_devices_side_by_side(tmp_path: Path, clock: Clock) -> None:
    db = tmp_path / "d.db"
    with make(db, clock) as tf:
        phone = TOTP(key=tf.enroll("u", device="phone").secret)
        tf.confirm("u", phone.at(clock.now), device="phone")
    with make(db, clock, type="hotp") as tf:
        token = HOTP(key=tf.enroll("u", device="yubikey").secret)
        tf.confirm("u", token.at(0), device="yubikey")
        assert tf.verify("u", token.at(1)).device == "yubikey"
        clock.advance(30)
        assert tf.verify("u", phone.at(clock.now)).device == "phone"
        assert {d.name: d.type for d in tf.devices("u")} == {"phone": "totp", "yubikey": "hotp"}


@pytest.mark.parametrize(
    "device", ["", "x" * 65, "tab\nlet", "tab\u202elet", "zero\u200bwidth", " phone", "phone "]
)
def test_bad_device_names_are_refused_and_change_nothing(
    tmp_path: Path, clock: Clock, device: str
) -> None:
    with make(tmp_path / "d.db", clock) as tf:
        with pytest.raises(InvalidParameter):
            tf.enroll("u", device=device)
        assert tf.devices("u") == []
        assert tf.audit("u") == []


# --- HOTP resynchronisation ---------------------------------------------------------------


def _hotp_user(tmp_path: Path, clock: Clock, **overrides: Any) -> tuple[TwoFactor, HOTP]:
    tf = make(tmp_path / "h.db", clock, type="hotp", **overrides)
    token = HOTP(key=tf.enroll("u").secret)
    tf.confirm("u", token.at(0))
    return tf, token


def test_resync_moves_a_drifted_counter(tmp_path: Path, clock: Clock) -> None:
    tf, token = _hotp_user(tmp_path, clock)
    with pytest.raises(InvalidToken):  # 80 presses later: beyond look_ahead=10
        tf.verify("u", token.at(80))
    result = tf.resync("u", token.at(81), token.at(82))
    assert (result.step, result.offset, result.device) == (82, 81, "default")
    assert tf.verify("u", token.at(83)).step == 83
    with pytest.raises(ReplayedToken):
        tf.verify("u", token.at(83))
    events = [(e.event, e.outcome) for e in tf.audit("u")]
    assert ("resync", "ok") in events
    tf.close()


def test_resync_needs_two_consecutive_codes_in_the_window(tmp_path: Path, clock: Clock) -> None:
    tf, token = _hotp_user(tmp_path, clock, backoff_after=20, resync_window=50)
    for first, second in [(30, 32), (31, 30), (60, 61)]:  # a gap, reversed, beyond the window
        with pytest.raises(InvalidToken):
            tf.resync("u", token.at(first), token.at(second))
    with pytest.raises(MalformedToken):
        tf.resync("u", token.at(5), "12345")
    assert tf.status("u").failures == 4
    assert tf.resync("u", token.at(50), token.at(51)).step == 51  # the window's last pair
    assert tf.status("u").failures == 0
    tf.close()


def test_resync_is_throttled_and_refuses_totp_devices(tmp_path: Path, clock: Clock) -> None:
    tf, token = _hotp_user(tmp_path, clock, max_failures=2, backoff_after=2)
    with make(tmp_path / "h.db", clock) as other:
        phone = TOTP(key=other.enroll("u", device="phone").secret)
        other.confirm("u", phone.at(clock.now), device="phone")
    with pytest.raises(InvalidToken):
        tf.resync("u", phone.at(clock.now), phone.at(clock.now + 30), device="phone")
    with pytest.raises(InvalidToken):
        tf.resync("nobody", token.at(40), token.at(41))
    with pytest.raises(InvalidToken):
        tf.resync("u", token.at(40), token.at(42))
    with pytest.raises(AccountLocked):  # the right pair, but the lock holds
        tf.resync("u", token.at(40), token.at(41))
    assert ("resync", "locked") in [(e.event, e.outcome) for e in tf.audit("u")]
    tf.close()


# --- migration from schema 1 --------------------------------------------------------------


def test_a_schema_1_database_migrates_on_open(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    shutil.copy(DATA / "v1.db", db)
    codes = json.loads((DATA / "v1_codes.json").read_text())["alice"]
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    con.close()
    clock = Clock(T0 + 90)
    with make(db, clock) as tf:
        assert tf._store.schema_version() == SCHEMA_VERSION == 2  # type: ignore[attr-defined]  # the SQLite store behind the interface
        alice = TOTP(key=b"A" * 20)
        assert tf.status("alice").failures == 2
        assert tf.status("alice").backup_codes_remaining == 9
        assert tf.verify("alice", alice.at(clock.now)).device == "default"
        with pytest.raises(ReplayedToken):
            tf.use_backup_code("alice", codes[0])  # used before the migration
        assert tf.use_backup_code("alice", codes[1]).remaining == 8
        assert [(d.name, d.state) for d in tf.devices("bob")] == [
            ("default", "active"),
            ("default", "pending"),
        ]
        tf.confirm("bob", TOTP(key=b"C" * 20).at(clock.now))
        assert [d.state for d in tf.devices("carol")] == ["pending"]
        assert tf.devices("dave") == []
        hank = HOTP(key=b"H" * 20)
        with pytest.raises(ReplayedToken):
            tf.verify("hank", hank.at(3))
        assert tf.verify("hank", hank.at(4)).step == 4
        assert tf.enroll("alice", device="tablet").device == "tablet"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
