"""The conformance runner: adapters, verdicts, filters, reports, exit codes, pytest plugin."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from rfc6238.conformance import (
    CaseResult,
    SuiteCase,
    judge,
    main,
    run_suite,
    select_cases,
)
from rfc6238.conformance.adapters import (
    AdapterError,
    Crashed,
    Implementation,
    PythonImplementation,
    Rejected,
    Rfc6238Implementation,
    Unsupported,
)
from rfc6238.conformance.builtins import available_builtins, builtin
from rfc6238.conformance.process import (
    CommandImplementation,
    JsonLinesImplementation,
    command_values,
)
from rfc6238.conformance.report import reproduce, summary_text, write_json, write_report
from rfc6238.conformance.vectors import available, load

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ALL_CASES = select_cases()


def by_comment(results: list[CaseResult], file: str, comment: str) -> CaseResult:
    """The first result whose case comment starts with ``comment`` (robust to renumbering)."""
    found = [r for r in results if r.file == file and r.comment.startswith(comment)]
    assert found, (file, comment)
    return found[0]


def totals(results: list[CaseResult]) -> dict[str, int]:
    out = dict.fromkeys(("pass", "fail", "refused", "skipped"), 0)
    for r in results:
        out[r.status] += 1
    return out


# ------------------------------------------------------------------ rfc6238 itself


def test_rfc6238_passes_every_vector() -> None:
    expected = sum(load(name).number_of_tests for name in available())
    results = run_suite([Rfc6238Implementation()], ALL_CASES)
    assert len(results) == expected == len(ALL_CASES)
    assert totals(results) == {"pass": expected, "fail": 0, "refused": 0, "skipped": 0}


# ------------------------------------------------------------------ built-in libraries

#: (implementation, file, comment prefix) of disagreements published in docs/findings.md.
KNOWN_FAILURES = [
    ("pyotp", "tokens", "full-width digits"),
    ("pyotp", "parameters", "counter 18446744073709551616"),
    ("pyotp", "verify", "collision"),
    ("cryptography", "totp_edges", "SHA1 at time 9223372036854775807"),
    ("cryptography", "parameters", "negative time"),
    ("oath", "parameters", 'algorithm "md5"'),
    ("oath", "parameters", "negative time"),
    ("oath", "verify", "collision"),
]


@pytest.mark.parametrize("name", ["pyotp", "cryptography", "oath"])
def test_python_libraries_run_and_disagree_where_published(name: str) -> None:
    pytest.importorskip(name, reason=f"{name} is not installed")
    results = run_suite([builtin(name)], ALL_CASES)
    counts = totals(results)
    assert sum(counts.values()) == len(ALL_CASES)
    assert counts["fail"] > 0
    assert counts["pass"] > len(ALL_CASES) // 2
    for r in results:
        if r.file in ("rfc4226", "rfc6238") and r.op in ("hotp", "totp"):
            assert r.status == "pass", r  # every library gets the RFC appendices right
    for impl, file, comment in KNOWN_FAILURES:
        if impl == name:
            assert by_comment(results, file, comment).status == "fail"


def test_library_adapters_skip_what_they_cannot_express() -> None:
    pytest.importorskip("pyotp")
    pyotp = builtin("pyotp")
    with pytest.raises(Unsupported, match="T0"):
        pyotp.run("totp", {"key": b"k" * 20, "time": 59, "t0": 1})
    with pytest.raises(Unsupported, match="symmetric"):
        pyotp.run("verify_totp", {"key": b"k" * 20, "token": "1", "time": 1, "window": (0, 1)})
    with pytest.raises(Unsupported, match="hash function"):
        pyotp.run("hotp", {"key": b"k" * 20, "counter": 1, "algorithm": "SHA-1"})
    with pytest.raises(Rejected):
        pyotp.run("verify_hotp", {"key": b"k" * 20, "token": "000000", "counter": 0})
    with pytest.raises(LookupError, match="no built-in"):
        builtin("nonesuch")
    assert "rfc6238" in available_builtins()


def test_oathtool_builtin_and_command_template() -> None:
    if shutil.which("oathtool") is None:
        pytest.skip("oathtool is not installed (Debian: apt-get install oathtool)")
    cases = select_cases(groups=["rfc4226:hotp", "rfc6238", "parameters:hotp"])
    templates = CommandImplementation(
        [
            "oathtool --hotp -c {counter} -d {digits} {key_hex}",
            "oathtool --totp={algorithm} -s {period}s -S @{t0} -N @{time} -d {digits} {key_hex}",
        ],
        name="oathtool-template",
    )
    results = run_suite([builtin("oathtool"), templates], cases)
    for impl in ("oathtool", "oathtool-template"):
        mine = [r for r in results if r.implementation == impl]
        assert all(r.status == "pass" for r in mine if r.file in ("rfc4226", "rfc6238"))
        assert by_comment(mine, "parameters", "counter -1").status == "fail"
    assert builtin("oathtool").version().startswith("oathtool")


# ------------------------------------------------------------------ generic adapters


def test_jsonl_python_example_passes_every_vector() -> None:
    impl = JsonLinesImplementation(f"{sys.executable} {EXAMPLES / 'jsonl_rfc6238.py'}")
    try:
        assert (impl.name, impl.version()) == ("rfc6238-jsonl", Rfc6238Implementation().version())
        results = run_suite([impl], ALL_CASES)
    finally:
        impl.close()
    assert totals(results)["pass"] == len(ALL_CASES)


def test_node_otplib_example() -> None:
    adapter = EXAMPLES / "node-otplib" / "adapter.mjs"
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (adapter.parent / "node_modules" / "otplib").is_dir():
        pytest.skip("run `npm install` in examples/node-otplib first")
    impl = JsonLinesImplementation(f"node {adapter}")
    try:
        results = run_suite([impl], select_cases(groups=["rfc4226", "rfc6238", "parameters"]))
    finally:
        impl.close()
    assert impl.name == "otplib"
    appendix = [r for r in results if r.file in ("rfc4226", "rfc6238") and r.op != "truncate"]
    assert len(appendix) == 40
    assert all(r.status == "pass" for r in appendix)
    assert by_comment(results, "parameters", "digits 5").status == "fail"


def test_jsonl_protocol_errors_are_crashes(tmp_path: Path) -> None:
    with pytest.raises(AdapterError, match="exited"):
        JsonLinesImplementation(f"{sys.executable} -c pass")
    liar = tmp_path / "liar.py"
    liar.write_text(
        "import sys, json\n"
        "for line in sys.stdin:\n"
        "    print(json.dumps({'id': 'hello', 'result': {}}), flush=True)\n"
    )
    impl = JsonLinesImplementation(f"{sys.executable} {liar}")
    try:
        verdict = judge(impl, select_cases(only=["parameters:1"])[0])  # an invalid case
    finally:
        impl.close()
    assert (verdict.status, verdict.refusal) == ("fail", "crash")  # never a pass
    assert "out of order" in verdict.got
    assert "case parameters:1" in verdict.got
    assert '"op": "hotp"' in verdict.got  # the last request
    with pytest.raises(AdapterError, match="cannot start"):
        JsonLinesImplementation("/nonexistent/adapter")


def test_command_templates_and_values() -> None:
    assert CommandImplementation.infer("x {token} {time}") == "verify_totp"
    assert CommandImplementation.infer("x {token} {counter}") == "verify_hotp"
    assert CommandImplementation.infer("x {text}") == "base32_decode"
    with pytest.raises(ValueError, match="prefix OP="):
        CommandImplementation.infer("x {key_hex}")
    impl = CommandImplementation(["totp=echo {time}"], name="echo")
    assert impl.argv("totp", {"time": 59}) == ["echo", "59"]
    with pytest.raises(Unsupported, match="time"):
        impl.argv("totp", {"time": True})
    with pytest.raises(Unsupported, match="no template"):
        impl.argv("hotp", {"counter": 1})
    values = command_values(
        {"digits": "6", "counter": 1.0, "t0": 0, "token": "1\0", "window": (1, 2), "key": b"\x01"}
    )
    assert values == {"t0": "0", "past": "1", "future": "2", "key_hex": "01", "key_base32": "AE"}
    with pytest.raises(AdapterError, match="cannot run"):
        CommandImplementation(["/nonexistent/otp {counter}"]).run("hotp", {"counter": 1})


def test_python_spec_module_and_single_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "floaty.py").write_text(
        "import rfc6238\n"
        "def hotp(key, counter, *, digits=6, algorithm='SHA1'):\n"
        "    return rfc6238.hotp(key, counter, digits=digits, algorithm=algorithm)\n"
        "def totp(key, time, *, period=30, t0=0, digits=6, algorithm='SHA1'):\n"
        "    if t0:\n"
        "        raise NotImplementedError('no T0')\n"
        "    return hotp(key, int(time / period), digits=digits, algorithm=algorithm)\n"
        "def verify_totp(key, token, time, **kw):\n"
        "    return rfc6238.verify_totp(key, token, time, **kw).counter\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    impl = PythonImplementation(["floaty"])
    assert impl.name == "floaty"
    results = run_suite([impl], select_cases(groups=["totp_edges", "verify:verify_totp"]))
    assert by_comment(results, "totp_edges", "SHA1 at time 9223372036854775807").status == "fail"
    assert by_comment(results, "totp_edges", "T0 = 1").status == "skipped"
    assert all(r.status == "pass" for r in results if r.file == "verify")
    single = PythonImplementation(["hotp=floaty:hotp"], name="one")
    assert single.run("hotp", {"key": b"12345678901234567890", "counter": 0}) == "755224"
    with pytest.raises(Unsupported):
        single.run("totp", {"key": b"k", "time": 0})
    with pytest.raises(ValueError, match="no function"):
        PythonImplementation(["json"])


# ------------------------------------------------------------------ verdicts


class Scripted(Implementation):
    """Answers from a table: a value, or an exception to raise."""

    name = "scripted"

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


VALID = select_cases(only=["rfc4226:1"])[0]  # code 755224
INVALID = select_cases(flags=["Digits"], groups=["parameters:hotp"])[0]
VERIFY = select_cases(groups=["verify:verify_totp"], flags=["Drift"])[0]


@pytest.mark.parametrize(
    ("case", "answer", "status"),
    [
        (VALID, "755224", "pass"),
        (VALID, "755225", "fail"),
        (VALID, 755224, "fail"),
        (VALID, ValueError("policy"), "refused"),
        (VALID, Unsupported("no"), "skipped"),
        (INVALID, ValueError("bad digits"), "pass"),
        (INVALID, Rejected("no"), "pass"),
        (INVALID, "287082", "fail"),
        (VERIFY, {"counter": 37037035, "offset": -1}, "pass"),
        (VERIFY, {"offset": -1}, "pass"),
        (VERIFY, {"abs_offset": 1}, "pass"),
        (VERIFY, {"counter": 37037036, "offset": 0}, "fail"),
        (VERIFY, {"abs_offset": 0}, "fail"),
        (VERIFY, True, "fail"),
    ],
)
def test_judge_classifies(case: SuiteCase, answer: object, status: str) -> None:
    result = judge(Scripted(answer), case)
    assert result.status == status
    assert result.case_id == case.case_id


class Crashing(Implementation):
    """Crashes the way a library does: the language raises, not a ``raise`` statement."""

    name = "crashing"

    def __init__(self, how: str) -> None:
        self.how = how

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        if self.how == "adapter":
            raise Crashed("broken")
        if self.how == "type":
            return args["digits"] < None  # TypeError from an operator
        return "caf\u00e9".encode("ascii")  # UnicodeEncodeError


@pytest.mark.parametrize("how", ["adapter", "type", "unicode"])
def test_judge_records_crashes_as_failures(how: str) -> None:
    for case in (INVALID, VALID):
        verdict = judge(Crashing(how), case)
        assert (verdict.status, verdict.refusal, verdict.crashed) == ("fail", "crash", True)
        assert verdict.got.startswith("crash: ")


def test_a_broken_adapter_propagates_from_judge_and_is_a_crash_in_a_run() -> None:
    with pytest.raises(AdapterError, match="broken"):
        judge(Scripted(AdapterError("broken")), INVALID)  # callers such as graders see it
    (verdict,) = run_suite([Scripted(AdapterError("broken"))], [INVALID])
    assert (verdict.status, verdict.refusal) == ("fail", "crash")
    assert "broken" in verdict.got


def test_deliberate_type_errors_are_rejections() -> None:
    verdict = judge(Scripted(TypeError("digits must be an int")), INVALID)  # a raise statement
    assert (verdict.status, verdict.refusal) == ("pass", "rejection")


def test_judge_records_clean_rejections() -> None:
    verdict = judge(Scripted(Rejected("no")), INVALID)
    assert (verdict.status, verdict.refusal) == ("pass", "rejection")
    verdict = judge(Scripted(ValueError("policy")), VALID)
    assert (verdict.status, verdict.refusal) == ("refused", "rejection")


# ------------------------------------------------------------------ selection


def test_select_cases_filters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert {c.file for c in select_cases(groups=["rfc4226"])} == {"rfc4226"}
    assert {c.op for c in select_cases(groups=["truncate"])} == {"truncate"}
    assert {c.op for c in select_cases(groups=["verify:verify_hotp"])} == {"verify_hotp"}
    assert {c.group for c in select_cases(groups=["rfc6238:1"])} == {1}
    assert [c.case_id for c in select_cases(only=["rfc4226:2,rfc4226:3"])] == [
        "rfc4226:2",
        "rfc4226:3",
    ]
    assert len(select_cases(only=["rfc4226"])) == 11
    assert all("NFKCDigit" in c.case.flags for c in select_cases(flags=["NFKCDigit"]))
    with pytest.raises(FileNotFoundError, match="--vectors"):
        select_cases(directory=tmp_path)
    monkeypatch.setenv("RFC6238_VECTORS", str(tmp_path))
    with pytest.raises(FileNotFoundError):
        select_cases()
    shutil.copy(ROOT / "vectors" / "rfc4226.json", tmp_path)
    assert len(select_cases()) == 11


# ------------------------------------------------------------------ reports and exit codes


def test_reports(tmp_path: Path) -> None:
    pytest.importorskip("pyotp")
    cases = select_cases(groups=["tokens", "rfc4226"])
    results = run_suite([Rfc6238Implementation(), builtin("pyotp")], cases)
    versions = {"rfc6238": "0", "pyotp": "2"}
    text = summary_text(results, cases, versions, verbose=True)
    assert "tokens #0 verify_totp" in text
    assert "FAIL" in text
    assert "full-width" in text
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    write_report(md, results, cases, versions, {"pyotp": "pyotp adapter"})
    write_report(html, results, cases, versions, {})
    assert "| group | cases | rfc6238 | pyotp |" in md.read_text()
    assert "## Failed cases" in md.read_text()
    assert "`tokens:" in md.read_text()
    assert html.read_text().startswith("<!doctype html>")
    assert "class='fail'" in html.read_text()
    with (tmp_path / "r.json").open("w") as out:
        write_json(results, cases, versions, {}, out)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["cases"] == len(cases)
    assert len(doc["results"]) == 2 * len(cases)
    assert reproduce("pyotp", "tokens:17") == "rfc6238 conformance --impl pyotp --only tokens:17 -v"


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyotp")
    pytest.importorskip("cryptography")
    assert main(["--group", "rfc4226", "--no-progress"]) == 0
    assert main(["--list"]) == 0
    assert "tokens #0 verify_totp" in capsys.readouterr().out
    report = tmp_path / "r.md"
    assert main(["--impl", "pyotp", "--group", "tokens", "--report", str(report)]) == 1
    assert report.is_file()
    assert main(["--impl", "pyotp", "--group", "totp_edges:0"]) == 0  # only refusals
    assert main(["--impl", "pyotp", "--group", "totp_edges:0", "--strict"]) == 1
    assert main(["--only", "nope:1"]) == 2
    assert main(["--impl", "nonesuch"]) == 3
    assert main(["--jsonl", "/nonexistent/adapter"]) == 3
    assert main(["--vectors", str(tmp_path / "none")]) == 4
    err = capsys.readouterr().err
    assert "no built-in implementation" in err
    assert "no vector files" in err


# ------------------------------------------------------------------ pytest integration


def test_pytest_one_line_and_plugin(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pyotp")
    pytester.makepyfile(
        test_mine="from rfc6238.conformance.pytest_plugin import conformance_tests\n"
        "test_c = conformance_tests('rfc6238', groups=['rfc4226'], xfail=[])\n"
        "test_p = conformance_tests('pyotp', groups=['tokens'], xfail=['tokens:17'])\n"
    )
    outcome = pytester.runpytest("-p", "no:cacheprovider", "-q")
    counts = outcome.parseoutcomes()
    assert counts["passed"] >= 11 + 30
    assert counts["xfailed"] == 1
    assert counts["failed"] >= 4
    outcome.stdout.fnmatch_lines(["*expected refusal (MalformedToken)*"])
    plugin = pytester.runpytest(
        "-p", "rfc6238.conformance.pytest_plugin", "--rfc6238-impl", "rfc6238",
        "--rfc6238-group", "rfc6238", "-p", "no:cacheprovider", "-q", "-k", "conformance",
    )  # fmt: skip
    assert plugin.parseoutcomes()["passed"] == 30


# ------------------------------------------------------------------ Key URI parsing


URI_CASES = select_cases(groups=["uri:parse_uri"])
THEN_CODE = select_cases(groups=["parse_uri_then_code"])


def test_parse_uri_then_code() -> None:
    impls: list[Implementation] = [Rfc6238Implementation()]
    for name in ("pyotp", "oath"):
        pytest.importorskip(name)
        impls.append(builtin(name))
    results = run_suite(impls, THEN_CODE)
    assert all(r.status == "pass" for r in results if r.implementation in ("rfc6238", "pyotp"))
    oath = [r for r in results if r.implementation == "oath"]
    assert {r.status for r in oath if "Digits" in r.flags} == {"refused"}  # 6 or 8 only
    assert all(r.status == "pass" for r in oath if "Digits" not in r.flags)


def test_uri_vectors_are_in_the_suite() -> None:
    assert len(URI_CASES) == 79
    assert load("uri").number_of_tests == 79 + len(THEN_CODE)
    assert {c.op for c in URI_CASES} == {"parse_uri"}
    assert {c.case_id for c in URI_CASES} <= {c.case_id for c in ALL_CASES}


def test_parse_uri_operation() -> None:
    impls: list[Implementation] = [Rfc6238Implementation()]
    for name in ("pyotp", "oath"):
        pytest.importorskip(name)
        impls.append(builtin(name))
    results = run_suite(impls, URI_CASES)
    assert all(r.status == "pass" for r in results if r.implementation == "rfc6238")
    by_impl = {name: [r for r in results if r.implementation == name] for name in ("pyotp", "oath")}
    assert by_comment(by_impl["pyotp"], "uri", "hotp-no-counter").status == "fail"  # U1
    assert by_comment(by_impl["oath"], "uri", "secret-dotless-i").status == "fail"  # U2
    assert by_comment(by_impl["pyotp"], "uri", "issuer-mismatch").status == "pass"
    spaced = by_comment(by_impl["pyotp"], "uri", "spaces-after-separator")  # U10
    assert spaced.status == "fail"
    assert spaced.got.startswith("account ")  # only the differing field is shown
    # The runner's verdicts are the generator's oracle records in vectors/uri.json.
    records = {c.case_id: c.case for c in URI_CASES}
    for name, mine in by_impl.items():
        for r in mine:
            case = records[r.case_id]
            recorded = {
                "pass": name in case.verified_by,
                "fail": any(d["oracle"] == name for d in case.get("disagreed", [])),
                "refused": any(d["oracle"] == name for d in case.get("refused", [])),
            }
            assert recorded.get(r.status), (name, r.case_id, r.status)
