"""Solutions to 05 · Brute-force odds."""

import math


def my_p(digits: int, window) -> float:
    """``(past + future + 1) / 10^d``: one random guess against every accepted code."""
    past, future = (window, window) if isinstance(window, int) else window
    return (past + future + 1) / 10**digits


def my_success(p: float, n: int) -> float:
    """``1 - (1 - p)^n`` computed as ``-expm1(n · log1p(-p))``: exact for tiny p."""
    return -math.expm1(n * math.log1p(-p))


def my_attempts(p: float, target: float) -> int:
    """The fewest n with ``1 - (1 - p)^n >= target``."""
    n = max(1, math.ceil(math.log1p(-target) / math.log1p(-p)))
    while n > 1 and my_success(p, n - 1) >= target:
        n -= 1
    while my_success(p, n) < target:
        n += 1
    return n
