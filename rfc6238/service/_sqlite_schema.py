"""SQLite schema of the two-factor store, as numbered migrations (``PRAGMA user_version``).

Migration ``i`` takes the database from version ``i`` to ``i + 1``; each runs inside the
same ``BEGIN IMMEDIATE`` transaction as the version bump, so a crash leaves the old version.
Tables are ``STRICT`` (SQLite 3.37+); claims use ``RETURNING`` (3.35+).
"""

from __future__ import annotations

from typing import Final

__all__ = ["MIGRATIONS", "MIN_SQLITE", "SCHEMA_VERSION"]

MIN_SQLITE: Final = (3, 37, 0)

_V1: Final = (
    """CREATE TABLE accounts (
        user_id TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
        last_failure_at INTEGER,
        created_at INTEGER NOT NULL
    ) STRICT""",
    """CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES accounts (user_id),
        kind TEXT NOT NULL DEFAULT 'totp' CHECK (kind IN ('totp', 'hotp')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'disabled')),
        secret BLOB NOT NULL,
        key_id INTEGER NOT NULL,
        digits INTEGER NOT NULL CHECK (digits BETWEEN 6 AND 10),
        period INTEGER NOT NULL CHECK (period > 0),
        algorithm TEXT NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
        t0 INTEGER NOT NULL,
        last_step INTEGER NOT NULL DEFAULT -1,
        drift INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        confirmed_at INTEGER,
        disabled_at INTEGER
    ) STRICT""",
    "CREATE UNIQUE INDEX credentials_one_active ON credentials (user_id) WHERE state = 'active'",
    "CREATE UNIQUE INDEX credentials_one_pending ON credentials (user_id) WHERE state = 'pending'",
    "CREATE INDEX credentials_key_id ON credentials (key_id)",
    """CREATE TABLE backup_codes (
        id TEXT PRIMARY KEY,
        credential_id TEXT NOT NULL REFERENCES credentials (id),
        position INTEGER NOT NULL,
        code_hash TEXT NOT NULL,
        used_at INTEGER
    ) STRICT""",
    "CREATE INDEX backup_codes_credential ON backup_codes (credential_id, position)",
    """CREATE TABLE key_checks (
        key_id INTEGER PRIMARY KEY,
        envelope BLOB NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT""",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        event TEXT NOT NULL,
        user_id TEXT,
        credential_id TEXT,
        factor TEXT,
        outcome TEXT,
        step_offset INTEGER,
        failures INTEGER,
        count INTEGER
    ) STRICT""",
    "CREATE INDEX audit_log_user ON audit_log (user_id, id)",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)

# Version 2: many named devices per user (one active and one pending per device name),
# backup codes per user, the time each credential was last used.
_V2: Final = (
    "ALTER TABLE credentials ADD COLUMN device TEXT NOT NULL DEFAULT 'default'",
    "ALTER TABLE credentials ADD COLUMN last_used_at INTEGER",
    "DROP INDEX credentials_one_active",
    "DROP INDEX credentials_one_pending",
    "CREATE UNIQUE INDEX credentials_one_active ON credentials (user_id, device) "
    "WHERE state = 'active'",
    "CREATE UNIQUE INDEX credentials_one_pending ON credentials (user_id, device) "
    "WHERE state = 'pending'",
    """CREATE TABLE backup_codes_v2 (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES accounts (user_id),
        position INTEGER NOT NULL,
        code_hash TEXT NOT NULL,
        used_at INTEGER
    ) STRICT""",
    "INSERT INTO backup_codes_v2 (id, user_id, position, code_hash, used_at) "
    "SELECT b.id, c.user_id, b.position, b.code_hash, b.used_at "
    "FROM backup_codes b JOIN credentials c ON c.id = b.credential_id",
    "DROP TABLE backup_codes",
    "ALTER TABLE backup_codes_v2 RENAME TO backup_codes",
    "CREATE INDEX backup_codes_user ON backup_codes (user_id, position)",
)

#: Statements per migration; the database's ``user_version`` counts the ones applied.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (_V1, _V2)
SCHEMA_VERSION: Final = len(MIGRATIONS)
