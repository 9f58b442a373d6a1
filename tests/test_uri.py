"""Key URIs: parse/build against the wiki, the decision table (tests/data/uris.json), pyotp.

tests/data/uris.json is the single source of the parsing cases; scripts/make_vectors.py turns
it into vectors/uri.json, and tests/conformance/test_vectors.py checks every parsed field of
every case against that file. Here: what the vectors cannot say (key sizes, error messages,
rebuilding).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyotp
import pytest
import strategies as hs
from hypothesis import assume, given
from hypothesis import strategies as st

import rfc6238
from rfc6238 import HOTP, TOTP, InvalidParameter, InvalidType, InvalidURI, SecretTooShort
from rfc6238.uri import MAX_URI_LENGTH, KeyURI, build_uri, parse_uri

KEY = b"12345678901234567890"
CASES = json.loads((Path(__file__).parent / "data" / "uris.json").read_text("utf-8"))["cases"]
VALID = [c for c in CASES if c["result"] == "valid"]
INVALID = [c for c in CASES if c["result"] == "invalid"]


@pytest.mark.parametrize("case", VALID, ids=[c["id"] for c in VALID])
def test_valid_cases_key_size(case: dict[str, Any]) -> None:
    key = parse_uri(case["uri"])
    assert key.secret.hex() == case["expected"]["secret_hex"]
    assert key.key_size == len(key.secret)
    assert key.short_key == ("ShortKey" in case["flags"])


@pytest.mark.parametrize("case", INVALID, ids=[c["id"] for c in INVALID])
def test_invalid_cases(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidURI) as info:
        parse_uri(case["uri"])
    message = str(info.value)
    assert "GEZDGNBV" not in message
    assert case["uri"] not in message


@pytest.mark.parametrize("case", VALID, ids=[c["id"] for c in VALID])
def test_valid_cases_rebuild(case: dict[str, Any]) -> None:
    key = parse_uri(case["uri"])
    if (key.issuer is not None and ":" in key.issuer) or ":" in key.account:
        with pytest.raises(InvalidParameter, match="':'"):
            key.to_uri()
        return
    assert parse_uri(key.to_uri()) == key


def test_wiki_example_is_built_exactly() -> None:
    uri = build_uri(b"Hello!\xde\xad\xbe\xef", account="alice@google.com", issuer="Example")
    assert uri == "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"


def test_build_encodes_spaces_plus_and_unicode() -> None:
    uri = build_uri(KEY, account="j+doe &x=1", issuer="ACME Co/é")
    assert uri.startswith("otpauth://totp/ACME%20Co%2F%C3%A9:j%2Bdoe%20%26x%3D1?")
    assert "issuer=ACME%20Co%2F%C3%A9" in uri
    assert "+" not in uri
    assert parse_uri(uri).account == "j+doe &x=1"


def test_build_all_parameters() -> None:
    uri = build_uri(
        KEY,
        account="a",
        type="hotp",
        algorithm="sha512",
        digits=8,
        counter=5,
        image="https://x/y.png",
        extra={"color": "red"},
    )
    assert uri == (
        "otpauth://hotp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA512&digits=8"
        "&counter=5&image=https%3A%2F%2Fx%2Fy.png&color=red"
    )
    assert build_uri(KEY, account="a", period=60).endswith("&period=60")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"issuer": "A:B"}, "issuer must not contain ':'"),
        ({"account": "a:b"}, "account must not contain ':'"),
        ({"account": " a", "issuer": "X"}, "must not start with a space"),
        ({"type": "hotp"}, "counter is required"),
        ({"counter": 1}, "counter must be None for totp"),
        ({"type": "hotp", "counter": 1, "period": 30}, "period must be None"),
        ({"type": "motp"}, "type must be"),
        ({"issuer": ""}, "non-empty"),
        ({"account": "a\nb"}, "control"),
        ({"issuer": "\u202eX"}, "bidi"),
        ({"digits": 5}, "digits"),
        ({"period": 0}, "period"),
        ({"type": "hotp", "counter": 2**64}, "counter"),
        ({"algorithm": "MD5"}, "algorithm"),
        ({"extra": {"secret": "x"}}, "extra parameter names"),
        ({"extra": {"a b": "x"}}, "extra parameter names"),
        ({"extra": [("a", "1"), ("a", "2")]}, "unique"),
        ({"account": "a" * MAX_URI_LENGTH}, "longer than"),
    ],
)
def test_build_rejects(kwargs: dict[str, Any], match: str) -> None:
    kwargs.setdefault("account", "alice")
    with pytest.raises(InvalidParameter, match=match):
        build_uri(KEY, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"secret": "GEZDGNBV"}, {"account": None}, {"digits": True}, {"issuer": 5}, {"image": 1}],
)
def test_build_rejects_types(kwargs: dict[str, Any]) -> None:
    args = {"secret": KEY, "account": "alice", **kwargs}
    with pytest.raises(InvalidType):
        build_uri(args.pop("secret"), **args)


def test_parse_rejects_non_str() -> None:
    with pytest.raises(InvalidType):
        parse_uri(b"otpauth://totp/a?secret=GEZDGNBV")  # type: ignore[arg-type]  # the bad argument under test


def test_longest_uri_is_accepted_and_one_more_is_not() -> None:
    head = "otpauth://totp/"
    tail = "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    uri = head + "a" * (MAX_URI_LENGTH - len(head) - len(tail)) + tail
    assert parse_uri(uri).key_size == 20
    with pytest.raises(InvalidURI, match="at most"):
        parse_uri(uri.replace("/a", "/aa", 1))


@given(
    secret=st.binary(min_size=1, max_size=64),
    account=hs.uri_label_texts,
    issuer=hs.uri_issuers,
    algorithm=hs.algorithms,
    digits=hs.digits,
    period=hs.periods,
    counter=hs.counters,
    hotp=st.booleans(),
)
def test_parse_build_round_trip(
    secret: bytes,
    account: str,
    issuer: str | None,
    algorithm: str,
    digits: int,
    period: int,
    counter: int,
    hotp: bool,
) -> None:
    assume(issuer is None or not account.startswith(" "))
    key = KeyURI(
        type="hotp" if hotp else "totp",
        secret=secret,
        account=account,
        issuer=issuer,
        algorithm=algorithm,  # type: ignore[arg-type]  # drawn from the three names
        digits=digits,
        period=None if hotp else period,
        counter=counter if hotp else None,
    )
    uri = key.to_uri()
    assert uri.isascii()
    assert "+" not in uri
    assert parse_uri(uri) == key
    assert (
        build_uri(
            secret,
            account=account,
            issuer=issuer,
            algorithm=algorithm,
            digits=digits,
            type=key.type,
            period=key.period,
            counter=key.counter,
        )
        == uri
    )


@given(account=hs.uri_label_texts, issuer=hs.uri_issuers)
def test_pyotp_reads_our_uris(account: str, issuer: str | None) -> None:
    """An independent parser (pyotp 2.12) gets the same names and codes back."""
    assume(issuer is None or not account.startswith(" "))
    assume(account.strip() == account and (issuer or "").strip() == (issuer or ""))
    uri = build_uri(KEY, account=account, issuer=issuer, algorithm="SHA256", digits=8, period=45)
    theirs = pyotp.parse_uri(uri)
    assert isinstance(theirs, pyotp.TOTP)
    assert (theirs.name, theirs.issuer) == (account or None, issuer) or account == ""
    assert theirs.at(1_111_111_109) == rfc6238.totp(
        KEY, 1_111_111_109, period=45, digits=8, algorithm="SHA256"
    )


def test_we_read_pyotp_uris() -> None:
    uri = pyotp.TOTP(pyotp.random_base32(), digits=8, interval=60).provisioning_uri(
        name="alice+tag@example.com", issuer_name="ACME Co"
    )
    key = parse_uri(uri)
    assert (key.issuer, key.account, key.digits, key.period) == (
        "ACME Co",
        "alice+tag@example.com",
        8,
        60,
    )
    hotp_uri = pyotp.HOTP(pyotp.random_base32(), initial_count=7).provisioning_uri(name="bob")
    assert parse_uri(hotp_uri).counter == 7


def test_otp_objects_and_short_keys() -> None:
    totp = parse_uri(build_uri(KEY, account="a", digits=8, algorithm="SHA1")).otp()
    assert isinstance(totp, TOTP)
    assert totp.at(59) == "94287082"
    hotp = parse_uri(build_uri(KEY, account="a", type="hotp", counter=1)).otp()
    assert isinstance(hotp, HOTP)
    assert hotp.at(1) == "287082"
    short = parse_uri("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP")
    assert short.short_key
    assert short.key_size == 10
    with pytest.raises(SecretTooShort):
        short.otp()
    assert short.otp(allow_short_key=True).at(0) == rfc6238.totp(short.secret, 0)


def test_from_otp() -> None:
    totp = TOTP(key=KEY, digits=8, algorithm="SHA256", period=60)
    key = KeyURI.from_otp(totp, account="alice", issuer="Example")
    assert (key.type, key.digits, key.algorithm, key.period, key.secret) == (
        "totp",
        8,
        "SHA256",
        60,
        KEY,
    )
    hotp = KeyURI.from_otp(HOTP(key=KEY), account="bob", counter=3)
    assert (hotp.type, hotp.counter) == ("hotp", 3)
    with pytest.raises(InvalidParameter, match="t0"):
        KeyURI.from_otp(TOTP(key=KEY, t0=10), account="a")
    with pytest.raises(InvalidParameter, match="counter is required"):
        KeyURI.from_otp(HOTP(key=KEY), account="a")
    with pytest.raises(InvalidType):
        KeyURI.from_otp(KEY, account="a")  # type: ignore[arg-type]  # the bad argument under test


def test_secret_never_shown() -> None:
    key = parse_uri(build_uri(KEY, account="alice", issuer="Example"))
    for text in (repr(key), str(key), f"{key}", key._repr_html_()):
        assert "GEZDGNBV" not in text
        assert "1234567890" not in text
    assert "20 bytes, 160 bits, hidden" in key._repr_html_()
    short = parse_uri("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP")
    assert "below 128 bits" in short._repr_html_()
    html = parse_uri("otpauth://hotp/%3Cscript%3E?secret=JBSWY3DPEHPK3PXP&counter=1&x=%3Ci%3E")
    assert "<script>" not in html._repr_html_()
    assert "&lt;i&gt;" in html._repr_html_()


def test_equality_is_by_value_and_unhashable() -> None:
    a = parse_uri(build_uri(KEY, account="alice"))
    assert a == parse_uri(build_uri(KEY, account="alice"))
    assert a != parse_uri(build_uri(KEY[::-1], account="alice"))
    assert a != parse_uri(build_uri(KEY, account="bob"))
    assert a != "otpauth://"
    with pytest.raises(TypeError):
        hash(a)


def test_importing_rfc6238_uri_pulls_no_optional_dependency() -> None:
    import subprocess
    import sys

    code = (
        "import sys, rfc6238.uri, rfc6238.migration; "
        "bad = {'qrcode', 'PIL', 'zxingcpp', 'google.protobuf'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_docs_examples() -> None:
    """The examples in docs/uri.md run and give the printed results."""
    import doctest

    path = Path(__file__).parent.parent / "docs" / "uri.md"
    result = doctest.testfile(str(path), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 10


URI_CHARS = st.sampled_from(
    [*list(":/?&=%#+ aA3bFz2E0-._~\n\u202eé東"), "%3A", "%20", "%C3", "%E9"]
)


@given(
    prefix=st.sampled_from(["otpauth://totp/", "otpauth://hotp/", "OTPAUTH://", ""]),
    body=st.lists(URI_CHARS, max_size=40).map("".join),
    query=st.lists(
        st.sampled_from(["secret=GEZDGNBV", "counter=1", "issuer=a", "digits=8", "period=9"])
        | URI_CHARS,
        max_size=8,
    ).map("&".join),
)
def test_parse_never_crashes(prefix: str, body: str, query: str) -> None:
    """Whatever the input, the outcome is a KeyURI or an InvalidURI, never another error."""
    try:
        key = parse_uri(f"{prefix}{body}?{query}")
    except InvalidURI:
        return
    assert key.type in ("totp", "hotp")
