"""The ``rfc6238`` command line, through subprocesses: outputs, exit codes, stderr, secrets."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rfc6238 import base32
from rfc6238.cli import main

RFC_KEY = b"12345678901234567890"
RFC_B32 = base32.encode(RFC_KEY)
RFC_HEX = RFC_KEY.hex()
SECRET_MARK = "GEZDGNBV"  # must never appear on stderr
URI = "otpauth://totp/ACME%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co"


def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rfc6238", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


class Call:
    """``main(argv)`` in-process, for the many cases a subprocess each would make slow."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *args: str, stdin: str | None = None, **env: str) -> tuple[int, str, str]:
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
        out = self.capsys.readouterr()
        return code, out.out, out.err


@pytest.fixture
def call(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Call:
    return Call(capsys, monkeypatch)


# ------------------------------------------------------------------ code / explain / demo


def test_code_rfc6238_appendix_b_from_env() -> None:
    proc = run("code", "--hex", "--secret-env", "K", "--at", "59", "--digits", "8", K=RFC_HEX)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "94287082\n", "")


def test_code_secret_file_stdin_and_iso_time(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(RFC_B32 + "\n")
    by_file = run("code", "--secret-file", str(secret), "--at", "2005-03-18T01:58:29Z")
    by_stdin = run("code", "--secret-stdin", "--at", "1111111109", stdin=RFC_B32)
    assert by_file.stdout == by_stdin.stdout == "081804\n"


def test_code_window_json_and_hotp(call: Call) -> None:
    _, stdout, _ = call("code", "--secret-env", "K", "--at", "1111111109", "--window", "1",
                        "--json", K=RFC_B32)  # fmt: skip
    out = json.loads(stdout)
    assert out["code"] == "081804"
    assert out["counter"] == 37037036
    assert out["valid_from"] == 1111111080
    assert out["valid_until"] == 1111111109
    assert [row["offset"] for row in out["window"]] == [-1, 0, 1]
    _, text, _ = call("code", "--secret-env", "K", "--at", "1111111109", "--window", "1")
    assert text.splitlines()[1] == "> step 37037036  +0  081804"
    assert call("code", "--secret-env", "K", "--counter", "9", "--digits", "8")[1] == "45520489\n"


def test_code_takes_parameters_from_a_uri_secret(call: Call) -> None:
    uri = f"otpauth://hotp/x?secret={RFC_B32}&counter=1&digits=8"
    assert call("code", "--secret-stdin", stdin=uri)[1] == "94287082\n"
    assert call("code", "--secret-stdin", "--counter", "0", stdin=uri)[1] == "84755224\n"
    code, _, err = call("code", "--secret-stdin", "--at", "59", stdin=uri)
    assert code == 2
    assert "--at applies to TOTP" in err


@pytest.mark.parametrize("option", ["--period", "--t0"])
@pytest.mark.parametrize("command", ["code", "explain"])
def test_time_options_with_an_hotp_secret_are_errors_not_dropped(
    call: Call, option: str, command: str
) -> None:
    uri = f"otpauth://hotp/x?secret={RFC_B32}&counter=1"
    for args, stdin in (((), uri), (("--counter", "1"), RFC_B32)):
        code, out, err = call(command, "--secret-stdin", *args, option, "60", stdin=stdin)
        assert code == 2
        assert out == ""
        assert f"{option} applies to TOTP; this secret is HOTP" in err


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["code"], {}, 2, "one of the arguments --secret-file"),
        (["code", "--secret-env", "NOPE_NOT_SET"], {}, 4, "NOPE_NOT_SET is not set"),
        (["code", "--secret-file", "/nonexistent/x"], {}, 4, "cannot read the secret file"),
        (["code", "--secret-env", "K", "--hex"], {"K": RFC_B32}, 2, "InvalidEncoding"),
        (["code", "--secret-env", "K", "--at", "2005-03-18T01:58:29"], {"K": RFC_B32}, 2,
         "timezone"),
        (["code", "--secret-env", "K", "--digits", "5"], {"K": RFC_B32}, 2, "digits"),
        (["code", "--secret-env", "K", "--algorithm", "md5"], {"K": RFC_B32}, 2,
         "UnsupportedAlgorithm"),
        (["code", "--secret-env", "K", "--at", "10", "--t0", "20"], {"K": RFC_B32}, 2,
         "before t0"),
        (["code", "--secret-env", "K", "--window", "11"], {"K": RFC_B32}, 2, "--window"),
        (["code", "--secret-env", "K"], {"K": "1" * 16}, 2, "base32"),
    ],
)  # fmt: skip
def test_code_errors(
    call: Call, args: list[str], env: dict[str, str], code: int, message: str
) -> None:
    status, out, err = call(*args, **env)
    assert (status, out) == (code, "")
    assert message in err
    assert SECRET_MARK not in err


def test_usage_error_through_a_subprocess() -> None:
    proc = run("code", "--secret-env", "K", "--at", "1111111109", "--digits", "11", K=RFC_B32)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "rfc6238 code: error: InvalidParameter: digits must be between 6 and 10\n"


def test_explain_json_matches_rfc4226_appendix_d(call: Call) -> None:
    proc = run("explain", "--secret-env", "K", "--counter", "1", "--json", K=RFC_B32)
    out = json.loads(proc.stdout)
    assert out["digest"] == "75a48a19d4cbe100644e8ac1397eea747a2d33ab"
    assert (out["offset"], out["window"], out["value"], out["code"]) == (
        11, "c1397eea", 1094287082, "287082"
    )  # fmt: skip
    assert "key" not in out
    assert out["key_length"] == 20
    text = call("explain", "--secret-env", "K", "--at", "59", K=RFC_B32)[1]
    assert "[" in text
    assert "T = floor((t - T0) / X)      1" in text
    assert RFC_B32 not in text


def test_demo_is_deterministic_and_covers_the_walkthrough(call: Call) -> None:
    first = run("demo")
    assert first.returncode == 0
    assert call("demo")[1] == first.stdout
    for needle in ("00 00 00 00 02 35 23 ec", "07081804", "offset -1", "MalformedToken",
                   "ReplayedToken", "--last-step"):  # fmt: skip
        assert needle in first.stdout


def test_help_says_where_secrets_should_come_from(call: Call) -> None:
    code, out, _ = call("code", "--help")
    assert code == 0
    assert "shell history" in out
    assert "--secret-stdin" in out
    assert "exit codes" in out
    for command in (["verify", "--help"], ["uri", "build", "--help"], ["explain", "--help"]):
        assert "shell history" in call(*command)[1]
    assert call("--version")[1].startswith("rfc6238 ")


def test_main_in_process_returns_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code", "--hex", "--secret", RFC_HEX, "--counter", "0"]) == 0
    assert capsys.readouterr().out == "755224\n"


# ------------------------------------------------------------------ verify


def test_verify_accepts_with_drift_and_reports_json() -> None:
    proc = run("verify", "731029", "--secret-env", "K", "--at", "1111111109", "--json",
               K=RFC_B32)  # fmt: skip
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"valid": True, "counter": 37037035, "offset": -1}
    text = run("verify", "-", "--secret-env", "K", "--at", "1111111109", stdin="081804\n",
               K=RFC_B32)  # fmt: skip
    assert text.returncode == 0
    assert "step 37037036 (offset +0)" in text.stdout
    both = run("verify", "-", "--secret-stdin", stdin=RFC_B32)
    assert both.returncode == 2
    assert "already carries the secret" in both.stderr


@pytest.mark.parametrize(
    ("token", "extra", "reason"),
    [
        ("".join(chr(0xFF10 + int(c)) for c in "081804"), [], "malformed"),  # full-width
        ("081804\n", [], "malformed"),
        ("123456", [], "no-match"),
        ("731029", ["--window", "0,1"], "no-match"),
        ("081804", ["--last-step", "37037036"], "replayed"),
    ],
)
def test_verify_rejections_exit_1(call: Call, token: str, extra: list[str], reason: str) -> None:
    code, out, err = call("verify", token, "--secret-env", "K", "--at", "1111111109", "--json",
                          *extra, K=RFC_B32)  # fmt: skip
    assert code == 1
    assert json.loads(out)["reason"] == reason
    assert "rejected" in err
    assert token.strip() not in err


@pytest.mark.parametrize(
    ("token", "extra", "expect"),
    [
        # TOTP at 1111111109 (step 37037036): 081804 is that step, 731029 the step before.
        ("081804", ["--last-step", "37037035"], {"valid": True, "counter": 37037036, "offset": 0}),
        ("081804", ["--last-step", "-1"], {"valid": True, "counter": 37037036, "offset": 0}),
        ("731029", ["--last-step", "37037035"], "replayed"),
        ("731029", ["--last-step", "37037034"], {"valid": True, "counter": 37037035, "offset": -1}),
        ("123456", ["--last-step", "37037035"], "no-match"),
        # HOTP: the last accepted counter was 1, so --counter 2; replaying 1's code is a replay.
        ("287082", ["--counter", "2", "--last-step", "1"], "replayed"),
        ("287082", ["--counter", "2"], "no-match"),
        ("359152", ["--counter", "2", "--last-step", "1"],
         {"valid": True, "counter": 2, "offset": 0, "next_counter": 3}),
        ("338314", ["--counter", "2", "--look-ahead", "3", "--last-step", "4"], "replayed"),
    ],
)  # fmt: skip
def test_verify_last_step(call: Call, token: str, extra: list[str], expect: object) -> None:
    at = [] if "--counter" in extra else ["--at", "1111111109"]
    code, out, err = call("verify", token, "--secret-env", "K", *at, "--json", *extra, K=RFC_B32)
    if isinstance(expect, dict):
        assert (code, json.loads(out)) == (0, expect)
    else:
        assert code == 1
        assert json.loads(out)["reason"] == expect
        assert "rejected" in err


@pytest.mark.parametrize("last", ["-2", str(2**64)])
def test_verify_last_step_out_of_range_is_a_usage_error(call: Call, last: str) -> None:
    code, out, err = call("verify", "081804", "--secret-env", "K", "--at", "1111111109",
                          "--last-step", last, K=RFC_B32)  # fmt: skip
    assert (code, out) == (2, "")
    assert "InvalidParameter: after, the last accepted counter or step, must be in" in err


def test_verify_bad_window_option(call: Call) -> None:
    code, _, err = call("verify", "081804", "--secret-env", "K", "--window", "a,b", K=RFC_B32)
    assert code == 2
    assert "PAST,FUTURE" in err


def test_verify_hotp_look_ahead_short_keys_and_separators(call: Call) -> None:
    code, out, _ = call("verify", "969429", "--secret-env", "K", "--counter", "0",
                        "--look-ahead", "5", K=RFC_B32)  # fmt: skip
    assert code == 0
    assert "next counter: 4" in out
    short = "JBSWY3DPEHPK3PXP"  # 10 bytes
    code, _, err = call("verify", "000000", "--secret-env", "S", "--at", "0", S=short)
    assert code == 2
    assert "SecretTooShort" in err
    token = call("code", "--secret-env", "S", "--at", "0")[1].strip()
    spaced = f"{token[:3]} {token[3:]}"
    code, _, _ = call("verify", spaced, "--secret-env", "S", "--at", "0", "--allow-short-key",
                      "--strip-separators")  # fmt: skip
    assert code == 0


# ------------------------------------------------------------------ provisioning


def test_secret_new_json_and_save(call: Call, tmp_path: Path) -> None:
    out = json.loads(run("secret", "new", "--json", "--issuer", "ACME", "--account", "a").stdout)
    assert len(base32.decode(out["secret"])) == 20
    assert out["key_bytes"] == 20
    assert out["uri"].startswith("otpauth://totp/ACME:a?secret=")
    target = tmp_path / "s.txt"
    code, shown, _ = call("secret", "new", "--no-qr", "--save", str(target), "--algorithm",
                          "SHA256")  # fmt: skip
    assert code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(base32.decode(target.read_text().strip())) == 32
    assert target.read_text().strip() in shown  # `secret new` is where a secret is shown
    code, _, err = call("secret", "new", "--no-qr", "--save", str(target))
    assert code == 4
    assert "refusing to overwrite" in err
    assert call("secret", "new", "--bytes", "8")[0] == 2


def test_uri_parse_hides_the_secret_unless_asked(call: Call) -> None:
    proc = run("uri", "parse", "--env", "U", U=URI)
    assert proc.returncode == 0
    assert "ACME Co" in proc.stdout
    assert "JBSWY3DP" not in proc.stdout
    assert "below the 128 bits" in proc.stdout
    shown = json.loads(call("uri", "parse", "--stdin", "--json", "--show-secret", stdin=URI)[1])
    assert shown["secret"] == "JBSWY3DPEHPK3PXP"
    assert shown["short_key"] is True
    code, _, err = call("uri", "parse", "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=06")
    assert code == 2
    assert "InvalidURI" in err
    assert "JBSWY3DP" not in err
    code, _, err = call("uri", "parse", URI, "--stdin", stdin=URI)
    assert code == 2
    assert "exactly once" in err


def test_uri_build_reads_the_secret_from_stdin(call: Call) -> None:
    proc = run("uri", "build", "--secret-stdin", "--account", "bob", "--type", "hotp",
               "--counter", "7", stdin=RFC_B32)  # fmt: skip
    assert proc.stdout == f"otpauth://hotp/bob?secret={RFC_B32}&counter=7\n"
    code, _, err = call("uri", "build", "--secret-stdin", "--counter", "7", stdin=RFC_B32)
    assert code == 2
    assert "--type hotp" in err


def test_qr_png_svg_and_terminal(call: Call, tmp_path: Path) -> None:
    pytest.importorskip("qrcode", reason="the qr extra is not installed")
    png, svg = tmp_path / "k.png", tmp_path / "k.svg"
    assert run("qr", "--env", "U", "-o", str(png), U=URI).returncode == 0
    assert call("qr", "--env", "U", "-o", str(svg), U=URI)[0] == 0
    assert stat.S_IMODE(png.stat().st_mode) == 0o600
    assert svg.read_text().startswith("<svg")
    assert "█" in call("qr", "--env", "U")[1]
    assert call("qr", "--env", "U", "-o", str(tmp_path / "k.gif"))[0] == 2
    assert call("qr", "otpauth://nope")[0] == 2
    pytest.importorskip("zxingcpp", reason="the qr-read extra is not installed")
    from rfc6238.qr import read_qr

    assert read_qr(png.read_bytes()) == [URI]


def test_migration_encode_then_decode(call: Call) -> None:
    packed = run("migration", "encode", "--stdin", stdin=URI + "\n")
    assert packed.returncode == 0
    assert packed.stdout.startswith("otpauth-migration://offline?")
    decoded = run("migration", "decode", "--stdin", "--json", stdin=packed.stdout)
    accounts = json.loads(decoded.stdout)["accounts"]
    assert [(a["name"], a["issuer"], a["key_bytes"]) for a in accounts] == [
        ("ACME Co:alice@example.com", "ACME Co", 10)
    ]
    assert "uri" not in accounts[0]
    assert URI in call("migration", "decode", "--stdin", "--uris", stdin=packed.stdout)[1]
    assert call("migration", "decode", "otpauth-migration://offline?data=%%")[0] == 2


# ------------------------------------------------------------------ conformance


def test_conformance_subcommand_and_module_entry_point() -> None:
    pytest.importorskip("pyotp")
    proc = run("conformance", "--group", "rfc4226", "--json", "--no-progress")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["implementations"][0]["totals"]["pass"] == doc["cases"] == 11
    module = subprocess.run(
        [sys.executable, "-m", "rfc6238.conformance", "--impl", "pyotp", "--group", "tokens"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert module.returncode == 1
    assert "full-width digits" in module.stdout


def test_missing_qr_extra_is_reported_not_a_traceback(
    call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "qrcode", None)  # as if the qr extra were not installed
    code, out, err = call("qr", URI)
    assert code == 3
    assert "rfc6238[qr]" in err
    code, out, err = call("secret", "new", "--account", "a")
    assert code == 0
    assert out.startswith("secret: ")
    assert "QR code skipped" in err


def test_verify_window_options_match_the_otp_type(call: Call) -> None:
    code, _, err = call("verify", "755224", "--secret-env", "K", "--counter", "0", "--window",
                        "2", K=RFC_B32)  # fmt: skip
    assert code == 2
    assert "--look-ahead" in err
    code, _, err = call("verify", "081804", "--secret-env", "K", "--look-ahead", "2", K=RFC_B32)
    assert code == 2
    assert "applies to HOTP" in err
