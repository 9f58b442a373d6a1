"""Tests of the AES-256-GCM envelope: layout, associated data, and every way to break it.

Swapped between users, moved to another credential or column, a flipped bit anywhere, a
wrong key, an unknown key id, a truncated or re-versioned envelope: each is the right
typed error and nothing is decrypted.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rfc6238.errors import DecryptionError, InvalidType, KeyringError
from rfc6238.service.envelope import (
    HEADER_BYTES,
    Binding,
    associated_data,
    envelope_key_id,
    open_envelope,
    seal,
)
from rfc6238.service.keyring import KeyRing

RING = KeyRing({1: bytes(range(32)), 2: bytes(range(1, 33))}, active=1)
SECRET = b"12345678901234567890"
ALICE = Binding(user_id="alice", credential_id="c-alice")


def test_layout_and_independent_decryption() -> None:
    box = seal(RING, SECRET, ALICE)
    assert box[0] == 1
    assert int.from_bytes(box[1:5], "big") == 1
    assert len(box) == HEADER_BYTES + len(SECRET) + 16
    ad = associated_data(ALICE, key_id=1)
    assert AESGCM(bytes(range(32))).decrypt(box[5:17], box[17:], ad) == SECRET
    assert open_envelope(RING, box, ALICE) == SECRET
    assert seal(RING, SECRET, ALICE) != box  # random nonce


def test_associated_data_is_length_prefixed_and_unambiguous() -> None:
    a = associated_data(Binding(user_id="12", credential_id="3:x"), key_id=1)
    b = associated_data(Binding(user_id="12:3", credential_id="x"), key_id=1)
    assert a != b
    assert a.startswith(b"\x00\x00\x00\x10rfc6238/envelope\x00\x00\x00\x01\x01")


@pytest.mark.parametrize(
    "other",
    [
        Binding(user_id="bob", credential_id="c-alice"),
        Binding(user_id="alice", credential_id="c-bob"),
        Binding(user_id="alice", credential_id="c-alice", column="other"),
        Binding(user_id="alice", credential_id="c-alice", table="elsewhere"),
        Binding(user_id="alice", credential_id="c-alice", purpose="key-check"),
        Binding(user_id="alic", credential_id="ec-alice"),
    ],
)
def test_moved_ciphertexts_do_not_open(other: Binding) -> None:
    box = seal(RING, SECRET, ALICE)
    with pytest.raises(DecryptionError, match="failed authentication"):
        open_envelope(RING, box, other)


def test_swapped_between_users() -> None:
    bob = Binding(user_id="bob", credential_id="c-bob")
    a, b = seal(RING, SECRET, ALICE), seal(RING, b"b" * 20, bob)
    with pytest.raises(DecryptionError):
        open_envelope(RING, b, ALICE)
    with pytest.raises(DecryptionError):
        open_envelope(RING, a, bob)


def test_every_flipped_bit_is_detected() -> None:
    box = seal(RING, SECRET, ALICE)
    for index in range(len(box)):
        for bit in (0x01, 0x80):
            bad = bytearray(box)
            bad[index] ^= bit
            with pytest.raises((DecryptionError, KeyringError)):
                open_envelope(RING, bytes(bad), ALICE)


def test_header_key_id_edited_to_another_known_key() -> None:
    box = seal(RING, SECRET, ALICE)
    edited = box[:1] + (2).to_bytes(4, "big") + box[5:]
    with pytest.raises(DecryptionError):
        open_envelope(RING, edited, ALICE)


def test_wrong_key_with_same_id() -> None:
    box = seal(RING, SECRET, ALICE)
    other = KeyRing({1: bytes(32)})
    with pytest.raises(DecryptionError, match="failed authentication") as info:
        open_envelope(other, box, ALICE)
    assert SECRET.decode() not in str(info.value)


def test_unknown_key_id() -> None:
    box = seal(KeyRing({7: bytes(32)}), SECRET, ALICE)
    with pytest.raises(KeyringError, match="key id 7"):
        open_envelope(RING, box, ALICE)


def test_sixteen_byte_key_cannot_even_make_a_ring() -> None:
    with pytest.raises(KeyringError, match="exactly 32 bytes"):
        KeyRing({1: bytes(16)})


@pytest.mark.parametrize(
    "box",
    [b"", b"\x01", b"\x01" + bytes(31), bytes(5000), "text", None],
)
def test_malformed_envelopes(box: object) -> None:
    with pytest.raises(DecryptionError, match="malformed"):
        open_envelope(RING, box, ALICE)  # type: ignore[arg-type]  # the bad argument under test


def test_unsupported_version() -> None:
    box = seal(RING, SECRET, ALICE)
    with pytest.raises(DecryptionError, match="version 2"):
        open_envelope(RING, b"\x02" + box[1:], ALICE)
    assert envelope_key_id(box) == 1


def test_seal_with_named_key_and_type_checks() -> None:
    box = seal(RING, SECRET, ALICE, key_id=2)
    assert envelope_key_id(box) == 2
    assert open_envelope(RING, box, ALICE) == SECRET
    with pytest.raises(InvalidType):
        seal(RING, "text", ALICE)  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(InvalidType):
        Binding(user_id=1, credential_id="c")  # type: ignore[arg-type]  # the bad argument under test
