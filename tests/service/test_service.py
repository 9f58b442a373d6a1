"""Tests of the two-factor service: lifecycle, replay, throttling, drift, backup codes,
unknown users, key checks, tampering, policy validation. Time is an injected clock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from service_workers import T0, Clock, enroll, policy

from rfc6238 import TOTP
from rfc6238.errors import (
    AccountLocked,
    DecryptionError,
    EnrollmentStateError,
    InvalidParameter,
    InvalidToken,
    InvalidType,
    KeyringError,
    MalformedToken,
    RateLimited,
    ReplayedToken,
    SecretTooLong,
    SecretTooShort,
)
from rfc6238.service import TwoFactor
from rfc6238.service.backup import ScryptParams
from rfc6238.service.keyring import KeyRing
from rfc6238.service.policy import Policy
from rfc6238.uri import parse_uri

RING = KeyRing({1: bytes(range(32))})
USER = "alice@example.com"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "2fa.db")


def make(db: str, clock: Clock, ring: KeyRing = RING, **overrides: Any) -> TwoFactor:
    return TwoFactor.open(db, keyring=ring, issuer="MyApp", clock=clock, policy=policy(**overrides))


@pytest.fixture
def tf(db: str, clock: Clock) -> Any:
    with make(db, clock) as service:
        yield service


def failures(tf: TwoFactor, user: str = USER) -> int:
    return tf.status(user).failures


# --- enrollment -----------------------------------------------------------------------------


def test_enroll_is_pending_until_confirmed(tf: TwoFactor, clock: Clock) -> None:
    pending = tf.enroll(USER)
    otp = TOTP(key=pending.secret)
    assert tf.status(USER).pending
    assert not tf.status(USER).enrolled
    with pytest.raises(InvalidToken):
        tf.verify(USER, otp.at(clock.now))
    codes = tf.confirm(USER, otp.at(clock.now))
    assert len(codes) == 10
    assert len(set(codes.reveal())) == 10
    status = tf.status(USER)
    assert status.enrolled
    assert not status.pending
    assert status.backup_codes_remaining == 10


def test_enrollment_carries_uri_and_qr(tf: TwoFactor) -> None:
    pending = tf.enroll(USER)
    parsed = parse_uri(pending.reveal_uri())
    assert parsed.secret == pending.secret.reveal()
    assert (parsed.issuer, parsed.account, parsed.digits, parsed.period) == ("MyApp", USER, 6, 30)
    assert pending.key_uri().to_uri() == pending.reveal_uri()
    pytest.importorskip("qrcode")
    assert pending.qr() is not None


def test_enrollment_and_status_html_show_no_secret(tf: TwoFactor, clock: Clock) -> None:
    pending = tf.enroll(USER)
    html = pending._repr_html_()
    assert "Enrollment" in html
    assert "20 bytes, 160 bits, hidden" in html
    assert pending.secret.reveal_base32() not in html
    assert pending.secret.reveal().hex() not in html
    status_html = tf.status(USER)._repr_html_()
    assert "pending enrollment</th><td style='text-align:left'>yes" in status_html
    assert "accepting attempts" in status_html


def test_confirm_consumes_its_step(tf: TwoFactor, clock: Clock) -> None:
    otp = TOTP(key=tf.enroll(USER).secret)
    tf.confirm(USER, otp.at(clock.now))
    with pytest.raises(ReplayedToken):
        tf.verify(USER, otp.at(clock.now))
    clock.advance(30)
    assert tf.verify(USER, otp.at(clock.now)).offset == 0


def test_confirm_errors(tf: TwoFactor, clock: Clock) -> None:
    with pytest.raises(EnrollmentStateError, match="no pending"):
        tf.confirm(USER, "123456")
    otp = TOTP(key=tf.enroll(USER).secret)
    with pytest.raises(MalformedToken):
        tf.confirm(USER, "12345")
    wrong = f"{(int(otp.at(clock.now)) + 1) % 10**6:06d}"
    with pytest.raises(InvalidToken):
        tf.confirm(USER, wrong)
    assert failures(tf) == 2
    tf.confirm(USER, otp.at(clock.now))
    assert failures(tf) == 0
    with pytest.raises(EnrollmentStateError):
        tf.confirm(USER, otp.at(clock.now))


def test_pending_enrollment_expires(tf: TwoFactor, clock: Clock) -> None:
    otp = TOTP(key=tf.enroll(USER).secret)
    clock.advance(901)
    with pytest.raises(EnrollmentStateError, match="expired"):
        tf.confirm(USER, otp.at(clock.now))


def test_a_new_enroll_replaces_the_pending_one(tf: TwoFactor, clock: Clock) -> None:
    first = TOTP(key=tf.enroll(USER).secret)
    second = TOTP(key=tf.enroll(USER).secret)
    with pytest.raises(InvalidToken):
        tf.confirm(USER, first.at(clock.now))
    tf.confirm(USER, second.at(clock.now))


def test_enroll_and_reenroll_states(tf: TwoFactor, clock: Clock) -> None:
    with pytest.raises(EnrollmentStateError, match="use enroll"):
        tf.reenroll(USER)
    enroll(tf, USER, clock.now)
    with pytest.raises(EnrollmentStateError, match="use reenroll"):
        tf.enroll(USER)


def test_reenroll_keeps_the_old_credential_until_confirmed(tf: TwoFactor, clock: Clock) -> None:
    old, old_codes = enroll(tf, USER, clock.now)
    new = TOTP(key=tf.reenroll(USER).secret)
    clock.advance(30)
    tf.verify(USER, old.at(clock.now))
    clock.advance(30)
    new_codes = tf.confirm(USER, new.at(clock.now)).reveal()
    clock.advance(30)
    with pytest.raises(InvalidToken):
        tf.verify(USER, old.at(clock.now))
    with pytest.raises(InvalidToken):
        tf.use_backup_code(USER, old_codes[0])
    tf.verify(USER, new.at(clock.now))
    assert tf.use_backup_code(USER, new_codes[0]).remaining == 9
    events = [e.event for e in tf.audit(USER)]
    assert "reenroll" in events
    assert events.count("backup_codes_generated") == 2


def test_disable_then_enroll_again(tf: TwoFactor, clock: Clock) -> None:
    otp, codes = enroll(tf, USER, clock.now)
    tf.disable(USER)
    clock.advance(30)
    with pytest.raises(InvalidToken):
        tf.verify(USER, otp.at(clock.now))
    with pytest.raises(InvalidToken):
        tf.use_backup_code(USER, codes[1])
    assert not tf.status(USER).enrolled
    with pytest.raises(EnrollmentStateError):
        tf.disable(USER)
    enroll(tf, USER, clock.now)


def test_imported_secrets(db: str, clock: Clock) -> None:
    with make(db, clock) as tf:
        pending = tf.enroll(USER, secret=b"12345678901234567890", account="Alice")
        assert pending.secret.reveal() == b"12345678901234567890"
        assert parse_uri(pending.reveal_uri()).account == "Alice"
        with pytest.raises(SecretTooShort):
            tf.enroll("b", secret=b"1234567890")
        with pytest.raises(SecretTooLong):
            tf.enroll("b", secret=bytes(65))
        with pytest.raises(InvalidType):
            tf.enroll("b", secret="GEZDGNBVGY3TQOJQ")  # type: ignore[arg-type]  # the bad argument under test
        with pytest.raises(InvalidParameter, match="account"):
            tf.enroll("tenant:bob")  # user ids may hold ':', app labels may not
        assert tf.enroll("tenant:bob", account="bob").account == "bob"
    with make(db, clock, allow_short_key=True) as tf:
        otp = TOTP(key=tf.enroll("legacy", secret=b"1234567890").secret, allow_short_key=True)
        tf.confirm("legacy", otp.at(clock.now))


# --- verification ---------------------------------------------------------------------------


def test_window_and_replay(tf: TwoFactor, clock: Clock) -> None:
    otp, _ = enroll(tf, USER, clock.now)
    clock.advance(60)
    assert tf.verify(USER, otp.at(clock.now - 30)).offset == -1
    with pytest.raises(ReplayedToken):
        tf.verify(USER, otp.at(clock.now - 30))
    assert tf.verify(USER, otp.at(clock.now + 30)).offset == 1  # a later step is fine
    with pytest.raises(ReplayedToken):  # ... but now the current step is "old"
        tf.verify(USER, otp.at(clock.now))
    with pytest.raises(InvalidToken):
        tf.verify(USER, otp.at(clock.now + 90))


def test_drift_is_learned_and_bounded(db: str, clock: Clock) -> None:
    with make(db, clock, max_drift=2, window=1) as tf:
        otp, _ = enroll(tf, USER, clock.now)
        for _ in range(4):  # the phone runs ahead one more step each time
            clock.advance(30)
            ahead = tf.verify(USER, otp.at(clock.now + 30 * min(_ + 1, 3)))
            assert ahead.offset == min(_ + 1, 3)
        clock.advance(30 * 4)
        with pytest.raises(InvalidToken):  # 4 ahead is outside drift 2 + window 1
            tf.verify(USER, otp.at(clock.now + 120))
        assert tf.verify(USER, otp.at(clock.now + 90)).offset == 3


def test_drift_zero_never_moves_the_window(db: str, clock: Clock) -> None:
    with make(db, clock, max_drift=0) as tf:
        otp, _ = enroll(tf, USER, clock.now)
        clock.advance(30)
        tf.verify(USER, otp.at(clock.now + 30))
        clock.advance(60)
        with pytest.raises(InvalidToken):
            tf.verify(USER, otp.at(clock.now + 60))


def test_malformed_and_wrong_tokens_count(db: str, clock: Clock) -> None:
    tf = make(db, clock, backoff_after=10)
    enroll(tf, USER, clock.now)
    for bad in [
        "12345",
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "12345\n",
        "+12345",
        " 23456",
        "12_456",
    ]:
        with pytest.raises(MalformedToken):
            tf.verify(USER, bad)
    assert failures(tf) == 6
    with pytest.raises(InvalidType):  # a programming error, not an attempt: not counted
        tf.verify(USER, 123456)  # type: ignore[arg-type]  # the bad argument under test
    assert failures(tf) == 6


def test_backoff_then_lock_then_unlock(db: str, clock: Clock) -> None:
    with make(db, clock, max_failures=8, backoff_after=5, backoff_base=1, backoff_max=2) as tf:
        otp, codes = enroll(tf, USER, clock.now)
        for _ in range(5):
            with pytest.raises(InvalidToken):
                tf.verify(USER, "000000" if otp.at(clock.now) != "000000" else "111111")
        good = otp.at(clock.now + 30)  # the next step, inside the window
        with pytest.raises(RateLimited) as info:  # checked before the code is evaluated
            tf.verify(USER, good)
        assert info.value.retry_after == 1.0
        assert not isinstance(info.value, AccountLocked)
        with pytest.raises(RateLimited):  # backup codes share the throttle
            tf.use_backup_code(USER, codes[0])
        assert failures(tf) == 5  # rejected attempts are not counted
        clock.advance(1)
        tf.verify(USER, good)  # the step was not consumed while rate limited
        assert failures(tf) == 0
        for expected_wait in (1, 2, 2):  # 2**(n-5), capped at 2
            for _ in range(5 if expected_wait == 1 else 1):
                clock.advance(2)
                with pytest.raises(InvalidToken):
                    tf.use_backup_code(USER, "0000-0000-0000-0000")
            assert tf.status(USER).retry_after == expected_wait
        clock.advance(2)
        with pytest.raises(InvalidToken):
            tf.verify(USER, "000000" if otp.at(clock.now) != "000000" else "111111")
        assert failures(tf) == 8
        clock.advance(10**6)  # no amount of waiting lifts a lock
        with pytest.raises(AccountLocked):
            tf.verify(USER, otp.at(clock.now))
        assert tf.status(USER).locked
        events = [(e.event, e.outcome) for e in tf.audit(USER)]
        assert ("lockout", None) in events
        assert ("verify", "locked") in events
        tf.unlock(USER)
        assert tf.verify(USER, otp.at(clock.now))
        with pytest.raises(EnrollmentStateError):
            tf.unlock("nobody")


def test_unknown_users_fail_like_wrong_codes(tf: TwoFactor, clock: Clock) -> None:
    with pytest.raises(InvalidToken) as info:
        tf.verify("nobody", "123456")
    assert type(info.value) is InvalidToken
    with pytest.raises(MalformedToken):
        tf.verify("nobody", "12345")
    with pytest.raises(InvalidToken):
        tf.use_backup_code("nobody", "0000-0000-0000-0000")
    events = tf.audit("nobody")
    assert [e.outcome for e in events] == ["invalid", "malformed", "invalid"]
    assert [e.failures for e in events] == [1, 2, 3]  # throttled like a known user
    assert not tf.status("nobody").enrolled


def test_user_ids_are_checked(tf: TwoFactor) -> None:
    for bad in ["", "a\nb", "a\x00", "a\u202eb", "x" * 257]:
        with pytest.raises(InvalidParameter):
            tf.verify(bad, "123456")
        with pytest.raises(InvalidParameter):
            tf.enroll(bad)
    with pytest.raises(InvalidType):
        tf.verify(None, "123456")  # type: ignore[arg-type]  # the bad argument under test


# --- backup codes ---------------------------------------------------------------------------


def test_backup_codes_single_use_any_typing(tf: TwoFactor, clock: Clock) -> None:
    _, codes = enroll(tf, USER, clock.now)
    assert tf.use_backup_code(USER, codes[0].lower().replace("-", " ")).remaining == 9
    with pytest.raises(ReplayedToken):
        tf.use_backup_code(USER, codes[0])
    with pytest.raises(MalformedToken):
        tf.use_backup_code(USER, "not a code")
    with pytest.raises(InvalidType):
        tf.use_backup_code(USER, None)  # type: ignore[arg-type]  # the bad argument under test
    assert failures(tf) == 2
    assert tf.status(USER).backup_codes_remaining == 9


def test_regenerate_invalidates_all_old_codes(tf: TwoFactor, clock: Clock) -> None:
    _, old = enroll(tf, USER, clock.now)
    new = tf.regenerate_backup_codes(USER).reveal()
    assert not set(old) & set(new)
    for code in old[:3]:
        with pytest.raises(InvalidToken):
            tf.use_backup_code(USER, code)
    assert tf.use_backup_code(USER, new[5]).remaining == 9
    assert "backup_codes_regenerated" in [e.event for e in tf.audit(USER)]
    with pytest.raises(EnrollmentStateError):
        tf.regenerate_backup_codes("nobody")


# --- keys, tampering ------------------------------------------------------------------------


def test_wrong_key_fails_the_key_check(db: str, clock: Clock) -> None:
    make(db, clock).close()
    with pytest.raises(KeyringError, match="key check failed for key id 1"):
        make(db, clock, ring=KeyRing({1: bytes(32)}))


def test_retired_key_still_in_use_is_refused(db: str, clock: Clock) -> None:
    with make(db, clock) as tf:
        enroll(tf, USER, clock.now)
    ring2 = KeyRing({2: bytes(range(1, 33))})
    with pytest.raises(KeyringError, match=r"key ids \[1\]"):
        make(db, clock, ring=ring2)


def _swap(db: str, column: str, a: str, b: str) -> None:
    con = sqlite3.connect(db)
    with con:
        rows = dict(con.execute(f"SELECT user_id, {column} FROM credentials WHERE state='active'"))  # noqa: S608
        con.execute(f"UPDATE credentials SET {column}=? WHERE user_id=?", (rows[b], a))  # noqa: S608
        con.execute(f"UPDATE credentials SET {column}=? WHERE user_id=?", (rows[a], b))  # noqa: S608
    con.close()


def test_swapped_secrets_between_users_do_not_decrypt(db: str, clock: Clock) -> None:
    with make(db, clock) as tf:
        enroll(tf, "a", clock.now)
        enroll(tf, "b", clock.now)
    _swap(db, "secret", "a", "b")
    with make(db, clock) as tf:
        for user in "ab":
            with pytest.raises(DecryptionError):
                tf.verify(user, "123456")


def test_key_check_envelope_moved_into_a_credential(db: str, clock: Clock) -> None:
    with make(db, clock) as tf:
        enroll(tf, "a", clock.now)
    con = sqlite3.connect(db)
    with con:
        kcv = con.execute("SELECT envelope FROM key_checks").fetchone()[0]
        con.execute("UPDATE credentials SET secret = ?", (kcv,))
    con.close()
    with make(db, clock) as tf, pytest.raises(DecryptionError):
        tf.verify("a", "123456")


def test_flipped_bit_in_stored_secret(db: str, clock: Clock) -> None:
    with make(db, clock) as tf:
        enroll(tf, "a", clock.now)
    con = sqlite3.connect(db)
    with con:
        box = bytearray(con.execute("SELECT secret FROM credentials").fetchone()[0])
        box[-1] ^= 1
        con.execute("UPDATE credentials SET secret = ?", (bytes(box),))
    con.close()
    with make(db, clock) as tf, pytest.raises(DecryptionError):
        tf.verify("a", "123456")


def test_rotation_reencrypts_everything(db: str, clock: Clock) -> None:
    with make(db, clock) as tf:
        otps = {u: enroll(tf, u, clock.now)[0] for u in ("a", "b", "c")}
        tf.enroll("d")  # pending rows are rotated too
    ring = RING.with_key(2, bytes(range(5, 37)), activate=True)
    with make(db, clock, ring=ring) as tf:
        report = tf.rotate_keys(batch_size=2)
        assert (report.reencrypted, report.remaining, report.complete) == (4, {}, True)
        assert tf.rotate_keys().reencrypted == 0
        assert [e.count for e in tf.audit(None)] == [4, 0]
    with make(db, clock, ring=ring.without_key(1)) as tf:
        clock.advance(30)
        for user, otp in otps.items():
            tf.verify(user, otp.at(clock.now))
        with pytest.raises(InvalidParameter):
            tf.rotate_keys(batch_size=0)


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"digits": 5}, InvalidParameter),
        ({"digits": 9}, InvalidParameter),
        ({"digits": True}, InvalidType),
        ({"period": 14}, InvalidParameter),
        ({"period": 121}, InvalidParameter),
        ({"algorithm": "md5"}, InvalidParameter),
        ({"algorithm": "SHA-1"}, InvalidParameter),
        ({"window": 6}, InvalidParameter),
        ({"window": (0, 6)}, InvalidParameter),
        ({"window": (1, 2, 3)}, InvalidParameter),
        ({"secret_bytes": 15}, InvalidParameter),
        ({"secret_bytes": 65}, InvalidParameter),
        ({"max_drift": 11}, InvalidParameter),
        ({"max_failures": 0}, InvalidParameter),
        ({"max_failures": 101}, InvalidParameter),
        ({"backoff_after": 0}, InvalidParameter),
        ({"max_failures": 5, "backoff_after": 6}, InvalidParameter),
        ({"backoff_base": 0}, InvalidParameter),
        ({"backoff_base": 10, "backoff_max": 5}, InvalidParameter),
        ({"backup_codes": 0}, InvalidParameter),
        ({"backup_codes": 21}, InvalidParameter),
        ({"backup_scrypt": {"n": 1024}}, InvalidType),
        ({"enrollment_ttl": 59}, InvalidParameter),
        ({"allow_short_key": 1}, InvalidType),
    ],
)
def test_policy_is_validated_at_configuration(kwargs: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        Policy(**kwargs)


def test_policy_normalises() -> None:
    p = Policy(algorithm="sha256", window=(2, 2), digits=8, period=60)
    assert (p.algorithm, p.window) == ("SHA256", (2, 2))
    one_int = Policy(window=2)  # type: ignore[arg-type]  # an int is normalised at run time
    assert one_int.window == (2, 2)
    assert p.rule.delay(4) == 0
    assert p.rule.delay(5) == 1
    assert p.rule.delay(100) == 900


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"issuer": ""}, InvalidParameter),
        ({"issuer": "a:b"}, InvalidParameter),
        ({"issuer": "a\nb"}, InvalidParameter),
        ({"keyring": "1:abc"}, InvalidType),
        ({"policy": {"digits": 6}}, InvalidType),
        ({"clock": 5}, InvalidType),
    ],
)
def test_service_arguments(db: str, kwargs: dict[str, Any], error: type) -> None:
    args: dict[str, Any] = {"keyring": RING, "issuer": "MyApp", **kwargs}
    with pytest.raises(error):
        TwoFactor.open(db, **args)


def test_clock_may_return_aware_datetimes_and_bad_clocks_fail(db: str) -> None:
    when = datetime.fromtimestamp(T0, UTC)
    with TwoFactor.open(db, keyring=RING, issuer="A", clock=lambda: when) as tf:
        otp = TOTP(key=tf.enroll(USER).secret)
        tf.confirm(USER, otp.at(when))
    with pytest.raises(InvalidParameter):
        TwoFactor.open(db, keyring=RING, issuer="A", clock=lambda: datetime(2020, 1, 1))


def test_audit_limit_and_order(tf: TwoFactor, clock: Clock) -> None:
    enroll(tf, USER, clock.now)
    events = tf.audit(USER)
    assert [e.event for e in events] == ["enroll", "confirm", "backup_codes_generated"]
    assert tf.audit(USER, limit=1)[0].event == "backup_codes_generated"
    assert events[0].when == datetime.fromtimestamp(T0, UTC)
    with pytest.raises(InvalidParameter):
        tf.audit(USER, limit=0)


def test_repr_shows_configuration_only(tf: TwoFactor) -> None:
    assert repr(tf).startswith("TwoFactor(issuer='MyApp', keyring=KeyRing(key_ids=[1], active=1)")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_importing_the_service_does_not_import_cryptography() -> None:
    out = _run(
        "import sys, rfc6238.service, rfc6238.service.sqlite_store;"
        "import rfc6238.service.keyring, rfc6238.service.envelope;"
        "print('cryptography' in sys.modules)"
    )
    assert out.stdout.strip() == "False", out.stderr


def test_open_without_the_storage_extra_says_how_to_install(tmp_path: Path) -> None:
    out = _run(
        "import sys; sys.modules['cryptography'] = None\n"
        "from rfc6238.service import TwoFactor\nfrom rfc6238.service.keyring import KeyRing\n"
        "from rfc6238.errors import MissingDependency\n"
        f"try: TwoFactor.open({str(tmp_path / 'x.db')!r}, keyring=KeyRing.generate(), issuer='A')\n"
        "except MissingDependency as e: print(e.extra, e)"
    )
    assert out.stdout.startswith("storage "), out.stderr
    assert "pip install 'rfc6238[storage]'" in out.stdout, out.stderr
    assert not (tmp_path / "x.db").exists()


def test_fast_scrypt_helper_is_what_tests_use() -> None:
    assert policy().backup_scrypt == ScryptParams(n=1024)


# --- HOTP credentials (RFC 4226) ------------------------------------------------------------


def test_hotp_enrollment_counter_claims_and_look_ahead(db: str, clock: Clock) -> None:
    from rfc6238 import HOTP

    with make(db, clock, type="hotp", look_ahead=3) as tf:
        pending = tf.enroll(USER)
        assert pending.type == "hotp"
        parsed = parse_uri(pending.reveal_uri())
        assert (parsed.type, parsed.counter, parsed.period) == ("hotp", 0, None)
        device = HOTP(key=pending.secret)
        tf.confirm(USER, device.at(1))  # the app pressed twice: look-ahead finds counter 1
        with pytest.raises(InvalidToken):  # counter 1 is used; 0 is behind
            tf.verify(USER, device.at(0))
        assert tf.verify(USER, device.at(2)).step == 2
        assert tf.verify(USER, device.at(5)).offset == 2  # expected 3, matched 5
        with pytest.raises(InvalidToken):  # 10 is beyond 6 + look_ahead 3
            tf.verify(USER, device.at(10))
        assert tf.verify(USER, device.at(9)).step == 9
        events = [(e.factor, e.outcome) for e in tf.audit(USER) if e.event == "verify"]
        assert ("hotp", "ok") in events
        assert ("hotp", "invalid") in events


def test_hotp_policy_bounds() -> None:
    with pytest.raises(InvalidParameter):
        Policy(type="motp")  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(InvalidParameter):
        Policy(look_ahead=51)


def test_secret_holders_refuse_pickling(tf: TwoFactor, clock: Clock) -> None:
    import pickle

    pending = tf.enroll(USER)
    codes = tf.confirm(USER, TOTP(key=pending.secret).at(clock.now))
    for value in (pending, codes):
        with pytest.raises(InvalidType):
            pickle.dumps(value)


class _Recording:
    """A store that records which methods the service calls (and forwards them)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


def test_unknown_users_do_the_same_work(db: str, clock: Clock, monkeypatch: Any) -> None:
    from rfc6238.service import backup
    from rfc6238.service.sqlite_store import SQLiteStore

    store = _Recording(SQLiteStore(db))
    tf = TwoFactor(store, keyring=RING, issuer="MyApp", clock=clock, policy=policy())
    otp, _ = enroll(tf, USER, clock.now)
    wrong = f"{(int(otp.at(clock.now)) + 1) % 10**6:06d}"
    hashes: list[int] = []
    derive = backup.ScryptParams.derive

    def counting(self: backup.ScryptParams, canonical: str, salt: bytes) -> bytes:
        hashes.append(1)
        return derive(self, canonical, salt)

    monkeypatch.setattr(backup.ScryptParams, "derive", counting)
    runs = {}
    for user in (USER, "nobody"):
        store.calls.clear()
        hashes.clear()
        for call, token in ((tf.verify, wrong), (tf.verify, "12345"),
                            (tf.use_backup_code, "0000-0000-0000-0000")):  # fmt: skip
            with pytest.raises(InvalidToken):
                call(user, token)
        runs[user] = (list(store.calls), len(hashes))
    assert runs[USER][1] == runs["nobody"][1] == 10  # a full set of scrypt hashes each
    known = [c for c in runs[USER][0] if c != "load_backup_codes"]  # unknown: nothing to load
    assert known == runs["nobody"][0]
    assert runs["nobody"][0].count("reserve_attempt") == 3
    assert runs["nobody"][0].count("append_audit") == 3
