"""vectors/hotp_edges.json: HOTP edge cases (counters, keys, digits)."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc6238

from ._base import ALGS, BLOCK, SEED20, SEEDS
from .filebuilder import FileBuilder, edge_case, self_made_source, trace_fields
from .oracles import check_hotp_oracles


def derived_key(n: int, label: str = "key") -> bytes:
    """A deterministic n-byte test key: SHAKE-256 of 'rfc6238 vectors <label> <n>'."""
    return hashlib.shake_256(f"rfc6238 vectors {label} {n}".encode()).digest(n)


def hotp_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    key: bytes,
    counter: int,
    digits: int,
    alg: str,
) -> dict[str, Any]:
    code = rfc6238.hotp(key, counter, digits=digits, algorithm=alg)
    case = edge_case(
        fb,
        tests,
        comment,
        flags,
        key,
        counter=counter,
        digits=digits,
        algorithm=alg,
        **trace_fields(key, counter, digits, alg),
        code=code,
    )
    return check_hotp_oracles(key, counter, digits, alg, code).dump(case)


COUNTERS = [
    0,
    1,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**53 - 1,
    2**53,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64 - 2,
    2**64 - 1,
]


def build_hotp_edges() -> dict[str, Any]:
    fb = FileBuilder(
        "hotp_edges",
        "Self-made HOTP edge vectors: every truncation offset 0-15, keys of 1 to 256 bytes "
        "(across the 64- and 128-byte HMAC block sizes), counters at the 32/53/63/64-bit "
        "limits, digits 6-10 and codes with leading zeros. Each case carries the HMAC, the "
        "offset and the 31-bit truncated value.",
        self_made_source(
            "Inputs chosen by the script (fixed lists; first counters found by a search from "
            "0; keys = SHAKE-256('rfc6238 vectors key <n>') truncated to n bytes).",
            ["RFC 4226 §5.1-§5.3", "RFC 2104 §2 (keys longer than the block are hashed)"],
        ),
    )
    fb.note(
        TruncationOffset="The first counter (from 0, RFC seed of the algorithm) whose HMAC "
        "ends in this low nibble; offsets 0-15 each appear once per algorithm.",
        TopBitMasked="The byte at the offset has its top bit set: the 0x7f mask matters.",
        KeyLength="Key length sweep 1-256 bytes (key = SHAKE-256 of a label).",
        ShortKey="Key shorter than 16 bytes: the one-shot hotp computes it; verification and "
        "OTP objects need allow_short_key.",
        KeyIsBlockSize="Key exactly the hash block size (64 for SHA1/SHA256, 128 for SHA512).",
        KeyLongerThanBlock="Key longer than the block size: HMAC hashes it first (RFC 2104).",
        LargeCounter="Counter at a 31/32/53/63/64-bit boundary (exact integer arithmetic; JSON "
        "readers must keep integers above 2**53 exact).",
        BeyondRFCDigits="9 or 10 digits: beyond RFC 4226 (biased; a 10-digit code starts "
        "with 0, 1 or 2). cryptography, oath (dec6-8) and oathtool refuse them.",
        LeadingZeros="The code starts with one or more zeros; it must be zero-padded.",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
    )
    tests = fb.group("hotp", "Every truncation offset 0-15 per algorithm (6 digits).")
    for alg in ALGS:
        found: dict[int, int] = {}
        counter = 0
        while len(found) < 16:
            t = rfc6238.trace_hotp(SEEDS[alg], counter, algorithm=alg)
            found.setdefault(t.offset, counter)
            counter += 1
        for offset in range(16):
            c = found[offset]
            t = rfc6238.trace_hotp(SEEDS[alg], c, algorithm=alg)
            flags = ["TruncationOffset"] + (["TopBitMasked"] if t.window[0] & 0x80 else [])
            hotp_case(
                fb, tests, f"{alg} offset {offset}: first counter {c}", flags, SEEDS[alg], c, 6, alg
            )
    tests = fb.group("hotp", "Key lengths 1-256 bytes per algorithm, counter = length.")
    for alg in ALGS:
        for n in range(1, 257):
            flags = ["KeyLength"]
            if n < 16:
                flags.append("ShortKey")
            if n == BLOCK[alg]:
                flags.append("KeyIsBlockSize")
            if n > BLOCK[alg]:
                flags.append("KeyLongerThanBlock")
            hotp_case(fb, tests, f"{alg} {n}-byte key", flags, derived_key(n), n, 6, alg)
    tests = fb.group("hotp", "Counters at integer-width limits, digits 6-10, RFC seeds.")
    for counter in COUNTERS:
        for alg in ALGS:
            for digits in range(6, 11):
                flags = ["LargeCounter"] if counter > 1 else []
                hotp_case(
                    fb,
                    tests,
                    f"{alg} counter {counter}, {digits} digits",
                    flags,
                    SEEDS[alg],
                    counter,
                    digits,
                    alg,
                )
    tests = fb.group("hotp", "Codes with leading zeros (first counter from 0, SHA1 seed).")
    for digits, zeros in [
        (6, 1),
        (6, 2),
        (6, 3),
        (6, 4),
        (7, 2),
        (8, 1),
        (8, 2),
        (8, 3),
        (9, 2),
        (10, 1),
        (10, 2),
        (10, 3),
    ]:
        counter = 0
        while not rfc6238.hotp(SEED20, counter, digits=digits).startswith("0" * zeros):
            counter += 1
        hotp_case(
            fb,
            tests,
            f"{digits} digits, {zeros} leading zero(s): counter {counter}",
            ["LeadingZeros"],
            SEED20,
            counter,
            digits,
            "SHA1",
        )
    return fb.document()
