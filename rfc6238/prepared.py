"""HMAC with the padded-key states computed once (RFC 2104 §2), for fast repeated codes.

RFC 2104 defines ``HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m))`` where ``K'`` is the
key zero-padded to the hash's block size (keys longer than a block are hashed first). The two
hash states after absorbing ``K' ^ ipad`` and ``K' ^ opad`` depend only on the key, so we
absorb them once and copy the states for every message. A code then costs two state copies
and two short hash finishes, less than the one-shot :func:`hmac.digest`, which re-derives
both states every call.

This module is the project's one speed kernel. The methods below the "hot kernel" marker are
written out by hand (hash-state calls, truncation and formatting inlined, the common ±1
window unrolled) because a verification computes several codes per call and Python's
per-call overhead would otherwise cost more than the HMACs themselves. Every such choice was
measured with ``benchmarks/bench_core.py``. Nothing else in the package inlines the code
computation: :func:`rfc6238.hotp` is the readable reference, and the tests check that the
kernel agrees with it.

>>> mac = PreparedMAC(b"12345678901234567890", "SHA1")
>>> mac.code(0, 6)
'755224'
"""

from __future__ import annotations

import hashlib
import struct
from hmac import compare_digest as _compare_digest

from ._checks import DIGEST_SIZES

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Final

    from ._checks import Algorithm

__all__ = [
    "CODE_FORMATS",
    "IPAD",
    "MODULI",
    "OPAD",
    "PACK_COUNTER",
    "UNPACK_U32",
    "PreparedMAC",
]

#: The RFC 2104 pad bytes.
IPAD: Final = 0x36
OPAD: Final = 0x5C
_TRANS_IPAD: Final = bytes(x ^ IPAD for x in range(256))
_TRANS_OPAD: Final = bytes(x ^ OPAD for x in range(256))
#: The 8-byte big-endian counter (RFC 4226 §5.1) and the 4-byte window read (§5.3).
PACK_COUNTER: Final = struct.Struct(">Q").pack
UNPACK_U32: Final = struct.Struct(">I").unpack_from
#: ``10 ** digits`` and the zero-padded code format for each supported length (§5.3).
MODULI: Final[dict[int, int]] = {d: 10**d for d in range(6, 11)}
CODE_FORMATS: Final[dict[int, str]] = {d: f"%0{d}d" for d in range(6, 11)}
#: Hash block sizes in bytes (FIPS 180-4 §1): the length keys are padded to (RFC 2104 §2).
_BLOCK_SIZES: Final[dict[str, int]] = {"SHA1": 64, "SHA256": 64, "SHA512": 128}
_CONSTRUCTORS: Final[dict[str, Callable[..., hashlib._Hash]]] = {
    "SHA1": hashlib.sha1,
    "SHA256": hashlib.sha256,
    "SHA512": hashlib.sha512,
}


class PreparedMAC:
    """HMAC-``algorithm`` under one fixed key, with its inner and outer states precomputed.

    Callers validate ``key`` and ``algorithm`` first (the OTP objects and the verify
    functions do); this class is the hot path and checks nothing.
    """

    __slots__ = ("_inner", "_outer", "algorithm", "block_size", "digest_size")

    def __init__(self, key: bytes, algorithm: Algorithm) -> None:
        new = _CONSTRUCTORS[algorithm]
        self.algorithm: Final = algorithm
        self.block_size: Final[int] = _BLOCK_SIZES[algorithm]
        self.digest_size: Final[int] = DIGEST_SIZES[algorithm]
        if len(key) > self.block_size:
            key = new(key).digest()  # RFC 2104 §2: long keys are hashed first
        padded = key.ljust(self.block_size, b"\0")
        self._inner = new(padded.translate(_TRANS_IPAD))
        self._outer = new(padded.translate(_TRANS_OPAD))

    def __repr__(self) -> str:
        return f"PreparedMAC(algorithm={self.algorithm!r}, key=<hidden>)"

    def digest(self, message: bytes) -> bytes:
        """Return ``HMAC(K, message)``; equal to ``hmac.digest(K, message, algorithm)``."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def code(self, counter: int, digits: int) -> str:
        """Return the HOTP code for a validated ``counter`` (RFC 4226 §5.3)."""
        inner = self._inner.copy()
        inner.update(PACK_COUNTER(counter))
        outer = self._outer.copy()
        outer.update(inner.digest())
        mac = outer.digest()
        value: int = UNPACK_U32(mac, mac[-1] & 0x0F)[0] & 0x7FFFFFFF
        return CODE_FORMATS[digits] % (value % MODULI[digits])

    # --- hot kernel: hand-inlined, measured with benchmarks/bench_core.py -----------------
    # Each method below is :meth:`code` written out once per candidate: one HMAC per counter
    # and one hmac.compare_digest, no early exit, so the time does not depend on where (or
    # whether) the token matched. The comparison is of fixed-width bytes: the token's value
    # and each candidate's ``Snum mod 10**digits`` as 5 big-endian bytes (10**10 < 2**40).
    # For a token of exactly ``digits`` ASCII digits that is the same test as comparing the
    # texts, and it skips formatting each candidate as text (measured: about 0.1x the floor
    # per call). Callers validate everything first, the token included: the kernel reads it
    # with int(), which is only safe after rfc6238._checks.check_token.

    def matches(self, token: bytes, first: int, last: int, digits: int) -> list[int]:
        """Every counter in ``first..last`` whose code equals ``token``, all compared.

        ``0 <= first`` and ``last <= 2**64 - 1`` must already hold.
        """
        found: list[int] = []
        wanted, modulus = int(token).to_bytes(5), MODULI[digits]
        for counter in range(first, last + 1):
            inner = self._inner.copy()
            inner.update(PACK_COUNTER(counter))
            outer = self._outer.copy()
            outer.update(inner.digest())
            mac = outer.digest()
            value = UNPACK_U32(mac, mac[-1] & 0x0F)[0] & 0x7FFFFFFF
            if _compare_digest((value % modulus).to_bytes(5), wanted):
                found.append(counter)
        return found

    def matches_around(self, token: bytes, step: int, digits: int) -> list[int]:
        """:meth:`matches` for ``step - 1`` to ``step + 1``, the RFC 6238 §5.2 default window.

        ``1 <= step <= 2**64 - 2`` must already hold. The three candidates are unrolled (no
        loop, no range object) and their packed counters come from a one-entry cache keyed
        by the step: the counters are public (they follow from the clock), identical for
        every key, and change once per period, so one entry serves every caller. Nothing
        derived from a key is cached; every HMAC is computed on every call. Measured: the
        unrolled, cached form costs about 0.4x the floor less than the loop.
        """
        global _around  # one tuple, replaced whole: atomic under the GIL, no lock needed
        packed = _around
        if packed[0] != step:
            packed = (step, PACK_COUNTER(step - 1), PACK_COUNTER(step), PACK_COUNTER(step + 1))
            _around = packed
        wanted, modulus, ipad, opad = (
            int(token).to_bytes(5),
            MODULI[digits],
            self._inner,
            self._outer,
        )
        inner = ipad.copy()  # step - 1
        inner.update(packed[1])
        outer = opad.copy()
        outer.update(inner.digest())
        mac = outer.digest()
        value = UNPACK_U32(mac, mac[-1] & 0x0F)[0] & 0x7FFFFFFF
        behind = _compare_digest((value % modulus).to_bytes(5), wanted)
        inner = ipad.copy()  # step
        inner.update(packed[2])
        outer = opad.copy()
        outer.update(inner.digest())
        mac = outer.digest()
        value = UNPACK_U32(mac, mac[-1] & 0x0F)[0] & 0x7FFFFFFF
        on_time = _compare_digest((value % modulus).to_bytes(5), wanted)
        inner = ipad.copy()  # step + 1
        inner.update(packed[3])
        outer = opad.copy()
        outer.update(inner.digest())
        mac = outer.digest()
        value = UNPACK_U32(mac, mac[-1] & 0x0F)[0] & 0x7FFFFFFF
        ahead = _compare_digest((value % modulus).to_bytes(5), wanted)
        found: list[int] = []
        if behind:
            found.append(step - 1)
        if on_time:
            found.append(step)
        if ahead:
            found.append(step + 1)
        return found


#: The packed counters of ``step - 1, step, step + 1`` for the last step verified (public
#: values shared by every key; see :meth:`PreparedMAC.matches_around`).
_around: tuple[int, bytes, bytes, bytes] = (-1, b"", b"", b"")
