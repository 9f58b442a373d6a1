"""Solutions to 03 · Counters to time steps."""

import math


def my_time_step(t: int | float, period: int = 30, t0: int = 0) -> int:
    """``T = floor((t - T0) / X)`` with integer arithmetic (floats are floored first)."""
    if isinstance(t, float):
        t = math.floor(t)
    if t < t0:
        raise ValueError("time before T0")
    return (t - t0) // period


def my_pack_counter(counter: int) -> bytes:
    """The counter as 8 bytes, most significant first (RFC 4226 §5.1)."""
    return counter.to_bytes(8, "big")
