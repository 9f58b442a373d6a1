"""vectors/rfc4226.json: RFC 4226 Appendix D transcribed and checked."""

from __future__ import annotations

from typing import Any

import rfc6238

from ._base import SEED20
from .filebuilder import FileBuilder, _expect, rfc_case, trace_fields
from .oracles import ORACLE_NAMES, check_hotp_oracles, oracle_versions

#: RFC 4226 Appendix D, Table 1 and Table 2, exactly as printed (truncated hex without
#: leading zeros, as the RFC prints it).
RFC4226_TABLE = [
    (0, "cc93cf18508d94934c64b65d8ba7667fb7cde4b0", "4c93cf18", 1284755224, "755224"),
    (1, "75a48a19d4cbe100644e8ac1397eea747a2d33ab", "41397eea", 1094287082, "287082"),
    (2, "0bacb7fa082fef30782211938bc1c5e70416ff44", "82fef30", 137359152, "359152"),
    (3, "66c28227d03a2d5529262ff016a1e6ef76557ece", "66ef7655", 1726969429, "969429"),
    (4, "a904c900a64b35909874b33e61c5938a8e15ed1c", "61c5938a", 1640338314, "338314"),
    (5, "a37e783d7b7233c083d4f62926c7a25f238d0316", "33c083d4", 868254676, "254676"),
    (6, "bc9cd28561042c83f219324d3c607256c03272ae", "7256c032", 1918287922, "287922"),
    (7, "a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", "4e5b397", 82162583, "162583"),
    (8, "1b3c89f65e6c9e883012052823443f048b4332db", "2823443f", 673399871, "399871"),
    (9, "1637409809a679dc698207310c8c7fc07290d9e5", "2679dc69", 645520489, "520489"),
]


def build_rfc4226() -> dict[str, Any]:
    fb = FileBuilder(
        "rfc4226",
        "RFC 4226 Appendix D (HOTP test values with the HMAC and truncated intermediates) "
        "and the §5.4 truncation example.",
        {
            "kind": "rfc",
            "references": [
                "RFC 4226 Appendix D, Tables 1 and 2 (https://www.rfc-editor.org/rfc/rfc4226)",
                "RFC 4226 §5.4 (example of HOTP computation for Digit = 6)",
            ],
            "description": "Values transcribed from the RFC text; truncated_hex is printed as "
            "the RFC prints it (no leading zeros).",
            "verification": "The transcription is checked against rfc6238 and recomputed by "
            "every oracle; verified_by lists those that agreed.",
            "oracles": ORACLE_NAMES,
            "oracle_versions": oracle_versions(),
        },
    )
    fb.note(
        RFC4226AppendixD="RFC 4226 Appendix D: secret '12345678901234567890', counters 0-9.",
        RFC4226Section5_4="RFC 4226 §5.4: truncation of a given HMAC-SHA-1 value.",
    )
    tests = fb.group("hotp", "HOTP-SHA1, 6 digits, ASCII secret '12345678901234567890'.")
    for counter, mac, trunc_hex, trunc, code in RFC4226_TABLE:
        fields = trace_fields(SEED20, counter, 6, "SHA1")
        _expect(fields["hmac"] == mac, f"RFC 4226 HMAC of count {counter}")
        _expect(fields["truncated"] == trunc == int(trunc_hex, 16), f"truncation {counter}")
        _expect(rfc6238.hotp(SEED20, counter) == code, f"RFC 4226 count {counter}")
        rfc_case(
            fb,
            tests,
            f"RFC 4226 Appendix D, count {counter}",
            "RFC4226AppendixD",
            SEED20,
            check_hotp_oracles(SEED20, counter, 6, "SHA1", code),
            counter=counter,
            digits=6,
            algorithm="SHA1",
            hmac=mac,
            offset=fields["offset"],
            truncated_hex=trunc_hex,
            truncated=trunc,
            code=code,
        )
    tests = fb.group("truncate", "Dynamic truncation of a given HMAC value (no key).")
    digest = "1f8698690e02ca16618550ef7f19da8e945b555a"
    _expect(rfc6238.dynamic_truncate(bytes.fromhex(digest)) == 0x50EF7F19, "RFC 4226 §5.4")
    case = fb.case(
        tests,
        "RFC 4226 §5.4: offset 0xa = 10, P = 0x50ef7f19, 872921",
        ["RFC4226Section5_4"],
        "valid",
        digest=digest,
        digits=6,
        offset=10,
        truncated_hex="50ef7f19",
        truncated=1357872921,
        code="872921",
    )
    case["verified_by"] = ["rfc-text"]
    return fb.document()
