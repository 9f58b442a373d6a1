"""Solutions to 08 · Encrypted storage."""


def my_length_prefixed(fields: list[bytes]) -> bytes:
    """Each field as its length (4 bytes, big-endian) followed by its bytes."""
    return b"".join(len(f).to_bytes(4, "big") + f for f in fields)


def my_recover(c1: bytes, c2: bytes, p1: bytes) -> bytes:
    """Same key, same nonce: ``C1 ⊕ C2 = P1 ⊕ P2``, so ``P2 = C1 ⊕ C2 ⊕ P1``."""
    return bytes(a ^ b ^ c for a, b, c in zip(c1, c2, p1, strict=True))
