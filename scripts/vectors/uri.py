"""vectors/uri.json: Key URI parsing cases from tests/data/uris.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import rfc6238
from rfc6238 import errors as _errors

from ._base import ROOT, SEED20, SEEDS
from .filebuilder import FileBuilder, _expect
from .oracles import Verdicts, ask, minimal_hotp, oracle_versions

#: The single source of the Key URI cases (tests/test_uri.py reads the same file).
URI_CASES = ROOT / "tests" / "data" / "uris.json"
URI_NOTES = {
    "WikiExample": "The URI (or its label) is an example from the Key Uri Format wiki page.",
    "Policy": "The expected result is rfc6238's decision (docs/uri.md) where the Key Uri "
    "Format is silent or only says 'should'; other parsers may differ.",
    "ShortKey": "The secret is below 128 bits (RFC 4226 §4 R6): parsed and reported, not "
    "refused; the policy applies when an OTP object is made.",
    "EncodedSeparator": "The label's issuer/account separator is written %3A.",
    "Plus": "A '+' or %2B: a space in the query (form encoding), a plus in the label.",
    "Case": "Upper or lower case in the scheme, type, algorithm, secret or parameter names.",
    "Padding": "Base32 '=' padding in the secret (raw or %3D).",
    "Uint64": "A counter at or beyond the 64-bit boundary (RFC 4226 §5.1).",
    "UnknownParameter": "Parameters outside the Key Uri Format (image, others): kept.",
    "Unicode": "Non-ASCII text in the URI (percent-encoded UTF-8 or raw).",
    "Scheme": "A scheme other than otpauth:// (or a malformed one).",
    "Type": "A type other than totp/hotp, or an authority with userinfo or a port.",
    "Secret": "The secret parameter is missing or empty.",
    "Base32": "The secret is not valid base32 (RFC 4648 §6).",
    "Counter": "The counter parameter: required for hotp, not allowed for totp, 0..2**64-1.",
    "Period": "The period parameter: a positive integer, totp only.",
    "Digits": "The digits parameter: ASCII decimal 6-10, no sign or leading zero.",
    "Algorithm": "The algorithm parameter: SHA1, SHA256 or SHA512 (any case).",
    "Duplicate": "A parameter name that appears twice.",
    "Injection": "Query syntax that can smuggle a parameter: no '=', an encoded '&', a '#'.",
    "IssuerMismatch": "The label's issuer prefix differs from the issuer parameter.",
    "Control": "Control, line-separator or bidi-override characters in the label or issuer.",
    "Encoding": "A bad percent-escape or bytes that are not UTF-8.",
    "Oversized": "A URI longer than rfc6238's bound of 4096 characters.",
}


def key_uri_fields(key: Any) -> dict[str, Any]:
    """A parsed rfc6238 KeyURI as the ``expected`` object of a case (the runner's reading)."""
    from rfc6238.conformance.adapters import VECTOR_URI_FIELDS, uri_fields

    return uri_fields(key, VECTOR_URI_FIELDS)


def pyotp_uri(uri: str) -> dict[str, Any]:
    """pyotp.parse_uri (pyotp's defaults: it refuses keys below its 112-bit minimum), through
    the conformance runner's adapter, so both read pyotp's answer the same way."""
    from rfc6238.conformance.builtins import PyotpImplementation

    fields: dict[str, Any] = PyotpImplementation().run("parse_uri", {"uri": uri})
    return fields


def oath_uri(uri: str) -> dict[str, Any]:
    """python-oath parse_otpauth (through the conformance runner's adapter); it returns the
    label unsplit, so account and a label-only issuer are not compared."""
    from rfc6238.conformance.builtins import OathImplementation

    return OathImplementation._parse_uri(uri)


def _uri_show(fields: dict[str, Any], names: Iterable[str]) -> str:
    return ", ".join(f"{name} {json.dumps(fields[name], ensure_ascii=True)}" for name in names)


def uri_oracle(
    parse: Callable[[str], dict[str, Any]], uri: str, expected: dict[str, Any] | None
) -> Callable[[], str]:
    """An oracle run for Verdicts.record: '' when every field it reports equals the expected
    one, else the differing fields (for invalid cases: what it accepted)."""

    def run() -> str:
        got = parse(uri)
        if expected is None:
            return _uri_show(got, got)
        return _uri_show(got, [k for k in got if k in expected and got[k] != expected[k]])

    return run


def build_uri() -> dict[str, Any]:
    fb = FileBuilder(
        "uri",
        "Key URIs (otpauth://TYPE/LABEL?PARAMETERS, the Google Authenticator 'Key Uri "
        "Format') parsed into their fields, or rejected. 'expected' holds every field: type, "
        "secret_hex (the decoded secret as hex), issuer, account, algorithm, digits, period "
        "(totp), counter (hotp), image and extra (other parameters as [name, value] pairs in "
        "URI order); null where absent.",
        {
            "kind": "self-made",
            "references": [
                "Google Authenticator wiki 'Key Uri Format' "
                "(github.com/google/google-authenticator/wiki/Key-Uri-Format; read through "
                "the mirror katydtf1234/fluffy-doodle KeyUriFormat.md)",
                "RFC 3986 (URI syntax)",
                "RFC 4648 §6 (base32)",
                "RFC 4226 §5.1, §5.3; RFC 6238 §1.2, §4.1",
                "docs/uri.md (the decision table, with the behaviour of pyotp 2.12, otpauth 9 "
                "and otplib 13 read from their source)",
            ],
            "description": "The cases are hand-written in tests/data/uris.json (the single "
            "source; this file is generated from it). Each case's 'reference' says where it "
            "comes from: an example or rule of the Key Uri Format wiki, an RFC, or a row of "
            "the decision table in docs/uri.md, which records what pyotp, otpauth (npm) and "
            "otplib do at that point and why rfc6238 decides as it does (flag Policy). "
            "otpauth and otplib were read, not run; pyotp and python-oath are run below.",
            "verification": "The expected fields (or error class) are written by hand in "
            "tests/data/uris.json; the generator stops unless rfc6238.parse_uri returns "
            "exactly them (or raises exactly that class). Then pyotp.parse_uri and python-oath's "
            "parse_otpauth parse every URI: verified_by lists those that returned the same "
            "value for every field they report (for invalid cases: that raised, for whatever "
            "reason; oracle_notes quotes it), disagreed "
            "those that returned other values (only the differing fields are shown) or "
            "accepted an invalid URI, refused those that raised on a valid URI. The "
            "expectations are decisions, not computations: no minimum number of agreeing "
            "oracles applies, and the disagreements are the findings of docs/findings.md.",
            "oracles": {
                "pyotp": "pyotp.parse_uri with its defaults (so keys below 112 bits are "
                "refused); compared on type, secret_hex, issuer, account (its name), "
                "algorithm, digits, period (interval), counter (initial_count)",
                "oath": "python-oath oath.google_authenticator.parse_otpauth; the label comes "
                "back unsplit, so compared on type, secret_hex, algorithm, digits, period, "
                "counter and an issuer parameter only",
                "minimal": "parse_uri_then_code only: the weak in-script HOTP at the step of "
                "the parsed key (checks the code, not the parsing)",
            },
            "oracle_versions": {
                k: v for k, v in oracle_versions().items() if k in ("pyotp", "oath", "rfc6238")
            },
        },
    )
    fb.note(**URI_NOTES)
    tests = fb.group("parse_uri", "Key URIs: parse into fields, or raise the error class.")
    names = set()
    for source in json.loads(URI_CASES.read_text(encoding="utf-8"))["cases"]:
        _expect(source["id"] not in names, f"uris.json: duplicate id {source['id']}")
        names.add(source["id"])
        uri = source["uri"]
        fields: dict[str, Any] = {"reference": source["reference"], "uri": uri}
        try:
            parsed = rfc6238.parse_uri(uri)
        except _errors.RFC6238Error as err:
            _expect(
                type(err).__name__ == source.get("error"),
                f"uris.json {source['id']}: rfc6238 raised {type(err).__name__}",
            )
            fields["error"] = source["error"]
            expected = None
        else:
            expected = key_uri_fields(parsed)
            _expect(
                source["result"] == "valid" and expected == source["expected"],
                f"uris.json {source['id']}: rfc6238 parsed {expected}",
            )
            fields["expected"] = expected
        comment = f"{source['id']}: {source['comment']}"
        case = fb.case(tests, comment, source["flags"], source["result"], **fields)
        verdicts = Verdicts()
        agree = None if expected is None else ""  # '' = no field differs
        verdicts.record("pyotp", agree, uri_oracle(pyotp_uri, uri, expected))
        verdicts.record("oath", agree, uri_oracle(oath_uri, uri, expected))
        verdicts.dump(case, minimum=0)
    then_code(fb)
    return fb.document()


def _b32(key: bytes) -> str:
    return rfc6238.base32.encode(key)


#: (comment, URI, flags): parse, then compute the code; catches parameters read but unused
#: (``algorithm=SHA256`` silently computed as SHA-1, digits or period ignored).
THEN_CODE = [
    ("SHA1, the defaults", f"otpauth://totp/ACME:alice?secret={_b32(SEED20)}&issuer=ACME", []),
    ("SHA256 with the RFC 6238 32-byte seed, 8 digits",
     f"otpauth://totp/ACME:alice?secret={_b32(SEEDS['SHA256'])}&algorithm=SHA256&digits=8",
     ["Algorithm"]),
    ("SHA512 with the RFC 6238 64-byte seed, 8 digits",
     f"otpauth://totp/ACME:alice?secret={_b32(SEEDS['SHA512'])}&algorithm=SHA512&digits=8",
     ["Algorithm"]),
    ("SHA256 with the 20-byte seed (a SHA-1 fallback gives another code)",
     f"otpauth://totp/ACME:alice?secret={_b32(SEED20)}&algorithm=SHA256", ["Algorithm"]),
    ("SHA512 with the 20-byte seed, 7 digits",
     f"otpauth://totp/ACME:alice?secret={_b32(SEED20)}&algorithm=SHA512&digits=7",
     ["Algorithm", "Digits"]),
    ("period 60", f"otpauth://totp/ACME:alice?secret={_b32(SEED20)}&period=60", ["Period"]),
    ("hotp: the code at the URI's counter (the time is not used)",
     f"otpauth://hotp/ACME:alice?secret={_b32(SEED20)}&counter=5", ["Counter"]),
]  # fmt: skip
THEN_CODE_TIMES = [59, 1111111109, 20000000000]


def then_code(fb: FileBuilder) -> None:
    """The parse_uri_then_code group (expected codes from rfc6238, then the oracles)."""
    fb.note(
        ThenCode="Parse the URI, then compute the code at 'time' (hotp: at its counter).",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
    )
    tests = fb.group(
        "parse_uri_then_code",
        "Parse a Key URI, then give the code at a time: every parameter must be used.",
    )
    for comment, uri, flags in THEN_CODE:
        key = rfc6238.parse_uri(uri)
        otp = key.otp(allow_short_key=True)
        for time in THEN_CODE_TIMES if key.type == "totp" else THEN_CODE_TIMES[:1]:
            step = time // (key.period or 1) if key.type == "totp" else (key.counter or 0)
            code = otp.at(time if key.type == "totp" else step)  # TOTP: a time, HOTP: a counter
            case = fb.case(tests, f"{comment}, time {time}", ["ThenCode", *flags], "valid",
                           uri=uri, time=time, code=code)  # fmt: skip
            verdicts = Verdicts()
            for name in ("pyotp", "oath"):
                verdicts.record(name, code, partial(ask, name, "parse_uri_then_code", uri=uri,
                                                    time=time))  # fmt: skip
            verdicts.record(
                "minimal", code, partial(minimal_hotp, key.secret, step, key.digits, key.algorithm)
            )
            verdicts.dump(case)
