"""Key URIs: ``otpauth://TYPE/LABEL?PARAMETERS`` (Google Authenticator "Key Uri Format").

The format is a de-facto standard (github.com/google/google-authenticator/wiki/Key-Uri-Format):
``label = accountname / issuer (":" / "%3A") *"%20" accountname``; ``secret`` is unpadded
base32 (RFC 4648 §6); ``issuer`` is also a parameter and should equal the label prefix;
``counter`` is required for ``hotp``; ``algorithm``, ``digits`` and ``period`` default to
SHA1, 6 and 30. Every point where the wiki is silent or parsers disagree is decided once here
and listed in ``docs/uri.md``. Parsing never guesses: each defect is an
:class:`~rfc6238.errors.InvalidURI` whose message names the part and the rule, never the URI.

>>> key = parse_uri("otpauth://totp/ACME%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP"
...                 "&issuer=ACME%20Co")
>>> key.type, key.issuer, key.account, key.algorithm, key.digits, key.period
('totp', 'ACME Co', 'alice@example.com', 'SHA1', 6, 30)
>>> key.secret, key.key_size  # masked; bytes(key.secret) shows the key
(<10 bytes, hidden>, 10)
>>> bytes(key.secret)
b'Hello!\\xde\\xad\\xbe\\xef'
>>> build_uri(key.secret, account="alice@example.com", issuer="ACME Co")
'otpauth://totp/ACME%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co'
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Final, Literal
from urllib.parse import quote

from . import base32
from ._checks import (
    MIN_KEY_BYTES,
    Algorithm,
    check_algorithm,
    check_counter,
    check_digits,
    check_period,
)
from ._labels import check_text
from ._uri_parse import KNOWN_PARAMETERS, MAX_URI_LENGTH, NAME, number, split_label, split_uri
from .errors import InvalidEncoding, InvalidParameter, InvalidType, InvalidURI
from .otp import HOTP, TOTP
from .secret import HiddenBytes, KeyLike, Unpicklable, check_key

if TYPE_CHECKING:
    from .qr import QRCode

__all__ = ["MAX_URI_LENGTH", "KeyURI", "OTPType", "build_uri", "parse_uri"]

OTPType = Literal["totp", "hotp"]
_ROW: Final = "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>"


def _encode(text: str) -> str:
    # RFC 3986 unreserved characters and '@' stay literal; ':', '+', '&', '=', '%', ' ' never do.
    return quote(text, safe="@", encoding="utf-8", errors="strict")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class KeyURI(Unpicklable):
    """A parsed or to-be-built key URI. The secret never appears in ``repr``.

    Attributes:
        type: ``"totp"`` or ``"hotp"``.
        secret: The key bytes (any non-empty length; see :attr:`short_key`).
        account: The account name from the label (may be empty).
        issuer: The provider, or ``None``; never the empty string.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.
        digits: Code length, 6 to 10.
        period: Step size in seconds for TOTP; ``None`` for HOTP.
        counter: Initial counter for HOTP (required); ``None`` for TOTP.
        image: The ``image`` parameter (a logo URL used by some apps), kept verbatim.
        extra: Other parameters, as ``(name, value)`` pairs in URI order.
    """

    type: OTPType
    secret: bytes = field(repr=False)
    account: str
    issuer: str | None = None
    algorithm: Algorithm = "SHA1"
    digits: int = 6
    period: int | None = None
    counter: int | None = None
    image: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.type not in ("totp", "hotp"):
            raise InvalidParameter("type must be 'totp' or 'hotp'")
        set_ = object.__setattr__
        set_(self, "secret", HiddenBytes(check_key(self.secret)))
        check_text(self.account, "account", InvalidParameter)
        if self.issuer is not None and not check_text(self.issuer, "issuer", InvalidParameter):
            raise InvalidParameter("issuer must be a non-empty str or None")
        set_(self, "algorithm", check_algorithm(self.algorithm))
        set_(self, "digits", check_digits(self.digits))
        if self.type == "totp":
            if self.counter is not None:
                raise InvalidParameter("counter must be None for totp (Key Uri Format)")
            set_(self, "period", 30 if self.period is None else check_period(self.period))
        else:
            if self.period is not None:
                raise InvalidParameter("period must be None for hotp (Key Uri Format)")
            if self.counter is None:
                raise InvalidParameter("counter is required for hotp (Key Uri Format)")
            set_(self, "counter", check_counter(self.counter))
        if self.image is not None:
            check_text(self.image, "image", InvalidParameter)
        extra = self.extra.items() if isinstance(self.extra, Mapping) else self.extra
        pairs = tuple((str(k), v) for k, v in extra)
        for name, value in pairs:
            if not NAME.fullmatch(name) or name.lower() in KNOWN_PARAMETERS:
                raise InvalidParameter(
                    "extra parameter names must be 1-64 of A-Z a-z 0-9 . _ ~ - "
                    "and not a Key Uri Format parameter"
                )
            check_text(value, f"extra parameter {name}", InvalidParameter)
        if len({name for name, _ in pairs}) != len(pairs):
            raise InvalidParameter("extra parameter names must be unique")
        set_(self, "extra", pairs)

    @property
    def key_size(self) -> int:
        """Length of the secret in bytes."""
        return len(self.secret)

    @property
    def short_key(self) -> bool:
        """True if the key is below the 128 bits RFC 4226 §4 R6 requires (legacy 80-bit keys)."""
        return len(self.secret) < MIN_KEY_BYTES

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyURI):
            return NotImplemented
        same_key = hmac.compare_digest(self.secret, other.secret)
        return same_key and self._public() == other._public()

    __hash__ = None  # type: ignore[assignment]  # holds a secret: keep it out of sets and dicts

    def _public(self) -> tuple[object, ...]:
        return (
            self.type,
            self.account,
            self.issuer,
            self.algorithm,
            self.digits,
            self.period,
            self.counter,
            self.image,
            self.extra,
        )

    def to_uri(self) -> str:
        """Build the ``otpauth://`` URI. It contains the secret: treat it like a password.

        Raises:
            InvalidParameter: a colon in the issuer or account, an account starting with a
                space after an issuer, or a URI longer than :data:`MAX_URI_LENGTH`.
        """
        if self.issuer is not None and ":" in self.issuer:
            raise InvalidParameter("issuer must not contain ':' (Key Uri Format label rule)")
        if ":" in self.account:
            raise InvalidParameter("account must not contain ':' (Key Uri Format label rule)")
        label = _encode(self.account)
        params = [("secret", base32.encode(self.secret))]
        if self.issuer is not None:
            if self.account.startswith(" "):
                raise InvalidParameter(
                    "account must not start with a space when there is an issuer "
                    "(spaces after the label separator are dropped by parsers)"
                )
            label = f"{_encode(self.issuer)}:{label}"
            params.append(("issuer", self.issuer))
        if self.algorithm != "SHA1":
            params.append(("algorithm", self.algorithm))
        if self.digits != 6:
            params.append(("digits", str(self.digits)))
        if self.type == "totp" and self.period != 30:
            params.append(("period", str(self.period)))
        if self.type == "hotp":
            params.append(("counter", str(self.counter)))
        if self.image is not None:
            params.append(("image", self.image))
        params.extend(self.extra)
        query = "&".join(f"{name}={_encode(value)}" for name, value in params)
        uri = f"otpauth://{self.type}/{label}?{query}"
        if len(uri) > MAX_URI_LENGTH:
            raise InvalidParameter(f"the URI would be longer than {MAX_URI_LENGTH} characters")
        return uri

    def otp(self, *, allow_short_key: bool = False) -> TOTP | HOTP:
        """The :class:`~rfc6238.TOTP` or :class:`~rfc6238.HOTP` for this key.

        HOTP objects do not hold a counter: start from :attr:`counter`. Keys below 128 bits
        need ``allow_short_key=True`` (RFC 4226 §4 R6).
        """
        if self.type == "totp":
            assert self.period is not None  # set in __post_init__
            return TOTP(
                key=self.secret,
                digits=self.digits,
                algorithm=self.algorithm,
                period=self.period,
                allow_short_key=allow_short_key,
            )
        return HOTP(
            key=self.secret,
            digits=self.digits,
            algorithm=self.algorithm,
            allow_short_key=allow_short_key,
        )

    @classmethod
    def from_otp(
        cls,
        otp: TOTP | HOTP,
        *,
        account: str,
        issuer: str | None = None,
        counter: int | None = None,
        image: str | None = None,
    ) -> KeyURI:
        """The key URI of an OTP configuration (a TOTP with ``t0 != 0`` has none)."""
        if not isinstance(otp, TOTP | HOTP):
            raise InvalidType(f"otp must be a TOTP or HOTP, not {type(otp).__name__}")
        if isinstance(otp, TOTP) and otp.t0 != 0:
            raise InvalidParameter("the Key Uri Format cannot express t0; it must be 0")
        return cls(
            type="totp" if isinstance(otp, TOTP) else "hotp",
            secret=check_key(otp.key, allow_short_key=True),
            account=account,
            issuer=issuer,
            algorithm=check_algorithm(otp.algorithm),
            digits=otp.digits,
            period=otp.period if isinstance(otp, TOTP) else None,
            counter=counter,
            image=image,
        )

    def qr(self, **options: object) -> QRCode:
        """A :class:`~rfc6238.qr.QRCode` of :meth:`to_uri` (needs the ``qr`` extra)."""
        from .qr import QRCode  # optional dependency, imported when used

        return QRCode(self, **options)  # type: ignore[arg-type]  # QRCode validates its options

    def _repr_html_(self) -> str:
        bits = 8 * len(self.secret)
        hidden = f"&lt;{len(self.secret)} bytes, {bits} bits, hidden&gt;"
        if self.short_key:
            hidden += " <b>below 128 bits</b> (RFC 4226 §4 R6)"
        rows: dict[str, str] = {
            "type": self.type,
            "issuer": "(none)" if self.issuer is None else self.issuer,
            "account": self.account,
            "algorithm": self.algorithm,
            "digits": str(self.digits),
        }
        if self.type == "totp":
            rows["period"] = f"{self.period} s"
        else:
            rows["counter"] = str(self.counter)
        if self.image is not None:
            rows["image"] = self.image
        rows.update({f"extra: {name}": value for name, value in self.extra})
        body = _ROW.format("secret", hidden) + "".join(
            _ROW.format(escape(k), f"<code>{escape(v)}</code>") for k, v in rows.items()
        )
        return f"<table><caption>KeyURI</caption>{body}</table>"


def build_uri(
    secret: KeyLike,
    *,
    account: str,
    issuer: str | None = None,
    type: OTPType = "totp",  # the Key Uri Format word
    algorithm: str = "SHA1",
    digits: int = 6,
    period: int | None = None,
    counter: int | None = None,
    image: str | None = None,
    extra: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> str:
    """Build an ``otpauth://`` key URI (see :class:`KeyURI` for the fields).

    The label is ``issuer:account`` percent-encoded (UTF-8, RFC 3986; spaces as ``%20``,
    never ``+``); the issuer is also a parameter; the secret is unpadded base32; parameters
    equal to the format's defaults (SHA1, 6 digits, 30 s) are left out.

    Raises:
        InvalidType, InvalidParameter: a bad field, a colon in the issuer or account, hotp
            without counter, totp with counter, or a URI over :data:`MAX_URI_LENGTH`.

    >>> build_uri(b"12345678901234567890", account="bob", type="hotp", counter=0)
    'otpauth://hotp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0'
    """
    pairs = tuple(extra.items()) if isinstance(extra, Mapping) else tuple(extra)
    return KeyURI(
        type=type,
        secret=check_key(secret),
        account=account,
        issuer=issuer,
        algorithm=check_algorithm(algorithm),
        digits=digits,
        period=period,
        counter=counter,
        image=image,
        extra=pairs,
    ).to_uri()


def parse_uri(uri: str) -> KeyURI:
    """Parse an ``otpauth://`` key URI (the decisions are listed in ``docs/uri.md``).

    Short (80-bit) keys are accepted and reported by :attr:`KeyURI.short_key`; the policy
    applies when you make an OTP object (:meth:`KeyURI.otp`).

    Raises:
        InvalidType: ``uri`` is not a str.
        InvalidURI: anything wrong with the URI; the message names the part and the rule.

    >>> parse_uri("otpauth://hotp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7").counter
    7
    """
    otp_type, label_raw, params = split_uri(uri)
    issuer = params.pop("issuer", None) or None
    label_issuer, account = split_label(label_raw, issuer)
    secret = params.pop("secret", "")
    if not secret:
        raise InvalidURI("the secret parameter is required and must not be empty")
    try:
        key = base32.decode(secret)
    except InvalidEncoding as err:
        raise InvalidURI(f"secret parameter is not valid base32: {err}") from err
    digits, period, counter = (number(params, name) for name in ("digits", "period", "counter"))
    if otp_type == "hotp" and counter is None:
        raise InvalidURI("counter is required for hotp (Key Uri Format)")
    if otp_type == "hotp" and period is not None:
        raise InvalidURI("period is not allowed for hotp (Key Uri Format)")
    if otp_type == "totp" and counter is not None:
        raise InvalidURI("counter is not allowed for totp (Key Uri Format)")
    try:
        return KeyURI(
            type="totp" if otp_type == "totp" else "hotp",
            secret=key,
            account=account,
            issuer=issuer or label_issuer,
            algorithm=check_algorithm(params.pop("algorithm", "SHA1")),
            digits=6 if digits is None else digits,
            period=period,
            counter=counter,
            image=params.pop("image", None),
            extra=tuple(params.items()),
        )
    except (InvalidParameter, InvalidType) as err:
        raise InvalidURI(f"invalid key URI parameter: {err}") from err
