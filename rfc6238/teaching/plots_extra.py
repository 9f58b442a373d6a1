"""More recurring notebook figures: key URI anatomy, QR codes, conformance matrix, flows.

Same rules as :mod:`rfc6238.teaching.plots` (extra ``notebooks``: matplotlib, imported lazily inside
each function): the object API, labelled axes with units, the figure closed in pyplot and
returned. Nothing here computes OTPs or parses URIs for meaning: :func:`uri_anatomy` only
cuts the text at its delimiters (the Key Uri Format's ``otpauth://TYPE/LABEL?PARAMETERS``)
after :func:`rfc6238.uri.parse_uri` has accepted it, and the other figures draw values the
library produced (:class:`~rfc6238.qr.QRCode` matrices, conformance counts, live artefacts).

Figures: :func:`uri_anatomy` (a key URI cut into its parts, with the rule of each),
:func:`qr_grid` (QR codes side by side, ISO/IEC 18004), :func:`status_matrix` (pass / fail /
refused / skipped per vector group and implementation) and :func:`flow_diagram` (stages with
their live values). Tables of text are :func:`rfc6238.teaching.table`.

>>> fig = status_matrix({"rfc4226 #0 hotp": {"rfc6238": {"pass": 10}}})
>>> fig.axes[0].get_xlabel()
'implementation'
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

from .._optional import require
from ..errors import InvalidParameter, InvalidType
from ..uri import parse_uri
from .plots import PALETTE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..qr import QRCode

__all__ = ["flow_diagram", "qr_grid", "status_matrix", "uri_anatomy"]

_MONO: Final = "DejaVu Sans Mono"
#: What each part of a key URI is (Key Uri Format; the decisions are in docs/uri.md).
_RULES: Final = {
    "scheme": "always otpauth (any case)",
    "type": "totp (time steps) or hotp (counter)",
    "label issuer": "issuer prefix, percent-encoded; = issuer parameter",
    "separator": "':' or '%3A', then optional spaces",
    "account": "account name (user), percent-encoded",
    "secret": "the key: unpadded base32 (RFC 4648 §6)",
    "issuer": "issuer parameter, percent-encoded",
    "algorithm": "SHA1 (default), SHA256 or SHA512",
    "digits": "code length (default 6)",
    "period": "step in seconds (totp, default 30)",
    "counter": "initial counter (hotp, required)",
    "image": "logo URL shown by some apps",
}
_STATUS_COLOURS: Final = {
    "fail": "#f4a6a6",
    "refused": "#ffe08a",
    "pass": "#b5e3b5",
    "skipped": "#e6e6e6",
}
_STATUS_ORDER: Final = ("pass", "fail", "refused", "skipped")
_STATUS_MARK: Final = {"pass": "✓", "fail": "✗", "refused": "r", "skipped": "s"}


def _close(fig: Figure) -> Figure:
    import matplotlib.pyplot as plt

    plt.close(fig)  # Jupyter displays the returned figure; pyplot keeps nothing
    return fig


def _uri_parts(uri: str) -> list[tuple[str, str]]:
    """Cut an accepted key URI into ``(part, text)`` at its delimiters, losslessly."""
    head, _, query = uri.partition("?")
    scheme_end = head.index("://") + 3
    type_end = head.index("/", scheme_end)
    parts = [("scheme", head[:scheme_end]), ("type", head[scheme_end:type_end]), ("", "/")]
    label = head[type_end + 1 :]
    cut = min((i for i in (label.find(":"), label.upper().find("%3A")) if i >= 0), default=-1)
    if cut >= 0:
        width = 1 if label[cut] == ":" else 3
        end = cut + width
        while label.startswith(("%20", " "), end):
            end += 3 if label[end] == "%" else 1
        parts += [("label issuer", label[:cut]), ("separator", label[cut:end])]
        label = label[end:]
    parts += [("account", label), ("", "?")]
    for n, item in enumerate(query.split("&")):
        if n:
            parts.append(("", "&"))
        name = item.partition("=")[0]
        parts.append((name if name in _RULES else f"extra: {name}", item))
    return [(part, text) for part, text in parts if text]


def uri_anatomy(uri: str, *, mask_secret: bool = False, per_line: int = 64) -> Figure:
    """A key URI with each part coloured, and a table of the parts and their rules.

    Args:
        uri: An ``otpauth://`` URI; it must parse (:func:`rfc6238.uri.parse_uri`).
        mask_secret: Draw the secret parameter's value as ``•`` (it *is* the key).
        per_line: Characters per drawn line.

    Raises:
        InvalidURI: the URI does not parse.

    >>> fig = uri_anatomy("otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
    ...                   mask_secret=True)
    >>> "JBSWY3DPEHPK3PXP" in str([t.get_text() for ax in fig.axes for t in ax.texts])
    False
    """
    key = parse_uri(uri)  # only accepted URIs are drawn
    if not 16 <= per_line <= 200:
        raise InvalidParameter("per_line must be between 16 and 200 characters")
    require("matplotlib.pyplot", "notebooks", feature="plotting")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    parts = _uri_parts(uri)
    if mask_secret:
        parts = [(p, "secret=" + "•" * (len(t) - 7) if p == "secret" else t) for p, t in parts]
    named = [p for p, _ in parts if p]
    colour = {p: PALETTE[n % len(PALETTE)] for n, p in enumerate(named)}
    chars = [(ch, part) for part, text in parts for ch in text]
    lines = (len(chars) + per_line - 1) // per_line
    rows = len(named)
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(max(8.0, per_line * 0.13 + 1.5), 0.35 * lines + 0.23 * rows + 1.6),
        height_ratios=[0.35 * lines + 0.6, 0.23 * rows + 0.3],
        layout="constrained",
    )
    for index, (ch, part) in enumerate(chars):
        row, col = divmod(index, per_line)
        if part:
            top.add_patch(Rectangle((col, row), 1, 1, facecolor=colour[part], lw=0))
        top.text(col + 0.5, row + 0.5, ch, ha="center", va="center", family=_MONO, fontsize=9)
    top.set_xlim(0, per_line)
    top.set_ylim(lines, 0)
    top.set_yticks([r + 0.5 for r in range(lines)])
    top.set_yticklabels([str(r * per_line) for r in range(lines)])
    top.set_ylabel("first character")
    top.set_xlabel("character position within the line")
    top.set_xticks(range(0, per_line + 1, 8))
    top.tick_params(length=0)
    title = f"{key.type} key URI: {len(uri)} characters"
    top.set_title(title + (" (secret masked)" if mask_secret else ""))
    bottom.axis("off")
    cells = []
    for part, text in parts:
        if not part:
            continue
        shown = text if len(text) <= 40 else text[:37] + "..."
        rule = _RULES.get(part, "kept verbatim (extra parameter)")
        cells.append([part, shown, rule])
    table = bottom.table(
        cellText=cells,
        colLabels=["part", "text in the URI", "rule"],
        cellColours=[[colour[c[0]], "white", "white"] for c in cells],
        colWidths=[0.16, 0.42, 0.42],
        loc="upper center",
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    for (r, c), cell in table.get_celld().items():
        if c == 1 and r > 0:
            cell.get_text().set_family(_MONO)
    return _close(fig)


def qr_grid(
    codes: Mapping[str, QRCode | Sequence[Sequence[bool]]], *, title: str | None = None
) -> Figure:
    """QR codes side by side, each titled with its label, version and size in modules.

    A value may also be a bare module matrix (rows of ``True`` for dark), e.g. a
    :meth:`~rfc6238.qr.QRCode.matrix` with some modules erased to show error correction.

    >>> from rfc6238.qr import QRCode
    >>> fig = qr_grid({"M": QRCode("hi")})
    >>> fig.axes[0].get_xlabel()
    'modules'
    """
    if not isinstance(codes, Mapping) or not codes:
        raise InvalidType("codes must be a non-empty mapping of label to QRCode")
    require("matplotlib.pyplot", "notebooks", feature="plotting")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(codes), figsize=(3.2 * len(codes), 3.8), squeeze=False, layout="constrained"
    )
    for ax, (label, code) in zip(axes[0], codes.items(), strict=True):
        matrix = code.matrix() if hasattr(code, "matrix") else code
        pixels = [[0 if dark else 1 for dark in row] for row in matrix]
        ax.imshow(pixels, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        size = f"{len(pixels)} x {len(pixels)} modules"
        version = getattr(code, "version", None)
        ax.set_title(f"{label}\n" + (f"version {version}, {size}" if version else size))
        ax.set_xlabel("modules")
        ax.set_ylabel("modules")
    if title:
        fig.suptitle(title)
    return _close(fig)


def _cell(counts: Mapping[str, int]) -> tuple[str, str]:
    """(text, colour) of one matrix cell: the worst status present picks the colour."""
    shown = [f"{counts[s]}{_STATUS_MARK[s]}" for s in _STATUS_ORDER if counts.get(s)]
    worst = next((s for s in ("fail", "refused", "pass") if counts.get(s)), "skipped")
    return " ".join(shown) or "-", _STATUS_COLOURS[worst]


def status_matrix(
    table: Mapping[str, Mapping[str, Mapping[str, int]]],
    *,
    implementations: Sequence[str] | None = None,
    title: str = "Conformance: cases per vector group and implementation",
) -> Figure:
    """A matrix of vector groups x implementations; each cell counts the statuses.

    Args:
        table: ``{group: {implementation: {status: count}}}`` (e.g.
            :func:`rfc6238.conformance.report.matrix`); statuses ``pass``, ``fail``,
            ``refused``, ``skipped``.
        implementations: Column order (default: first seen).
        title: Figure title.

    The colour is the worst status in the cell (fail, then refused, then pass; grey if
    everything was skipped); the text counts each (``✓`` pass, ``✗`` fail, ``r`` refused,
    ``s`` skipped).
    """
    if not isinstance(table, Mapping) or not table:
        raise InvalidType("table must be a non-empty mapping of group to counts")
    require("matplotlib.pyplot", "notebooks", feature="plotting")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    columns = list(implementations or dict.fromkeys(i for row in table.values() for i in row))
    groups = list(table)
    fig, ax = plt.subplots(
        figsize=(max(7.0, 2.6 + 1.9 * len(columns)), 2.2 + 0.34 * len(groups)),
        layout="constrained",
    )
    for r, group in enumerate(groups):
        for c, impl in enumerate(columns):
            text, fill = _cell(table[group].get(impl, {}))
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=fill, edgecolor="white", lw=2))
            ax.text(c + 0.5, r + 0.5, text, ha="center", va="center", fontsize=8)
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(groups), 0)
    ax.set_xticks([c + 0.5 for c in range(len(columns))])
    ax.set_xticklabels(columns)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_yticks([r + 0.5 for r in range(len(groups))])
    ax.set_yticklabels(groups, family=_MONO, fontsize=8)
    ax.set_xlabel("implementation")
    ax.set_ylabel("vector group (file #group operation)")
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    handles = [
        Patch(facecolor=_STATUS_COLOURS[s], label=f"{_STATUS_MARK[s]} {s}") for s in _STATUS_ORDER
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=8)
    ax.set_title(title)
    return _close(fig)


def flow_diagram(
    stages: Sequence[tuple[str, str]], *, per_row: int = 3, title: str | None = None
) -> Figure:
    """Numbered boxes joined by arrows, in reading order: each stage with its live value.

    Args:
        stages: ``(name, artefact)`` pairs; the artefact is a short text (new lines kept).
        per_row: Boxes per row (rows read left to right, top to bottom).
        title: Figure title.

    >>> fig = flow_diagram([("enroll", "pending"), ("confirm", "active")])
    >>> [t.get_text() for t in fig.axes[0].texts][:2]
    ['1. enroll', 'pending']
    """
    if not stages:
        raise InvalidParameter("stages must not be empty")
    if not 1 <= per_row <= 6:
        raise InvalidParameter("per_row must be between 1 and 6")
    require("matplotlib.pyplot", "notebooks", feature="plotting")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    rows = (len(stages) + per_row - 1) // per_row
    width, height, gap_x, gap_y = 4.0, 1.6, 1.0, 0.7
    fig, ax = plt.subplots(
        figsize=(per_row * 4.0, rows * 1.9 + (0.5 if title else 0.1)), layout="constrained"
    )

    def corner(n: int) -> tuple[float, float]:
        row, col = divmod(n, per_row)
        return col * (width + gap_x), row * (height + gap_y)

    for n, (name, artefact) in enumerate(stages):
        x, y = corner(n)
        box = FancyBboxPatch(
            (x, y),
            width,
            height,
            boxstyle="round,pad=0.05,rounding_size=0.15",
            facecolor=PALETTE[n % len(PALETTE)],
            edgecolor="#555555",
        )
        ax.add_patch(box)
        ax.text(x + 0.15, y + 0.3, f"{n + 1}. {name}", fontsize=11, weight="bold", va="center")
        wrapped = "\n".join(
            textwrap.fill(line, 38) if line else "" for line in artefact.splitlines()
        )
        ax.text(x + 0.15, y + 0.6, wrapped, fontsize=8, family=_MONO, va="top")
        if n:
            px, py = corner(n - 1)
            if py == y:
                start, end = (px + width, py + height / 2), (x, y + height / 2)
            else:
                start, end = (px + width / 2, py + height), (x + width / 2, y)
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>",
                    mutation_scale=14,
                    color="#555555",
                )
            )
    ax.set_xlim(-0.2, per_row * (width + gap_x) - gap_x + 0.2)
    ax.set_ylim(rows * (height + gap_y) - gap_y + 0.2, -0.2)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return _close(fig)
