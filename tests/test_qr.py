"""QR codes: every rendering is read back by a real decoder (zxing-cpp) byte for byte."""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path

import pytest
from PIL import Image

from rfc6238 import InvalidParameter, InvalidType, QRCodeError
from rfc6238.migration import build_migration_uris, parse_migration_uri
from rfc6238.qr import ErrorCorrection, QRCode, read_qr
from rfc6238.uri import KeyURI, parse_uri

LONG = KeyURI(
    type="totp",
    secret=bytes(range(64)),
    account="Jürgen Müller-Lüdenscheidt ✓ 東京都 " * 3,
    issuer="Société Générale — Банк 🏦",
    algorithm="SHA512",
    digits=8,
    period=60,
)
LEVELS: list[ErrorCorrection] = ["L", "M", "Q", "H"]


def _svg_to_image(svg: str, scale: int = 4) -> Image.Image:
    found = re.search(r'viewBox="0 0 (\d+) \1"', svg)
    assert found is not None
    size = int(found.group(1))
    img = Image.new("L", (size * scale, size * scale), 255)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg):
        x0, y0 = int(x) * scale, int(y) * scale
        img.paste(0, (x0, y0, x0 + int(w) * scale, y0 + scale))
    return img


def _terminal_to_image(text: str, *, dark_background: bool, scale: int = 4) -> Image.Image:
    halves = {"█": (True, True), "▀": (True, False), "▄": (False, True), " ": (False, False)}
    lines = text.rstrip("\n").split("\n")
    img = Image.new("L", (len(lines[0]) * scale, 2 * len(lines) * scale))
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            for half, ink in enumerate(halves[char]):
                light = ink if dark_background else not ink
                y0, x0 = (2 * row + half) * scale, col * scale
                img.paste(255 if light else 0, (x0, y0, x0 + scale, y0 + scale))
    return img


@pytest.mark.parametrize("level", LEVELS)
def test_every_rendering_scans_back_exactly(level: str) -> None:
    uri = LONG.to_uri()
    code = LONG.qr(error_correction=level)
    assert code.error_correction == level
    assert read_qr(code.png()) == [uri]
    assert read_qr(code._repr_png_()) == [uri]
    assert read_qr(_svg_to_image(code.svg())) == [uri]
    assert read_qr(_svg_to_image(code._repr_svg_())) == [uri]
    png = base64.b64decode(code.data_uri().removeprefix("data:image/png;base64,"))
    assert read_qr(png) == [uri]
    svg = base64.b64decode(code.data_uri(format="svg").split(",", 1)[1]).decode()
    assert read_qr(_svg_to_image(svg)) == [uri]
    for dark in (True, False):
        drawn = _terminal_to_image(code.terminal(dark_background=dark), dark_background=dark)
        assert read_qr(drawn) == [uri]
    assert read_qr(code) == [uri]


def test_levels_trade_capacity_for_redundancy() -> None:
    versions = [QRCode(LONG, error_correction=level).version for level in LEVELS]
    assert versions == sorted(versions)
    assert versions[0] < versions[-1]


def test_raw_unicode_text_round_trips() -> None:
    text = "otpauth://totp/東京:花子?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=東京"
    assert read_qr(QRCode(text).png()) == [text]
    assert parse_uri(read_qr(QRCode(text).png())[0]).issuer == "東京"


@pytest.mark.parametrize("border", [1, 4, 10])
def test_border(border: int) -> None:
    code = QRCode("otpauth://totp/a?secret=GEZDGNBV", border=border)
    assert code.size == 17 + 4 * code.version + 2 * border
    assert not any(code.matrix()[0])
    assert read_qr(code.png()) == ["otpauth://totp/a?secret=GEZDGNBV"]
    assert QRCode("x", border=0).size == 21


def test_output_is_deterministic_and_hides_the_uri() -> None:
    a, b = QRCode(LONG), QRCode(LONG)
    assert a.png() == b.png()
    assert a.svg() == b.svg()
    assert "otpauth" not in repr(a)
    assert "secret" not in repr(a)
    assert a.svg().startswith("<svg ")
    img = Image.open(io.BytesIO(a.png(scale=2)))
    assert img.size == (a.size * 2, a.size * 2)


def test_migration_export_fits_scannable_codes() -> None:
    keys = [
        KeyURI(
            type="totp",
            secret=bytes([i]) * 32,
            account=f"user{i}@example.com" * 2,
            issuer="Example Corporation",
            algorithm="SHA256",
        )
        for i in range(23)
    ]
    uris = build_migration_uris(keys, batch_id=42)
    assert len(uris) == 5  # about 120 bytes per account: the length bound splits first
    for uri in uris:
        assert len(uri) <= 1000
        code = QRCode(uri)  # level M: 1000 characters is version 26 at most
        assert code.version <= 26
        assert read_qr(code.png()) == [uri]
    decoded = [a.to_key_uri() for u in uris for a in parse_migration_uri(u).accounts]
    assert decoded == keys


def test_read_from_path_and_pil(tmp_path: Path) -> None:
    path = tmp_path / "code.png"
    path.write_bytes(QRCode("hello").png())
    assert read_qr(path) == ["hello"]
    assert read_qr(str(path)) == ["hello"]
    assert read_qr(Image.open(path).convert("RGBA")) == ["hello"]


def test_two_codes_in_one_image() -> None:
    left, right = QRCode("first").image(scale=4), QRCode("second").image(scale=4)
    both = Image.new("L", (left.width + right.width, max(left.height, right.height)), 255)
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    assert sorted(read_qr(both)) == ["first", "second"]


@pytest.mark.parametrize(
    "image",
    [
        Image.new("L", (200, 200), 255),
        b"\x89PNG\r\n\x1a\nnot really",
        b"",
        Path("/nonexistent.png"),
    ],
    ids=["blank", "garbage", "empty", "missing-file"],
)
def test_read_errors(image: object) -> None:
    with pytest.raises(QRCodeError):
        read_qr(image)  # type: ignore[arg-type]  # the bad argument under test


def test_read_rejects_wrong_type() -> None:
    with pytest.raises(InvalidType):
        read_qr(123)  # type: ignore[arg-type]  # the bad argument under test


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"data": 5}, InvalidType),
        ({"data": ""}, InvalidParameter),
        ({"error_correction": "X"}, InvalidParameter),
        ({"border": -1}, InvalidParameter),
        ({"border": True}, InvalidType),
        ({"border": 41}, InvalidParameter),
        ({"data": "A" * 3000, "error_correction": "H"}, QRCodeError),
        ({"data": "é" * 1500}, QRCodeError),
    ],
)
def test_qrcode_rejects(kwargs: dict[str, object], error: type[Exception]) -> None:
    kwargs.setdefault("data", "otpauth://totp/a?secret=GEZDGNBV")
    with pytest.raises(error):
        QRCode(**kwargs)  # type: ignore[arg-type]  # keyword values of mixed types


def test_render_argument_errors() -> None:
    code = QRCode("x")
    with pytest.raises(InvalidParameter):
        code.png(scale=0)
    with pytest.raises(InvalidParameter):
        code.svg(scale=101)
    with pytest.raises(InvalidParameter):
        code.data_uri(format="gif")  # type: ignore[arg-type]  # the bad argument under test
    with pytest.raises(InvalidType):
        code.terminal(dark_background=1)  # type: ignore[arg-type]  # the bad argument under test


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "qrcode", None)
    with pytest.raises(ImportError, match=r"rfc6238\[qr\]"):
        QRCode("x")
    monkeypatch.setitem(sys.modules, "zxingcpp", None)
    with pytest.raises(ImportError, match=r"rfc6238\[qr-read\]"):
        read_qr(b"")
