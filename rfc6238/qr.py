"""QR codes (ISO/IEC 18004) for key URIs and migration exports: make them, and read them back.

Making needs the ``qr`` extra (``qrcode`` + ``Pillow``); reading needs ``qr-read``
(``zxing-cpp`` + ``Pillow``). Both are imported only when called, so ``import rfc6238`` stays
standard-library only. A :class:`QRCode` holds the module matrix, never shows its text (a key
URI contains the secret) and renders PNG, SVG, a ``data:`` URI and Unicode half blocks for a
terminal; in a notebook it displays as PNG or SVG only.

>>> code = QRCode("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP", error_correction="M")
>>> code
QRCode(version=4, error_correction='M', border=4, size=41)
>>> read_qr(code.png()) == ["otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP"]
True
"""

from __future__ import annotations

import base64
import io
import os
from typing import TYPE_CHECKING, Final, Literal, Protocol

from ._checks import check_int
from ._optional import require
from .errors import InvalidParameter, InvalidType, QRCodeError

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["ErrorCorrection", "QRCode", "SupportsURI", "read_qr"]

ErrorCorrection = Literal["L", "M", "Q", "H"]
#: Recovery capacity of each level (ISO/IEC 18004 §7.5.1): about 7, 15, 25 and 30 %.
ERROR_CORRECTION_LEVELS: Final = ("L", "M", "Q", "H")
MAX_BORDER: Final = 40
# Two modules per character cell: (top, bottom) ink -> character.
_HALF_BLOCKS: Final = {
    (True, True): "█",
    (True, False): "▀",
    (False, True): "▄",
    (False, False): " ",
}


class SupportsURI(Protocol):
    """Anything that encodes itself as a URI string (a :class:`~rfc6238.uri.KeyURI`)."""

    def to_uri(self) -> str:
        """The text to encode."""
        ...


class QRCode:
    """A QR code of a key URI (or any text), rendered on demand.

    Args:
        data: The text itself (UTF-8, byte mode), or anything with a ``to_uri()`` method
            returning it, such as a :class:`~rfc6238.uri.KeyURI`.
        error_correction: ``"L"``, ``"M"`` (default), ``"Q"`` or ``"H"``.
        border: Quiet zone in modules; the standard asks for 4.

    Raises:
        InvalidType, InvalidParameter: bad arguments.
        QRCodeError: the text does not fit in a version-40 QR code at this level.
        MissingDependency: the ``qr`` extra is not installed.
    """

    __slots__ = ("_matrix", "border", "error_correction", "version")

    def __init__(
        self, data: str | SupportsURI, *, error_correction: ErrorCorrection = "M", border: int = 4
    ) -> None:
        qrcode = require("qrcode", "qr", feature="QR code output")
        if isinstance(data, str):
            text = data
        elif callable(getattr(type(data), "to_uri", None)):
            text = data.to_uri()
        else:
            raise InvalidType(
                f"data must be a str or have a to_uri() method, not {type(data).__name__}"
            )
        if not isinstance(text, str):
            raise InvalidType(f"to_uri() must return a str, not {type(text).__name__}")
        if not text:
            raise InvalidParameter("data must not be empty")
        if error_correction not in ERROR_CORRECTION_LEVELS:
            raise InvalidParameter("error_correction must be one of 'L', 'M', 'Q', 'H'")
        if not 0 <= check_int(border, "border") <= MAX_BORDER:
            raise InvalidParameter(f"border must be between 0 and {MAX_BORDER} modules")
        level = getattr(qrcode.constants, f"ERROR_CORRECT_{error_correction}")
        qr = qrcode.QRCode(error_correction=level, border=border)
        qr.add_data(text.encode("utf-8"))
        try:
            qr.make(fit=True)
        except (qrcode.exceptions.DataOverflowError, ValueError) as err:  # qrcode 8 raises both
            raise QRCodeError(
                f"data does not fit in a QR code at error-correction level {error_correction}"
            ) from err
        self._matrix: tuple[tuple[bool, ...], ...] = tuple(
            tuple(bool(m) for m in row) for row in qr.get_matrix()
        )
        self.error_correction: ErrorCorrection = error_correction
        self.border: int = border
        self.version: int = qr.version

    @property
    def size(self) -> int:
        """Width in modules, quiet zone included."""
        return len(self._matrix)

    def matrix(self) -> tuple[tuple[bool, ...], ...]:
        """Rows of modules, ``True`` for dark, quiet zone included."""
        return self._matrix

    def __repr__(self) -> str:
        return (
            f"QRCode(version={self.version}, error_correction={self.error_correction!r}, "
            f"border={self.border}, size={self.size})"
        )

    def image(self, *, scale: int = 8) -> Image:
        """A black-on-white 1-bit Pillow image, ``scale`` pixels per module."""
        pil = require("PIL.Image", "qr", feature="a QR code image")
        if not 1 <= check_int(scale, "scale") <= 100:
            raise InvalidParameter("scale must be between 1 and 100 pixels per module")
        img = pil.new("1", (self.size, self.size))
        img.putdata([0 if dark else 1 for row in self._matrix for dark in row])
        resized: Image = img.resize((self.size * scale,) * 2, pil.Resampling.NEAREST)
        return resized

    def png(self, *, scale: int = 8) -> bytes:
        """PNG bytes (deterministic: no timestamps)."""
        out = io.BytesIO()
        self.image(scale=scale).save(out, format="PNG")
        return out.getvalue()

    def svg(self, *, scale: int = 8) -> str:
        """A standalone SVG: one path of dark runs on a white square, crisp edges."""
        if not 1 <= check_int(scale, "scale") <= 100:
            raise InvalidParameter("scale must be between 1 and 100 pixels per module")
        runs: list[str] = []
        for y, row in enumerate(self._matrix):
            x = 0
            while x < len(row):
                if row[x]:
                    end = x
                    while end < len(row) and row[end]:
                        end += 1
                    runs.append(f"M{x} {y}h{end - x}v1h-{end - x}z")
                    x = end
                else:
                    x += 1
        n, px = self.size, self.size * scale
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" '
            f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
            f'<rect width="{n}" height="{n}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(runs)}"/></svg>'
        )

    def data_uri(self, *, format: Literal["png", "svg"] = "png", scale: int = 8) -> str:
        """A ``data:`` URI for an ``<img src=...>`` (it contains the secret, like the URI)."""
        if format == "png":
            return "data:image/png;base64," + base64.b64encode(self.png(scale=scale)).decode()
        if format == "svg":
            body = self.svg(scale=scale).encode("utf-8")
            return "data:image/svg+xml;base64," + base64.b64encode(body).decode()
        raise InvalidParameter("format must be 'png' or 'svg'")

    def terminal(self, *, dark_background: bool = True) -> str:
        """Unicode half blocks, two modules per character, for printing in a terminal.

        On a dark terminal the light modules are drawn (``dark_background=True``), so the code
        appears dark-on-light as scanners expect; pass ``False`` for light terminals.
        """
        if type(dark_background) is not bool:
            raise InvalidType("dark_background must be a bool")
        rows = [[dark != dark_background for dark in row] for row in self._matrix]
        if len(rows) % 2:
            rows.append([False] * self.size)  # terminal background below the quiet zone
        lines = [
            "".join(_HALF_BLOCKS[pair] for pair in zip(top, bottom, strict=True))
            for top, bottom in zip(rows[::2], rows[1::2], strict=True)
        ]
        return "\n".join(lines) + "\n"

    def _repr_png_(self) -> bytes:
        return self.png(scale=4)

    def _repr_svg_(self) -> str:
        return self.svg(scale=4)


def read_qr(image: bytes | str | os.PathLike[str] | Image | QRCode) -> list[str]:
    """Decode every QR code in an image (a screenshot of an export, a generated PNG, ...).

    Args:
        image: Encoded image bytes (PNG, JPEG, ...), a file path, a Pillow image or a
            :class:`QRCode`.

    Returns:
        The text of each QR code found, decoded from its bytes as UTF-8.

    Raises:
        QRCodeError: the image cannot be read, or holds no QR code.
        MissingDependency: the ``qr-read`` extra is not installed.

    >>> read_qr(QRCode("hello").png())
    ['hello']
    """
    zxingcpp = require("zxingcpp", "qr-read", feature="reading QR codes")
    pil = require("PIL.Image", "qr-read", feature="reading QR codes")
    if isinstance(image, QRCode):
        image = image.image(scale=4)
    try:
        if isinstance(image, bytes | bytearray | memoryview):
            img = pil.open(io.BytesIO(bytes(image)))
        elif isinstance(image, str | os.PathLike):
            img = pil.open(image)
        elif isinstance(image, pil.Image):
            img = image
        else:
            raise InvalidType(
                f"image must be bytes, a path or an image, not {type(image).__name__}"
            )
        gray = img.convert("L")
    except (OSError, ValueError, pil.DecompressionBombError) as err:
        raise QRCodeError("the image could not be read") from err
    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    if not found:
        raise QRCodeError("no QR code found in the image")
    texts: list[str] = []
    for barcode in found:
        try:
            texts.append(bytes(barcode.bytes).decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(barcode.text)  # not UTF-8: zxing-cpp applied the ECI/charset rules
    return texts
