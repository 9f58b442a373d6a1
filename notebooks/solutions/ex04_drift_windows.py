"""Solutions to 04 · Drift windows and clock skew."""

import hmac

import rfc6238


def my_verify(key, token, time, *, window=1, digits=6, period=30):
    """The matched step, or None: on-time step first, then nearest (older first on ties)."""
    if len(key) < 16:
        raise ValueError("keys shorter than 128 bits are refused (RFC 4226 §4)")
    past, future = (window, window) if isinstance(window, int) else window
    step = rfc6238.time_step(time, period=period)
    for offset in sorted(range(-past, future + 1), key=lambda o: (abs(o), o)):
        if step + offset < 0:
            continue
        code = rfc6238.hotp(key, step + offset, digits=digits)
        if token.isascii() and hmac.compare_digest(token, code):
            return step + offset
    return None


def my_fraction(skew: int, past: int, future: int) -> float:
    """Share of the 30 instants of a step at which a client ``skew`` seconds off is accepted."""
    return sum(-past <= (phase + skew) // 30 <= future for phase in range(30)) / 30
