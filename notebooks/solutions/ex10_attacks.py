"""Solutions to 10 · Attacks."""


def my_equal(a: bytes, b: bytes) -> bool:
    """Constant time for equal lengths: read every byte, accumulate the differences."""
    if len(a) != len(b):
        return False  # lengths are not secret here (codes have a fixed length)
    diff = 0
    for x, y in zip(a, b, strict=True):
        diff |= x ^ y
    return diff == 0
