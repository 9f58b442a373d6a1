"""The built wheel installs on its own and works outside the checkout (CONTRIBUTING.md "Style")."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (built,) = out.glob("rfc6238-*.whl")
    return built


def test_wheel_ships_typing_marker_and_no_tests(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "rfc6238/py.typed" in names
    assert "rfc6238/__init__.py" in names
    assert "rfc6238/vectors_data/rfc4226.json" in names  # the conformance vectors ship too
    assert not any(n.startswith("tests/") for n in names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist" not in text.split("Provides-Extra")[0]  # no runtime dependencies
    # The linters and type checkers are dependency groups, never pinned on users by an extra.
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist")]
    assert requires  # the extras are there...
    assert not [r for r in requires if r.split()[1].startswith(("ruff", "mypy", "nbstripout"))]


def test_installed_wheel_runs_its_doctests_outside_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    script = (
        "import doctest, sys, rfc6238, importlib, pkgutil\n"
        f"assert rfc6238.__file__.startswith({str(target)!r}), rfc6238.__file__\n"
        "failed = 0\n"
        "mods = ['core', 'verify', 'otp', 'secret', 'base32', 'trace', 'prepared']\n"
        "for m in [*mods, 'conformance.vectors']:\n"
        "    failed += doctest.testmod(importlib.import_module('rfc6238.' + m)).failed\n"
        "assert rfc6238.totp(b'12345678901234567890', 59, digits=8) == '94287082'\n"
        "sys.exit(failed)\n"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
