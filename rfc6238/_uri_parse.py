"""The syntax half of key URI parsing: ``otpauth://TYPE/LABEL?PARAMETERS`` into raw parts.

RFC 3986 §3 splits the URI (scheme and host compare case-insensitively, §3.1 and §3.2.2); the
Key Uri Format's ABNF ``label = accountname / issuer (":" / "%3A") *"%20" accountname`` splits
the label. Values are percent-decoded strictly (:func:`rfc6238._labels.percent_decode`); in the
query ``+`` is a space (form encoding), in the label it is a plus. The reasons for each rule
are in ``docs/uri.md``. Every defect raises :class:`~rfc6238.errors.InvalidURI`.

>>> split_uri("otpauth://TOTP/ACME%20Co:alice?secret=JBSWY3DP&issuer=ACME+Co")
('totp', 'ACME%20Co:alice', {'secret': 'JBSWY3DP', 'issuer': 'ACME Co'})
>>> split_label("ACME%20Co:%20alice", "ACME Co")
('ACME Co', 'alice')
"""

from __future__ import annotations

import re
from typing import Final

from ._labels import check_text, percent_decode
from .errors import InvalidType, InvalidURI

__all__ = ["KNOWN_PARAMETERS", "MAX_URI_LENGTH", "NAME", "number", "split_label", "split_uri"]

#: Longest URI accepted or built: above the 2953 bytes a version-40 QR code holds.
MAX_URI_LENGTH: Final = 4096
KNOWN_PARAMETERS: Final = frozenset(
    {"secret", "issuer", "algorithm", "digits", "period", "counter", "image"}
)
#: Parameter names: RFC 3986 unreserved characters, bounded.
NAME: Final = re.compile(r"[A-Za-z0-9._~-]{1,64}")
_NUMBER: Final = re.compile(r"0|[1-9][0-9]{0,19}")
_SEPARATOR: Final = re.compile(r":|%3[Aa]")


def split_uri(uri: object) -> tuple[str, str, dict[str, str]]:
    """Return ``(type, raw label, decoded parameters)`` after the structural checks."""
    if not isinstance(uri, str):
        raise InvalidType(f"uri must be a str, not {type(uri).__name__}")
    if len(uri) > MAX_URI_LENGTH:
        raise InvalidURI(f"URI must be at most {MAX_URI_LENGTH} characters")
    check_text(uri, "URI", InvalidURI)
    if "#" in uri:
        raise InvalidURI("URI must not contain '#' (a fragment); encode it as %23")
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme.lower() != "otpauth":
        hint = " (use parse_migration_uri)" if scheme.lower() == "otpauth-migration" else ""
        raise InvalidURI(f"URI scheme must be otpauth://{hint}")
    head, _, query = rest.partition("?")
    kind, _, label = head.partition("/")
    if kind.lower() not in ("totp", "hotp"):
        raise InvalidURI("URI type must be totp or hotp")
    return kind.lower(), label, _parse_query(query)


def _parse_query(query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for piece in query.split("&"):
        if not piece:
            continue  # "?&secret=..." and a trailing "&" carry nothing
        name, sep, value = piece.partition("=")
        if not sep or not NAME.fullmatch(name):
            raise InvalidURI("each parameter must be name=value with a name of A-Z a-z 0-9 . _ ~ -")
        if name != name.lower() and name.lower() in KNOWN_PARAMETERS:
            raise InvalidURI(f"parameter names are lower case: {name.lower()}")
        if name in params:
            raise InvalidURI(f"parameter {name} appears more than once")
        params[name] = percent_decode(value, f"parameter {name}", InvalidURI, plus=True)
    return params


def number(params: dict[str, str], name: str) -> int | None:
    """Pop ``name`` as a plain ASCII decimal (no sign, no leading zero), or ``None``."""
    if name not in params:
        return None
    if not _NUMBER.fullmatch(text := params.pop(name)):
        raise InvalidURI(f"{name} must be a decimal integer without sign or leading 0")
    return int(text)


def split_label(raw: str, issuer: str | None) -> tuple[str | None, str]:
    """Split a raw label into ``(issuer prefix or None, account)``.

    With an ``issuer`` parameter, the separator is the first ``:``/``%3A`` whose prefix equals
    it (or equals it once ``+`` is read as space); a label whose prefix matches none is a
    mismatch. Without one, the first separator splits. Spaces after it are dropped.
    """
    separators = list(_SEPARATOR.finditer(raw))
    if not separators:
        return None, percent_decode(raw, "label", InvalidURI)
    for match in separators if issuer is not None else separators[:1]:
        prefix = percent_decode(raw[: match.start()], "label issuer", InvalidURI)
        if issuer is None or prefix in ("", issuer) or prefix.replace("+", " ") == issuer:
            rest = raw[match.end() :]
            while rest.startswith((" ", "%20")):
                rest = rest[1:] if rest[0] == " " else rest[3:]
            return prefix or None, percent_decode(rest, "account", InvalidURI)
    raise InvalidURI("the label's issuer prefix does not match the issuer parameter")
