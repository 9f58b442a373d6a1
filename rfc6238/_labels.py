"""Text rules shared by key URIs and migration payloads: labels, issuers, percent-decoding.

Issuers and account names are shown to people by authenticator apps, so they must not carry
characters that hide or rearrange what is shown: C0/C1 control characters (a newline forges a
log line), line and paragraph separators, and the bidirectional overrides and isolates
(U+202A-U+202E, U+2066-U+2069) that can display ``elgoog`` as ``google`` (CVE-2021-42574,
"Trojan Source"). Percent-decoding follows RFC 3986 §2.1: every ``%`` starts exactly two hex
digits, and the decoded bytes must be UTF-8 (RFC 3986 §2.5).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final
from urllib.parse import unquote

from .errors import InvalidEncoding, InvalidType, RFC6238Error

__all__ = ["check_text", "percent_decode"]

_BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORBIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")


def check_text(value: object, name: str, error: type[RFC6238Error] = InvalidEncoding) -> str:
    """Return ``value`` if it is a ``str`` free of control, separator and bidi-override characters.

    >>> check_text("ACME Co", "issuer")
    'ACME Co'
    """
    if not isinstance(value, str):
        raise InvalidType(f"{name} must be a str, not {type(value).__name__}")
    for char in value:
        if char in _BIDI_CONTROLS or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise error(
                f"{name} must not contain control, line-separator or bidi-override characters "
                f"(found U+{ord(char):04X})"
            )
    return value


def percent_decode(raw: str, name: str, error: type[RFC6238Error], *, plus: bool = False) -> str:
    """Percent-decode ``raw`` strictly (RFC 3986 §2.1) and check the text.

    Args:
        raw: The encoded text.
        name: What it is, for error messages.
        error: The exception class to raise.
        plus: Read ``+`` as a space (HTML form encoding, used by query strings in practice).

    >>> percent_decode("ACME%20Co+Ltd", "issuer", InvalidEncoding, plus=True)
    'ACME Co Ltd'
    """
    if _BAD_ESCAPE.search(raw):
        raise error(f"{name} has a '%' that is not followed by two hex digits")
    if plus:
        raw = raw.replace("+", " ")
    try:
        text = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as err:
        raise error(f"{name} is not UTF-8 after percent-decoding") from err
    return check_text(text, name, error)
