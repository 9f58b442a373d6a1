"""Tests of base32 for secrets (RFC 4648 §6; SECURITY.md "Base32").

Round trip; padding optional on input and omitted on output; strict vs lenient modes; the
ASCII check before case mapping; non-canonical trailing bits rejected in strict mode; one
negative test per branch of ``decode``; messages never quote the text.
"""

from __future__ import annotations

import base64
import binascii

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import released_memoryview

from rfc6238 import base32
from rfc6238.base32 import MAX_TEXT_LENGTH, decode, encode
from rfc6238.errors import InvalidEncoding, InvalidType, RFC6238Error

KEY = b"12345678901234567890"
KEY_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


# --- encode ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [  # RFC 4648 §10 test vectors, padding removed
        (b"", ""),
        (b"f", "MY"),
        (b"fo", "MZXQ"),
        (b"foo", "MZXW6"),
        (b"foob", "MZXW6YQ"),
        (b"fooba", "MZXW6YTB"),
        (b"foobar", "MZXW6YTBOI"),
        (KEY, KEY_B32),
    ],
)
def test_encode_rfc4648_vectors_without_padding(data: bytes, text: str) -> None:
    assert encode(data) == text
    assert encode(bytearray(data)) == text
    assert encode(memoryview(data)) == text
    if data:
        assert decode(text, strict=True) == data
        assert decode(base64.b32encode(data).decode(), strict=True) == data  # padded input


@pytest.mark.parametrize("value", ["MZXW6", None, 5, [1, 2]])
def test_encode_rejects_non_bytes(value: object) -> None:
    with pytest.raises(InvalidType, match=r"^key must be bytes, not \w+$"):
        encode(value)  # type: ignore[arg-type]  # the bad argument under test


def test_encode_rejects_a_released_memoryview_with_a_typed_error() -> None:
    # Regression (fixed in 24b5e44): this used to raise a bare ValueError.
    with pytest.raises(RFC6238Error):
        encode(released_memoryview(KEY))


# --- round trip and agreement with the standard library --------------------------------------


@given(st.binary(min_size=1, max_size=200))
def test_round_trip(key: bytes) -> None:
    text = encode(key)
    assert "=" not in text
    assert set(text) <= set(ALPHABET)
    assert decode(text, strict=True) == key
    assert decode(text) == key
    assert decode(text.lower()) == key
    assert decode(base64.b32encode(key).decode(), strict=True) == key
    grouped = " ".join(text[i : i + 4] for i in range(0, len(text), 4))
    assert decode(grouped) == key
    assert decode(grouped.replace(" ", "-").lower()) == key


@given(st.text(alphabet=ALPHABET + "=", max_size=40))
def test_strict_decode_accepts_exactly_the_canonical_texts(text: str) -> None:
    # Canonical: encode(decode(text)) == text without its padding, with valid padding.
    try:
        key = decode(text, strict=True)
    except InvalidEncoding:
        body = text.rstrip("=")
        padded = body + "=" * (-len(body) % 8)
        canonical = False
        if body and "=" not in body and text in (body, padded):
            try:
                canonical = encode(base64.b32decode(padded)) == body
            except binascii.Error:
                canonical = False
        assert not canonical
    else:
        assert encode(key) == text.rstrip("=")


@given(st.text(alphabet=ALPHABET.lower() + ALPHABET + "=- 0189", max_size=40))
def test_lenient_decode_agrees_with_the_standard_library(text: str) -> None:
    body = text.replace(" ", "").replace("-", "").upper()
    stripped = body.rstrip("=")
    try:
        expected: bytes | None = base64.b32decode(stripped + "=" * (-len(stripped) % 8))
    except binascii.Error:
        expected = None
    try:
        result: bytes | None = decode(text)
    except InvalidEncoding:
        result = None
    if result is not None:
        assert result == expected
    elif expected:
        # We reject what the stdlib would accept only for padding we consider wrong.
        assert body != stripped


# --- strict vs lenient -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
        "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
        "GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
        " gezd-gnbv gy3t-qojq gezd gnbv gy3t qojq ",
    ],
)
def test_lenient_mode_accepts_lower_case_spaces_and_hyphens(text: str) -> None:
    assert decode(text) == KEY
    with pytest.raises(InvalidEncoding, match=r"^base32 secret must use only A-Z, 2-7 and ="):
        decode(text, strict=True)


@pytest.mark.parametrize(
    "text", ["GEZDGNB\tGY3TQOJQ", "GEZDGNB\nGY3TQOJQ", "GEZDGNB_GY3TQOJQ", "GEZDGNB.GY3TQOJQ"]
)
def test_lenient_mode_strips_only_spaces_and_hyphens(text: str) -> None:
    with pytest.raises(InvalidEncoding, match=r"^base32 secret contains characters outside"):
        decode(text)


class Unbooleanable:
    """Like a numpy array: ``bool()`` of it raises."""

    def __bool__(self) -> bool:
        raise ValueError("truth value is ambiguous")


@pytest.mark.parametrize(
    "strict",
    ["yes", "False", 1, 0, None, released_memoryview(KEY), Unbooleanable()],
    ids=["yes", "False-str", "1", "0", "None", "released-memoryview", "bool-raises"],
)
def test_strict_must_be_a_bool(strict: object) -> None:
    # Regression (fixed in 24b5e44): `if not strict` evaluated any object's truth value: a
    # released memoryview or a numpy-like object raised ValueError, and "False" meant strict.
    with pytest.raises(InvalidType, match=r"^strict must be a bool$"):
        decode(KEY_B32, strict=strict)  # type: ignore[arg-type]  # the bad argument under test


@pytest.mark.parametrize(
    ("text", "data"),
    [("MY", b"f"), ("MY======", b"f"), ("MZXQ", b"fo"), ("MZXQ====", b"fo"), ("MZXW6===", b"foo")],
)
def test_padding_is_optional(text: str, data: bytes) -> None:
    assert decode(text) == decode(text, strict=True) == data


@pytest.mark.parametrize(
    ("text", "data"),
    [("MZ", b"f"), ("MZXR", b"fo"), ("MZXW7", b"foo"), ("MZXW6YR", b"foob"), ("GF", b"1")],
)
def test_non_canonical_trailing_bits(text: str, data: bytes) -> None:
    # The unused low bits of the last character are not zero: two texts for one key.
    assert decode(text) == data
    with pytest.raises(InvalidEncoding, match=r"^base32 secret has non-zero trailing bits"):
        decode(text, strict=True)


# --- ASCII before case mapping ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "GEZDGNBVGY3TQOJ\u0131",  # dotless i: upper() gives "I"
        "\u017fEZDGNBV",  # long s: upper() gives "S"
        "\u212aEZDGNBV",  # Kelvin sign: lower() gives "k"
        "\uff27\uff25\uff3a\uff24\uff27\uff2e\uff22\uff36",  # full-width
        "GEZDGNBV\u00a0GY3TQOJQ",  # no-break space
        "GEZDGNBV\u2010GY3TQOJQ",  # Unicode hyphen
        "GEZD\u0301GNBV",  # combining accent
    ],
)
@pytest.mark.parametrize("strict", [False, True])
def test_non_ascii_is_rejected_before_case_mapping(text: str, strict: bool) -> None:
    with pytest.raises(InvalidEncoding, match=r"^base32 secret must contain only ASCII"):
        decode(text, strict=strict)


def test_the_case_mapping_traps_are_real() -> None:
    assert "\u0131".upper() == "I"
    assert "\u017f".upper() == "S"
    assert "\u212a".lower() == "k"


# --- one negative test per branch of decode --------------------------------------------------


@pytest.mark.parametrize("text", [KEY, None, 5, bytearray(b"MY"), ["MY"]])
def test_decode_rejects_non_str(text: object) -> None:
    with pytest.raises(InvalidType, match=r"^secret text must be a str, not \w+$"):
        decode(text)  # type: ignore[arg-type]  # the bad argument under test


def test_decode_bounds_the_length_before_any_work() -> None:
    assert len(decode("A" * 1024)) == 640
    with pytest.raises(InvalidEncoding, match=r"^base32 secret must be at most 1024 characters$"):
        decode("A" * (MAX_TEXT_LENGTH + 1))
    with pytest.raises(InvalidEncoding, match=r"at most 1024"):
        decode(" " * 2000)  # separators count too
    with pytest.raises(InvalidEncoding, match=r"at most 1024"):
        decode("\u0131" * 10**6)


@pytest.mark.parametrize("text", ["A", "ABC", "ABCDEF", "ABCDEFGHA", "MZXW6YTBOIA"])
@pytest.mark.parametrize("strict", [False, True])
def test_decode_rejects_impossible_lengths(text: str, strict: bool) -> None:
    with pytest.raises(InvalidEncoding, match=r"^base32 secret has an impossible length$"):
        decode(text, strict=strict)


@pytest.mark.parametrize(
    "text", ["MY=", "MY=====", "MY=======", "MZXQ==", "MZXW6YTB=", "MZXW6YQ=="]
)
def test_decode_rejects_wrong_padding(text: str) -> None:
    with pytest.raises(InvalidEncoding, match=r"^base32 secret has wrong padding$"):
        decode(text)


@pytest.mark.parametrize("text", ["", " ", "-", " - - "])
def test_decode_rejects_empty(text: str) -> None:
    with pytest.raises(InvalidEncoding, match=r"^base32 secret must not be empty$"):
        decode(text)


def test_decode_rejects_padding_only() -> None:
    with pytest.raises(InvalidEncoding, match=r"^base32 secret has wrong padding$"):
        decode("========")


@pytest.mark.parametrize("text", ["MZ=XW6YT", "M=ZXW6YTBO======", "MZXW6YT=BOIQ===="])
def test_decode_rejects_padding_in_the_middle(text: str) -> None:
    for strict in (False, True):
        with pytest.raises(InvalidEncoding, match=r"^base32 secret has padding in the middle$"):
            decode(text, strict=strict)


@pytest.mark.parametrize("text", ["GEZDGNB0", "GEZDGNB1", "GEZDGNB8", "GEZDGNB!", "GEZDGNB9"])
def test_decode_rejects_characters_outside_the_alphabet(text: str) -> None:
    with pytest.raises(
        InvalidEncoding, match=r"^base32 secret contains characters outside"
    ) as info:
        decode(text)
    assert isinstance(info.value.__cause__, binascii.Error)
    with pytest.raises(InvalidEncoding, match=r"^base32 secret must use only A-Z, 2-7 and ="):
        decode(text, strict=True)


def _message(text: str, *, strict: bool = False) -> str:
    with pytest.raises(InvalidEncoding) as info:
        decode(text, strict=strict)
    return str(info.value)


#: One input per rejection branch of decode: the set of every message it can give for text.
DECODE_MESSAGES = {
    _message("A" * (MAX_TEXT_LENGTH + 1)),
    _message("\u0131"),
    _message("my", strict=True),
    _message("A"),
    _message("MY="),
    _message(""),
    _message("MZ=XW6YT"),
    _message("GEZDGNB1"),
    _message("MZ", strict=True),
}


@given(st.text(max_size=60), st.booleans())
def test_decode_raises_only_typed_errors_and_never_quotes_the_text(text: str, strict: bool) -> None:
    # The message is one of a fixed set, so it cannot contain (any part of) the secret text.
    error: RFC6238Error | None = None
    try:
        key = decode(text, strict=strict)
    except RFC6238Error as err:
        error = err
    if error is None:
        assert key
        assert text.isascii()
    else:
        assert isinstance(error, InvalidEncoding)
        assert str(error) in DECODE_MESSAGES


def test_module_exports() -> None:
    assert base32.__all__ == ["decode", "encode"]
