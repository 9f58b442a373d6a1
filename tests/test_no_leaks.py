"""Secrets, codes, backup codes, URIs and keys never appear in logs, audit rows, reprs,
exception messages, or the database file (service part; RFC 4226 §7.5).

A full lifecycle runs with every outcome (success, wrong, malformed, replay, rate limited,
locked, unknown user, tampered row, wrong key); everything it printed, logged, returned,
raised or stored is then searched for every sensitive value.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from pathlib import Path
from typing import Any

import pytest
from service_workers import Clock, policy

from rfc6238 import TOTP
from rfc6238.service import TwoFactor
from rfc6238.service.keyring import KeyRing

SECRET = b"\x8f\x01secret-bytes-0123456"
KEYS = {1: bytes(range(32)), 2: bytes(range(64, 96))}


def _record(sink: list[str], value: object) -> None:
    sink.append(repr(value))
    sink.append(str(value))
    if isinstance(value, BaseException):
        sink.extend(str(a) for a in value.args)
        sink.append("".join(traceback.format_exception(value)))
    elif isinstance(value, list | tuple):
        for item in value:
            _record(sink, item)


def _call(sink: list[str], fn: Any, *args: Any) -> Any:
    try:
        result = fn(*args)
    except Exception as err:
        _record(sink, err)
        return None
    _record(sink, result)
    return result


def test_nothing_sensitive_escapes(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    path = str(tmp_path / "leak.db")
    ring = KeyRing(KEYS, active=1)
    clock = Clock()
    sink: list[str] = []
    tf = TwoFactor.open(path, keyring=ring, issuer="Leak", clock=clock,
                        policy=policy(max_failures=12))  # fmt: skip
    _record(sink, tf)
    _record(sink, ring)
    pending = tf.enroll("alice", secret=SECRET)
    _record(sink, pending)
    uri = pending.reveal_uri()
    otp = TOTP(key=pending.secret)
    submitted = [otp.at(clock.now)]
    codes = tf.confirm("alice", submitted[0])
    _record(sink, codes)
    backup = list(codes.reveal())
    clock.advance(30)
    for token in (
        otp.at(clock.now),
        otp.at(clock.now),
        "918273",
        "12345",
        "\uff11\uff12\uff13\uff14\uff15\uff16",
    ):
        submitted.append(token)
        _call(sink, tf.verify, "alice", token)
    for code in (backup[0], backup[0], backup[1].lower(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "bad"):
        _call(sink, tf.use_backup_code, "alice", code)
    for _ in range(4):  # the last of these is rate limited
        _call(sink, tf.verify, "alice", "564738")
    for _ in range(8):
        clock.advance(1000)
        _call(sink, tf.verify, "alice", "564738")
    clock.advance(10**6)
    submitted.append(otp.at(clock.now))
    _call(sink, tf.verify, "alice", submitted[-1])  # locked
    _call(sink, tf.verify, "nobody", submitted[-1])
    _call(sink, tf.status, "alice")
    _call(sink, tf.unlock, "alice")
    new = _call(sink, tf.regenerate_backup_codes, "alice")
    backup += list(new.reveal())
    re = tf.reenroll("alice")
    _record(sink, re)
    uris = [uri, re.reveal_uri()]
    secrets = [SECRET, re.secret.reveal()]
    _call(sink, tf.rotate_keys)
    _call(sink, tf.audit, "alice")
    _call(sink, tf.audit, None)
    tf.close()
    # A wrong key and a tampered row produce errors: their messages are searched too.
    wrong = KeyRing({1: bytes(32), 2: KEYS[2]}, active=2)
    _call(sink, lambda: TwoFactor.open(path, keyring=wrong, issuer="Leak"))
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE credentials SET secret = substr(secret, 1, 40)")
    audit_rows = con.execute("SELECT * FROM audit_log").fetchall()
    con.close()
    tf = TwoFactor.open(path, keyring=ring.with_active(2), issuer="Leak", clock=clock)
    _call(sink, tf.verify, "alice", "123456")
    tf.close()

    seen = "\n".join(sink)
    for kind in ("ReplayedToken", "MalformedToken", "RateLimited", "AccountLocked",
                 "KeyringError", "DecryptionError", "InvalidToken", "BackupCodes("):  # fmt: skip
        assert kind in seen, f"the run never produced {kind}"
    captured = capsys.readouterr()
    haystacks = {
        "reprs, str and exceptions": "\n".join(sink),
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "stdout/stderr": captured.out + captured.err,
        "audit rows": "\n".join(map(repr, audit_rows)),
    }
    needles: dict[str, str] = {}
    for i, secret in enumerate(secrets):
        needles[f"secret {i} hex"] = secret.hex()
        needles[f"secret {i} repr"] = repr(secret)[2:-1]
        needles[f"secret {i} base32"] = TOTP(key=secret).key.reveal_base32()  # type: ignore[union-attr]  # key is a Secret here
    needles.update({f"uri {i}": u for i, u in enumerate(uris)})
    for i, code in enumerate(backup):
        needles[f"backup {i}"] = code
        needles[f"backup {i} canonical"] = code.replace("-", "")
    needles.update({f"submitted code {i}": c for i, c in enumerate(submitted)})
    for key_id, key in KEYS.items():
        needles[f"key {key_id} hex"] = key.hex()
        needles[f"key {key_id} spec"] = ring.reveal_spec().split(",")[key_id - 1].split(":")[1]
    for where, text in haystacks.items():
        for name, needle in needles.items():
            assert needle not in text, f"{name} found in {where}"

    # At rest: neither the secrets nor the backup codes are in the database files.
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("leak.db"))
    for i, secret in enumerate(secrets):
        assert secret not in raw, f"secret {i} stored in clear"
        assert needles[f"secret {i} base32"].encode() not in raw
    for code in backup:
        assert code.encode() not in raw
        assert code.replace("-", "").encode() not in raw
    for u in uris:
        assert u.encode() not in raw
