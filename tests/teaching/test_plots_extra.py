"""Tests for rfc6238.teaching.plots_extra: labelled figures of library values, none left open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

matplotlib = pytest.importorskip("matplotlib")
pytest.importorskip("qrcode")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rfc6238 import InvalidParameter, InvalidType, InvalidURI  # noqa: E402
from rfc6238.qr import QRCode  # noqa: E402
from rfc6238.teaching import plots_extra as pe  # noqa: E402
from rfc6238.uri import build_uri  # noqa: E402

KEY = b"12345678901234567890"
B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.fixture(autouse=True)
def _no_open_figures() -> Iterator[None]:
    plt.close("all")
    yield
    assert plt.get_fignums() == []


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _table_texts(fig: Figure) -> list[list[str]]:
    table = fig.axes[1].tables[0]
    cells = table.get_celld()
    rows = 1 + max(r for r, _ in cells)
    return [[cells[r, c].get_text().get_text() for c in range(3)] for r in range(rows)]


def test_uri_anatomy_parts_in_order_and_lossless() -> None:
    uri = build_uri(KEY, account="alice@example.com", issuer="ACME Co", digits=8, extra={"x": "1"})
    fig = pe.uri_anatomy(uri, per_line=40)
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_xlabel() == "character position within the line"
    assert fig.axes[0].get_ylabel() == "first character"
    assert "".join(_texts(fig)) == uri  # one drawn character per URI character
    rows = _table_texts(fig)
    assert rows[0] == ["part", "text in the URI", "rule"]
    assert [r[0] for r in rows[1:]] == [
        "scheme",
        "type",
        "label issuer",
        "separator",
        "account",
        "secret",
        "issuer",
        "digits",
        "extra: x",
    ]
    assert rows[3][1] == "ACME%20Co"
    assert rows[6][1] == f"secret={B32}"
    assert fig.axes[0].get_title() == f"totp key URI: {len(uri)} characters"
    fig.canvas.draw()


def test_uri_anatomy_masks_the_secret() -> None:
    uri = build_uri(KEY, account="bob")
    fig = pe.uri_anatomy(uri, mask_secret=True)
    drawn = "".join(_texts(fig)) + str(_table_texts(fig))
    assert B32 not in drawn
    assert "GEZDG" not in drawn
    assert "".join(_texts(fig)) == uri.replace(B32, "•" * len(B32))
    assert fig.axes[0].get_title().endswith("(secret masked)")
    # No issuer: no separator row; the account is the whole label.
    assert [r[0] for r in _table_texts(fig)[1:]] == ["scheme", "type", "account", "secret"]


def test_uri_anatomy_separator_variants() -> None:
    encoded = "otpauth://totp/ACME%3A%20alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME"
    rows = _table_texts(pe.uri_anatomy(encoded))
    assert rows[4][:2] == ["separator", "%3A%20"]
    assert rows[5][:2] == ["account", "alice"]
    hotp = "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=7&image=https://x.test/a.png"
    parts = [r[0] for r in _table_texts(pe.uri_anatomy(hotp))[1:]]
    assert parts[-2:] == ["counter", "image"]


def test_uri_anatomy_rejects_bad_input() -> None:
    with pytest.raises(InvalidURI):
        pe.uri_anatomy("otpauth://totp/alice?issuer=ACME")  # no secret
    with pytest.raises(InvalidParameter):
        pe.uri_anatomy(build_uri(KEY, account="a"), per_line=8)


def test_qr_grid_one_panel_per_code() -> None:
    codes = {
        level: QRCode("otpauth://totp/a?secret=" + B32, error_correction=level)
        for level in ("L", "H")
    }
    fig = pe.qr_grid(codes, title="levels")
    assert len(fig.axes) == 2
    for ax, (label, code) in zip(fig.axes, codes.items(), strict=True):
        assert ax.get_xlabel() == ax.get_ylabel() == "modules"
        assert ax.get_title().startswith(f"{label}\nversion {code.version}")
        image = ax.images[0].get_array()
        assert image is not None
        assert image.shape == (code.size, code.size)
        assert image[4][4] == 0
        assert image[0][0] == 1
    assert fig.get_suptitle() == "levels"
    with pytest.raises(InvalidType):
        pe.qr_grid({})


def test_status_matrix_counts_and_colours() -> None:
    table = {
        "rfc4226 #0 hotp": {"rfc6238": {"pass": 10}, "pyotp": {"pass": 8, "fail": 2}},
        "base32 #1 base32_encode": {"rfc6238": {"refused": 1, "pass": 3}, "pyotp": {"skipped": 12}},
    }
    fig = pe.status_matrix(table, implementations=["pyotp", "rfc6238"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "implementation"
    assert ax.get_ylabel().startswith("vector group")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["pyotp", "rfc6238"]
    assert _texts(fig) == ["8✓ 2✗", "10✓", "12s", "3✓ 1r"]
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == ["#f4a6a6", "#b5e3b5", "#e6e6e6", "#ffe08a"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "✓ pass",
        "✗ fail",
        "r refused",
        "s skipped",
    ]
    with pytest.raises(InvalidType):
        pe.status_matrix({})


def test_flow_diagram_boxes_and_arrows() -> None:
    stages = [(f"stage {n}", f"value {n}\nline two") for n in range(5)]
    fig = pe.flow_diagram(stages, per_row=3, title="flow")
    ax = fig.axes[0]
    assert _texts(fig)[::2] == [f"{n + 1}. stage {n}" for n in range(5)]
    assert _texts(fig)[1] == "value 0\nline two"
    assert len(ax.patches) == 5 + 4  # boxes and the arrows between them
    assert ax.get_title() == "flow"
    fig.canvas.draw()
    with pytest.raises(InvalidParameter):
        pe.flow_diagram([])
    with pytest.raises(InvalidParameter):
        pe.flow_diagram(stages, per_row=0)


def test_qr_grid_accepts_a_bare_matrix() -> None:
    code = QRCode("hi", error_correction="L")
    erased = [list(row) for row in code.matrix()]
    erased[10][10] = not erased[10][10]
    fig = pe.qr_grid({"erased": erased})
    assert fig.axes[0].get_title() == f"erased\n{code.size} x {code.size} modules"
    image = fig.axes[0].images[0].get_array()
    assert image is not None
    assert image[10][10] == (0 if erased[10][10] else 1)
