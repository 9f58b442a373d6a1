"""Smoke tests for ``benchmarks/bench_core.py``: it runs, checks itself and prints every row.

Speed is measured by the script, never asserted here: these tests only run ``--quick`` (a few
rounds of 0.2 ms samples) and look at the shape of the output.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_core.py"

ROWS = [
    "floor sha1: hmac.digest+truncate",
    "rfc6238 hotp (pure)",
    "rfc6238 totp (pure)",
    "rfc6238 TOTP.at sha1 (prepared)",
    "pyotp TOTP.at",
    "cryptography TOTP.generate",
    "oath totp",
    "reference: 3 prepared HMACs only",
    "rfc6238 TOTP.verify sha1 future",
    "rfc6238 TOTP.verify sha1 future after=",
    "rfc6238 TOTP.verify no match",
    "rfc6238 verify_totp one-shot future",
    "pyotp TOTP.verify future",
    "pyotp TOTP.verify no match",
    "cryptography caller loop future",
    "cryptography caller loop no match",
    "oath accept_totp future",
    "oath accept_totp no match",
    "floor sha256: hmac.digest+truncate",
    "rfc6238 TOTP.at sha256 (prepared)",
    "rfc6238 TOTP.verify sha256 future",
    "floor sha512: hmac.digest+truncate",
    "rfc6238 TOTP.at sha512 (prepared)",
    "rfc6238 TOTP.verify sha512 future",
]
TARGETS = [
    "prepared TOTP.at / floor",
    "pure hotp / floor",
    "prepared TOTP.verify ±1, future step / floor",
    "prepared TOTP.verify ±1 with after= / floor",
    "pyotp TOTP.at / prepared TOTP.at",
    "pyotp verify future / prepared verify future",
]
NUMBER = r"\d+\.\d\d"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_core", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_core"] = module  # dataclasses look the module up while decorating
    spec.loader.exec_module(module)
    return module


def _check_targets(out: str) -> None:
    for label in TARGETS:
        pattern = rf"^- {re.escape(label)}: {NUMBER}x \([<>]= [\d.]+\) (met|NOT met)$"
        assert re.search(pattern, out, re.MULTILINE), label


def test_quick_run_prints_machine_table_and_targets(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Python 3\.\d+\.\d+ \(\w+\), .* CPU .+ x\d+, load ", out, re.MULTILINE)
    assert re.search(r"; rfc6238 \S+, pyotp \S+, cryptography \S+, oath \S+$", out, re.MULTILINE)
    assert re.search(r"^job +median µs +min µs +x floor +IQR %$", out, re.MULTILINE)
    for group in ("SHA1 generate", "SHA1 verify ±1 (3 steps)", "SHA512 verify ±1 (3 steps)"):
        assert f"[{group}]\n" in out
    for name in ROWS:
        row = rf"^{re.escape(name)} +{NUMBER} +{NUMBER} +{NUMBER}x +\d+\.\d$"
        assert re.search(row, out, re.MULTILINE), name
    assert re.search(rf"^{re.escape(ROWS[0])} .* 1\.00x ", out, re.MULTILINE)
    _check_targets(out)
    assert "5 rounds x 24 jobs" in out


def test_markdown_table_has_every_row(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--quick", "--markdown", "--rounds", "2"]) == 0
    out = capsys.readouterr().out
    assert "| job | median µs | × floor |\n|---|---:|---:|\n" in out  # noqa: RUF001
    assert re.search(r"^\*Python 3\.\d+\.\d+ .*\*  $", out, re.MULTILINE)
    for name in ROWS:
        assert re.search(rf"^\| {re.escape(name)} \| {NUMBER} \| {NUMBER}x \|$", out, re.M), name
    _check_targets(out)


def test_missing_library_rows_are_reported_not_faked(bench: ModuleType) -> None:
    jobs, missing = bench.build_jobs()
    assert missing == []
    kept = [job for job in jobs if not job.name.startswith("pyotp")]
    bench.run(kept, rounds=2, sample_ns=20_000)
    out = bench.report(kept, ["pyotp"])
    assert "pyotp: not installed, its rows are skipped" in out
    assert "pyotp TOTP" not in out
    assert "- pure hotp / floor: " in out
    assert all(len(job.samples) == 2 for job in kept)


def test_self_check_refuses_a_job_that_does_the_wrong_thing(bench: ModuleType) -> None:
    jobs, _ = bench.build_jobs()
    job = next(j for j in jobs if j.name == "rfc6238 TOTP.verify no match")
    wrong = bench.Job(job.name, job.group, job.algorithm, job.stmt, job.ns, expect="a match")
    message = "self-check failed for 'rfc6238 TOTP.verify no match'"
    with pytest.raises(SystemExit, match=re.escape(message)):
        bench.self_check([wrong])


@pytest.mark.parametrize("argv", [["--rounds", "0"], ["--sample-ms", "-1"], ["--rounds", "x"]])
def test_bad_options_are_rejected(bench: ModuleType, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        bench.main(argv)
    assert exc.value.code == 2


def test_script_runs_as_a_program() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--rounds", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "floor sha1: hmac.digest+truncate" in result.stdout
    assert "Targets (ratios measured in this run):" in result.stdout
