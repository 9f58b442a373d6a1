"""Solutions to 02 · Dynamic truncation."""


def my_dynamic_truncate(digest: bytes) -> int:
    """RFC 4226 §5.3: offset = low nibble of the last byte; 4 bytes there, top bit cleared."""
    offset = digest[-1] & 0x0F
    return int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF


def my_code(snum: int, digits: int) -> str:
    """``Snum mod 10^d``, written with leading zeros to exactly ``digits`` characters."""
    return str(snum % 10**digits).zfill(digits)
