"""vectors/tokens.json: token text that must be refused or accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rfc6238
from rfc6238 import errors as _errors
from rfc6238.conformance.adapters import Rejected as AdapterRejected
from rfc6238.conformance.vectors import decode_value

from ._base import SEED20
from .filebuilder import FileBuilder, _expect, hexkey, self_made_source
from .oracles import OathtoolError, Refused, Verdicts, ask
from .verify import Rejected, record_verify


def token_verifiers(
    key: bytes, token: object, time: int, digits: int
) -> dict[str, Callable[[], str]]:
    """Direct verifiers at window 0 (SHA1, X = 30, T0 = 0), fed the token as it is."""

    case = {"key": key, "token": token, "time": time, "window": 0, "period": 30, "t0": 0,
            "digits": digits, "algorithm": "SHA1", "allow_short_key": True}  # fmt: skip

    def via(name: str) -> Callable[[], str]:
        def run() -> str:
            try:
                answer = ask(name, "verify_totp", **case)
            except (AdapterRejected, OathtoolError) as err:
                raise Rejected from err
            return f"offset {answer.get('offset', 0)}"

        return run

    def oathtool_verify() -> str:
        if not isinstance(token, str):
            raise Refused("a non-str token is not expressible on the command line")
        if "\0" in token:
            raise Refused("NUL cannot be passed in argv")
        return via("oathtool")()

    return {
        "cryptography-verify": via("cryptography"),
        "pyotp-verify": via("pyotp"),
        "oath-verify": via("oath"),
        "oathtool-verify": oathtool_verify,
    }


def token_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    token_json: object,
    time: int,
    digits: int,
) -> dict[str, Any]:
    token = decode_value(token_json)
    key = SEED20
    fields = {
        "key": hexkey(key),
        "token": token_json,
        "time": time,
        "window": 0,
        "period": 30,
        "t0": 0,
        "digits": digits,
        "algorithm": "SHA1",
        "allow_short_key": False,
    }
    try:
        match = rfc6238.verify_totp(key, token, time, window=0, digits=digits)  # type: ignore[arg-type]  # tokens of any type, on purpose
    except _errors.RFC6238Error as err:
        case = fb.case(tests, comment, flags, "invalid", **fields, error=type(err).__name__)
        expected = None
    else:
        case = fb.case(
            tests,
            comment,
            flags,
            "valid",
            **fields,
            match={"counter": match.counter, "offset": match.offset},
            matches=[match.counter],
        )
        expected = "offset 0"
    verdicts = Verdicts()
    record_verify(verdicts, token_verifiers(key, token, time, digits), expected)
    return verdicts.dump(case)


def build_tokens() -> dict[str, Any]:
    fb = FileBuilder(
        "tokens",
        "Malformed tokens: a token is exactly `digits` characters from '0123456789'. "
        "Everything else is MalformedToken (a str) or InvalidType (not a str), never a "
        "crash and never a match. Each case is a TOTP verification at window 0 (SHA1 seed, "
        "X = 30, T0 = 0) whose real code the malformed token imitates.",
        self_made_source(
            "Tokens derived by hand from the real codes '07081804' (8 digits, time "
            "1111111109) and '287082' (6 digits, time 59).",
            ["RFC 4226 §5.3 (a code is Digit decimal digits)", "SECURITY.md 'Tokens'"],
        ),
    )
    fb.note(
        Control="The real code: must verify.",
        IntLike="int() of the token equals int() of the code (sign, whitespace, underscore, "
        "leading zeros stripped or added).",
        WrongLength="Not exactly `digits` characters.",
        Whitespace="Leading/trailing whitespace or a newline (re '^\\d{n}$' accepts a final "
        "newline).",
        NonAsciiDigit="Unicode decimal digits that str.isdigit(), int() and \\d accept.",
        NFKCDigit="Characters that Unicode NFKC normalisation turns into ASCII digits "
        "(full-width, mathematical, superscript).",
        Separator="A space or hyphen inside the code: a UI may strip these explicitly "
        "before verification, verify must not.",
        NotDigit="Letters or punctuation.",
        NotStr="Not a str (tagged value): InvalidType.",
        FewOracles="Fewer than two external oracles agreed (see verified_by/refused).",
    )
    tests = fb.group("verify_totp", "8 digits at time 1111111109: the code is '07081804'.")
    t8, t6 = 1111111109, 59
    _expect(rfc6238.totp(SEED20, t8, digits=8) == "07081804", "8-digit token base")
    _expect(rfc6238.totp(SEED20, t6) == "287082", "6-digit token base")
    eight = [
        ("07081804", "the real code", ["Control"]),
        ("7081804", "leading zero stripped", ["WrongLength", "IntLike"]),
        ("007081804", "extra leading zero", ["WrongLength", "IntLike"]),
        ("+7081804", "plus sign, same length, int() equal", ["IntLike"]),
        ("-7081804", "minus sign", ["NotDigit"]),
        (" 7081804", "leading space, same length, int() equal", ["IntLike", "Whitespace"]),
        ("7081804 ", "trailing space, same length, int() equal", ["IntLike", "Whitespace"]),
        ("\t7081804", "leading tab", ["IntLike", "Whitespace"]),
        ("\u00a07081804", "leading no-break space", ["IntLike", "Whitespace"]),
        ("7_081804", "underscore, same length, int() equal", ["IntLike"]),
        ("07081804\n", "trailing newline", ["Whitespace", "WrongLength"]),
        ("07081804\r\n", "trailing CRLF", ["Whitespace", "WrongLength"]),
        (
            "\u0660\u0667\u0660\u0668\u0661\u0668\u0660\u0664",
            "Arabic-Indic digits",
            ["NonAsciiDigit"],
        ),
        (
            "\u06f0\u06f7\u06f0\u06f8\u06f1\u06f8\u06f0\u06f4",
            "Extended Arabic-Indic digits",
            ["NonAsciiDigit"],
        ),
        (
            "\u0966\u096d\u0966\u096e\u0967\u096e\u0966\u096a",
            "Devanagari digits",
            ["NonAsciiDigit"],
        ),
        ("\u09e6\u09ed\u09e6\u09ee\u09e7\u09ee\u09e6\u09ea", "Bengali digits", ["NonAsciiDigit"]),
        (
            "\uff10\uff17\uff10\uff18\uff11\uff18\uff10\uff14",
            "full-width digits",
            ["NonAsciiDigit", "NFKCDigit"],
        ),
        ("0708180\uff14", "one full-width digit", ["NonAsciiDigit", "NFKCDigit"]),
        (
            "\U0001d7ce\U0001d7d5\U0001d7ce\U0001d7d6\U0001d7cf\U0001d7d6\U0001d7ce\U0001d7d2",
            "mathematical bold digits",
            ["NonAsciiDigit", "NFKCDigit"],
        ),
        ("\u2070\u2077\u2070\u2078\u00b9\u2078\u2070\u2074", "superscript digits", ["NFKCDigit"]),
        ("0708 1804", "space-separated groups", ["Separator", "WrongLength"]),
        ("0708-1804", "hyphen-separated groups", ["Separator", "WrongLength"]),
        ("O7081804", "letter O for zero", ["NotDigit"]),
        ("7081804.", "trailing dot", ["NotDigit"]),
        ("07081804\u0000", "trailing NUL", ["WrongLength"]),
        ("", "empty", ["WrongLength"]),
        ("081804", "the 6-digit code where 8 digits are expected", ["WrongLength"]),
    ]
    for token, comment, flags in eight:
        token_case(fb, tests, comment, flags, token, t8, 8)
    tests = fb.group("verify_totp", "6 digits at time 59: the code is '287082'.")
    six: list[tuple[object, str, list[str]]] = [
        ("287082", "the real code", ["Control"]),
        ({"int": 287082}, "the code as an int", ["NotStr", "IntLike"]),
        ({"bytes_hex": b"287082".hex()}, "the code as ASCII bytes", ["NotStr"]),
        ({"none": True}, "None", ["NotStr"]),
        ("0287082", "leading zero added", ["WrongLength", "IntLike"]),
        ("287082\n", "trailing newline", ["Whitespace", "WrongLength"]),
        (
            "\uff12\uff18\uff17\uff10\uff18\uff12",
            "full-width digits",
            ["NonAsciiDigit", "NFKCDigit"],
        ),
        ("\u0662\u0668\u0667\u0660\u0668\u0662", "Arabic-Indic digits", ["NonAsciiDigit"]),
        ("287 082", "space in the middle", ["Separator", "WrongLength"]),
        ("28708", "one digit short", ["WrongLength"]),
    ]
    for token6, comment, flags in six:
        token_case(fb, tests, comment, flags, token6, t6, 6)
    return fb.document()
