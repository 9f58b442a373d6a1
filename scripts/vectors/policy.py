"""rfc6238's house rules, in one place: which cases test a policy rather than an RFC rule.

Every case a rule below matches gets the flag ``Policy`` and a one-line ``policy`` reason
(the runner counts these apart from RFC conformance; ``--no-policy`` leaves them out). A rule
may also turn a ``valid`` case into ``acceptable`` when the RFCs permit a refusal as well.
"""

from __future__ import annotations

from typing import Any

NOTE = (
    "A house rule of rfc6238, not an RFC rule: the case's 'policy' says which. Reports count "
    "these apart from RFC conformance; --no-policy leaves them out."
)
#: Reasons for cases the builders flag Policy themselves, by the flag they carry with it.
BY_FLAG = {
    "LowerCase": "rfc6238's lenient mode accepts lower case; RFC 4648 §6 and strict mode take "
    "the upper-case alphabet only",
    "Separators": "rfc6238's lenient mode strips ASCII spaces and hyphens; RFC 4648 §3.3 "
    "rejects characters outside the alphabet",
    "NonCanonical": "RFC 4648 §3.5 lets a decoder reject non-zero pad bits: rfc6238's strict "
    "mode does, its lenient mode does not",
    "TooLong": "rfc6238 bounds base32 secrets at 1024 characters",
    "Collision": "two steps share the code: rfc6238 reports the one nearest the expected step "
    "(RFC 6238 §5.2 does not say which)",
    "ShortKey": "rfc6238 verification refuses keys under 16 bytes (RFC 4226 §4 R6) unless "
    "allow_short_key is set",
    "Empty": "RFC 4648 §10 decodes '' to empty bytes; rfc6238 refuses an empty secret",
}
_OTP_OPS = ("hotp", "totp", "verify_hotp", "verify_totp", "truncate")


def _window_sides(value: object) -> list[int]:
    if type(value) is int:
        return [value]
    if isinstance(value, list):
        return [v for v in value if type(v) is int]
    return []


def house_rule(file: str, op: str, case: dict[str, Any]) -> tuple[str, str] | None:
    """``(reason, result)`` if ``case`` tests a house rule (``result`` may become
    ``acceptable``), else None."""
    result = case["result"]
    digits = case.get("digits")
    if op in _OTP_OPS and type(digits) is int and digits in (9, 10):
        # acceptable for the codes; verification cases stay valid (a refusal is "refused",
        # not a failure, either way), as readers of verify.json expect valid or invalid
        code = op in ("hotp", "totp", "truncate")
        return (
            "digits 9-10 go beyond RFC 4226 §5.3 (6 to 8); rfc6238 computes them, and a "
            "clean refusal is as conformant",
            "acceptable" if result == "valid" and code else result,
        )
    if op in _OTP_OPS and type(digits) is int and digits > 10:
        return "a 31-bit truncated value has at most 10 digits: rfc6238 refuses more", result
    if op == "verify_totp" and any(side > 100 for side in _window_sides(case.get("window"))):
        return "rfc6238 bounds each window side at 100 steps (RFC 6238 §5.2 sets none)", result
    look_ahead = case.get("look_ahead")
    if op == "verify_hotp" and type(look_ahead) is int and look_ahead > 1000:
        return (
            "rfc6238 bounds the look-ahead at 1000 (RFC 4226 §7.4 leaves s to the server)",
            result,
        )
    algorithm = case.get("algorithm")
    if op in _OTP_OPS and isinstance(algorithm, str) and algorithm.upper() in (
        "SHA-1", "SHA-256", "SHA-512"
    ):  # fmt: skip
        return (
            "rfc6238 takes the Key URI spellings SHA1/SHA256/SHA512 only; 'SHA-256' names the "
            "same hash",
            result,
        )
    if op in _OTP_OPS and "AlgorithmSpelling" in case["flags"]:
        return "rfc6238 reads the algorithm name case-insensitively", result
    key = case.get("key")
    if op in ("hotp", "totp") and isinstance(key, str) and 0 < len(key) < 32:
        return (
            "RFC 4226 §4 R6 asks for keys of at least 128 bits; rfc6238's one-shot functions "
            "compute shorter ones (HMAC is defined for them), and a clean refusal is as "
            "conformant",
            "acceptable" if result == "valid" else result,
        )
    if op in _OTP_OPS and case.get("key") == "":
        return "rfc6238 refuses an empty key (HMAC, RFC 2104, is defined for it)", result
    if "Policy" not in case["flags"]:
        return None
    if file == "uri":
        reason = str(case.get("reference") or case["comment"])
        return (reason if len(reason) <= 200 else reason[:197] + "..."), result
    for flag, reason in BY_FLAG.items():
        if flag in case["flags"]:
            return reason, result
    raise SystemExit(f"make_vectors: {file} {op} {case['comment']!r}: Policy without a reason")
