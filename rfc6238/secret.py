"""Shared secrets: generation (RFC 6238 §5.1, RFC 4226 §4 R6) and a value that hides itself.

A :class:`Secret` holds key bytes and never shows them: ``repr``, ``str``, f-strings, logs
and notebook displays print a masked form. Reading the key takes an explicit
:meth:`Secret.reveal` or :meth:`Secret.reveal_base32` (RFC 4226 §7.5: protect the secret).

>>> s = Secret.from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
>>> s
Secret(<20 bytes, hidden>)
>>> s.reveal()
b'12345678901234567890'
"""

from __future__ import annotations

import hmac
import secrets

from . import base32
from ._checks import DIGEST_SIZES, MIN_KEY_BYTES, check_algorithm, check_bool, check_int, to_bytes
from .errors import InvalidParameter, InvalidType, SecretTooShort

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from typing import Final, NoReturn, TypeAlias

__all__ = [
    "MIN_KEY_BYTES",
    "HiddenBytes",
    "KeyLike",
    "Secret",
    "Unpicklable",
    "check_key",
    "generate_secret",
]

#: Largest secret :func:`generate_secret` makes (the SHA-512 block size, RFC 2104).
MAX_GENERATED_BYTES: Final = 128


class Secret:
    """Key bytes that never reveal themselves by accident.

    Equality is constant-time (:func:`hmac.compare_digest`); secrets are not hashable, so they
    cannot end up as dict keys in a log.
    """

    __slots__ = ("_key",)
    _key: bytes

    def __init__(self, key: bytes | bytearray | memoryview) -> None:
        """Wrap key bytes.

        Raises:
            InvalidType: ``key`` is not bytes-like (use :meth:`from_base32` for text).
            SecretTooShort: ``key`` is empty.
        """
        if not isinstance(key, bytes | bytearray | memoryview):
            raise InvalidType(
                f"Secret takes bytes, not {type(key).__name__}; use Secret.from_base32 for text"
            )
        raw = to_bytes(key, "key")
        if not raw:
            raise SecretTooShort("key must not be empty")
        object.__setattr__(self, "_key", raw)

    @classmethod
    def from_base32(cls, text: str, *, strict: bool = False) -> Secret:
        """Decode a base32 secret (see :func:`rfc6238.base32.decode` for the two modes)."""
        return cls(base32.decode(text, strict=strict))

    @classmethod
    def generate(cls, nbytes: int | None = None) -> Secret:
        """Make a new random secret; see :func:`generate_secret`."""
        return generate_secret(nbytes)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __len__(self) -> int:
        return len(self._key)

    def reveal(self) -> bytes:
        """Return the key bytes. This is the explicit step that shows the secret."""
        return self._key

    def reveal_base32(self) -> str:
        """Return the key as unpadded upper-case base32, as authenticator apps expect."""
        return base32.encode(self._key)

    def __repr__(self) -> str:
        return f"Secret(<{len(self._key)} bytes, hidden>)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        try:
            return format(repr(self), spec)
        except ValueError as err:
            raise InvalidType("a Secret formats only as masked text (e.g. f'{s:>40}')") from err

    def _repr_html_(self) -> str:
        return (
            f"<code>Secret</code> <span title='call .reveal() to see it'>"
            f"&lt;{len(self._key)} bytes, {8 * len(self._key)} bits, hidden&gt;</span>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._key, other._key)

    __hash__ = None  # type: ignore[assignment]  # secrets must not be hashed into sets/dicts

    def __reduce__(self) -> str:
        # Pickling would copy the key out of sight of the caller; refuse it explicitly.
        raise InvalidType("Secret cannot be pickled; store Secret.reveal() encrypted instead")


KeyLike: TypeAlias = bytes | bytearray | memoryview | Secret


class Unpicklable:
    """Mixin for values that hold a secret: pickling and copying raise :class:`InvalidType`.

    :func:`copy.copy`, :func:`copy.deepcopy` (and so :func:`dataclasses.asdict`) and
    :mod:`pickle` would carry the key out of sight of the caller.
    """

    __slots__ = ()

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise InvalidType(
            "a value holding a secret cannot be pickled or copied; "
            "store its key encrypted (see rfc6238.service) instead"
        )

    def __copy__(self) -> NoReturn:
        self.__reduce_ex__(None)

    def __deepcopy__(self, memo: object) -> NoReturn:
        self.__reduce_ex__(None)


class HiddenBytes(Unpicklable, bytes):
    """Key bytes held by a value object (:class:`~rfc6238.KeyURI`, a migration account).

    It is ``bytes`` for every computation, but its ``repr``/``str`` are masked and, like the
    value holding it, it refuses pickling and copying (:class:`Unpicklable`).
    ``bytes(value)`` is the explicit way to get a plain copy.

    >>> HiddenBytes(b"12345678901234567890")
    <20 bytes, hidden>
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} bytes, hidden>"

    __str__ = __repr__


def generate_secret(nbytes: int | None = None, *, algorithm: str | None = None) -> Secret:
    """Generate a random shared secret with :mod:`secrets` (RFC 6238 §5.1, RFC 4226 §4 R6).

    Args:
        nbytes: Key length in bytes: at least 16 (128 bits); 20 by default (160 bits, the
            RFC 4226 recommendation and the SHA-1 output size).
        algorithm: Instead of ``nbytes``, use that hash's output size (20, 32 or 64 bytes).

    Returns:
        A new :class:`Secret`.

    Raises:
        InvalidParameter: ``nbytes`` is below 16 or above 128, or both ``nbytes`` and
            ``algorithm`` are given.

    >>> len(generate_secret()), len(generate_secret(algorithm="SHA512"))
    (20, 64)
    """
    if algorithm is not None:
        if nbytes is not None:
            raise InvalidParameter("give nbytes or algorithm, not both")
        nbytes = DIGEST_SIZES[check_algorithm(algorithm)]
    nbytes = 20 if nbytes is None else check_int(nbytes, "nbytes")
    if not 16 <= nbytes <= MAX_GENERATED_BYTES:
        raise InvalidParameter(f"nbytes must be between 16 and {MAX_GENERATED_BYTES}")
    return Secret(secrets.token_bytes(nbytes))


def check_key(key: KeyLike | object, *, min_bytes: int = 1, allow_short_key: bool = False) -> bytes:
    """Return the key bytes from ``bytes``/``bytearray``/``memoryview``/:class:`Secret`.

    Text is never accepted: base32 becomes bytes only through the secret helpers.
    ``min_bytes`` is the policy (16 for verification, RFC 4226 §4 R6); with
    ``allow_short_key`` any non-empty key passes.
    """
    check_bool(allow_short_key, "allow_short_key")
    if isinstance(key, bytes | bytearray | memoryview):
        raw = to_bytes(key, "key")
    elif isinstance(key, Secret):
        raw = key.reveal()
    else:
        hint = (
            " (decode base32 text with rfc6238.Secret.from_base32)" if isinstance(key, str) else ""
        )
        raise InvalidType(f"key must be bytes, not {type(key).__name__}{hint}")
    if not raw:
        raise SecretTooShort("key must not be empty")
    if not allow_short_key and len(raw) < min_bytes:
        raise SecretTooShort(
            f"key must be at least {min_bytes} bytes (RFC 4226 §4 R6); "
            f"got {len(raw)} bytes; pass allow_short_key=True for legacy keys"
        )
    return raw
