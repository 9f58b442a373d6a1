"""Tests of Secret and generate_secret (RFC 6238 §5.1, RFC 4226 §4 R6 and §7.5).

A Secret must never show its bytes by accident: not in repr/str/format/f-strings/%-format,
HTML, the reprs of the objects that hold one (TOTP, HOTP, PreparedMAC, traces), nor in
pickles. Revealing is explicit.
"""

from __future__ import annotations

import copy
import logging
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import keys, released_memoryview

from rfc6238 import (
    HOTP,
    TOTP,
    Secret,
    base32,
    generate_secret,
    trace_hotp,
    trace_totp,
)
from rfc6238.errors import (
    InvalidEncoding,
    InvalidParameter,
    InvalidType,
    RFC6238Error,
    SecretTooShort,
    UnsupportedAlgorithm,
)
from rfc6238.prepared import PreparedMAC
from rfc6238.secret import MAX_GENERATED_BYTES

KEY = b"12345678901234567890"
#: A printable key so that a leak would show it verbatim in any text form.
LOUD_KEY = b"TOP-SECRET-KEY-0123456789-abcdef"


def leaked_forms(key: bytes) -> list[str]:
    """Every text form in which a key could leak: raw, repr, hex (both cases), base32."""
    b32 = base32.encode(key)
    forms = [key.hex(), key.hex().upper(), key.hex(" "), b32, b32.lower(), repr(key)]
    if key.isascii():
        forms.append(key.decode("ascii"))
    return [f for f in forms if len(f) >= 8]


def text_forms(obj: object) -> list[str]:
    forms = [repr(obj), str(obj), f"{obj}", f"{obj!r}", "%s" % (obj,), "%r" % (obj,)]  # noqa: UP031
    html = getattr(obj, "_repr_html_", None)
    if html is not None:
        forms.append(html())
    return forms


def assert_hidden(obj: object, key: bytes) -> None:
    for text in text_forms(obj):
        for form in leaked_forms(key):
            assert form not in text, f"key leaked in {text!r}"


# --- the masked forms ------------------------------------------------------------------------


def test_secret_repr_str_format_and_html_are_masked() -> None:
    secret = Secret(LOUD_KEY)
    assert repr(secret) == "Secret(<32 bytes, hidden>)"
    assert str(secret) == repr(secret)
    assert f"{secret}" == repr(secret)
    assert f"{secret:>30}" == f"{secret!r:>30}"
    assert "256 bits, hidden" in secret._repr_html_()
    assert_hidden(secret, LOUD_KEY)


@given(key=keys)
def test_no_object_shows_its_key(key: bytes) -> None:
    strong = key if len(key) >= 16 else key * 16
    holders: list[object] = [
        Secret(key),
        [Secret(key)],
        {"secret": Secret(key)},
        TOTP(key=strong),
        HOTP(key=strong),
        TOTP(key=strong).key,
        PreparedMAC(key, "SHA1"),
        trace_hotp(key, 0),
        trace_totp(key, 59),
    ]
    for holder in holders:
        # Repeated-byte keys would match base32 fragments by chance; LOUD_KEY covers those.
        assert_hidden(holder, key if len(set(key)) > 4 else LOUD_KEY)
    if len(set(key)) > 4:
        for trace in (trace_hotp(key, 0), trace_totp(key, 59)):
            rows = "\n".join(f"{name}: {value}" for name, value in trace.steps())
            assert not any(form in rows for form in leaked_forms(key))


def test_objects_holding_the_loud_key_hide_it() -> None:
    for holder in (
        Secret(LOUD_KEY),
        TOTP(key=LOUD_KEY),
        HOTP(key=LOUD_KEY),
        PreparedMAC(LOUD_KEY, "SHA256"),
        trace_hotp(LOUD_KEY, 7, algorithm="SHA512"),
        trace_totp(LOUD_KEY, 10**10, digits=8),
    ):
        assert_hidden(holder, LOUD_KEY)


def test_logging_a_secret_shows_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("enrolled %s with %r", Secret(LOUD_KEY), TOTP(key=LOUD_KEY))
    assert "hidden" in caplog.text
    for form in leaked_forms(LOUD_KEY):
        assert form not in caplog.text


def test_secret_cannot_be_pickled_or_copied_out_of_sight() -> None:
    for make_copy in (pickle.dumps, copy.copy, copy.deepcopy):
        with pytest.raises(InvalidType, match=r"^Secret cannot be pickled"):
            make_copy(Secret(LOUD_KEY))
    with pytest.raises(InvalidType):
        pickle.dumps(TOTP(key=LOUD_KEY))


def test_secret_is_immutable_and_unhashable() -> None:
    secret = Secret(KEY)
    with pytest.raises(AttributeError):
        secret._key = b"other"
    with pytest.raises(AttributeError):
        secret.anything = 1
    with pytest.raises(TypeError):
        hash(secret)
    with pytest.raises(TypeError):
        {secret}  # noqa: B018
    assert not hasattr(secret, "__dict__")


# --- explicit reveal, equality ---------------------------------------------------------------


@given(key=keys)
def test_reveal_round_trips(key: bytes) -> None:
    secret = Secret(key)
    assert secret.reveal() == key
    assert type(secret.reveal()) is bytes
    assert len(secret) == len(key)
    assert Secret.from_base32(secret.reveal_base32(), strict=True) == secret
    assert secret.reveal_base32() == base32.encode(key)


def test_secret_accepts_bytes_likes_and_copies_them() -> None:
    buffer = bytearray(KEY)
    secret = Secret(buffer)
    buffer[0] = 0
    assert secret.reveal() == KEY  # later changes to the caller's buffer do not leak in
    assert Secret(memoryview(KEY)).reveal() == KEY


def test_secret_equality() -> None:
    assert Secret(KEY) == Secret(bytearray(KEY))
    assert Secret(KEY) != Secret(KEY[:-1] + b"1")
    assert Secret(KEY) != KEY  # a Secret is not its bytes
    assert Secret(KEY).__eq__(KEY) is NotImplemented


def test_from_base32_modes() -> None:
    assert Secret.from_base32("gezd gnbv-gy3t qojq gezd gnbv gy3t qojq").reveal() == KEY
    with pytest.raises(InvalidEncoding):
        Secret.from_base32("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", strict=True)
    with pytest.raises(InvalidEncoding, match=r"must not be empty"):
        Secret.from_base32("")
    with pytest.raises(InvalidType, match=r"^secret text must be a str"):
        Secret.from_base32(KEY)  # type: ignore[arg-type]  # the bad argument under test


# --- rejections ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["GEZDGNBVGY3TQOJQ", None, 12345, [1, 2], Secret(KEY)])
def test_secret_rejects_non_bytes(key: object) -> None:
    with pytest.raises(InvalidType, match=r"^Secret takes bytes, not \w+; use Secret.from_base32"):
        Secret(key)  # type: ignore[arg-type]  # the bad argument under test


@pytest.mark.parametrize("key", [b"", bytearray(), memoryview(b"")])
def test_secret_rejects_empty(key: bytes) -> None:
    with pytest.raises(SecretTooShort, match=r"^key must not be empty$"):
        Secret(key)


def test_secret_rejects_a_released_memoryview_with_a_typed_error() -> None:
    # Regression (fixed in 24b5e44): this raised a bare ValueError from bytes(memoryview).
    with pytest.raises(RFC6238Error):
        Secret(released_memoryview(KEY))


# --- generate_secret -------------------------------------------------------------------------


def test_generate_secret_defaults_and_sizes() -> None:
    assert len(generate_secret()) == 20  # RFC 4226 R6: 160 bits recommended
    assert len(generate_secret(16)) == 16
    assert len(generate_secret(MAX_GENERATED_BYTES)) == MAX_GENERATED_BYTES
    assert [len(generate_secret(algorithm=a)) for a in ("sha1", "SHA256", "SHA512")] == [20, 32, 64]
    assert len(Secret.generate(32)) == 32
    assert isinstance(generate_secret(), Secret)


def test_generate_secret_is_random() -> None:
    seen = {generate_secret().reveal() for _ in range(50)}
    assert len(seen) == 50


@given(nbytes=st.integers(min_value=16, max_value=MAX_GENERATED_BYTES))
def test_generate_secret_length(nbytes: int) -> None:
    assert len(generate_secret(nbytes).reveal()) == nbytes


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"nbytes": 15}, InvalidParameter, r"^nbytes must be between 16 and 128$"),
        ({"nbytes": 0}, InvalidParameter, r"^nbytes must be between 16 and 128$"),
        ({"nbytes": -20}, InvalidParameter, r"^nbytes must be between 16 and 128$"),
        ({"nbytes": 129}, InvalidParameter, r"^nbytes must be between 16 and 128$"),
        ({"nbytes": 10**9}, InvalidParameter, r"^nbytes must be between 16 and 128$"),
        ({"nbytes": True}, InvalidType, r"^nbytes must be an int, not bool$"),
        ({"nbytes": 20.0}, InvalidType, r"^nbytes must be an int, not float$"),
        ({"nbytes": "20"}, InvalidType, r"^nbytes must be an int, not str$"),
        ({"algorithm": "md5"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": "SHA-256"}, UnsupportedAlgorithm, r"^algorithm must be one of"),
        ({"algorithm": 1}, InvalidType, r"^algorithm must be a str"),
    ],
)
def test_generate_secret_rejects_bad_arguments(
    kwargs: dict[str, object], error: type[RFC6238Error], message: str
) -> None:
    with pytest.raises(error, match=message):
        generate_secret(**kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


def test_generate_secret_refuses_both_nbytes_and_algorithm() -> None:
    with pytest.raises(InvalidParameter, match="nbytes or algorithm"):
        generate_secret(32, algorithm="SHA1")
    assert len(generate_secret(algorithm="SHA256")) == 32
    assert len(generate_secret()) == 20


def test_secret_format_spec_that_text_does_not_take_is_a_typed_error() -> None:
    secret = Secret(KEY)
    assert f"{secret:>40}".strip() == repr(secret)
    with pytest.raises(InvalidType, match="masked text") as caught:
        format(secret, "x")
    assert KEY.hex() not in str(caught.value)


def test_values_holding_a_secret_refuse_pickling_copying_and_asdict() -> None:
    import dataclasses

    from rfc6238 import MigrationAccount, MigrationBatch, parse_uri
    from rfc6238.secret import HiddenBytes

    uri = parse_uri(f"otpauth://totp/ACME:alice?secret={base32.encode(LOUD_KEY)}&issuer=ACME")
    account = MigrationAccount(secret=LOUD_KEY, name="ACME:alice", issuer="ACME")
    batch = MigrationBatch(accounts=(account,))
    assert isinstance(uri.secret, HiddenBytes)
    assert uri.secret == LOUD_KEY
    assert bytes(uri.secret) == LOUD_KEY
    for value in (uri, account, batch, uri.secret):
        for make_copy in (pickle.dumps, copy.copy, copy.deepcopy):
            with pytest.raises(InvalidType, match=r"^a value holding a secret cannot be pickled"):
                make_copy(value)
    for value in (uri, account, batch):
        with pytest.raises(InvalidType, match=r"cannot be pickled or copied"):
            dataclasses.asdict(value)
    assert LOUD_KEY.hex() not in f"{uri.secret} {uri.secret!r} {account!r} {batch!r}"
