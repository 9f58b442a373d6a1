"""Google Authenticator transfer exports: ``otpauth-migration://offline?data=...``.

"Transfer accounts" in Google Authenticator shows QR codes whose text is
``otpauth-migration://offline?data=`` + percent-encoded base64 of a protobuf
``MigrationPayload``. Google publishes no schema; the one used here is the reverse-engineered
``google_auth.proto`` of the Aegis authenticator (github.com/beemdevelopment/Aegis,
``app/src/main/proto/google_auth.proto``), which dim13/otpauth and scito/extract_otp_secrets
also use::

    message MigrationPayload {
      enum Algorithm { ALGORITHM_UNSPECIFIED = 0; ALGORITHM_SHA1 = 1; ALGORITHM_SHA256 = 2;
                       ALGORITHM_SHA512 = 3; ALGORITHM_MD5 = 4; }
      enum DigitCount { DIGIT_COUNT_UNSPECIFIED = 0; DIGIT_COUNT_SIX = 1; DIGIT_COUNT_EIGHT = 2; }
      enum OtpType { OTP_TYPE_UNSPECIFIED = 0; OTP_TYPE_HOTP = 1; OTP_TYPE_TOTP = 2; }
      message OtpParameters { bytes secret = 1; string name = 2; string issuer = 3;
        Algorithm algorithm = 4; DigitCount digits = 5; OtpType type = 6; int64 counter = 7; }
      repeated OtpParameters otp_parameters = 1;
      int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5;
    }

The wire format is written by hand (:mod:`rfc6238._protobuf`). Decisions (``docs/uri.md``):
unspecified algorithm and digits mean SHA1 and 6 (the published dim13 example omits both);
unspecified type, MD5, unknown enum values, counters that are negative as ``int64`` and
``int32`` fields out of range are rejected; unknown fields are skipped.

>>> batch = parse_migration_uri("otpauth-migration://offline?data="
...     "CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC")
>>> account = batch.accounts[0]
>>> account.name, account.issuer, account.type, account.secret
('Example:alice@google.com', 'Example', 'totp', <10 bytes, hidden>)
>>> bytes(account.secret)
b'Hello!\xde\xad\xbe\xef'
>>> batch.accounts[0].to_key_uri().to_uri()
'otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example'
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Final
from urllib.parse import quote

from . import _protobuf as pb
from ._checks import Algorithm, check_algorithm, check_int
from ._labels import check_text, percent_decode
from .errors import InvalidEncoding, InvalidParameter, InvalidType, InvalidURI
from .secret import HiddenBytes, Unpicklable, check_key
from .uri import KeyURI, OTPType

__all__ = [
    "DEFAULT_MAX_ACCOUNTS",
    "DEFAULT_MAX_LENGTH",
    "MigrationAccount",
    "MigrationBatch",
    "build_migration_uris",
    "decode_migration_payload",
    "encode_migration_payload",
    "parse_migration_uri",
]

_PREFIX: Final = "otpauth-migration://offline?"
#: Accounts per QR code in a built export (Google Authenticator's own batches hold 10).
DEFAULT_MAX_ACCOUNTS: Final = 10
#: Characters per built URI: at error-correction level M this is a QR code of version 26 or
#: less, which phone cameras read from a screen.
DEFAULT_MAX_LENGTH: Final = 1000
_MAX_INPUT: Final = 8192
_ALGORITHMS: Final[dict[int, Algorithm]] = {0: "SHA1", 1: "SHA1", 2: "SHA256", 3: "SHA512"}
_ALGORITHM_CODES: Final[dict[str, int]] = {"SHA1": 1, "SHA256": 2, "SHA512": 3}
_DIGITS: Final = {0: 6, 1: 6, 2: 8}
_TYPES: Final[dict[int, OTPType]] = {1: "hotp", 2: "totp"}
_BASE64: Final = re.compile(r"[A-Za-z0-9+/]*")
_MAX_INT64: Final = 2**63 - 1


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MigrationAccount(Unpicklable):
    """One ``OtpParameters`` entry. The secret never appears in ``repr``.

    ``name`` is what the app displays, usually ``"Issuer:account"``; :meth:`to_key_uri`
    splits it. Migration payloads carry no period: TOTP entries use 30 seconds.
    """

    secret: bytes = field(repr=False)
    name: str
    issuer: str | None = None
    algorithm: Algorithm = "SHA1"
    digits: int = 6
    type: OTPType = "totp"
    counter: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "secret", HiddenBytes(check_key(self.secret)))
        check_text(self.name, "name", InvalidParameter)
        if self.issuer is not None and not check_text(self.issuer, "issuer", InvalidParameter):
            raise InvalidParameter("issuer must be a non-empty str or None")
        object.__setattr__(self, "algorithm", check_algorithm(self.algorithm))
        if check_int(self.digits, "digits") not in (6, 8):
            raise InvalidParameter("digits must be 6 or 8 in a migration payload")
        if self.type not in ("totp", "hotp"):
            raise InvalidParameter("type must be 'totp' or 'hotp'")
        if not 0 <= check_int(self.counter, "counter") <= _MAX_INT64:
            raise InvalidParameter("counter must be in 0..2**63-1 (protobuf int64)")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MigrationAccount):
            return NotImplemented
        public = (self.name, self.issuer, self.algorithm, self.digits, self.type, self.counter)
        theirs = (other.name, other.issuer, other.algorithm, other.digits, other.type)
        return hmac.compare_digest(self.secret, other.secret) and public == (
            *theirs,
            other.counter,
        )

    __hash__ = None  # type: ignore[assignment]  # holds a secret: keep it out of sets and dicts

    @classmethod
    def from_key_uri(cls, key: KeyURI) -> MigrationAccount:
        """The entry for a :class:`~rfc6238.uri.KeyURI` (period 30, digits 6 or 8 only)."""
        if key.type == "totp" and key.period != 30:
            raise InvalidParameter("migration payloads cannot carry a period other than 30")
        name = key.account if key.issuer is None else f"{key.issuer}:{key.account}"
        return cls(
            secret=key.secret,
            name=name,
            issuer=key.issuer,
            algorithm=key.algorithm,
            digits=key.digits,
            type=key.type,
            counter=key.counter or 0,
        )

    def to_key_uri(self) -> KeyURI:
        """The :class:`~rfc6238.uri.KeyURI`: ``name`` loses an ``issuer:`` prefix (label rule)."""
        issuer, account = self.issuer, self.name
        head, sep, tail = self.name.partition(":")
        if sep and (issuer is None or head == issuer):
            issuer, account = issuer or head or None, tail.lstrip(" ")
        return KeyURI(
            type=self.type,
            secret=self.secret,
            account=account,
            issuer=issuer,
            algorithm=self.algorithm,
            digits=self.digits,
            counter=self.counter if self.type == "hotp" else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationBatch(Unpicklable):
    """A decoded ``MigrationPayload``: the accounts and the batch header."""

    accounts: tuple[MigrationAccount, ...]
    version: int = 1
    batch_size: int = 1
    batch_index: int = 0
    batch_id: int = 0

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{i}</td><td>{escape(a.name)}</td><td>{escape(a.issuer or '')}</td>"
            f"<td>{a.type}</td><td>{a.algorithm}</td><td>{a.digits}</td>"
            f"<td>&lt;{len(a.secret)} bytes, hidden&gt;</td></tr>"
            for i, a in enumerate(self.accounts)
        )
        head = "<tr><th>#</th><th>name</th><th>issuer</th><th>type</th><th>algorithm</th>"
        caption = f"batch {self.batch_index + 1} of {self.batch_size}, id {self.batch_id}"
        return f"<table><caption>{caption}</caption>{head}<th>digits</th><th>secret</th></tr>{rows}</table>"  # noqa: E501


def _decode_account(data: bytes, index: int) -> MigrationAccount:
    fields: dict[int, int | bytes] = {}
    for number, wire, value in pb.iter_fields(data):
        if number <= 7:
            if wire != (pb.LEN if number <= 3 else pb.VARINT):
                raise InvalidEncoding(f"account {index}: field {number} has the wrong wire type")
            fields[number] = value  # proto3: the last value of a scalar field wins
    text: dict[int, str] = {}
    for number in (2, 3):
        raw = fields.get(number, b"")
        assert isinstance(raw, bytes)
        try:
            text[number] = check_text(raw.decode("utf-8"), f"account {index} name", InvalidEncoding)
        except UnicodeDecodeError as err:
            raise InvalidEncoding(f"account {index}: name or issuer is not UTF-8") from err
    codes = {n: fields.get(n, 0) for n in (4, 5, 6, 7)}
    if codes[4] == 4:
        raise InvalidEncoding(f"account {index}: MD5 is not supported (RFC 6238 §1.2)")
    if codes[4] not in _ALGORITHMS or codes[5] not in _DIGITS or codes[6] not in _TYPES:
        raise InvalidEncoding(f"account {index}: unknown or unspecified algorithm/digits/type")
    counter = pb.to_int64(int(codes[7]))
    secret = fields.get(1, b"")
    assert isinstance(secret, bytes)  # field 1 was checked to be length-delimited
    if not secret or counter < 0:
        raise InvalidEncoding(f"account {index}: empty secret or negative counter")
    return MigrationAccount(
        secret=secret,
        name=text[2],
        issuer=text[3] or None,
        algorithm=_ALGORITHMS[int(codes[4])],
        digits=_DIGITS[int(codes[5])],
        type=_TYPES[int(codes[6])],
        counter=counter,
    )


def decode_migration_payload(data: bytes) -> MigrationBatch:
    """Decode a serialized ``MigrationPayload`` (the bytes inside the base64).

    >>> decode_migration_payload(bytes.fromhex("100118012000")).version
    1
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidType(f"data must be bytes, not {type(data).__name__}")
    accounts: list[MigrationAccount] = []
    header = {2: 0, 3: 0, 4: 0, 5: 0}
    names = {2: "version", 3: "batch_size", 4: "batch_index", 5: "batch_id"}
    for number, wire, value in pb.iter_fields(bytes(data)):
        if number == 1:
            if not isinstance(value, bytes):
                raise InvalidEncoding("otp_parameters must be a length-delimited field")
            accounts.append(_decode_account(value, len(accounts)))
        elif number in header:
            if wire != pb.VARINT:
                raise InvalidEncoding(f"{names[number]} must be a varint field")
            header[number] = pb.to_int32(int(value), names[number])
    return MigrationBatch(
        accounts=tuple(accounts),
        version=header[2],
        batch_size=header[3],
        batch_index=header[4],
        batch_id=header[5],
    )


def parse_migration_uri(uri: str) -> MigrationBatch:
    """Parse ``otpauth-migration://offline?data=...``.

    The data may be standard or URL-safe base64, padded or not, percent-encoded or not; a raw
    ``+`` (or a space where a form decoder turned ``+`` into one) is read as base64 ``+``.

    Raises:
        InvalidURI: wrong scheme or host, missing or repeated ``data``.
        InvalidEncoding: bad base64 or a malformed payload.
    """
    if not isinstance(uri, str):
        raise InvalidType(f"uri must be a str, not {type(uri).__name__}")
    if len(uri) > _MAX_INPUT:
        raise InvalidURI(f"migration URI must be at most {_MAX_INPUT} characters")
    check_text(uri, "migration URI", InvalidURI)
    if uri[: len(_PREFIX)].lower() != _PREFIX:
        raise InvalidURI("migration URI must start with otpauth-migration://offline?")
    found = [p[5:] for p in uri[len(_PREFIX) :].split("&") if p.startswith("data=")]
    if len(found) != 1:
        raise InvalidURI("migration URI must have exactly one data parameter")
    text = percent_decode(found[0], "data", InvalidURI).replace(" ", "+")
    text = text.replace("-", "+").replace("_", "/").rstrip("=")
    if not _BASE64.fullmatch(text) or len(text) % 4 == 1:
        raise InvalidEncoding("migration data is not base64")
    try:
        payload = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as err:
        raise InvalidEncoding("migration data is not base64") from err
    return decode_migration_payload(payload)


def encode_migration_payload(
    accounts: Iterable[MigrationAccount | KeyURI],
    *,
    version: int = 1,
    batch_size: int = 1,
    batch_index: int = 0,
    batch_id: int = 0,
) -> bytes:
    """Serialize a ``MigrationPayload`` (proto3: zero values are left out)."""
    out = bytearray()
    for account in accounts:
        a = (
            account
            if isinstance(account, MigrationAccount)
            else MigrationAccount.from_key_uri(account)
        )
        body = pb.encode_field(1, a.secret)
        if a.name:
            body += pb.encode_field(2, a.name.encode("utf-8"))
        if a.issuer:
            body += pb.encode_field(3, a.issuer.encode("utf-8"))
        body += pb.encode_field(4, _ALGORITHM_CODES[a.algorithm])
        body += pb.encode_field(5, 1 if a.digits == 6 else 2)
        body += pb.encode_field(6, 2 if a.type == "totp" else 1)
        if a.counter:
            body += pb.encode_field(7, a.counter)
        out += pb.encode_field(1, body)
    for number, value in enumerate((version, batch_size, batch_index, batch_id), start=2):
        if not -(2**31) <= check_int(value, "batch header field") < 2**31:
            raise InvalidParameter("version and batch fields must fit a protobuf int32")
        if value:
            out += pb.encode_field(number, value)
    return bytes(out)


def _uri(payload: bytes) -> str:
    return _PREFIX + "data=" + quote(base64.b64encode(payload).decode("ascii"), safe="")


def build_migration_uris(
    accounts: Iterable[MigrationAccount | KeyURI],
    *,
    batch_id: int | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
    max_accounts: int = DEFAULT_MAX_ACCOUNTS,
) -> list[str]:
    """Encode accounts as one or more migration URIs, each at most ``max_length`` characters.

    Args:
        accounts: :class:`MigrationAccount` or :class:`~rfc6238.uri.KeyURI` values.
        batch_id: Shared by every URI of the export; random (31 bits) if ``None``.
        max_length: Longest URI, so that each fits a scannable QR code.
        max_accounts: Most accounts per URI.

    Raises:
        InvalidParameter: an account cannot be expressed, or alone exceeds ``max_length``.

    >>> key = KeyURI(type="totp", secret=b"Hello!\\xde\\xad\\xbe\\xef", account="alice@google.com",
    ...              issuer="Example")
    >>> build_migration_uris([key], batch_id=1)
    ['otpauth-migration://offline?data=CjUKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZSABKAEwAhABGAEoAQ%3D%3D']
    """
    items = [
        a if isinstance(a, MigrationAccount) else MigrationAccount.from_key_uri(a) for a in accounts
    ]
    if not items:
        raise InvalidParameter("an export needs at least one account")
    batch_id = secrets.randbits(31) if batch_id is None else check_int(batch_id, "batch_id")
    if check_int(max_accounts, "max_accounts") < 1 or check_int(max_length, "max_length") < 1:
        raise InvalidParameter("max_accounts and max_length must be positive")

    def worst(group: list[MigrationAccount]) -> int:
        most = 2**31 - 1  # the longest header: every batch field at its largest
        return len(
            _uri(
                encode_migration_payload(
                    group, batch_size=most, batch_index=most, batch_id=batch_id
                )
            )
        )

    budget = max_length
    while True:
        groups: list[list[MigrationAccount]] = [[]]
        for i, account in enumerate(items):
            for trial in ([*groups[-1], account], [account]):
                if len(trial) <= max_accounts and worst(trial) <= budget:
                    break
            else:
                raise InvalidParameter(f"account {i} alone does not fit in max_length")
            if len(trial) == 1 and groups[-1]:
                groups.append(trial)
            else:
                groups[-1] = trial
        uris = [
            _uri(
                encode_migration_payload(
                    g, batch_size=len(groups), batch_index=i, batch_id=batch_id
                )
            )
            for i, g in enumerate(groups)
        ]
        excess = max(len(u) for u in uris) - max_length
        if excess <= 0:
            return uris
        budget -= excess  # base64 percent-escapes moved; tighten and split again
