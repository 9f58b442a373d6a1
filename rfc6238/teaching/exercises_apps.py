"""The graders of notebooks 07-10's exercises (backup codes, storage, conformance, attacks).

Same shape as :mod:`rfc6238.teaching.exercises`: each ``check_*`` takes the learner's
function and returns a :class:`~rfc6238.teaching.grading.Grade`.

>>> check_recover_plaintext(lambda c1, c2, p1: bytes(a ^ b ^ c for a, b, c in zip(c1, c2, p1))).ok
True
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from .grading import Grade, grade, grade_against

__all__ = [
    "check_base32_decode",
    "check_constant_time_equal",
    "check_length_prefixed",
    "check_normalize",
    "check_recover_plaintext",
    "check_replay_rule",
    "check_totp",
    "check_verify_totp",
]

Fn = Callable[..., Any]


# 07 · backup codes -----------------------------------------------------------------------
def check_normalize(my_normalize: Fn) -> Grade:
    """``my_normalize(text) -> 16 characters`` (raise for anything the library refuses)."""
    from ..service.backup import normalize_backup_code

    typed = [
        "K7FQ-3M9X-T2VR-8HPW",
        "k7fq 3m9x t2vr 8hpw",
        "K7FQ3M9XT2VR8HPW",
        "O1IL-2345-6789-ABCD",
        "o1il-2345 6789-abcd",
        "\u01311IL-2345-6789-ABCD",
        "\uff10\uff11\uff12\uff13-4567-89AB-CDEF",
        "U123-4567-89AB-CDEF",
        "K7FQ-3M9X-T2VR-8HP",
        "K7FQ-3M9X-T2VR-8HPW-EXTRA",
        "",
        "K7FQ_3M9X_T2VR_8HPW",
        "x" * 100,
    ]
    return grade_against(
        my_normalize,
        [(ascii(t)[:40], (t,)) for t in typed],
        reference=normalize_backup_code,
        title="my_normalize against rfc6238.service.backup.normalize_backup_code",
    )


def check_base32_decode(my_base32_decode: Fn) -> Grade:
    """``my_base32_decode(text) -> bytes`` (RFC 4648 §6, lenient mode), on vectors/base32."""
    return grade(
        "base32_decode",
        my_base32_decode,
        groups=["base32"],
        title="my_base32_decode on vectors/base32 (decodes, and refuses bad text)",
    )


# 08 · encrypted storage ------------------------------------------------------------------
def check_length_prefixed(my_length_prefixed: Fn) -> Grade:
    """``my_length_prefixed(fields) -> bytes``: each field as 4-byte big-endian length + bytes."""
    from ..service.envelope import Binding, associated_data

    bindings = [
        Binding(user_id="alice@example.com", credential_id="cred-1"),
        Binding(user_id="12", credential_id="3:x"),
        Binding(user_id="12:3", credential_id="x"),
        Binding(user_id="é", credential_id="", column="backup_secret"),
    ]
    inputs, expected = [], []
    for b in bindings:
        fields = [
            b"rfc6238/envelope",
            b"\x01",
            (1).to_bytes(4, "big"),
            b.purpose.encode(),
            b.table.encode(),
            b.column.encode(),
            b.user_id.encode(),
            b.credential_id.encode(),
        ]
        inputs.append((f"the fields of {b.user_id!r} / {b.credential_id!r}", (fields,)))
        expected.append(associated_data(b, key_id=1))
    return grade_against(
        my_length_prefixed,
        inputs,
        expected=expected,
        title="my_length_prefixed against the envelope's associated data",
    )


def check_recover_plaintext(my_recover: Fn) -> Grade:
    """``my_recover(c1, c2, p1) -> p2`` for two ciphertexts under one key and nonce."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead, nonce = AESGCM(bytes(range(32))), bytes(12)
    pairs = [
        (b"attacker's own text!", b"bob's 20-byte secret"),
        (b"A" * 32, bytes(range(32))),
        (b"short", b"other"),
    ]
    inputs = [
        (
            f"{len(p2)}-byte plaintexts",
            (aead.encrypt(nonce, p1, None)[:-16], aead.encrypt(nonce, p2, None)[:-16], p1),
        )
        for p1, p2 in pairs
    ]
    return grade_against(
        my_recover,
        inputs,
        expected=[p2 for _, p2 in pairs],
        title="my_recover on ciphertexts that reuse one AES-GCM nonce",
    )


# 09 · conformance ------------------------------------------------------------------------
def check_totp(my_totp: Fn) -> Grade:
    """``my_totp(key, time, *, period, t0, digits, algorithm) -> str`` on every totp case."""
    return grade("totp", my_totp, title="my_totp on every totp case (valid ones and bad input)")


def check_verify_totp(my_verify_totp: Fn) -> Grade:
    """``my_verify_totp(key, token, time, *, window, digits, ...)`` on vectors/tokens."""
    return grade(
        "verify_totp",
        my_verify_totp,
        groups=["tokens"],
        title="my_verify_totp on vectors/tokens (only exactly-digits ASCII tokens)",
    )


# 10 · attacks ----------------------------------------------------------------------------
class _Counted(bytes):
    """Bytes that count how many of their elements Python code reads."""

    reads = 0

    def __iter__(self):  # type: ignore[no-untyped-def]  # bytes' own signature, kept
        for b in super().__iter__():
            type(self).reads += 1
            yield b

    def __getitem__(self, index):  # type: ignore[no-untyped-def]  # bytes' overloads, kept
        type(self).reads += 1 if isinstance(index, int) else len(range(*index.indices(len(self))))
        return super().__getitem__(index)


def _reads(my_equal: Fn, a: bytes, b: bytes) -> int:
    _Counted.reads = 0
    my_equal(_Counted(a), _Counted(b))
    return _Counted.reads


def check_constant_time_equal(my_equal: Fn) -> Grade:
    """``my_equal(a, b) -> bool``: right answers, and every byte read wherever they differ."""
    stored = bytes(range(16))
    first, last = bytes([1]) + stored[1:], stored[:-1] + bytes([0])
    inputs = [
        ("equal", (stored, stored)),
        ("first byte differs", (stored, first)),
        ("last byte differs", (stored, last)),
        ("different lengths", (stored, stored[:8])),
        ("both empty", (b"", b"")),
    ]
    answers = grade_against(
        my_equal,
        inputs,
        reference=hmac.compare_digest,
        title="my_equal against hmac.compare_digest",
    )
    if not answers.ok:
        return answers
    work = [
        ("reads of both values when the first byte differs", (stored, first)),
        ("reads of both values when the last byte differs", (stored, last)),
    ]
    return grade_against(
        lambda a, b: _reads(my_equal, a, b),
        work,
        expected=[32, 32],
        title="my_equal reads every byte of both values (no early exit)",
    )


def _replay_rule(matches: list[int], last_step: int, current: int) -> int:
    fresh = [step for step in matches if step > last_step]
    if not fresh:
        raise ValueError("no step in the window is newer than the last accepted one")
    return min(fresh, key=lambda s: (abs(s - current), s))


def check_replay_rule(my_accept: Fn) -> Grade:
    """``my_accept(matches, last_step, current) -> step`` (raise when every match is used)."""
    inputs = [
        ("one match, never used", ([100], -1, 100)),
        ("one match, already used", ([100], 100, 100)),
        ("one match, older than the last used", ([99], 100, 101)),
        ("the next step after the last used", ([101], 100, 101)),
        ("two matches, the older one used", ([99, 101], 99, 100)),
        ("two matches, both fresh: the nearer", ([99, 100], 50, 100)),
        ("two fresh at equal distance: the older", ([99, 101], 50, 100)),
        ("no match at all", ([], 50, 100)),
    ]
    return grade_against(my_accept, inputs, reference=_replay_rule,
                         title="my_accept against the RFC 6238 §5.2 replay rule")  # fmt: skip
