"""A key ring for the AES-256-GCM secret envelope: key ids, one active key, no key in the DB.

RFC 6238 §5.1 asks that shared secrets be stored securely, "encrypted ... and decrypted
only when needed"; ASVS 5.0 (11.x, 13.3) asks for keys held outside the data they protect
and for rotation. The ring holds 32-byte keys (AES-256) under numeric ids 1..2**32-1; one is
*active* (new envelopes use it), the others only decrypt, which is how keys rotate.

Keys come from outside the database: an environment variable or a key file, in one format::

    RFC6238_KEYS="1:<base64 of 32 bytes>,*2:<base64 of 32 bytes>"

Entries are ``id:base64`` separated by commas or new lines (``#`` starts a comment in a file);
the active entry is marked with ``*`` (optional when there is only one key). Keys must be
exactly 32 bytes: AESGCM silently accepts 16- and 24-byte keys, so those are refused here.
Key material never appears in ``repr``, ``str`` or error messages.

``cryptography`` (the ``storage`` extra) is imported only when a key is first used.

>>> ring = KeyRing({1: bytes(32), 2: bytes(range(32))}, active=2)
>>> ring
KeyRing(key_ids=[1, 2], active=2)
>>> KeyRing.parse(ring.reveal_spec()).key_ids
(1, 2)
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .._checks import check_int
from .._optional import require
from ..errors import InvalidType, KeyringError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["KEY_BYTES", "MAX_KEY_ID", "KeyRing", "require_cryptography"]

#: AES-256: exactly 32 bytes.
KEY_BYTES: Final = 32
#: Key ids are written as 4 big-endian bytes in the envelope header.
MAX_KEY_ID: Final = 2**32 - 1
_MAX_SPEC_LENGTH: Final = 64 * 1024
_FEATURE: Final = "encrypted secret storage"


def require_cryptography() -> None:
    """Raise :class:`MissingDependency` naming the ``storage`` extra if it is missing."""
    require("cryptography.hazmat.primitives.ciphers.aead", "storage", feature=_FEATURE)


def _check_key_id(key_id: object) -> int:
    key_id = check_int(key_id, "key id")
    if not 1 <= key_id <= MAX_KEY_ID:
        raise KeyringError(f"key id must be between 1 and {MAX_KEY_ID}")
    return key_id


def _check_key(key_id: int, key: object) -> bytes:
    if isinstance(key, str):
        raise InvalidType(f"key {key_id} must be bytes, not str (decode base64 first)")
    if not isinstance(key, bytes | bytearray | memoryview):
        raise InvalidType(f"key {key_id} must be bytes, not {type(key).__name__}")
    raw = bytes(key)
    if len(raw) != KEY_BYTES:
        raise KeyringError(
            f"key {key_id} must be exactly {KEY_BYTES} bytes (AES-256); got {len(raw)} bytes"
        )
    return raw


class KeyRing:
    """Encryption keys by id, one of them active. Immutable; keys never shown.

    Args:
        keys: ``{key_id: 32 random bytes}``.
        active: The id new envelopes are sealed with (defaults to the only key).

    Raises:
        KeyringError: empty ring, id out of range, key not 32 bytes, active id missing.
        InvalidType: a key is a ``str`` or not bytes.
    """

    __slots__ = ("_active", "_aead", "_keys")

    def __init__(self, keys: Mapping[int, bytes], *, active: int | None = None) -> None:
        if not isinstance(keys, Mapping):
            raise InvalidType("keys must be a mapping of key id to 32-byte key")
        if not keys:
            raise KeyringError("a key ring needs at least one key")
        checked = {_check_key_id(i): _check_key(i, k) for i, k in keys.items()}
        if active is None:
            if len(checked) != 1:
                raise KeyringError("name the active key id when the ring has several keys")
            active = next(iter(checked))
        active = _check_key_id(active)
        if active not in checked:
            raise KeyringError(f"active key id {active} is not in the ring")
        self._keys: dict[int, bytes] = dict(sorted(checked.items()))
        self._active = active
        self._aead: dict[int, AESGCM] = {}

    @classmethod
    def generate(cls, key_id: int = 1) -> KeyRing:
        """A ring with one new random key (for tests and first set-up; keep the key!).

        >>> KeyRing.generate(7)
        KeyRing(key_ids=[7], active=7)
        """
        return cls({key_id: secrets.token_bytes(KEY_BYTES)}, active=key_id)

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Read the ``"1:<base64>,*2:<base64>"`` format (see the module docstring)."""
        if not isinstance(spec, str):
            raise InvalidType(f"key spec must be a str, not {type(spec).__name__}")
        if len(spec) > _MAX_SPEC_LENGTH or not spec.isascii():
            raise KeyringError("key spec must be ASCII and at most 64 KiB")
        keys: dict[int, bytes] = {}
        active: int | None = None
        lines = (line.split("#", 1)[0] for line in spec.splitlines())
        entries = [e.strip() for line in lines for e in line.split(",") if e.strip()]
        for number, entry in enumerate(entries, 1):
            marked = entry.startswith("*")
            name, sep, encoded = entry.removeprefix("*").partition(":")
            if not sep or not name.strip().isdigit():
                raise KeyringError(f"key spec entry {number} must look like 'id:base64'")
            key_id = _check_key_id(int(name))
            if key_id in keys:
                raise KeyringError(f"key id {key_id} appears twice in the key spec")
            try:
                text = encoded.strip().replace("-", "+").replace("_", "/")
                keys[key_id] = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
            except (binascii.Error, ValueError) as err:
                raise KeyringError(f"key {key_id} is not valid base64") from err
            if marked:
                if active is not None:
                    raise KeyringError("only one key may be marked active with '*'")
                active = key_id
        return cls(keys, active=active)

    @classmethod
    def from_env(
        cls, name: str = "RFC6238_KEYS", *, environ: Mapping[str, str] | None = None
    ) -> KeyRing:
        """Read the ring from the environment variable ``name`` (format above).

        >>> KeyRing.from_env("KEYS", environ={"KEYS": "3:" + "A" * 43}).active
        3
        """
        env = os.environ if environ is None else environ
        spec = env.get(name)
        if not spec:
            raise KeyringError(f"environment variable {name} is not set or empty")
        return cls.parse(spec)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, allow_shared_file: bool = False) -> KeyRing:
        """Read the ring from a key file (format above), which must not be group/world readable.

        Args:
            path: The key file; keep it outside the database directory and backups.
            allow_shared_file: Accept a file other users can read or write (not advised).
        """
        file = Path(path)
        try:
            info = file.stat()
            shared = os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
            if shared and not allow_shared_file:
                raise KeyringError("key file must not be accessible to group or others")
            if info.st_size > _MAX_SPEC_LENGTH:
                raise KeyringError("key file must be at most 64 KiB")
            spec = file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as err:
            raise KeyringError(f"cannot read key file: {type(err).__name__}") from err
        return cls.parse(spec)

    @property
    def active(self) -> int:
        """The id new envelopes are sealed with."""
        return self._active

    @property
    def key_ids(self) -> tuple[int, ...]:
        """All ids in the ring, ascending."""
        return tuple(self._keys)

    def with_key(self, key_id: int, key: bytes, *, activate: bool = False) -> KeyRing:
        """A new ring with ``key`` added (decrypt-only unless ``activate``)."""
        if _check_key_id(key_id) in self._keys:
            raise KeyringError(f"key id {key_id} is already in the ring; ids are never reused")
        keys = {**self._keys, key_id: key}
        return KeyRing(keys, active=key_id if activate else self._active)

    def with_active(self, key_id: int) -> KeyRing:
        """A new ring whose active key is ``key_id`` (already in the ring)."""
        return KeyRing(self._keys, active=key_id)

    def without_key(self, key_id: int) -> KeyRing:
        """A new ring without ``key_id`` (retire a key after rotation; never the active one)."""
        if key_id == self._active:
            raise KeyringError("the active key cannot be removed; activate another key first")
        return KeyRing({i: k for i, k in self._keys.items() if i != key_id}, active=self._active)

    def reveal_spec(self) -> str:
        """The ring in the ``RFC6238_KEYS`` format. Shows the keys: write it only to a vault."""
        return ",".join(
            f"{'*' if i == self._active else ''}{i}:{base64.b64encode(k).decode('ascii')}"
            for i, k in self._keys.items()
        )

    def aead(self, key_id: int) -> AESGCM:
        """The ``AESGCM`` object for ``key_id`` (created once; imports ``cryptography``).

        Raises:
            KeyringError: ``key_id`` is not in the ring.
            MissingDependency: the ``storage`` extra is not installed.
        """
        cipher = self._aead.get(key_id)
        if cipher is None:
            if key_id not in self._keys:
                raise KeyringError(f"key id {key_id} is not in the key ring")
            require_cryptography()
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            cipher = self._aead[key_id] = AESGCM(self._keys[key_id])
        return cipher

    def __repr__(self) -> str:
        return f"KeyRing(key_ids={list(self._keys)}, active={self._active})"

    __str__ = __repr__

    def __reduce__(self) -> str:
        raise InvalidType("KeyRing cannot be pickled; load it from the environment or a file")
