"""Tests of the key ring: 32-byte keys only, one active key, env and file formats, no leaks."""

from __future__ import annotations

import base64
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from rfc6238.errors import InvalidType, KeyringError
from rfc6238.service.keyring import KeyRing

K1, K2 = bytes(range(32)), bytes(range(100, 132))
B1, B2 = base64.b64encode(K1).decode(), base64.b64encode(K2).decode()


def test_single_key_is_active() -> None:
    ring = KeyRing({5: K1})
    assert ring.active == 5
    assert ring.key_ids == (5,)


def test_parse_marks_active_and_accepts_urlsafe_unpadded() -> None:
    urlsafe = base64.urlsafe_b64encode(K2).decode().rstrip("=")
    ring = KeyRing.parse(f"1:{B1}, *2:{urlsafe}")
    assert ring.active == 2
    assert ring.key_ids == (1, 2)
    assert KeyRing.parse(ring.reveal_spec()).reveal_spec() == ring.reveal_spec()


def test_from_env_and_missing_variable() -> None:
    assert KeyRing.from_env("K", environ={"K": f"*7:{B1}"}).active == 7
    with pytest.raises(KeyringError, match="RFC6238_KEYS"):
        KeyRing.from_env(environ={})


def test_from_env_reads_os_environ() -> None:
    code = "from rfc6238.service.keyring import KeyRing; print(KeyRing.from_env().active)"
    env = {**os.environ, "RFC6238_KEYS": f"3:{B1}"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "3"


def test_from_file_with_comments_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"# rotated 2026-01\n1:{B1}\n*2:{B2}  # current\n")
    path.chmod(0o600)
    assert KeyRing.from_file(path).active == 2
    path.chmod(0o644)
    with pytest.raises(KeyringError, match="group or others"):
        KeyRing.from_file(path)
    assert KeyRing.from_file(path, allow_shared_file=True).active == 2


def test_from_file_missing_and_not_ascii(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="cannot read"):
        KeyRing.from_file(tmp_path / "nope")
    bad = tmp_path / "bad"
    bad.write_bytes(b"1:\xff\n")
    bad.chmod(0o600)
    with pytest.raises(KeyringError, match="cannot read"):
        KeyRing.from_file(bad)


@pytest.mark.parametrize("size", [16, 24, 31, 33, 64, 0])
def test_wrong_key_sizes_are_refused(size: int) -> None:
    with pytest.raises(KeyringError, match="exactly 32 bytes"):
        KeyRing({1: bytes(size)})
    encoded = base64.b64encode(bytes(size)).decode()
    with pytest.raises(KeyringError):
        KeyRing.parse(f"1:{encoded}")


@pytest.mark.parametrize("key", ["x" * 32, 12345, None])
def test_non_bytes_keys_are_refused(key: object) -> None:
    with pytest.raises(InvalidType):
        KeyRing({1: key})  # type: ignore[dict-item]  # the bad argument under test


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "at least one key"),
        (f"{B1}", "id:base64"),
        (f"x:{B1}", "id:base64"),
        (f"0:{B1}", "between 1 and"),
        (f"4294967296:{B1}", "between 1 and"),
        (f"1:{B1},1:{B2}", "twice"),
        (f"*1:{B1},*2:{B2}", "only one key"),
        (f"1:{B1},2:{B2}", "name the active key"),
        ("1:not base64!", "not valid base64"),
        ("1:\u00e9", "ASCII"),
    ],
)
def test_parse_errors(spec: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message) as info:
        KeyRing.parse(spec)
    assert B1 not in str(info.value)
    assert B2 not in str(info.value)


def test_parse_rejects_non_str_and_huge() -> None:
    with pytest.raises(InvalidType):
        KeyRing.parse(b"1:abc")  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(KeyringError):
        KeyRing.parse("1:" + "A" * 70000)


def test_constructor_checks() -> None:
    with pytest.raises(InvalidType):
        KeyRing([K1])  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(KeyringError, match="not in the ring"):
        KeyRing({1: K1}, active=2)
    with pytest.raises(InvalidType):
        KeyRing({True: K1})


def test_rotation_helpers() -> None:
    ring = KeyRing({1: K1}).with_key(2, K2)
    assert ring.active == 1
    assert ring.key_ids == (1, 2)
    ring = ring.with_active(2)
    assert ring.active == 2
    assert ring.without_key(1).key_ids == (2,)
    with pytest.raises(KeyringError, match="active key cannot"):
        ring.without_key(2)
    with pytest.raises(KeyringError, match="never reused"):
        ring.with_key(1, K2)
    assert KeyRing({1: K1}).with_key(9, K2, activate=True).active == 9


def test_unknown_key_id_for_aead() -> None:
    with pytest.raises(KeyringError, match="not in the key ring"):
        KeyRing({1: K1}).aead(2)


def test_key_material_never_shows() -> None:
    ring = KeyRing({1: K1, 2: K2}, active=2)
    text = repr(ring) + str(ring) + f"{ring}"
    for secret in (B1, B2, K1.hex(), K2.hex(), repr(K1)):
        assert secret not in text
    with pytest.raises(InvalidType):
        pickle.dumps(ring)
