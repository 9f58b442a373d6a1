"""Solutions to 10 · Attacks."""


def my_equal(a: bytes, b: bytes) -> bool:
    """Constant time for equal lengths: read every byte, accumulate the differences."""
    if len(a) != len(b):
        return False  # lengths are not secret here (codes have a fixed length)
    diff = 0
    for x, y in zip(a, b, strict=True):
        diff |= x ^ y
    return diff == 0


def my_accept(matches: list[int], last_step: int, current: int) -> int:
    """RFC 6238 §5.2: only steps newer than the last accepted one; the nearest, older on ties."""
    fresh = [step for step in matches if step > last_step]
    if not fresh:
        raise ValueError("replayed: every matching step was already used")
    return min(fresh, key=lambda s: (abs(s - current), s))
