"""The two-factor service (layer 4): enrollment, verification with replay protection and
throttling, backup codes, secrets encrypted at rest and an audit log (RFC 6238, RFC 4226).

Needs the ``storage`` extra (``cryptography``), imported when a key ring is used. The modules:
:mod:`~rfc6238.service.twofactor` (the :class:`TwoFactor` facade), ``policy``, ``results``,
``backup``, ``audit``, ``envelope``, ``keyring``, ``rotation``, ``store`` (the interface)
and ``sqlite_store`` (the embedded default). This package uses the core only.
"""

from __future__ import annotations

from .audit import AuditEvent
from .keyring import KeyRing
from .policy import Policy
from .results import BackupCodes, BackupCodeUse, Enrollment, RotationReport, Status, Verification
from .sqlite_store import SQLiteStore
from .store import TwoFactorStore
from .twofactor import TwoFactor

__all__ = [
    "AuditEvent",
    "BackupCodeUse",
    "BackupCodes",
    "Enrollment",
    "KeyRing",
    "Policy",
    "RotationReport",
    "SQLiteStore",
    "Status",
    "TwoFactor",
    "TwoFactorStore",
    "Verification",
]
