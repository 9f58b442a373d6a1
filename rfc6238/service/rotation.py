"""Key checks at start-up and key rotation for the stored secrets (ASVS 5.0 11.x, 13.3).

* **Key check values**: for every key id in the ring the store keeps one envelope of a
  known constant. Opening the service decrypts each: a wrong key for an id fails loudly
  (:class:`~rfc6238.errors.KeyringError`) before any user is touched; a new id gets its
  check value written. Rows sealed under an id missing from the ring also fail the start.
* **Rotation without downtime**: (1) add the new key as decrypt-only everywhere; (2) make it
  active; (3) :func:`rotate_keys` re-encrypts rows in batches, each row with a compare-and-swap
  ``UPDATE ... WHERE secret = :old`` so a concurrent change is never overwritten, then
  reports the rows still on other keys; (4) retire the old key when none remain.

>>> import os, tempfile
>>> from rfc6238.service.sqlite_store import SQLiteStore
>>> store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "keys.db"))
>>> ring = KeyRing({1: bytes(32)})
>>> check_keys(store, ring, 0)
>>> check_keys(store, KeyRing({1: bytes(range(32))}), 0)
Traceback (most recent call last):
  ...
rfc6238.errors.KeyringError: key check failed for key id 1: not the key this database uses
>>> rotate_keys(store, ring.with_key(2, bytes(range(32)), activate=True), batch_size=10, now=0)
RotationReport(active_key_id=2, reencrypted=0, remaining={}, undecryptable=())
>>> store.close()
"""

from __future__ import annotations

from typing import Final

from .._checks import check_int
from ..errors import DecryptionError, InvalidParameter, KeyringError
from .audit import AuditEvent
from .envelope import Binding, open_envelope, seal
from .keyring import KeyRing
from .results import RotationReport
from .store import CredentialRow, TwoFactorStore

__all__ = ["check_keys", "credential_binding", "rotate_keys"]

_KEY_CHECK: Final = b"rfc6238 key check value, version 1"


def credential_binding(cred: CredentialRow) -> Binding:
    """Where a credential's secret lives: its user and credential id (table/column default)."""
    return Binding(user_id=cred.user_id, credential_id=cred.id)


def _check_binding(key_id: int) -> Binding:
    return Binding(
        user_id="",
        credential_id=str(key_id),
        purpose="key-check",
        table="key_checks",
        column="envelope",
    )


def check_keys(store: TwoFactorStore, ring: KeyRing, now: int) -> None:
    """Verify (or record) the key check value of every key in ``ring``.

    Raises:
        KeyringError: a key is not the one the database was written with, or some
            secrets are sealed under a key id that is not in the ring.
    """
    fresh = {i: seal(ring, _KEY_CHECK, _check_binding(i), key_id=i) for i in ring.key_ids}
    stored = store.ensure_key_checks(fresh, now)
    for key_id in ring.key_ids:
        try:
            plain = open_envelope(ring, stored[key_id], _check_binding(key_id))
        except KeyringError:
            raise
        except Exception as err:
            raise KeyringError(
                f"key check failed for key id {key_id}: not the key this database uses"
            ) from err
        if plain != _KEY_CHECK:
            raise KeyringError(f"key check failed for key id {key_id}")
    missing = sorted(set(store.count_by_key()) - set(ring.key_ids))
    if missing:
        raise KeyringError(f"secrets are sealed under key ids {missing}, not in the ring")


def rotate_keys(
    store: TwoFactorStore, ring: KeyRing, *, batch_size: int, now: int
) -> RotationReport:
    """Re-encrypt every secret under ``ring.active`` in batches; see the module docstring.

    A row changed between read and swap is skipped by its compare-and-swap and read again
    in the next batch. A row that cannot be decrypted is audited (``undecryptable``), left
    where it is and reported; every other row is still moved. Audited as one
    ``key_rotation`` event with the number of rows moved.
    """
    batch_size = check_int(batch_size, "batch_size")
    if not 1 <= batch_size <= 10_000:
        raise InvalidParameter("batch_size must be between 1 and 10000")
    active, moved = ring.active, 0
    broken: list[str] = []
    while rows := store.credentials_not_on_key(active, limit=batch_size, skip=broken):
        swaps = []
        for row in rows:
            where = credential_binding(row)
            try:
                plain = open_envelope(ring, row.secret, where)
            except (DecryptionError, KeyringError):  # tampered, or a key not in the ring
                broken.append(row.id)
                store.append_audit(
                    [
                        AuditEvent(
                            at=now, event="undecryptable", user_id=row.user_id, credential_id=row.id
                        )
                    ]
                )
                continue
            swaps.append((row, seal(ring, plain, where), active))
        swapped = store.swap_secrets(swaps) if swaps else 0
        moved += swapped
        if swaps and not swapped:
            break  # every row changed under us: the next run picks them up
    remaining = {k: n for k, n in store.count_by_key().items() if k != active}
    store.append_audit([AuditEvent(at=now, event="key_rotation", user_id=None, count=moved)])
    return RotationReport(
        active_key_id=active, reencrypted=moved, remaining=remaining, undecryptable=tuple(broken)
    )
