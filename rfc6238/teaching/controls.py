"""Live controls for the notebooks (extra ``notebooks``: ipywidgets, imported when called).

Each function returns an ipywidgets box whose output follows its sliders, computed with the
library each time a value moves: :func:`live_clock` (the step, counter bytes and code of the
current second, RFC 6238 §4.2), :func:`skew_window_control` (skew x window acceptance,
RFC 6238 §5.2), :func:`odds_control` (digits x window x guess rate, RFC 4226 §7.3) and
:func:`qr_damage_control` (error-correction level x damaged modules). Widget output does not
appear in static HTML, so every notebook shows the same thing as a static figure first.

Time is injected (``clock=``), the key stays inside the ``TOTP`` object (its display is
masked), and the controls keep no global state.

>>> import rfc6238
>>> box = live_clock(rfc6238.TOTP(key=b"12345678901234567890"), clock=lambda: 1111111109)
>>> "07081804"[-6:] in box.children[1].value
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from .. import bruteforce, pack_counter

if TYPE_CHECKING:
    from ..otp import TOTP

__all__ = ["live_clock", "odds_control", "qr_damage_control", "skew_window_control"]


def _widgets() -> Any:
    import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type hints

    return ipywidgets


def _rows(pairs: Sequence[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{escape(k)}</th>"
        f"<td style='font-family:monospace'>{escape(v)}</td></tr>"
        for k, v in pairs
    )
    return f"<table>{cells}</table>"


def live_clock(otp: TOTP, *, clock: Callable[[], float] | None = None) -> Any:
    """The current second, its step ``T``, the 8 counter bytes and the code, ticking live.

    A ``Play`` widget ticks once a second in the browser; each tick reads ``clock`` (default
    :func:`time.time`) and recomputes. Pause it to read the values.
    """
    import time

    w = _widgets()

    now_of = clock or time.time
    play = w.Play(value=0, min=0, max=10**6, interval=1000, description="tick")
    view = w.HTML()

    def show(_: object = None) -> None:
        now = int(now_of())
        step = otp.step(now)
        left = otp.period - (now - otp.t0) % otp.period
        view.value = _rows([
            ("time (UTC)", datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M:%S")),
            ("t (Unix seconds)", str(now)),
            ("T = ⌊(t \u2212 T₀)/X⌋", f"{step} (0x{step:X})"),
            ("counter bytes", pack_counter(step).hex(" ")),
            ("code", otp.at(now)),
            ("next code in", f"{left} s " + "█" * left + "░" * (otp.period - left)),
        ])  # fmt: skip

    play.observe(show, names="value")
    show()
    return w.VBox([play, view])


def skew_window_control(accepted: Callable[[int, int, int], float]) -> Any:
    """Sliders for clock skew and the past/future window; ``accepted(skew, past, future)``.

    Shows the share of a step's 30 login instants at which the skewed client is accepted,
    and which instants those are.
    """
    w = _widgets()

    skew = w.IntSlider(value=-40, min=-120, max=120, step=1, description="skew (s)")
    past = w.IntSlider(value=1, min=0, max=4, description="past")
    future = w.IntSlider(value=1, min=0, max=4, description="future")
    view = w.HTML()

    def show(_: object = None) -> None:
        share = accepted(skew.value, past.value, future.value)
        inside = [-past.value <= (p + skew.value) // 30 <= future.value for p in range(30)]
        strip = "".join("■" if ok else "□" for ok in inside)
        view.value = _rows([
            ("accepted at", f"{share:.0%} of the 30 instants of a step"),
            ("instants 0…29", strip),
            ("codes an attacker may hit", str(past.value + future.value + 1)),
        ])  # fmt: skip

    for slider in (skew, past, future):
        slider.observe(show, names="value")
    show()
    return w.VBox([skew, past, future, view])


def odds_control() -> Any:
    """Digits, window and guess rate: the attacker's odds in a day, a month and a year."""
    w = _widgets()

    digits = w.IntSlider(value=6, min=6, max=8, description="digits")
    window = w.IntSlider(value=1, min=0, max=10, description="window ±")
    rate = w.FloatLogSlider(value=5 / 30, base=10, min=-4, max=2, description="guesses/s")
    view = w.HTML()

    def show(_: object = None) -> None:
        p = bruteforce.guess_probability(digits=digits.value, window=window.value)
        spans = {"a day": bruteforce.DAY, "a month": 30 * bruteforce.DAY,
                 "a year": 365 * bruteforce.DAY}  # fmt: skip
        rows = [("one guess", f"p = {p:.2e}")]
        for name, seconds in spans.items():
            n = int(rate.value * seconds)
            odds = bruteforce.success_probability(p, n)
            rows.append((f"in {name}", f"{n:,} guesses: P(success) = {odds:.3g}"))
        view.value = _rows(rows)

    for slider in (digits, window, rate):
        slider.observe(show, names="value")
    show()
    return w.VBox([digits, window, rate, view])


def qr_damage_control(
    codes: Mapping[str, Any],
    *,
    erase: Callable[[Any, float], list[list[bool]]],
    readable: Callable[[list[list[bool]]], bool],
) -> Any:
    """A level and an erased share: the damaged QR code and whether a real decoder reads it.

    ``codes`` maps a level (``"L"``...) to its QR code; ``erase(code, share)`` returns the
    damaged module matrix and ``readable(matrix)`` runs the decoder (both from notebook 06).
    """
    import io

    w = _widgets()
    from PIL import Image

    level = w.ToggleButtons(options=list(codes), value=next(iter(codes)), description="level")
    share = w.FloatSlider(value=0.1, min=0, max=0.4, step=0.01, description="erased",
                          readout_format=".0%")  # fmt: skip
    picture = w.Image(format="png", width=220)
    verdict = w.HTML()

    def show(_: object = None) -> None:
        matrix = erase(codes[level.value], share.value)
        image = Image.new("1", (len(matrix), len(matrix)))
        image.putdata([0 if dark else 1 for row in matrix for dark in row])
        buffer = io.BytesIO()
        image.resize((4 * len(matrix),) * 2, Image.Resampling.NEAREST).save(buffer, "PNG")
        picture.value = buffer.getvalue()
        ok = readable(matrix)
        colour = "#2a7a2a" if ok else "#b22222"
        text = "the decoder reads it" if ok else "the decoder fails"
        verdict.value = f"<b style='color:{colour}'>{text}</b> ({share.value:.0%} erased)"

    level.observe(show, names="value")
    share.observe(show, names="value")
    show()
    return w.VBox([level, share, picture, verdict])
