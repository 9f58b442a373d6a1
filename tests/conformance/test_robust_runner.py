"""A runner that never loses a run: hangs, crashes, interrupts, several adapters and reports."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from rfc6238.conformance import main, run_suite, select_cases
from rfc6238.conformance.adapters import Implementation, Rfc6238Implementation, Unsupported
from rfc6238.conformance.process import CommandImplementation
from rfc6238.conformance.report import printable, summary_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "jsonl_rfc6238.py"

#: A JSON-lines adapter that answers like the example, except on one case: it hangs, dies,
#: kills itself with a signal, or answers nothing at all ("skip").
MISBEHAVE = """
import json, os, signal, sys, time
sys.path.insert(0, {examples!r})
import jsonl_rfc6238 as example
how, bad = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    request = json.loads(line)
    if request.get("case") == bad:
        if how == "hang":
            time.sleep(3600)
        if how == "exit":
            os._exit(3)
        if how == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
    if how == "skip" and request["op"] != "hello":
        reply = {{"id": request["id"], "unsupported": "nothing"}}
    else:
        reply = example.handle(request)
    sys.stdout.write(json.dumps(reply) + "\\n")
    sys.stdout.flush()
"""


@pytest.fixture
def misbehave(tmp_path: Path) -> str:
    path = tmp_path / "misbehave.py"
    path.write_text(MISBEHAVE.format(examples=str(EXAMPLE.parent)))
    return f"{sys.executable} {path}"


def _report(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def test_a_hang_and_a_crash_are_reported_and_the_run_finishes(
    tmp_path: Path, misbehave: str, capsys: pytest.CaptureFixture[str]
) -> None:
    md, js, html = tmp_path / "r.md", tmp_path / "r.json", tmp_path / "r.html"
    started = time.monotonic()
    status = main(
        [
            "--jsonl", f"hang={misbehave} hang rfc4226:3",
            "--jsonl", f"segv={misbehave} segv rfc4226:5",
            "--jsonl", f"exit={misbehave} exit rfc4226:7",
            "--impl", "rfc6238",
            "--only", "rfc4226", "--timeout", "3",
            "--report", str(md), "--report", str(js), "--report", str(html),
        ]
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert status == 1  # crashes are failures
    doc = _report(js)
    assert [i["name"] for i in doc["implementations"]] == ["rfc6238", "hang", "segv", "exit"]
    crashes = {(r["implementation"], r["id"]): r for r in doc["results"] if r["refusal"] == "crash"}
    assert set(crashes) == {("hang", "rfc4226:3"), ("segv", "rfc4226:5"), ("exit", "rfc4226:7")}
    assert "timeout" in crashes["hang", "rfc4226:3"]["got"]
    assert "SIGSEGV" in crashes["segv", "rfc4226:5"]["got"]
    assert "exit 3" in crashes["exit", "rfc4226:7"]["got"]
    for r in crashes.values():
        assert r["status"] == "fail"
        assert r["id"] in r["got"]  # the case id ...
        assert "last request" in r["got"]  # ... and the request are in the error
    for item in doc["implementations"]:  # after each crash the adapter came back
        want = 11 if item["name"] == "rfc6238" else 10
        assert item["totals"]["pass"] == want, item
        assert item["crashes"] == 11 - want
    assert "| group | cases | rfc6238 | hang | segv | exit |" in md.read_text()
    assert "crash" in html.read_text()
    assert capsys.readouterr().out.count("CRASH") == 3


class Sleepy(Implementation):
    """In-process: hangs (a long sleep) on one counter, answers the others."""

    name = "sleepy"

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        if op != "hotp":
            raise Unsupported("hotp only")
        if args["counter"] == 2:
            time.sleep(30)
        return Rfc6238Implementation().run(op, args)


def test_an_in_process_hang_is_a_timeout() -> None:
    impl = Sleepy()
    impl.timeout = 2.0
    started = time.monotonic()
    results = run_suite([impl], select_cases(groups=["rfc4226:hotp"]))
    assert time.monotonic() - started < 10
    crashed = [r for r in results if r.crashed]
    assert [r.case_id for r in crashed] == ["rfc4226:3"]
    assert "timeout" in crashed[0].got
    assert sum(r.status == "pass" for r in results) == 9


SLOW = """
import json, sys, time
sys.path.insert(0, {examples!r})
import jsonl_rfc6238 as example
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] != "hello":
        time.sleep(0.05)
    sys.stdout.write(json.dumps(example.handle(request)) + "\\n")
    sys.stdout.flush()
"""


def test_ctrl_c_writes_the_partial_results(tmp_path: Path) -> None:
    slow = tmp_path / "slow.py"
    slow.write_text(SLOW.format(examples=str(EXAMPLE.parent)))
    js, md = tmp_path / "r.json", tmp_path / "r.md"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rfc6238.conformance", "--jsonl", f"{sys.executable} {slow}",
         "--group", "hotp_edges", "--report", str(js), "--report", str(md), "--progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert proc.stderr is not None
    seen = ""
    while "/" not in seen:  # the first progress line: some cases are done
        seen += proc.stderr.read(1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    doc = _report(js)
    assert doc["complete"] is False
    assert 0 < len(doc["results"]) < len(select_cases(groups=["hotp_edges"]))
    assert "INTERRUPTED" in md.read_text()
    assert "INTERRUPTED" in out


def test_a_run_that_passed_nothing_fails(
    misbehave: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--jsonl", f"{misbehave} skip none", "--only", "rfc4226"]) == 1
    assert "passed no case" in capsys.readouterr().err


def test_text_from_adapters_is_escaped(misbehave: str) -> None:
    assert printable("a\u202eb\x1b[31m\u2028\\") == "a\\u202eb\\x1b[31m\\u2028\\\\"
    cases = select_cases(only=["rfc4226:1"])

    class Liar(Implementation):
        name = "liar\u202e"

        def run(self, op: str, args: Mapping[str, Any]) -> Any:
            return "\x1b[2J\u202e755224"

    text = summary_text(run_suite([Liar()], cases), cases, {}, verbose=True)
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "\\x1b[2J\\u202e755224" in text


def test_a_command_template_must_carry_every_input() -> None:
    impl = CommandImplementation(["hotp=echo {counter} {key_hex}"], name="echo")
    cases = select_cases(groups=["rfc4226:hotp"]) + select_cases(flags=["BeyondRFCDigits"])[:1]
    results = run_suite([impl], cases)
    assert all(r.status == "fail" for r in results[:10])  # runs: echo is no HOTP
    assert results[-1].status == "skipped"
    assert "no placeholder for digits" in results[-1].got


def test_exclude_and_no_policy() -> None:
    every = select_cases()
    policy = [c for c in every if c.category == "policy"]
    assert policy
    assert all(c.case.policy for c in policy)  # every house rule says why
    assert len(select_cases(policy=False)) == len(every) - len(policy)
    assert not [c for c in select_cases(exclude=["rfc4226:1,tokens"]) if c.file == "tokens"]
    assert "rfc4226:1" not in {c.case_id for c in select_cases(exclude=["rfc4226:1"])}
    assert not select_cases(exclude=["Policy"], flags=["Policy"])


def test_a_dead_adapter_is_restarted(misbehave: str) -> None:
    from rfc6238.conformance.process import JsonLinesImplementation

    impl = JsonLinesImplementation(f"{misbehave} exit rfc4226:2", timeout=5)
    try:
        before = impl.proc.pid
        results = run_suite([impl], select_cases(only=["rfc4226:1,rfc4226:2,rfc4226:3"]))
        assert [r.status for r in results] == ["pass", "fail", "pass"]
        assert impl.proc.pid != before
        assert impl.proc.poll() is None
    finally:
        impl.close()
