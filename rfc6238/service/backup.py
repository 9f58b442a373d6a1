"""Backup codes: generate, normalise, hash and check (NIST SP 800-63B look-up secrets).

The pure, stateless half of backup codes (the stored, single-use half is the service's).
NIST SP 800-63B-3 §5.1.2 / 800-63B-4 §3.1.2 treat backup codes as *look-up secrets*: they
must come from an approved random generator with at least 64 bits of entropy (rev 4), and,
below 112 bits, be stored salted and hashed with a key derivation function (salt >= 32 bits).

* **Format**: 16 Crockford base32 characters (80 random bits from :mod:`secrets`), shown as
  ``XXXX-XXXX-XXXX-XXXX``. Crockford's alphabet has no ``I``, ``L``, ``O`` or ``U``, so the
  codes survive being read aloud or copied by hand.
* **Input**: bounded length, ASCII only, ``-`` and spaces dropped, upper-cased, ``O`` read as
  ``0`` and ``I``/``L`` as ``1``, then exactly 16 alphabet characters, else
  :class:`~rfc6238.errors.MalformedToken`.
* **Storage**: ``scrypt$n=4096,r=8,p=1$<salt>$<hash>`` (unpadded base64): a 128-bit salt per
  code and the parameters written beside the hash, so they can be raised later without
  breaking stored codes. :func:`check_backup_code` compares in constant time.

>>> canonical = normalize_backup_code("k7fq-3m9x t2vr-8hpw")
>>> canonical, format_backup_code(canonical)
('K7FQ3M9XT2VR8HPW', 'K7FQ-3M9X-T2VR-8HPW')
>>> stored = hash_backup_code("K7FQ-3M9X-T2VR-8HPW", params=ScryptParams(n=1024))
>>> stored.startswith("scrypt$n=1024,r=8,p=1$")
True
>>> check_backup_code("k7fq 3m9x t2vr 8hpw", stored), check_backup_code("K7FQ3M9XT2VR8HPX", stored)
(True, False)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from .._checks import check_int
from ..errors import InvalidEncoding, InvalidParameter, InvalidType, MalformedToken

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_SCRYPT",
    "ScryptParams",
    "check_backup_code",
    "format_backup_code",
    "generate_backup_code",
    "generate_backup_codes",
    "hash_backup_code",
    "normalize_backup_code",
    "parse_backup_hash",
]

#: Crockford's base32 alphabet: digits and upper-case letters without I, L, O, U.
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Characters per code: 16 x 5 bits = 80 random bits (63B-4 asks for at least 64).
CODE_LENGTH: Final = 16
#: Longest input looked at: room for separators, and a bound on work for hostile input.
MAX_INPUT_LENGTH: Final = 64
#: Bounds on one scrypt call (see :class:`ScryptParams`).
MAX_SCRYPT_MEMORY: Final = 32 * 2**20
MAX_SCRYPT_WORK: Final = 2**18
#: Longest stored hash accepted (the parameters, a salt and a hash fit in far less).
MAX_STORED_LENGTH: Final = 200
_SALT_BYTES: Final = 16
_HASH_BYTES: Final = 32
_READ_AS: Final = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
_ALPHABET_SET: Final = frozenset(ALPHABET)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScryptParams:
    """scrypt cost parameters (RFC 7914 §2): ``n`` CPU/memory cost, ``r`` block size, ``p``.

    The default ``n=2**12, r=8, p=1`` uses 4 MiB and about 15 ms per hash. The codes are
    80-bit random values, not passwords: a stolen table costs 2**79 scrypt calls per code
    on average, so the work factor only has to make the hash a KDF (as 63B asks for secrets
    below 112 bits), not to stretch a guessable secret. Bounds, checked here, so at
    configuration and again for every parameter string read from a stored hash: ``n`` a
    power of two in 2**10..2**16, ``r`` 1..16, ``p`` 1..4, memory ``128 * n * r`` at most
    32 MiB and work ``n * r * p`` at most 8 times the default (about 0.1 s per hash), so a
    tampered row cannot make one attempt cost seconds or a gigabyte.

    >>> ScryptParams(n=2**16, r=16)
    Traceback (most recent call last):
      ...
    rfc6238.errors.InvalidParameter: scrypt memory 128 * n * r must be at most 32 MiB
    """

    n: int = 2**12
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        n = check_int(self.n, "n")
        if n < 2**10 or n > 2**16 or n & (n - 1):
            raise InvalidParameter("scrypt n must be a power of two between 2**10 and 2**16")
        r, p = check_int(self.r, "r"), check_int(self.p, "p")
        if not 1 <= r <= 16:
            raise InvalidParameter("scrypt r must be between 1 and 16")
        if not 1 <= p <= 4:
            raise InvalidParameter("scrypt p must be between 1 and 4")
        if 128 * n * r > MAX_SCRYPT_MEMORY:
            raise InvalidParameter("scrypt memory 128 * n * r must be at most 32 MiB")
        if n * r * p > MAX_SCRYPT_WORK:
            raise InvalidParameter("scrypt work n * r * p must be at most 2**18")

    def encode(self) -> str:
        """The parameter string stored before the salt, e.g. ``'scrypt$n=4096,r=8,p=1'``."""
        return f"scrypt$n={self.n},r={self.r},p={self.p}"

    def derive(self, canonical: str, salt: bytes) -> bytes:
        """scrypt of an already normalised code under ``salt``."""
        return hashlib.scrypt(
            canonical.encode("ascii"),
            salt=salt,
            n=self.n,
            r=self.r,
            p=self.p,
            dklen=_HASH_BYTES,
            maxmem=128 * self.r * (self.n + self.p + 2) + 2**20,
        )


#: The parameters new hashes use.
DEFAULT_SCRYPT: Final = ScryptParams()


def generate_backup_code() -> str:
    """Return one new code, ``XXXX-XXXX-XXXX-XXXX``: 80 bits from :mod:`secrets`.

    >>> len(normalize_backup_code(generate_backup_code()))
    16
    """
    return format_backup_code("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))


def generate_backup_codes(count: int = 10) -> list[str]:
    """Return ``count`` distinct new codes (1..100; 10 is the usual set).

    >>> len(set(generate_backup_codes(10)))
    10
    """
    count = check_int(count, "count")
    if not 1 <= count <= 100:
        raise InvalidParameter("count must be between 1 and 100")
    codes: dict[str, None] = {}
    while len(codes) < count:  # a repeat has probability ~2**-74; drop it anyway
        codes[generate_backup_code()] = None
    return list(codes)


def format_backup_code(canonical: str) -> str:
    """Group a normalised 16-character code as ``XXXX-XXXX-XXXX-XXXX`` for display.

    >>> format_backup_code("0123456789ABCDEF")
    '0123-4567-89AB-CDEF'
    """
    canonical = normalize_backup_code(canonical)
    return "-".join(canonical[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_backup_code(text: str) -> str:
    """Return the canonical 16-character form of a typed code.

    Drops ``-`` and spaces, upper-cases, reads ``O`` as ``0`` and ``I``/``L`` as ``1``. The
    ASCII check comes before upper-casing (``'\\u0131'.upper() == 'I'``).

    Raises:
        InvalidType: ``text`` is not a str.
        MalformedToken: too long, not ASCII, or not 16 Crockford characters afterwards.

    >>> normalize_backup_code("o1il-2345 6789-abcd")
    '011123456789ABCD'
    """
    if not isinstance(text, str):
        raise InvalidType(f"backup code must be a str, not {type(text).__name__}")
    if len(text) > MAX_INPUT_LENGTH or not text.isascii():
        raise MalformedToken(
            f"backup code must be {MAX_INPUT_LENGTH} ASCII characters at most, got {len(text)}"
            + ("" if text.isascii() else ", not all ASCII")
        )
    canonical = text.upper().translate(_READ_AS)
    if len(canonical) != CODE_LENGTH or not _ALPHABET_SET.issuperset(canonical):
        raise MalformedToken(
            f"backup code must be {CODE_LENGTH} Crockford base32 characters (dashes optional)"
        )
    return canonical


def hash_backup_code(
    code: str, *, params: ScryptParams = DEFAULT_SCRYPT, salt: bytes | None = None
) -> str:
    """Hash a code for storage: ``scrypt$n=..,r=..,p=..$<salt>$<hash>`` (unpadded base64).

    Args:
        code: The code as shown or typed (normalised first).
        params: scrypt cost; :data:`DEFAULT_SCRYPT` unless you measured a better one.
        salt: For tests only; a new 16-byte random salt by default.

    >>> hash_backup_code("0123-4567-89AB-CDEF", params=ScryptParams(n=1024), salt=bytes(16))[:45]
    'scrypt$n=1024,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$'
    """
    canonical = normalize_backup_code(code)
    if salt is None:
        salt = secrets.token_bytes(_SALT_BYTES)
    elif not isinstance(salt, bytes) or len(salt) < 4:
        raise InvalidParameter("salt must be at least 4 bytes (63B: 32 bits)")
    digest = params.derive(canonical, salt)
    return f"{params.encode()}${_b64(salt)}${_b64(digest)}"


def parse_backup_hash(stored: str) -> tuple[ScryptParams, bytes, bytes]:
    """Split a stored hash into its parameters, salt and digest, checking every part.

    >>> parse_backup_hash("scrypt$n=1024,r=8,p=1$AAAAAA$" + "A" * 43)[0]
    ScryptParams(n=1024, r=8, p=1)
    """
    if not isinstance(stored, str):
        raise InvalidType(f"stored hash must be a str, not {type(stored).__name__}")
    if len(stored) > MAX_STORED_LENGTH or not stored.isascii():
        raise InvalidEncoding("stored backup code hash is too long or not ASCII")
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != "scrypt":
        raise InvalidEncoding("stored backup code hash must be 'scrypt$params$salt$hash'")
    try:
        fields = dict(item.split("=", 1) for item in parts[1].split(","))
        digits = frozenset("0123456789")
        if sorted(fields) != ["n", "p", "r"] or not all(
            0 < len(v) <= 8 and digits.issuperset(v) for v in fields.values()
        ):
            raise ValueError(parts[1])
        params = ScryptParams(n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"]))
        salt, digest = _unb64(parts[2]), _unb64(parts[3])
    except (ValueError, binascii.Error) as err:
        raise InvalidEncoding("stored backup code hash has bad parameters or base64") from err
    if len(salt) < 4 or len(digest) != _HASH_BYTES:
        raise InvalidEncoding("stored backup code hash has a bad salt or hash length")
    return params, salt, digest


def check_backup_code(code: str, stored: str) -> bool:
    """True if ``code`` (as typed) is the code behind ``stored``; constant-time compare.

    Raises:
        MalformedToken: ``code`` is not a well-formed backup code.
        InvalidEncoding: ``stored`` is not a hash made by :func:`hash_backup_code`.

    >>> check_backup_code("0123-4567-89AB-CDEF", hash_backup_code("0123456789abcdef",
    ...     params=ScryptParams(n=1024)))
    True
    """
    return check_normalized(normalize_backup_code(code), stored)


def check_normalized(canonical: str, stored: str) -> bool:
    """Like :func:`check_backup_code` for a code already passed through normalisation."""
    params, salt, digest = parse_backup_hash(stored)
    return hmac.compare_digest(params.derive(canonical, salt), digest)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
