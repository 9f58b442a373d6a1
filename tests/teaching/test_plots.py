"""Tests for rfc6238.teaching.plots: every function returns a labelled Figure, pyplot left empty."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import matplotlib
import pytest

matplotlib.use("Agg")  # headless; the module itself never picks a backend

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

import rfc6238
from rfc6238.bruteforce import guess_probability, success_probability
from rfc6238.teaching import plots

KEY = b"12345678901234567890"


@pytest.fixture(autouse=True)
def _no_open_figures() -> Iterator[None]:
    plt.close("all")
    yield
    # The functions close their figures in pyplot: nothing is left registered.
    assert plt.get_fignums() == []


def _labelled(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert any(ax.get_xlabel() for ax in fig.axes)  # stacked axes share the bottom label
    main = fig.axes[0]
    assert main.get_ylabel() or main.get_yticklabels()
    fig.canvas.draw()  # renders without error


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_byte_grid_rows_and_highlights() -> None:
    padded = KEY.ljust(64, b"\0")
    fig = plots.byte_grid(
        {"K'": padded, "K' ^ ipad": bytes(b ^ 0x36 for b in padded)},
        highlights=[(0, 20, "key"), (20, 64, "padding")],
        title="pads",
    )
    _labelled(fig)
    texts = _texts(fig)
    assert len(texts) == 128
    assert texts[0] == "31"
    assert texts[64] == "07"  # 0x31 ^ 0x36
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("K'")
    assert fig.axes[0].get_title() == "pads"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["key", "padding"]


def test_byte_grid_single_row_and_wrapping() -> None:
    fig = plots.byte_grid(bytes(range(10)), per_line=4)
    _labelled(fig)
    assert fig.axes[0].get_xlabel().startswith("byte index within the line")
    assert len(_texts(fig)) == 10


def test_byte_grid_into_existing_axes() -> None:
    fig, ax = plt.subplots()
    out = plots.byte_grid(b"\x01\x02", highlights=[(0, 1, "first")], ax=ax)
    assert out is fig
    assert ax.get_legend() is not None
    plt.close(fig)


def test_digest_figure_marks_offset_and_window() -> None:
    trace = rfc6238.trace_hotp(KEY, 1)
    fig = plots.digest_figure(trace)
    _labelled(fig)
    title = fig.axes[0].get_title()
    assert trace.code in title
    assert str(trace.value) in title
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == f"P = bytes {trace.offset}..{trace.offset + 3}"
    assert f"offset = {trace.offset}" in legend[1]


def test_step_timeline_with_codes_and_marks() -> None:
    fig = plots.step_timeline(
        1111111050, 1111111170, code=lambda step: rfc6238.hotp(KEY, step), marks=[(1111111109, "t")]
    )
    _labelled(fig)
    top, band = fig.axes
    assert top.get_ylabel() == "time step T"
    assert band.get_xlabel().endswith("(seconds)")
    assert "T=37037036\n081804" in _texts(fig)  # RFC 6238 Appendix B step, 6-digit code


def test_step_timeline_without_codes() -> None:
    fig = plots.step_timeline(0, 95, period=30)
    assert len(fig.axes) == 1
    _labelled(fig)


def test_acceptance_heatmap() -> None:
    fig = plots.acceptance_heatmap(
        [[1.0, 0.5, 0.0], [1.0, 1.0, 0.5]], skews=[0, 15, 30], windows=["±0", "±1"]
    )
    _labelled(fig)
    assert len(fig.axes) == 2  # image and colour bar
    assert fig.axes[1].get_ylabel() == "accepted (fraction of instants)"


def test_attack_odds_and_curves() -> None:
    p = guess_probability(digits=6, window=1)
    xs = [10**k for k in range(7)]
    fig = plots.attack_odds(
        {"6 digits": (xs, [success_probability(p, n) for n in xs])},
        points={"simulated": ([10, 100], [0.0, 0.0], [0.01, 0.01])},
    )
    _labelled(fig)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert ax.get_ylabel() == "P(at least one success)"
    assert ax.get_ylim() == (-0.02, 1.02)
    fig = plots.curves({"a": ([0, 1], [1, 2])}, xlabel="x (s)", ylabel="y (%)", logy=True)
    _labelled(fig)
    assert fig.axes[0].get_yscale() == "log"


def test_histogram_single_and_overlaid() -> None:
    fig = plots.histogram([1, 2, 2, 3], bins=3, xlabel="bits changed")
    _labelled(fig)
    assert fig.axes[0].get_ylabel() == "count"
    fig = plots.histogram(
        {"==": [1.0, 2.0], "compare_digest": [1.5, 2.5]},
        bins=4,
        xlabel="time (ns)",
        expected=([1, 2], [1, 1], "expected"),
        logx=True,
    )
    _labelled(fig)
    box = fig.axes[0].get_legend()
    assert box is not None
    legend = [t.get_text() for t in box.get_texts()]
    assert legend == ["==", "compare_digest", "expected"]


def test_bars() -> None:
    fig = plots.bars({"6": 1.0005, "9": 1.5}, xlabel="digits", ylabel="ratio", fmt="{:.5f}")
    _labelled(fig)
    assert "1.50000" in _texts(fig)


def test_lane_timeline() -> None:
    fig = plots.lane_timeline(
        ["user", "proxy", "server"],
        [(0, "user", "types code"), (2, "proxy", "relays"), (3, "server", "accepts")],
        spans=[(0, 30, "code valid")],
        boundaries=[0, 30],
        title="relay",
    )
    _labelled(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["user", "proxy", "server"]
    assert _texts(fig) == ["types code", "relays", "accepts"]


def test_import_rfc6238_plots_does_not_import_matplotlib() -> None:
    code = (
        "import sys, rfc6238.teaching.plots, rfc6238.teaching.diagrams, rfc6238.teaching; "
        "import rfc6238.bruteforce; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
