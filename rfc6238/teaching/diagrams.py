"""SVG pipeline diagrams of one code: time -> step -> counter -> HMAC -> truncation -> code.

Built from a trace (:func:`rfc6238.trace_totp` / :func:`rfc6238.trace_hotp`, RFC 6238 §4 and
RFC 4226 §5.3) with plain string building: no dependencies, deterministic output, and the
key never drawn (a trace holds only its length). Each stage shows its live value; the digest
row marks the offset byte and the 4-byte window as in RFC 4226 §5.4.

>>> from rfc6238 import trace_totp
>>> svg = pipeline_svg(trace_totp(b"12345678901234567890", 1111111109))
>>> svg.startswith("<svg") and "081804" in svg and "hidden" in svg
True
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Final

from ..trace import HOTPTrace, TOTPTrace

__all__ = ["Pipeline", "pipeline_svg"]

_WIDTH: Final = 860
_LABEL_X: Final = 16
_BOX_X: Final = 300
_BOX_W: Final = _WIDTH - _BOX_X - 16
_ROW_H: Final = 40
_GAP: Final = 14
_CELL_W: Final = 26
_PER_LINE: Final = 20
_FONT: Final = "font-family='DejaVu Sans Mono,Menlo,Consolas,monospace'"
_SANS: Final = "font-family='DejaVu Sans,Helvetica,Arial,sans-serif'"
_WINDOW_FILL: Final = "#ffe08a"
_OFFSET_FILL: Final = "#9ad0f5"
_MINUS: Final = "\u2212"  # typographic minus, as in RFC formulas


def _text(x: float, y: float, text: str, *, size: int = 13, mono: bool = True, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}='{escape(v)}'" for k, v in attrs.items())
    font = _FONT if mono else _SANS
    return f"<text x='{x}' y='{y}' font-size='{size}' {font}{extra}>{escape(text)}</text>"


def _stages(trace: HOTPTrace) -> list[tuple[str, str, str]]:
    """(label, value, kind) rows; kind is "input", "value", "digest" or "code"."""
    rows: list[tuple[str, str, str]] = []
    if isinstance(trace, TOTPTrace):
        rows.append(("time t (Unix seconds)", str(trace.time), "input"))
        rows.append(
            (
                f"T = ⌊(t {_MINUS} T₀) / X⌋",
                f"⌊({trace.time} {_MINUS} {trace.t0}) / {trace.period}⌋ = {trace.counter}",
                "value",
            )
        )
    else:
        rows.append(("counter C", str(trace.counter), "input"))
    rows.append(("key K", f"{trace.key_length} bytes, hidden", "input"))
    rows.append(("C as 8 bytes, big-endian", trace.counter_bytes.hex(" "), "value"))
    rows.append((f"HMAC-{trace.algorithm}(K, C)", "", "digest"))
    rows.append(
        (
            "offset = last byte & 0x0f",
            f"{trace.digest[-1]:#04x} & 0x0f = {trace.offset}",
            "value",
        )
    )
    rows.append((f"P = bytes {trace.offset}..{trace.offset + 3}", trace.window.hex(" "), "value"))
    rows.append(("Snum = P & 0x7fffffff", f"{trace.value:,}".replace(",", " "), "value"))
    rows.append((f"code = Snum mod 10^{trace.digits}", trace.code, "code"))
    return rows


def _digest_cells(trace: HOTPTrace, y: float) -> tuple[list[str], float]:
    parts: list[str] = []
    last = len(trace.digest) - 1
    lines = (len(trace.digest) + _PER_LINE - 1) // _PER_LINE
    for i, byte in enumerate(trace.digest):
        line, col = divmod(i, _PER_LINE)
        x = _BOX_X + 10 + col * _CELL_W
        top = y + 8 + line * 30
        fill = "#ffffff"
        if trace.offset <= i < trace.offset + 4:
            fill = _WINDOW_FILL
        if i == last:
            fill = _OFFSET_FILL
        parts.append(
            f"<rect x='{x}' y='{top}' width='{_CELL_W - 2}' height='18' fill='{fill}' "
            "stroke='#bbbbbb'/>"
        )
        parts.append(_text(x + 3, top + 14, f"{byte:02x}", size=12))
        parts.append(_text(x + 5, top + 27, str(i), size=8, mono=False, fill="#888888"))
    return parts, 12.0 + lines * 30


def pipeline_svg(trace: HOTPTrace) -> str:
    """Draw ``trace`` as a vertical pipeline of stages, each with its live value.

    Args:
        trace: An :class:`~rfc6238.HOTPTrace` or :class:`~rfc6238.TOTPTrace`.

    Returns:
        A standalone SVG document (a string).

    >>> from rfc6238 import trace_hotp
    >>> "755224" in pipeline_svg(trace_hotp(b"12345678901234567890", 0))
    True
    """
    if not isinstance(trace, HOTPTrace):
        from ..errors import InvalidType

        raise InvalidType(f"trace must be an HOTPTrace or TOTPTrace, not {type(trace).__name__}")
    body: list[str] = []
    y = 44.0
    title = "TOTP (RFC 6238 §4)" if isinstance(trace, TOTPTrace) else "HOTP (RFC 4226 §5.3)"
    body.append(_text(_LABEL_X, 26, f"{title}: one code, stage by stage", size=16, mono=False))
    for index, (label, value, kind) in enumerate(_stages(trace)):
        height: float = _ROW_H
        cells: list[str] = []
        if kind == "digest":
            cells, height = _digest_cells(trace, y)
        fill = {"input": "#f3f3f3", "code": "#d9f2d9"}.get(kind, "#ffffff")
        dash = " stroke-dasharray='5,3'" if kind == "input" else ""
        body.append(
            f"<rect x='{_BOX_X}' y='{y}' width='{_BOX_W}' height='{height}' rx='6' "
            f"fill='{fill}' stroke='#555555'{dash}/>"
        )
        body.append(_text(_LABEL_X, y + height / 2 + 5, label, size=14, mono=False))
        body.extend(cells)
        if kind != "digest":
            size = 22 if kind == "code" else 14
            weight = "bold" if kind == "code" else "normal"
            body.append(
                _text(_BOX_X + 12, y + height / 2 + size / 3, value, size=size, font_weight=weight)
            )
        if index:  # a down arrow from the previous box
            ax = _BOX_X + 40
            body.append(
                f"<path d='M{ax},{y - _GAP} L{ax},{y - 5}' stroke='#555555' stroke-width='2'/>"
                f"<path d='M{ax - 5},{y - 6} L{ax + 5},{y - 6} L{ax},{y} z' fill='#555555'/>"
            )
        y += height + _GAP
    legend_y = y + 6
    body.append(
        f"<rect x='{_BOX_X}' y='{legend_y - 11}' width='14' height='14' fill='{_WINDOW_FILL}'/>"
    )
    body.append(_text(_BOX_X + 20, legend_y, "4-byte window P", size=12, mono=False))
    body.append(
        f"<rect x='{_BOX_X + 150}' y='{legend_y - 11}' width='14' height='14' "
        f"fill='{_OFFSET_FILL}'/>"
    )
    body.append(
        _text(
            _BOX_X + 170, legend_y, "last byte: its low nibble is the offset", size=12, mono=False
        )
    )
    height_total = int(legend_y + 14)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{_WIDTH}' height='{height_total}' "
        f"viewBox='0 0 {_WIDTH} {height_total}'>"
        f"<rect width='100%' height='100%' fill='white'/>{''.join(body)}</svg>"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Pipeline:
    """A trace that displays itself as an SVG pipeline in Jupyter (``_repr_svg_``).

    >>> from rfc6238 import trace_hotp
    >>> Pipeline(trace=trace_hotp(b"12345678901234567890", 1)).trace.code
    '287082'
    """

    trace: HOTPTrace

    def _repr_svg_(self) -> str:
        return pipeline_svg(self.trace)
