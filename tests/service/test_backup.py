"""Tests of the pure backup-code functions (NIST SP 800-63B look-up secrets).

Checked: 80 random bits per code in the Crockford alphabet and the display format; input
normalisation (dashes, spaces, case, O/I/L) and every rejection branch; the self-describing
scrypt string, per-code salts, constant-time check; bounds on stored parameters.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfc6238.errors import InvalidEncoding, InvalidParameter, InvalidType, MalformedToken
from rfc6238.service.backup import (
    ALPHABET,
    CODE_LENGTH,
    ScryptParams,
    check_backup_code,
    format_backup_code,
    generate_backup_code,
    generate_backup_codes,
    hash_backup_code,
    normalize_backup_code,
    parse_backup_hash,
)

FAST = ScryptParams(n=1024)
CODE = "K7FQ-3M9X-T2VR-8HPW"


def test_generated_codes_have_80_bits_in_the_display_format() -> None:
    codes = generate_backup_codes(10)
    assert len(set(codes)) == 10
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET)
    assert len(ALPHABET) == 32
    assert CODE_LENGTH * 5 == 80
    assert not set("ILOU") & set(ALPHABET)


def test_generated_characters_cover_the_alphabet() -> None:
    seen = set("".join(normalize_backup_code(generate_backup_code()) for _ in range(200)))
    assert seen == set(ALPHABET)


@pytest.mark.parametrize("count", [0, 101, True, 2.0])
def test_generate_count_bounds(count: object) -> None:
    with pytest.raises((InvalidParameter, InvalidType)):
        generate_backup_codes(count)  # type: ignore[arg-type]  # the bad argument under test


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("K7FQ-3M9X-T2VR-8HPW", "K7FQ3M9XT2VR8HPW"),
        ("k7fq3m9xt2vr8hpw", "K7FQ3M9XT2VR8HPW"),
        (" k7fq 3m9x - t2vr 8hpw ", "K7FQ3M9XT2VR8HPW"),
        ("oOiI-lL00-1111-2222", "0011110011112222"),
    ],
)
def test_normalize_accepts_what_people_type(typed: str, canonical: str) -> None:
    assert normalize_backup_code(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "K7FQ-3M9X-T2VR-8HP",  # 15 characters
        "K7FQ-3M9X-T2VR-8HPWX",  # 17
        "K7FQ-3M9X-T2VR-8HPU",  # U is not Crockford
        "K7FQ_3M9X_T2VR_8HPW",  # underscores are not separators
        "K7FQ-3M9X-T2VR-8HP\u0131",  # dotless i upper-cases to I: ASCII check first
        "K7FQ-3M9X-T2VR-8HPW\n",  # a newline is not a separator
        "\uff2b7FQ3M9XT2VR8HPW",  # full-width K
        "-" * 65,  # over the length bound
        "",
    ],
)
def test_normalize_rejects(typed: str) -> None:
    with pytest.raises(MalformedToken) as info:
        normalize_backup_code(typed)
    assert typed.strip() not in str(info.value) or not typed.strip()


@pytest.mark.parametrize("value", [None, 1234, b"K7FQ3M9XT2VR8HPW"])
def test_normalize_rejects_non_str(value: object) -> None:
    with pytest.raises(InvalidType):
        normalize_backup_code(value)  # type: ignore[arg-type]  # the bad argument under test


def test_format_round_trip() -> None:
    assert format_backup_code("k7fq3m9xt2vr8hpw") == CODE


def test_hash_is_self_describing_and_salted_per_code() -> None:
    a, b = hash_backup_code(CODE, params=FAST), hash_backup_code(CODE, params=FAST)
    assert a != b  # new salt each time
    assert a.startswith("scrypt$n=1024,r=8,p=1$")
    params, salt, digest = parse_backup_hash(a)
    assert params == FAST
    assert len(salt) == 16
    assert len(digest) == 32
    expected = hashlib.scrypt(b"K7FQ3M9XT2VR8HPW", salt=salt, n=1024, r=8, p=1, dklen=32)
    assert digest == expected
    assert "K7FQ" not in a


def test_check_accepts_any_typing_and_rejects_other_codes() -> None:
    stored = hash_backup_code(CODE, params=FAST)
    assert check_backup_code("k7fq 3m9x t2vr 8hpw", stored)
    assert not check_backup_code("K7FQ-3M9X-T2VR-8HPX", stored)
    with pytest.raises(MalformedToken):
        check_backup_code("nope", stored)


def test_default_params_work_and_are_stored() -> None:
    stored = hash_backup_code(CODE)
    assert stored.startswith("scrypt$n=4096,r=8,p=1$")
    assert check_backup_code(CODE, stored)


def test_fixed_salt_for_tests_and_its_bound() -> None:
    assert hash_backup_code(CODE, params=FAST, salt=bytes(16)) == hash_backup_code(
        CODE, params=FAST, salt=bytes(16)
    )
    with pytest.raises(InvalidParameter):
        hash_backup_code(CODE, params=FAST, salt=b"abc")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n": 1000}, InvalidParameter),  # not a power of two
        ({"n": 512}, InvalidParameter),
        ({"n": 2**21}, InvalidParameter),
        ({"r": 0}, InvalidParameter),
        ({"r": 33}, InvalidParameter),
        ({"p": 0}, InvalidParameter),
        ({"p": 17}, InvalidParameter),
        ({"n": True}, InvalidType),
    ],
)
def test_scrypt_params_bounds(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        ScryptParams(**kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


@pytest.mark.parametrize(
    "stored",
    [
        "bcrypt$n=1024,r=8,p=1$AAAAAA$" + "A" * 43,
        "scrypt$n=1024,r=8$AAAAAA$" + "A" * 43,
        "scrypt$n=1024,r=8,p=1,x=1$AAAAAA$" + "A" * 43,
        "scrypt$n=+1024,r=8,p=1$AAAAAA$" + "A" * 43,
        "scrypt$n=2097152,r=8,p=1$AAAAAA$" + "A" * 43,  # too costly: refused before hashing
        "scrypt$n=1024,r=8,p=1$A!AAAA$" + "A" * 43,
        "scrypt$n=1024,r=8,p=1$AA$" + "A" * 43,  # salt under 32 bits
        "scrypt$n=1024,r=8,p=1$AAAAAA$AAAA",  # short hash
        "scrypt$n=1024,r=8,p=1$AAAAAA",
        "scrypt$n=1024,r=8,p=1$AAAAAA$" + "A" * 42 + "\u00e9",
    ],
)
def test_parse_rejects_bad_stored_hashes(stored: str) -> None:
    with pytest.raises(InvalidEncoding):
        parse_backup_hash(stored)


def test_parse_rejects_non_str() -> None:
    with pytest.raises(InvalidType):
        parse_backup_hash(b"scrypt")  # type: ignore[arg-type]  # the bad argument under test


@given(st.text(max_size=40))
def test_normalize_never_raises_untyped(text: str) -> None:
    try:
        canonical = normalize_backup_code(text)
    except MalformedToken:
        return
    assert len(canonical) == CODE_LENGTH
    assert set(canonical) <= set(ALPHABET)
