"""The live controls recompute with the library when a value moves (ipywidgets, no browser)."""

from __future__ import annotations

import rfc6238
from rfc6238 import bruteforce
from rfc6238.teaching import controls

KEY = b"12345678901234567890"


def test_live_clock_follows_the_injected_clock() -> None:
    now = [1111111109]
    box = controls.live_clock(rfc6238.TOTP(key=KEY), clock=lambda: now[0])
    play, view = box.children
    assert "081804" in view.value
    assert "00 00 00 00 02 35 23 ec" in view.value
    assert "next code in</th><td style='font-family:monospace'>1 s" in view.value
    now[0] = 1111111111  # the next step
    play.value += 1  # one tick of the Play widget
    assert rfc6238.totp(KEY, 1111111111) in view.value
    assert "081804" not in view.value


def test_skew_window_control_calls_the_given_rule() -> None:
    calls = []

    def rule(skew: int, past: int, future: int) -> float:
        calls.append((skew, past, future))
        return sum(-past <= (p + skew) // 30 <= future for p in range(30)) / 30

    box = controls.skew_window_control(rule)
    skew, past, future, view = box.children
    assert calls[-1] == (-40, 1, 1)
    assert "67% of the 30 instants" in view.value
    skew.value = 0
    assert "100% of the 30 instants" in view.value
    past.value, future.value = 0, 0
    skew.value = 31
    assert calls[-1] == (31, 0, 0)
    assert "0% of the 30 instants" in view.value
    assert ">1</td>" in view.value  # one code an attacker may hit


def test_odds_control_matches_bruteforce() -> None:
    box = controls.odds_control()
    digits, _window, rate, view = box.children
    month = int(rate.value * 30 * bruteforce.DAY)
    p = bruteforce.success_probability(3e-6, month)
    assert f"P(success) = {p:.3g}" in view.value
    digits.value = 8
    assert "p = 3.00e-08" in view.value


def test_qr_damage_control_runs_the_decoder() -> None:
    from rfc6238.qr import QRCode

    code = QRCode("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", error_correction="H")
    seen = []

    def erase(c: QRCode, share: float) -> list[list[bool]]:
        seen.append(share)
        rows = [list(r) for r in c.matrix()]
        if share > 0.3:
            rows = [[False] * len(r) for r in rows]  # everything erased
        return rows

    box = controls.qr_damage_control({"H": code}, erase=erase, readable=lambda m: any(map(any, m)))
    _level, share, picture, verdict = box.children
    assert bytes(picture.value).startswith(b"\x89PNG")
    assert "reads it" in verdict.value
    share.value = 0.35
    assert "fails" in verdict.value
    assert seen == [0.1, 0.35]
