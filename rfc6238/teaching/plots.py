"""The recurring figures of the notebooks (extra ``notebooks``: matplotlib, imported lazily).

Every function builds one figure with the object API, labels its axes with units, closes it
in pyplot (so Jupyter shows it once, as the returned value, and no global state is kept) and
returns the :class:`~matplotlib.figure.Figure`. Pass ``ax=`` to draw into an existing axes
instead. Nothing here computes OTPs: callers pass values from the library (traces, codes,
:mod:`rfc6238.bruteforce` odds), so the figures show exactly what the library does.

Figures: :func:`byte_grid` (bytes with highlighted ranges; RFC 2104 pads, RFC 4226 §5.3
windows), :func:`digest_figure` (a trace's MAC with the offset nibble and 4-byte window),
:func:`step_timeline` (``T = floor((t - T0)/X)`` and the band of codes, RFC 6238 §4.2),
:func:`acceptance_heatmap` (skew x window, RFC 6238 §5.2/§6), :func:`attack_odds` and
:func:`curves` (probability curves), :func:`histogram`, :func:`bars` and
:func:`lane_timeline` (who sends what when: replay and relay attacks).

>>> import rfc6238
>>> fig = digest_figure(rfc6238.trace_hotp(b"12345678901234567890", 0))
>>> fig.axes[0].get_xlabel()
'byte index'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Final

from .._optional import require
from ..trace import HOTPTrace

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "LINES",
    "PALETTE",
    "acceptance_heatmap",
    "attack_odds",
    "bars",
    "byte_grid",
    "curves",
    "digest_figure",
    "histogram",
    "lane_timeline",
    "step_timeline",
]

#: Highlight colours, in order (colour-blind friendly, light enough to read text on).
PALETTE: Final = ("#ffe08a", "#9ad0f5", "#f4a6a6", "#b5e3b5", "#d7bdf2", "#f7c99b")
#: Line colours for curves (matplotlib's tab10, in order).
_MINUS: Final = "\u2212"  # typographic minus in figure text
LINES: Final = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")

Series = Mapping[str, tuple[Sequence[float], Sequence[float]]]


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """Return (figure, axes, created): a new closed-in-pyplot figure unless ``ax`` is given."""
    if ax is not None:
        return ax.get_figure(root=True), ax, False  # type: ignore[return-value]  # root=True: a Figure
    require("matplotlib.pyplot", "notebooks", feature="plotting")
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots(figsize=size, layout="constrained")
    return fig, new_ax, True


def _done(fig: Figure, created: bool) -> Figure:
    if created:
        import matplotlib.pyplot as plt

        plt.close(fig)  # Jupyter displays the returned figure; pyplot keeps nothing
    return fig


def byte_grid(
    rows: bytes | Mapping[str, bytes],
    *,
    highlights: Sequence[tuple[int, int, str]] = (),
    per_line: int | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw bytes as a grid of hex cells, with byte ranges highlighted.

    Args:
        rows: One byte string, or labelled rows (e.g. ``{"K'": k, "K' ⊕ ipad": ...}``).
        highlights: ``(start, stop, label)`` byte ranges, marked in every row, in legend order.
        per_line: Bytes per drawn line (long rows wrap); default: the longest row, at most 32.
        title: Figure title.
        ax: Draw into this axes instead of a new figure.

    >>> fig = byte_grid(b"\\x00\\x01\\x02", highlights=[(1, 2, "one")])
    >>> fig.axes[0].get_xlabel()
    'byte index'
    """
    require("matplotlib.pyplot", "notebooks", feature="plotting")
    from matplotlib.patches import Patch, Rectangle

    named = {"": bytes(rows)} if isinstance(rows, bytes | bytearray) else dict(rows)
    longest = max((len(v) for v in named.values()), default=1)
    width = per_line or min(max(longest, 1), 32)
    lines: list[tuple[str, bytes, int]] = []  # (label, chunk, index of its first byte)
    for label, data in named.items():
        for start in range(0, max(len(data), 1), width):
            lines.append((label if start == 0 else "", data[start : start + width], start))
    wrapped = len(lines) > len(named)
    fig, ax, created = _axes(ax, (max(6.0, 0.36 * width + 1.8), 0.36 * len(lines) + 1.6))
    for row, (_, chunk, first) in enumerate(lines):
        for col, byte in enumerate(chunk):
            index = first + col
            colour = "white"
            for n, (lo, hi, _) in enumerate(highlights):
                if lo <= index < hi:
                    colour = PALETTE[n % len(PALETTE)]
            ax.add_patch(Rectangle((col, row), 1, 1, facecolor=colour, edgecolor="#999999"))
            ax.text(
                col + 0.5,
                row + 0.5,
                f"{byte:02x}",
                ha="center",
                va="center",
                family="monospace",
                fontsize=8,
            )
    ax.set_xlim(0, width)
    ax.set_ylim(len(lines), 0)
    ax.set_yticks([r + 0.5 for r in range(len(lines))])
    ax.set_yticklabels(
        [f"{lab}  [{first}:]" if wrapped and (lab or first) else lab for lab, _, first in lines]
    )
    step = 4 if width > 20 else 1
    ax.set_xticks([c + 0.5 for c in range(0, width, step)])
    ax.set_xticklabels([str(c) for c in range(0, width, step)])
    ax.set_xlabel(
        "byte index within the line (the line's first index in brackets)"
        if wrapped
        else "byte index"
    )
    ax.tick_params(length=0)
    ax.set_aspect("equal")
    if highlights:
        handles = [
            Patch(facecolor=PALETTE[n % len(PALETTE)], edgecolor="#999999", label=label)
            for n, (_, _, label) in enumerate(highlights)
        ]
        if created:
            fig.legend(handles=handles, loc="outside lower center", ncol=min(3, len(handles)))
        else:
            ax.legend(handles=handles, loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return _done(fig, created)


def digest_figure(trace: HOTPTrace, *, ax: Axes | None = None) -> Figure:
    """A trace's HMAC bytes with the offset byte and the 4-byte window P (RFC 4226 §5.3).

    >>> import rfc6238
    >>> fig = digest_figure(rfc6238.trace_hotp(b"12345678901234567890", 0))
    >>> fig.legends[0].get_texts()[0].get_text()
    'P = bytes 0..3'
    """
    last = len(trace.digest) - 1
    highlights = [
        (trace.offset, trace.offset + 4, f"P = bytes {trace.offset}..{trace.offset + 3}"),
        (last, last + 1, f"last byte {trace.digest[-1]:#04x}: offset = {trace.offset}"),
    ]
    title = (
        f"HMAC-{trace.algorithm} of counter {trace.counter}: Snum = {trace.value}, "
        f"code = Snum mod 10^{trace.digits} = {trace.code}"
    )
    return byte_grid(
        trace.digest, highlights=highlights, per_line=min(len(trace.digest), 32), title=title, ax=ax
    )


def step_timeline(
    start: int,
    stop: int,
    *,
    period: int = 30,
    t0: int = 0,
    code: Callable[[int], str] | None = None,
    marks: Sequence[tuple[float, str]] = (),
) -> Figure:
    """The step function ``T = floor((t - T0)/X)`` over ``start..stop``, below it the codes.

    Args:
        start, stop: Unix seconds, ``start < stop`` (the x axis shows seconds after
            ``start``).
        period, t0: X and T0 (RFC 6238 §4.1).
        code: Maps a step T to its code (e.g. ``lambda T: rfc6238.hotp(key, T)``).
        marks: ``(unix_time, label)`` instants drawn as vertical lines.

    >>> fig = step_timeline(1111111080, 1111111200)
    >>> fig.axes[0].get_ylabel(), fig.axes[0].get_xlabel().endswith("(seconds)")
    ('time step T', True)
    """
    require("matplotlib.pyplot", "notebooks", feature="plotting")
    import matplotlib.pyplot as plt

    rows = 2 if code else 1
    fig, axes = plt.subplots(
        rows,
        1,
        sharex=True,
        squeeze=False,
        layout="constrained",
        figsize=(10, 2.6 + 1.2 * rows),
        height_ratios=[3, 1][:rows],
    )
    top = axes[0][0]
    first, last = (start - t0) // period, (stop - 1 - t0) // period
    edges = [start] + [t0 + k * period for k in range(first + 1, last + 1)] + [stop]
    top.step(
        [t - start for t in edges],
        [(t - t0) // period for t in edges[:-1]] + [last],
        where="post",
        lw=2,
    )
    top.set_ylabel("time step T")
    top.set_title(f"T = ⌊(t {_MINUS} T₀) / X⌋ with X = {period} s, T₀ = {t0}")
    top.yaxis.get_major_locator().set_params(integer=True)
    top.ticklabel_format(axis="y", useOffset=False, style="plain")
    for row in axes:
        for edge in edges[1:-1]:
            row[0].axvline(edge - start, color="#cccccc", lw=0.8, zorder=0)
        for when, _ in marks:
            row[0].axvline(when - start, color="tab:red", lw=1.5, ls="--")
    for when, label in marks:
        top.annotate(
            f" {label}",
            (when - start, 0.02),
            xycoords=("data", "axes fraction"),
            ha="left",
            va="bottom",
            fontsize=9,
            color="tab:red",
        )
    if code:
        band = axes[1][0]
        for n, (lo, hi) in enumerate(pairwise(edges)):
            step = (lo - t0) // period
            band.axvspan(lo - start, hi - start, color=PALETTE[n % 2], alpha=0.8)
            band.text(
                (lo + hi) / 2 - start,
                0.5,
                f"T={step}\n{code(step)}",
                ha="center",
                va="center",
                family="monospace",
                fontsize=8,
            )
        band.set_yticks([])
        band.set_ylabel("code")
    axes[-1][0].set_xlabel(f"t {_MINUS} {start} (seconds)")
    axes[-1][0].set_xlim(0, stop - start)
    plt.close(fig)
    return fig


def acceptance_heatmap(
    values: Sequence[Sequence[float]],
    *,
    skews: Sequence[float],
    windows: Sequence[str],
    title: str = "Share of instants at which the code is accepted",
    xlabel: str = "client clock skew (seconds, + = client ahead)",
    colorbar: str = "accepted (fraction of instants)",
) -> Figure:
    """A heatmap: rows are windows, columns are clock skews, colour is acceptance (0..1).

    >>> fig = acceptance_heatmap([[1.0, 0.5]], skews=[0, 15], windows=["±0"])
    >>> fig.axes[0].get_ylabel()
    'window (steps past, future)'
    """
    fig, ax, created = _axes(None, (10, 1.2 + 0.55 * len(windows)))
    step = skews[1] - skews[0] if len(skews) > 1 else 1
    extent = (skews[0] - step / 2, skews[-1] + step / 2, len(windows) - 0.5, -0.5)
    image = ax.imshow(
        values,
        aspect="auto",
        extent=extent,
        cmap="viridis",
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    ax.set_yticks(range(len(windows)))
    ax.set_yticklabels(windows)
    ax.set_ylabel("window (steps past, future)")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label=colorbar)
    return _done(fig, created)


def curves(
    series: Series,
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    logx: bool = False,
    logy: bool = False,
    points: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]] | None = None,
    hlines: Sequence[tuple[float, str]] = (),
    ax: Axes | None = None,
) -> Figure:
    """Labelled lines (``{label: (xs, ys)}``), optional measured points with error bars.

    >>> fig = curves({"y = x": ([0, 1], [0, 1])}, xlabel="x (s)", ylabel="y")
    >>> fig.axes[0].get_xlabel()
    'x (s)'
    """
    fig, ax, created = _axes(ax, (8, 4.5))
    for n, (label, (xs, ys)) in enumerate(series.items()):
        ax.plot(xs, ys, label=label, color=LINES[n % len(LINES)])
    for n, (label, (xs, ys, errs)) in enumerate((points or {}).items()):
        ax.errorbar(
            xs,
            ys,
            yerr=errs,
            fmt="o",
            ms=4,
            capsize=3,
            label=label,
            color=LINES[n % len(LINES)],
            markerfacecolor="white",
        )
    for y, label in hlines:
        ax.axhline(y, color="#888888", ls=":", lw=1)
        ax.annotate(
            label,
            (0.01, y),
            xycoords=("axes fraction", "data"),
            va="bottom",
            fontsize=8,
            color="#555555",
        )
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if series or points:
        ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    return _done(fig, created)


def attack_odds(
    series: Series,
    *,
    xlabel: str = "guesses (log scale)",
    title: str = "Chance that a brute-force attacker has succeeded",
    points: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """P(success) curves against attempts or time, log x, with the 50 % line.

    >>> fig = attack_odds({"6 digits": ([1, 10], [3e-6, 3e-5])})
    >>> fig.axes[0].get_xscale()
    'log'
    """
    fig = curves(
        series,
        xlabel=xlabel,
        ylabel="P(at least one success)",
        title=title,
        logx=True,
        points=points,
        hlines=[(0.5, "50 %")],
        ax=ax,
    )
    fig.axes[0].set_ylim(-0.02, 1.02)
    return fig


def histogram(
    data: Sequence[float] | Mapping[str, Sequence[float]],
    *,
    bins: int | Sequence[float],
    xlabel: str,
    ylabel: str = "count",
    title: str | None = None,
    expected: tuple[Sequence[float], Sequence[float], str] | None = None,
    logx: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """One histogram or several overlaid (``{label: values}``); ``expected`` draws a line.

    >>> fig = histogram([1, 2, 2, 3], bins=3, xlabel="bits changed")
    >>> fig.axes[0].get_ylabel()
    'count'
    """
    fig, ax, created = _axes(ax, (8, 4))
    named = data if isinstance(data, Mapping) else {"": data}
    for n, (label, values) in enumerate(named.items()):
        ax.hist(
            values,
            bins=bins,
            alpha=0.6 if len(named) > 1 else 0.9,
            label=label or None,
            color=LINES[n % len(LINES)],
            edgecolor="white",
        )
    if expected is not None:
        xs, ys, label = expected
        ax.plot(xs, ys, color="black", lw=1.5, ls="--", label=label)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if len(named) > 1 or expected is not None:
        ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    return _done(fig, created)


def bars(
    values: Mapping[str, float],
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    logy: bool = False,
    fmt: str = "{:.4g}",
    ax: Axes | None = None,
) -> Figure:
    """A labelled bar chart with each bar's value written on it.

    >>> fig = bars({"6": 1.0005, "9": 1.5}, xlabel="digits", ylabel="ratio")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1', '1.5']
    """
    fig, ax, created = _axes(ax, (8, 4))
    labels, heights = list(values), list(values.values())
    drawn = ax.bar(labels, heights, color=LINES[0])
    ax.bar_label(drawn, labels=[fmt.format(h) for h in heights], fontsize=8)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return _done(fig, created)


def lane_timeline(
    lanes: Sequence[str],
    events: Sequence[tuple[float, str, str]],
    *,
    spans: Sequence[tuple[float, float, str]] = (),
    boundaries: Sequence[float] = (),
    xlabel: str = "time (seconds)",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
) -> Figure:
    """Who does what when: one row per actor, ``(time, lane, label)`` events, shaded spans.

    Args:
        lanes: Row names, top to bottom (e.g. user, phishing proxy, server).
        events: ``(time, lane, label)``; drawn as a dot with the label beside it.
        spans: ``(start, stop, label)`` shaded across all lanes (e.g. when a code is valid).
        boundaries: x positions of vertical guides (e.g. time-step boundaries).
        xlabel, title: Axis label (with units) and title.
        xlim: The visible time range (spans and guides outside it are clipped).

    Labels of one lane alternate below and above its line, so close events stay readable.

    >>> fig = lane_timeline(["user"], [(0, "user", "types code")])
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['user']
    """
    fig, ax, created = _axes(None, (10, 1.6 + 1.0 * len(lanes)))
    for n, (lo, hi, label) in enumerate(spans):
        ax.axvspan(lo, hi, color=PALETTE[n % len(PALETTE)], alpha=0.5, label=label)
    for x in boundaries:
        ax.axvline(x, color="#bbbbbb", lw=0.8, zorder=0)
    row = {lane: i for i, lane in enumerate(lanes)}
    seen = dict.fromkeys(lanes, 0)
    for when, lane, label in events:
        y = row[lane]
        ax.plot([when], [y], "o", color=LINES[y % len(LINES)])
        ax.annotate(
            label,
            (when, y),
            xytext=(4, 9 if seen[lane] % 2 else -14),
            textcoords="offset points",
            fontsize=8,
        )
        seen[lane] += 1
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(lanes)
    ax.set_ylim(len(lanes) - 0.4, -0.6)
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    if spans:
        fig.legend(loc="outside lower center", ncol=min(len(spans), 4), fontsize=8)
    if title:
        ax.set_title(title)
    return _done(fig, created)
