"""Solutions to 01 · HMAC from the ground up."""

import hashlib

HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def my_hmac_sha1(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA1 (RFC 2104 §2) from hashlib: pad to 64 bytes, XOR with ipad/opad, hash twice."""
    if len(key) > 64:
        key = hashlib.sha1(key).digest()  # noqa: S324 (HMAC-SHA1 is RFC 4226's)
    key = key.ljust(64, b"\0")
    inner = hashlib.sha1(bytes(b ^ 0x36 for b in key) + message).digest()  # noqa: S324
    return hashlib.sha1(bytes(b ^ 0x5C for b in key) + inner).digest()  # noqa: S324


def my_hmac(key: bytes, message: bytes, algorithm: str) -> bytes:
    """HMAC with SHA1, SHA256 or SHA512: the block size comes from the hash (64, 64, 128)."""
    new = HASHES[algorithm]
    block = new().block_size
    if len(key) > block:
        key = new(key).digest()
    key = key.ljust(block, b"\0")
    inner = new(bytes(b ^ 0x36 for b in key) + message).digest()
    return new(bytes(b ^ 0x5C for b in key) + inner).digest()
