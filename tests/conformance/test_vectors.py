"""The language-neutral vectors in vectors/*.json: schema, metadata, and every case run
against the one-shot functions and the prepared objects (TOTP/HOTP/Secret/KeyURI)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import rfc6238
from rfc6238 import errors
from rfc6238.conformance.adapters import VECTOR_URI_FIELDS, uri_fields
from rfc6238.conformance.vectors import (
    TAGS,
    VectorCase,
    VectorFile,
    available,
    decode_value,
    default_directory,
    load,
    load_path,
)

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"
EXPECTED = {
    "rfc4226",
    "rfc6238",
    "hotp_edges",
    "totp_edges",
    "verify",
    "tokens",
    "base32",
    "parameters",
    "uri",
}
NAMES = available()
FILES = {name: load(name) for name in NAMES}
SCHEMA = json.loads((VECTORS / "schema.json").read_text(encoding="utf-8"))
SEED20 = b"12345678901234567890"


def test_every_expected_file_is_present() -> None:
    assert set(NAMES) == EXPECTED
    assert default_directory() == VECTORS


def test_total_size_is_small() -> None:
    assert sum(p.stat().st_size for p in VECTORS.glob("*.json")) < 2_000_000


def test_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", NAMES)
def test_file_matches_schema(name: str) -> None:
    doc = json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


def test_schema_rejects_a_broken_case() -> None:
    doc = json.loads((VECTORS / "rfc4226.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(SCHEMA)
    case = doc["testGroups"][0]["tests"][0]
    for change in ({"result": "invalid"}, {"typo": 1}, {"counter": {"float": "x"}}):
        broken = json.loads(json.dumps(doc))
        broken["testGroups"][0]["tests"][0] = {**case, **change}
        assert not validator.is_valid(broken), change


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name: str) -> None:
    vf = FILES[name]
    assert vf.name == name
    assert vf.schema == "schema.json"
    assert vf.source["kind"] in ("rfc", "self-made")
    assert vf.source["references"]
    cases = [case for _, case in vf.cases()]
    assert vf.number_of_tests == len(cases) > 0
    ids = [case.tc_id for case in cases]
    assert len(ids) == len(set(ids)), "tcIds must be unique"
    used = {flag for case in cases for flag in case.flags}
    assert used == set(vf.notes), "every flag has a note and every note a flag"
    oracles = set(vf.source["oracles"])
    for case in cases:
        assert case.comment
        named = [*case.verified_by]
        named += [d["oracle"] for key in ("disagreed", "refused") for d in case.get(key, [])]
        assert set(named) <= oracles, case.tc_id
        if case.result == "invalid":
            cls = getattr(errors, case.error or "", None)
            assert isinstance(cls, type), case.tc_id
            assert issubclass(cls, errors.RFC6238Error), case.tc_id
        else:
            assert case.error is None


@pytest.mark.parametrize("name", [n for n in NAMES if FILES[n].source["kind"] == "self-made"])
def test_self_made_valid_values_name_two_external_oracles(name: str) -> None:
    for group, case in FILES[name].cases():
        if case.result != "valid" or group.type.startswith("base32") or group.type == "parse_uri":
            continue  # base32 and Key URI expectations are decisions, not computed values
        external = [v for v in case.verified_by if not v.startswith(("minimal", "rfc-text"))]
        assert len(external) >= 2 or "FewOracles" in case.flags, case.tc_id


# --------------------------------------------------------------------------- running cases


def hotp_args(case: VectorCase) -> dict[str, Any]:
    return {"digits": case.arg("digits"), "algorithm": case.arg("algorithm")}


def run_hotp(case: VectorCase, prepared: bool) -> object:
    if prepared:
        otp = rfc6238.HOTP(key=case.arg("key"), allow_short_key=True, **hotp_args(case))
        return otp.at(case.arg("counter"))
    code = rfc6238.hotp(case.arg("key"), case.arg("counter"), **hotp_args(case))
    if "hmac" in case.data:
        t = rfc6238.trace_hotp(case.arg("key"), case.arg("counter"), **hotp_args(case))
        assert (t.digest.hex(), t.offset, t.value) == (
            case.get("hmac"),
            case.get("offset"),
            case.get("truncated"),
        )
    return code


def totp_args(case: VectorCase) -> dict[str, Any]:
    return {"period": case.arg("period"), "t0": case.arg("t0"), **hotp_args(case)}


def run_totp(case: VectorCase, prepared: bool) -> object:
    if prepared:
        otp = rfc6238.TOTP(key=case.arg("key"), allow_short_key=True, **totp_args(case))
        if "step" in case.data:
            assert otp.step(case.arg("time")) == case.get("step")
        return otp.at(case.arg("time"))
    if "step" in case.data:
        step = rfc6238.time_step(case.arg("time"), period=case.arg("period"), t0=case.arg("t0"))
        assert step == case.get("step")
    return rfc6238.totp(case.arg("key"), case.arg("time"), **totp_args(case))


def run_truncate(case: VectorCase, prepared: bool) -> object:
    digest = case.arg("digest")
    value = rfc6238.dynamic_truncate(digest)
    assert (digest[-1] & 0x0F, value) == (case.get("offset"), case.get("truncated"))
    assert value == int(case.get("truncated_hex"), 16)
    return str(value % 10 ** case.get("digits")).zfill(case.get("digits"))


def match_of(match: rfc6238.Match) -> dict[str, int]:
    return {"counter": match.counter, "offset": match.offset}


def run_verify_totp(case: VectorCase, prepared: bool) -> object:
    common = {"allow_short_key": case.arg("allow_short_key"), **totp_args(case)}
    key, token, time, window = (case.arg(k) for k in ("key", "token", "time", "window"))
    if prepared:
        otp = rfc6238.TOTP(key=key, **common)
        result = match_of(otp.verify(token, time, window=window))
        assert otp.matches(token, time, window=window) == case.get("matches")
        return result
    return match_of(rfc6238.verify_totp(key, token, time, window=window, **common))


def run_verify_hotp(case: VectorCase, prepared: bool) -> object:
    common = {"allow_short_key": case.arg("allow_short_key"), **hotp_args(case)}
    key, token, counter, look_ahead = (
        case.arg(k) for k in ("key", "token", "counter", "look_ahead")
    )
    if prepared:
        otp = rfc6238.HOTP(key=key, **common)
        return match_of(otp.verify(token, counter, look_ahead=look_ahead))
    return match_of(rfc6238.verify_hotp(key, token, counter, look_ahead=look_ahead, **common))


def run_base32_decode(case: VectorCase, prepared: bool) -> object:
    text, strict = case.arg("text"), case.arg("strict")
    if prepared:
        return rfc6238.Secret.from_base32(text, strict=strict).reveal().hex()
    return rfc6238.base32.decode(text, strict=strict).hex()


def run_base32_encode(case: VectorCase, prepared: bool) -> object:
    key = case.arg("key")
    if prepared and key:  # a Secret is never empty; the empty encoding is one-shot only
        return rfc6238.Secret(key).reveal_base32()
    return rfc6238.base32.encode(key)


def run_parse_uri(case: VectorCase, prepared: bool) -> object:
    key = rfc6238.parse_uri(case.arg("uri"))
    if prepared:  # the value object built from the expected fields equals the parsed one
        want = dict(case.get("expected"))
        want["secret"] = bytes.fromhex(want.pop("secret_hex"))
        want["extra"] = tuple(tuple(pair) for pair in want["extra"])
        assert rfc6238.KeyURI(**want) == key
    return uri_fields(key, VECTOR_URI_FIELDS)


RUNNERS: dict[str, tuple[Callable[[VectorCase, bool], object], Callable[[VectorCase], object]]] = {
    "hotp": (run_hotp, lambda c: c.get("code")),
    "totp": (run_totp, lambda c: c.get("code")),
    "truncate": (run_truncate, lambda c: c.get("code")),
    "verify_totp": (run_verify_totp, lambda c: c.get("match")),
    "verify_hotp": (run_verify_hotp, lambda c: c.get("match")),
    "base32_decode": (run_base32_decode, lambda c: c.get("key")),
    "base32_encode": (run_base32_encode, lambda c: c.get("text")),
    "parse_uri": (run_parse_uri, lambda c: c.get("expected")),
}


def failures_of(vf: VectorFile, prepared: bool) -> list[str]:
    failures = []
    for group, case in vf.cases():
        run, expected = RUNNERS[group.type]
        try:
            got = run(case, prepared)
        except errors.RFC6238Error as err:
            if case.result == "valid" or type(err).__name__ != case.error:
                failures.append(f"tcId {case.tc_id}: raised {type(err).__name__}")
            continue
        except Exception as err:
            failures.append(f"tcId {case.tc_id}: crashed with {type(err).__name__}: {err}")
            continue
        if case.result == "invalid":
            failures.append(f"tcId {case.tc_id}: accepted, expected {case.error}")
        elif got != expected(case):
            failures.append(f"tcId {case.tc_id}: got {got!r}, expected {expected(case)!r}")
    return failures


@pytest.mark.parametrize("prepared", [False, True], ids=["one-shot", "prepared"])
@pytest.mark.parametrize("name", NAMES)
def test_every_case(name: str, prepared: bool) -> None:
    assert failures_of(FILES[name], prepared) == []


def test_each_invalid_case_raises_exactly_the_named_class() -> None:
    # failures_of compares class names; here the classes themselves, on a sample per class.
    seen: dict[str, VectorCase] = {}
    for vf in FILES.values():
        for group, case in vf.cases():
            if case.result == "invalid" and group.type in RUNNERS:
                seen.setdefault(f"{group.type}:{case.error}", case)
    assert len(seen) >= 8
    for label, case in seen.items():
        group_type = label.split(":")[0]
        with pytest.raises(errors.RFC6238Error) as info:
            RUNNERS[group_type][0](case, False)
        assert type(info.value) is getattr(errors, case.error or ""), label


def test_runner_reports_a_wrong_expectation(tmp_path: Path) -> None:
    doc = json.loads((VECTORS / "rfc4226.json").read_text(encoding="utf-8"))
    doc["testGroups"][0]["tests"][0]["code"] = "000000"
    doc["testGroups"][0]["tests"][1].update(result="invalid", error="InvalidToken")
    path = tmp_path / "broken_rfc4226.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert len(failures_of(load_path(path), False)) == 2


# --------------------------------------------------------------------------- RFC specifics


def test_rfc4226_intermediates_are_as_printed() -> None:
    cases = [case for _, case in FILES["rfc4226"].cases("hotp")]
    assert [c.get("counter") for c in cases] == list(range(10))
    assert cases[2].get("truncated_hex") == "82fef30"  # the RFC drops leading zeros
    assert all("rfc-text" in c.verified_by for c in cases)


def test_wrong_seed_values_differ_from_the_errata_seed_values() -> None:
    vf = FILES["rfc6238"]
    by_id = {case.tc_id: case for _, case in vf.cases()}
    wrong = [case for case in by_id.values() if "WrongSeedErrata2866" in case.flags]
    assert len(wrong) == 12
    for case in wrong:
        rfc = by_id[case.get("related_tcId")]
        assert "RFC6238AppendixB" in rfc.flags
        assert (case.get("time"), case.get("algorithm")) == (rfc.get("time"), rfc.get("algorithm"))
        assert case.arg("key") == SEED20 != rfc.arg("key")
        assert case.get("code") != rfc.get("code")
        assert rfc6238.totp(
            SEED20, rfc.get("time"), digits=8, algorithm=rfc.get("algorithm")
        ) != rfc.get("code")
    seeds = {c.get("algorithm"): len(c.arg("key")) for c in by_id.values() if c not in wrong}
    assert seeds == {"SHA1": 20, "SHA256": 32, "SHA512": 64}


def test_uri_cases_cover_every_field_and_both_outcomes() -> None:
    cases = [case for _, case in FILES["uri"].cases("parse_uri")]
    valid = [c for c in cases if c.result == "valid"]
    invalid = [c for c in cases if c.result == "invalid"]
    assert (len(valid), len(invalid)) == (27, 52)
    assert {c.error for c in invalid} == {"InvalidURI"}
    for field in ("issuer", "period", "counter", "image"):
        assert {c.get("expected")[field] is None for c in valid} == {True, False}, field
    assert any(c.get("expected")["extra"] for c in valid)
    short = {c.tc_id for c in valid if len(c.get("expected")["secret_hex"]) < 32}
    assert short == {c.tc_id for c in valid if "ShortKey" in c.flags}
    assert all(c.get("reference") for c in cases)


def test_uri_runner_reports_a_wrong_expectation(tmp_path: Path) -> None:
    doc = json.loads((VECTORS / "uri.json").read_text(encoding="utf-8"))
    tests = doc["testGroups"][0]["tests"]
    tests[0]["expected"]["account"] = "mallory"
    tests[1].update(result="invalid", error="InvalidURI")
    invalid = next(t for t in tests if t["result"] == "invalid" and t["tcId"] > 2)
    invalid["error"] = "InvalidParameter"
    path = tmp_path / "broken_uri.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert len(failures_of(load_path(path), False)) == 3
    assert len(failures_of(load_path(path), True)) == 3


# --------------------------------------------------------------------------- the loader


def test_integers_beyond_2_53_round_trip_exactly() -> None:
    counters = {case.get("counter") for _, case in FILES["hotp_edges"].cases("hotp")}
    assert {2**53 + 1, 2**63, 2**64 - 1} <= counters
    top = 2**64 - 1
    assert json.loads(json.dumps({"counter": top}))["counter"] == top
    assert json.loads("18446744073709551615") == top
    assert json.loads("9007199254740993") == 2**53 + 1
    times = [case.get("time") for _, case in FILES["totp_edges"].cases("totp")]
    assert 30 * 2**64 - 1 in times


def test_decode_value_every_tag() -> None:
    assert decode_value({"int": 287082}) == 287082
    assert decode_value({"float": "59.5"}) == 59.5
    assert decode_value({"float": "-inf"}) == float("-inf")
    assert decode_value({"bool": False}) is False
    assert decode_value({"none": True}) is None
    assert decode_value({"str": "abc"}) == "abc"
    assert decode_value({"bytes_hex": "00ff"}) == b"\x00\xff"
    moment = decode_value({"datetime": "2005-03-18T01:58:29+00:00"})
    assert isinstance(moment, datetime)
    assert moment.utcoffset() is not None
    assert decode_value([1, [2, {"bool": True}]]) == (1, (2, True))
    assert decode_value("text") == "text"
    assert decode_value(7) == 7
    assert set(TAGS) == {"int", "float", "bool", "none", "str", "bytes_hex", "datetime"}


@pytest.mark.parametrize(
    "bad",
    [
        {"nope": 1},
        {"int": 1, "str": "x"},
        {"float": 1},
        {"bytes_hex": 1},
        {"datetime": 1},
        {"int": "1"},
        {"bool": 1},
        {"str": 1},
    ],
)
def test_decode_value_rejects_malformed_tags(bad: dict[str, object]) -> None:
    with pytest.raises(errors.InvalidEncoding):
        decode_value(bad)


def test_load_arguments(tmp_path: Path) -> None:
    assert load("rfc4226", directory=VECTORS).number_of_tests == 11
    assert load_path(str(VECTORS / "rfc4226.json")).name == "rfc4226"
    assert available(directory=tmp_path) == []
    with pytest.raises(errors.InvalidParameter):
        load("../rfc4226")
    with pytest.raises(errors.InvalidType):
        load(b"rfc4226")  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(errors.InvalidType):
        load_path(3)  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(FileNotFoundError):
        load("rfc4226", directory=tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": NaN}',
        '{"a": 1.5}',
        "[]",
        "{}",
        '{"name": "x"}',
        '{"schema": "s", "name": "x", "source": {}, "numberOfTests": 0, '
        '"testGroups": [{"type": "hotp", "tests": [{"tcId": 1, "comment": "", "flags": [], '
        '"result": "maybe"}]}]}',
    ],
)
def test_load_path_rejects_non_vector_json(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(errors.InvalidEncoding):
        load_path(path)


def test_files_are_ascii_with_one_case_per_line() -> None:
    for path in VECTORS.glob("*.json"):
        raw = path.read_bytes()
        assert raw.isascii(), path.name
    lines = (VECTORS / "tokens.json").read_text(encoding="ascii").splitlines()
    assert sum('"tcId"' in line for line in lines) == FILES["tokens"].number_of_tests


# --------------------------------------------------------------------------- the generator


@pytest.mark.skipif(shutil.which("oathtool") is None, reason="oathtool is one of the oracles")
def test_generator_reproduces_the_files() -> None:
    # The two big edge files are left out only for time (about 5 s together);
    # `python scripts/make_vectors.py --check` covers every file.
    names = sorted(EXPECTED - {"hotp_edges", "totp_edges"})
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_vectors.py"), "--check", *names],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok ") == len(names)
