"""Solutions to 07 · Backup codes."""

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32


def my_normalize(text: str) -> str:
    """ASCII and length first, then drop '-' and spaces, upper-case, O->0, I/L->1, 16 symbols."""
    if not isinstance(text, str) or len(text) > 64 or not text.isascii():
        raise ValueError("backup code must be at most 64 ASCII characters")
    canonical = text.upper().replace("-", "").replace(" ", "")
    canonical = canonical.translate(str.maketrans("OIL", "011"))
    if len(canonical) != 16 or not set(canonical) <= set(ALPHABET):
        raise ValueError("backup code must be 16 Crockford base32 characters")
    return canonical


def my_base32_decode(text: str) -> bytes:
    """RFC 4648 §6, leniently: any case, spaces and hyphens between groups, padding optional."""
    if not isinstance(text, str) or not text.isascii() or len(text) > 1024:
        raise ValueError("base32 text must be at most 1024 ASCII characters")
    body = text.replace(" ", "").replace("-", "").upper()
    stripped = body.rstrip("=")
    if body != stripped and len(body) % 8:
        raise ValueError("padding must fill a multiple of 8 characters")
    if not stripped or len(stripped) % 8 in (1, 3, 6) or not set(stripped) <= set(B32):
        raise ValueError("not base32")
    bits = "".join(format(B32.index(c), "05b") for c in stripped)
    return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits) - 7, 8))
