"""Files the CLI writes that hold a secret: created new, 0600, whole or not at all."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rfc6238.cli.common import CLIError
from rfc6238.cli.provision import _write_private


def _secret_new(target: Path, *, file_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # runs in the child only
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [sys.executable, "-m", "rfc6238", "secret", "new", "--no-qr", "--save", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limit,  # setrlimit must happen in the child, not in the test process
    )


def test_save_creates_a_private_file_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "alice.txt"
    first = _secret_new(target)
    assert first.returncode == 0, first.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    saved = target.read_text("ascii")
    assert saved.strip() in first.stdout
    second = _secret_new(target)
    assert second.returncode == 4
    assert "exists; refusing to overwrite" in second.stderr
    assert "Traceback" not in second.stderr
    assert target.read_text("ascii") == saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice.txt"]


def test_save_under_a_file_size_limit_leaves_nothing_and_the_retry_works(tmp_path: Path) -> None:
    target = tmp_path / "bob.txt"
    limited = _secret_new(target, file_limit=0)
    assert limited.returncode == 4
    assert "cannot write" in limited.stderr
    assert "Traceback" not in limited.stderr
    assert list(tmp_path.iterdir()) == []  # no partial file, no temporary left behind
    retry = _secret_new(target)
    assert retry.returncode == 0, retry.stderr
    assert len(target.read_text("ascii").strip()) == 32


@pytest.mark.parametrize("name", ["a\0b", "missing-dir/x.txt"])
def test_unwritable_paths_are_clean_errors(tmp_path: Path, name: str) -> None:
    with pytest.raises(CLIError, match=r"^cannot create ") as caught:
        _write_private(os.path.join(tmp_path, name), b"GEZDGNBV\n")
    assert caught.value.code == 4
    assert "GEZDGNBV" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_no_traceback_when_stdout_cannot_encode_the_account() -> None:
    uri = "otpauth://totp/ACME:%C3%A9l%C3%A8ve?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME"
    done = subprocess.run(
        [sys.executable, "-m", "rfc6238", "uri", "parse", uri],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert done.returncode == 0, done.stderr
    assert b"account    \\xe9l\\xe8ve" in done.stdout
    assert b"Traceback" not in done.stderr


def test_an_unwritable_report_path_is_exit_4_without_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "matrix.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfc6238",
            "conformance",
            "--only",
            "rfc4226:1",
            "--report",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 4, done.stderr
    assert "cannot use" in done.stderr
    assert "No such file or directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_non_utf8_standard_input_is_a_rejection_not_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rfc6238", "verify", "-", "--secret-env", "K", "--at", "59"],
        input=b"\xff\xfe12\n",
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "K": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
    )
    assert done.returncode in (1, 2), done.stderr
    assert b"Traceback" not in done.stderr
