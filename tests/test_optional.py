"""Every optional dependency, when missing, raises one typed error naming the extra to install.

Absence is simulated in-process: the package and every submodule already loaded are set to
``None`` in ``sys.modules`` (so importing any of them raises ``ModuleNotFoundError``), and
monkeypatch puts them back. Nothing is uninstalled.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rfc6238._optional import require
from rfc6238.errors import MissingDependency, RFC6238Error
from rfc6238.qr import QRCode, read_qr

URI = "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME"
KEY = b"12345678901234567890"


def block(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``package`` (and everything under it) unimportable until the test ends."""
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)


def missing(call: Callable[[], object], extra: str) -> MissingDependency:
    with pytest.raises(MissingDependency) as caught:
        call()
    err = caught.value
    assert err.extra == extra
    assert f"pip install 'rfc6238[{extra}]'" in str(err)
    assert f"the optional {extra!r} extra" in str(err)
    assert isinstance(err.__cause__, ImportError)
    return err


def test_require_returns_the_module() -> None:
    assert require("json.decoder", "qr").__name__ == "json.decoder"


def test_missing_dependency_is_an_import_error_and_an_rfc6238_error() -> None:
    assert issubclass(MissingDependency, ImportError)
    assert issubclass(MissingDependency, RFC6238Error)
    err = missing(lambda: require("no_such_module_here", "qr", feature="a test"), "qr")
    assert err.name == "no_such_module_here"
    assert str(err).startswith("a test needs the optional 'qr' extra")


def test_a_missing_submodule_of_an_installed_package(monkeypatch: pytest.MonkeyPatch) -> None:
    block(monkeypatch, "json.tool")
    assert missing(lambda: require("json.tool", "notebooks"), "notebooks").name == "json.tool"


def test_qr_output_names_the_qr_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("qrcode")
    code = QRCode("hello")  # made before the libraries go missing
    block(monkeypatch, "qrcode")
    assert missing(lambda: QRCode("x"), "qr").name == "qrcode"
    block(monkeypatch, "PIL")
    assert missing(code.png, "qr").name == "PIL.Image"


def test_reading_qr_codes_names_the_qr_read_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    block(monkeypatch, "zxingcpp")
    assert missing(lambda: read_qr(b""), "qr-read").name == "zxingcpp"
    monkeypatch.undo()
    pytest.importorskip("zxingcpp")
    block(monkeypatch, "PIL")
    assert missing(lambda: read_qr(b""), "qr-read").name == "PIL.Image"


def test_encrypted_storage_names_the_storage_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rfc6238.service import SQLiteStore, TwoFactor
    from rfc6238.service.envelope import Binding, seal
    from rfc6238.service.keyring import KeyRing

    ring = KeyRing({1: bytes(32)})
    store = SQLiteStore(tmp_path / "a.db")
    block(monkeypatch, "cryptography")
    missing(lambda: seal(ring, KEY, Binding(user_id="u", credential_id="c")), "storage")
    err = missing(lambda: TwoFactor(store, keyring=ring, issuer="ACME"), "storage")
    assert str(err).startswith("encrypted secret storage needs")


def _plot_calls() -> dict[str, Callable[[], object]]:
    from rfc6238.teaching import plots, plots_extra

    return {
        "byte_grid": lambda: plots.byte_grid(b"\x00\x01"),
        "step_timeline": lambda: plots.step_timeline(0, 60),
        "curves": lambda: plots.curves({"y": ([0, 1], [0, 1])}, xlabel="x", ylabel="y"),
        "uri_anatomy": lambda: plots_extra.uri_anatomy(URI),
        "qr_grid": lambda: plots_extra.qr_grid({"M": QRCode("hi")}),
        "status_matrix": lambda: plots_extra.status_matrix({"g": {"rfc6238": {"pass": 1}}}),
        "flow_diagram": lambda: plots_extra.flow_diagram([("enroll", "pending")]),
    }


@pytest.mark.parametrize("name", sorted(_plot_calls()))
def test_plots_name_the_notebooks_extra(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    call = _plot_calls()[name]
    if name == "qr_grid":
        pytest.importorskip("qrcode")
    block(monkeypatch, "matplotlib")
    err = missing(call, "notebooks")
    assert err.name == "matplotlib.pyplot"
    assert str(err).startswith("plotting needs")


ORACLES: list[tuple[str, str, dict[str, Any]]] = [
    ("pyotp", "hotp", {"key": KEY, "counter": 0}),
    ("pyotp", "parse_uri", {"uri": URI}),
    ("pyotp", "base32_decode", {"text": "GEZDGNBV"}),
    ("cryptography", "hotp", {"key": KEY, "counter": 0}),
    ("oath", "hotp", {"key": KEY, "counter": 0}),
    ("oath", "parse_uri", {"uri": URI}),
]


@pytest.mark.parametrize(("library", "op", "args"), ORACLES)
def test_oracle_adapters_name_the_conformance_extra(
    monkeypatch: pytest.MonkeyPatch, library: str, op: str, args: dict[str, Any]
) -> None:
    from rfc6238.conformance import builtins

    adapter = builtins.BUILTINS[library]()
    block(monkeypatch, library)
    err = missing(lambda: adapter.run(op, args), "conformance")
    assert err.name is not None
    assert err.name.partition(".")[0] == library
    assert str(err).startswith(f"the {library} adapter needs")
    missing(lambda: builtins.builtin(library), "conformance")
    assert library not in builtins.available_builtins()
    assert "rfc6238" in builtins.available_builtins()


def test_the_cli_reports_a_missing_extra_in_one_line() -> None:
    """A real process where ``qrcode`` cannot be imported: exit 3, the hint, no traceback."""
    script = (
        "import sys; sys.modules['qrcode'] = None\n"
        "from rfc6238.cli import main\n"
        f"sys.exit(main(['qr', {URI!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 3, done.stderr
    assert "pip install 'rfc6238[qr]'" in done.stderr
    assert "Traceback" not in done.stderr
