"""Google Authenticator migration exports, cross-checked with the real `protobuf` package."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import strategies as hs
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from hypothesis import given
from hypothesis import strategies as st

from rfc6238 import InvalidEncoding, InvalidParameter, InvalidType, InvalidURI
from rfc6238._protobuf import encode_field, encode_varint, iter_fields
from rfc6238.migration import (
    MigrationAccount,
    MigrationBatch,
    build_migration_uris,
    decode_migration_payload,
    encode_migration_payload,
    parse_migration_uri,
)
from rfc6238.uri import KeyURI, parse_uri

# Published example (dim13/otpauth README and migration/convert_test.go): type only, so the
# algorithm and digit count are unspecified (0) on the wire.
DIM13 = (
    "otpauth-migration://offline?data="
    "CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC"
)
# Found in a third-party Go test: the account's length byte (0x31) was not updated when
# algorithm/digits/type were appended, so "type" lands outside the account (an unknown outer
# field) and the account has no type. protobuf reads type 0; we reject it.
NO_TYPE = (
    "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoH"
    "RXhhbXBsZSABKAEwAhABGAEgACjr4JKkBg%3D%3D"
)
# Three accounts with odd secrets (the otpauth_migration Dart package's example).
DART = (
    "otpauth-migration://offline?data=ChAKASUSBU1laGRpIAEoATACChIKA2EONBIFbWVoZGkgASgBMAIKKwoPHf"
    "//y0j53f//j3X/////EgpBQ01FIENvOlZnGgZBbWF6b24gASgBMAIQAhgBIAA%3D"
)
KEY = b"12345678901234567890"


def _message_class() -> Any:
    """MigrationPayload from Aegis' google_auth.proto, built at run time with `protobuf`."""
    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="rfc6238_test_google_auth.proto", package="t", syntax="proto3"
    )
    msg = fdp.message_type.add(name="MigrationPayload")
    enums = {
        "Algorithm": [
            "ALGORITHM_UNSPECIFIED",
            "ALGORITHM_SHA1",
            "ALGORITHM_SHA256",
            "ALGORITHM_SHA512",
            "ALGORITHM_MD5",
        ],
        "DigitCount": ["DIGIT_COUNT_UNSPECIFIED", "DIGIT_COUNT_SIX", "DIGIT_COUNT_EIGHT"],
        "OtpType": ["OTP_TYPE_UNSPECIFIED", "OTP_TYPE_HOTP", "OTP_TYPE_TOTP"],
    }
    for name, values in enums.items():
        enum = msg.enum_type.add(name=name)
        for number, value in enumerate(values):
            enum.value.add(name=value, number=number)
    params = msg.nested_type.add(name="OtpParameters")
    for number, (name, kind, type_name) in enumerate(
        [
            ("secret", f.TYPE_BYTES, ""),
            ("name", f.TYPE_STRING, ""),
            ("issuer", f.TYPE_STRING, ""),
            ("algorithm", f.TYPE_ENUM, ".t.MigrationPayload.Algorithm"),
            ("digits", f.TYPE_ENUM, ".t.MigrationPayload.DigitCount"),
            ("type", f.TYPE_ENUM, ".t.MigrationPayload.OtpType"),
            ("counter", f.TYPE_INT64, ""),
        ],
        start=1,
    ):
        field = params.field.add(name=name, number=number, type=kind, label=f.LABEL_OPTIONAL)
        if type_name:  # setting it, even to "", marks the field as a message/enum reference
            field.type_name = type_name
    msg.field.add(
        name="otp_parameters",
        number=1,
        type=f.TYPE_MESSAGE,
        label=f.LABEL_REPEATED,
        type_name=".t.MigrationPayload.OtpParameters",
    )
    for number, name in enumerate(["version", "batch_size", "batch_index", "batch_id"], start=2):
        msg.field.add(name=name, number=number, type=f.TYPE_INT32, label=f.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("t.MigrationPayload"))


Payload = _message_class()
ALGORITHM = {"SHA1": 1, "SHA256": 2, "SHA512": 3}
TYPE = {"hotp": 1, "totp": 2}


def _data(uri: str) -> bytes:
    text = uri.split("data=", 1)[1].replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _same(ours: MigrationBatch, theirs: Any) -> None:
    assert (ours.version, ours.batch_size, ours.batch_index, ours.batch_id) == (
        theirs.version,
        theirs.batch_size,
        theirs.batch_index,
        theirs.batch_id,
    )
    assert len(ours.accounts) == len(theirs.otp_parameters)
    for a, p in zip(ours.accounts, theirs.otp_parameters, strict=True):
        assert (a.secret, a.name, a.issuer or "", a.counter) == (
            p.secret,
            p.name,
            p.issuer,
            p.counter,
        )
        assert ALGORITHM[a.algorithm] == (p.algorithm or 1)
        assert {6: 1, 8: 2}[a.digits] == (p.digits or 1)
        assert TYPE[a.type] == p.type


@pytest.mark.parametrize("uri", [DIM13, DART], ids=["dim13", "dart"])
def test_published_examples_agree_with_protobuf(uri: str) -> None:
    batch = parse_migration_uri(uri)
    _same(batch, Payload.FromString(_data(uri)))


def test_published_example_fields() -> None:
    (account,) = parse_migration_uri(DIM13).accounts
    assert account == MigrationAccount(
        secret=b"Hello!\xde\xad\xbe\xef", name="Example:alice@google.com", issuer="Example"
    )
    key = account.to_key_uri()
    assert (key.issuer, key.account, key.period, key.short_key) == (
        "Example",
        "alice@google.com",
        30,
        True,
    )
    ga_style = Payload(version=1, batch_size=1, batch_id=-123)
    ga_style.otp_parameters.add(
        secret=account.secret, name=account.name, issuer="Example", algorithm=1, digits=1, type=2
    )
    data = base64.b64encode(ga_style.SerializeToString()).decode()
    assert parse_migration_uri(f"otpauth-migration://offline?data={data}").accounts == (account,)


def test_account_without_type_is_rejected() -> None:
    assert Payload.FromString(_data(NO_TYPE)).otp_parameters[0].type == 0
    with pytest.raises(InvalidEncoding, match="unspecified"):
        parse_migration_uri(NO_TYPE)


accounts = st.builds(
    MigrationAccount,
    secret=st.binary(min_size=1, max_size=64),
    name=hs.uri_label_texts,
    issuer=hs.uri_issuers,
    algorithm=hs.algorithms,
    digits=st.sampled_from([6, 8]),
    type=st.sampled_from(["totp", "hotp"]),
    counter=st.integers(0, 2**63 - 1),
)
int32s = st.integers(-(2**31), 2**31 - 1)


@given(st.lists(accounts, max_size=5), int32s, int32s, int32s, int32s)
def test_encoding_matches_protobuf_byte_for_byte(
    items: list[MigrationAccount], version: int, size: int, index: int, batch_id: int
) -> None:
    ours = encode_migration_payload(
        items, version=version, batch_size=size, batch_index=index, batch_id=batch_id
    )
    theirs = Payload(version=version, batch_size=size, batch_index=index, batch_id=batch_id)
    for a in items:
        theirs.otp_parameters.add(
            secret=a.secret,
            name=a.name,
            issuer=a.issuer or "",
            algorithm=ALGORITHM[a.algorithm],
            digits={6: 1, 8: 2}[a.digits],
            type=TYPE[a.type],
            counter=a.counter,
        )
    assert ours == theirs.SerializeToString(deterministic=True)
    decoded = decode_migration_payload(ours)
    assert decoded.accounts == tuple(items)
    _same(decoded, Payload.FromString(ours))


@given(st.binary(max_size=200))
def test_garbage_payloads_raise_only_invalid_encoding(data: bytes) -> None:
    try:
        batch = decode_migration_payload(data)
    except InvalidEncoding:
        return
    _same(batch, Payload.FromString(data))


def test_every_truncation_is_handled() -> None:
    data = _data(DART)
    for end in range(len(data)):
        try:
            decode_migration_payload(data[:end])
        except InvalidEncoding:
            continue


PLUS = encode_migration_payload(
    [
        MigrationAccount(secret=b"\xfb\xef\xbe\xff" * 5, name="a?"),
        MigrationAccount(secret=KEY, name=""),
    ]
)


@pytest.mark.parametrize(
    "data",
    [
        base64.b64encode(PLUS).decode(),  # raw '+' and '/' and '='
        base64.b64encode(PLUS).decode().rstrip("="),  # unpadded
        base64.urlsafe_b64encode(PLUS).decode(),  # URL-safe, padded
        base64.urlsafe_b64encode(PLUS).decode().rstrip("="),  # URL-safe, unpadded
        base64.b64encode(PLUS).decode().replace("+", " "),  # '+' turned into ' '
        base64.b64encode(PLUS).decode().replace("+", "%2B").replace("/", "%2f"),
    ],
    ids=["raw", "unpadded", "url-safe", "url-safe-unpadded", "plus-as-space", "escaped"],
)
def test_base64_variants(data: str) -> None:
    batch = parse_migration_uri("otpauth-migration://offline?data=" + data)
    assert batch == decode_migration_payload(PLUS)


def test_variants_cover_plus_slash_and_padding() -> None:
    text = base64.b64encode(PLUS).decode()
    assert "+" in text
    assert "/" in text
    assert text.endswith("=")


def test_empty_payload_is_an_empty_batch() -> None:
    batch = parse_migration_uri("otpauth-migration://offline?data=")
    assert batch == MigrationBatch(accounts=(), version=0, batch_size=0, batch_index=0)


def test_negative_batch_id_is_ten_byte_varint() -> None:
    data = encode_migration_payload([], batch_id=-5, version=0, batch_size=0)
    assert data == encode_varint(5 << 3) + b"\xfb" + b"\xff" * 8 + b"\x01"
    assert Payload.FromString(data).batch_id == -5
    assert decode_migration_payload(data).batch_id == -5


def _account(*fields: bytes) -> bytes:
    return encode_field(1, b"".join(fields))


SECRET = encode_field(1, KEY)
TOTP_TYPE = encode_field(6, 2)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x08", "truncated inside a varint"),
        (b"\x08" + b"\xff" * 10 + b"\x01", "longer than 10 bytes"),
        (b"\x08" + b"\xff" * 9 + b"\x02", "exceeds 64 bits"),
        (b"\x00\x01", "field number"),
        (b"\x0a\x05ab", "runs past the end"),
        (b"\x09abc", "truncated inside a fixed-size"),
        (b"\x0f", "wire type 7"),
        (b"\x0c", "wire type 4"),
        (b"\x4b\x08\x01", "not closed"),
        (b"\x4b\x54", "wrong field number"),
        (b"\x4b" * 40, "nested too deeply"),
        (b"\x08\x01", "otp_parameters must be a length-delimited"),
        (b"\x12\x00", "version must be a varint"),
        (encode_field(3, 2**40), "batch_size does not fit"),
        (_account(SECRET, TOTP_TYPE, encode_varint(4 << 3 | 2) + b"\x00"), "wrong wire type"),
        (_account(SECRET, encode_field(2, b"\xff"), TOTP_TYPE), "not UTF-8"),
        (_account(SECRET, encode_field(2, b"a\nb"), TOTP_TYPE), "control"),
        (_account(SECRET, encode_field(4, 4), TOTP_TYPE), "MD5"),
        (_account(SECRET, encode_field(4, 9), TOTP_TYPE), "unknown or unspecified"),
        (_account(SECRET, encode_field(5, 3), TOTP_TYPE), "unknown or unspecified"),
        (_account(SECRET), "unknown or unspecified"),
        (_account(SECRET, encode_field(6, 3)), "unknown or unspecified"),
        (_account(TOTP_TYPE), "empty secret"),
        (_account(SECRET, TOTP_TYPE, encode_field(7, -1)), "negative counter"),
    ],
)
def test_malformed_payloads(data: bytes, match: str) -> None:
    with pytest.raises(InvalidEncoding, match=match):
        decode_migration_payload(data)


def test_unknown_fields_and_groups_are_skipped() -> None:
    extra = encode_field(8, b"unique-id") + b"\x9d\x06abcd" + b"\x4b\x08\x01\x4c"
    data = _account(SECRET, TOTP_TYPE, extra) + encode_field(99, 7) + b"\x4b\x4c"
    (account,) = decode_migration_payload(data).accounts
    assert account.secret == KEY
    _same(decode_migration_payload(data), Payload.FromString(data))


@pytest.mark.parametrize(
    ("uri", "error", "match"),
    [
        ("otpauth://totp/a?secret=GEZDGNBV", InvalidURI, "must start with"),
        ("otpauth-migration://online?data=", InvalidURI, "must start with"),
        ("otpauth-migration://offline?foo=bar", InvalidURI, "exactly one data"),
        ("otpauth-migration://offline?data=&data=", InvalidURI, "exactly one data"),
        ("otpauth-migration://offline?data=a%0Ab", InvalidURI, "control"),
        ("otpauth-migration://offline?data=%ZZ", InvalidURI, "hex digits"),
        ("otpauth-migration://offline?data=ab*c", InvalidEncoding, "not base64"),
        ("otpauth-migration://offline?data=abcde", InvalidEncoding, "not base64"),
        ("otpauth-migration://offline?data=ab=c", InvalidEncoding, "not base64"),
        ("otpauth-migration://offline?data=" + "A" * 9000, InvalidURI, "at most"),
    ],
)
def test_bad_migration_uris(uri: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        parse_migration_uri(uri)


def test_parse_rejects_non_str_and_decode_non_bytes() -> None:
    with pytest.raises(InvalidType):
        parse_migration_uri(b"otpauth-migration://offline?data=")  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(InvalidType):
        decode_migration_payload("CjEK")  # type: ignore[arg-type]  # the bad argument under test


def _keys(n: int, name_length: int = 10) -> list[KeyURI]:
    return [
        KeyURI(
            type="totp",
            secret=bytes([i]) * 20,
            account=f"user{i}".ljust(name_length, "x"),
            issuer="Example",
        )
        for i in range(n)
    ]


def test_split_by_account_count() -> None:
    keys = _keys(25)
    uris = build_migration_uris(keys, batch_id=-7)
    batches = [parse_migration_uri(u) for u in uris]
    assert [len(b.accounts) for b in batches] == [10, 10, 5]
    assert [(b.batch_size, b.batch_index, b.batch_id) for b in batches] == [
        (3, i, -7) for i in range(3)
    ]
    assert [a.to_key_uri() for b in batches for a in b.accounts] == keys


def test_split_by_length() -> None:
    keys = _keys(12, name_length=150)
    uris = build_migration_uris(keys, batch_id=1, max_length=600)
    assert all(len(u) <= 600 for u in uris)
    assert len(uris) > 2
    decoded = [a.to_key_uri() for u in uris for a in parse_migration_uri(u).accounts]
    assert decoded == keys


@pytest.mark.parametrize("max_length", [300, 400, 500, 700, 1000])
def test_split_respects_every_bound(max_length: int) -> None:
    keys = [
        KeyURI(
            type="hotp",
            secret=bytes(range(i, i + 64)),
            account="é" * 20 + str(i),
            issuer="Ünïcode",
            counter=i,
            algorithm="SHA512",
            digits=8,
        )
        for i in range(30)
    ]
    uris = build_migration_uris(keys, max_length=max_length)
    assert max(len(u) for u in uris) <= max_length
    assert [a.to_key_uri() for u in uris for a in parse_migration_uri(u).accounts] == keys
    assert len({parse_migration_uri(u).batch_id for u in uris}) == 1


def test_build_rejects() -> None:
    with pytest.raises(InvalidParameter, match="at least one"):
        build_migration_uris([])
    with pytest.raises(InvalidParameter, match="alone does not fit"):
        build_migration_uris(_keys(1, 500), max_length=300)
    with pytest.raises(InvalidParameter, match="period"):
        build_migration_uris([parse_uri("otpauth://totp/a?secret=GEZDGNBV&period=60")])
    with pytest.raises(InvalidParameter, match="digits must be 6 or 8"):
        build_migration_uris([parse_uri("otpauth://totp/a?secret=GEZDGNBV&digits=7")])
    with pytest.raises(InvalidParameter, match="positive"):
        build_migration_uris(_keys(1), max_accounts=0)
    with pytest.raises(InvalidParameter, match="int32"):
        encode_migration_payload([], batch_id=2**31)
    with pytest.raises(InvalidParameter, match="int64"):
        MigrationAccount(secret=KEY, name="a", counter=2**63)


def test_key_uri_conversion_rules() -> None:
    plain = MigrationAccount(secret=KEY, name="alice")
    assert (plain.to_key_uri().issuer, plain.to_key_uri().account) == (None, "alice")
    prefixed = MigrationAccount(secret=KEY, name="Example: alice", issuer=None)
    assert (prefixed.to_key_uri().issuer, prefixed.to_key_uri().account) == ("Example", "alice")
    other = MigrationAccount(secret=KEY, name="Other:alice", issuer="Example")
    assert (other.to_key_uri().issuer, other.to_key_uri().account) == ("Example", "Other:alice")
    hotp = MigrationAccount(secret=KEY, name="b", type="hotp", counter=9)
    assert hotp.to_key_uri().counter == 9


def test_secret_never_shown() -> None:
    batch = parse_migration_uri(DART)
    for text in (repr(batch), batch._repr_html_()):
        assert "secret=" not in text
        assert "hidden" in batch._repr_html_()
    assert "Hello" not in repr(parse_migration_uri(DIM13))
    with pytest.raises(TypeError):
        hash(batch.accounts[0])


def test_iter_fields_doc_example() -> None:
    assert list(iter_fields(bytes.fromhex("08ac02120161"))) == [(1, 0, 300), (2, 2, b"a")]


@given(st.text(alphabet="ABCabc019+/-_=% &?:", max_size=60))
def test_parse_migration_uri_never_crashes(data: str) -> None:
    try:
        parse_migration_uri("otpauth-migration://offline?data=" + data)
    except InvalidEncoding:  # InvalidURI is an InvalidEncoding
        return
