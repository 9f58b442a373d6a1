"""PostgreSQL schema of the two-factor store, as numbered migrations (see ``_pg_conn``).

The tables live in their own PostgreSQL schema (``rfc6238`` by default, so that ``accounts``
cannot clash with an application's tables); ``schema_version`` holds one row, the number of
migrations applied, like SQLite's ``user_version``. Migration ``i`` takes the database from
version ``i`` to ``i + 1``; all pending ones run in one transaction under an advisory lock,
so concurrent openers wait for each other and a crash leaves the old version. DDL runs only
when the version is behind: an application role with DML rights alone can open a migrated
database. Statements are templates: ``{schema}`` is the quoted schema name.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "VERSION_TABLE"]

VERSION_TABLE: Final = "schema_version"

# An envelope, version 1: 0x01 || key id (4) || nonce (12) || ciphertext || tag (16).
_ENVELOPE: Final = "octet_length({col}) >= 33 AND get_byte({col}, 0) = 1"

_V1: Final = (
    """CREATE TABLE {schema}.accounts (
        user_id text PRIMARY KEY,
        failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        last_failure_at bigint,
        created_at bigint NOT NULL
    )""",
    f"""CREATE TABLE {{schema}}.credentials (
        id text PRIMARY KEY,
        user_id text NOT NULL REFERENCES {{schema}}.accounts (user_id),
        kind text NOT NULL DEFAULT 'totp' CHECK (kind IN ('totp', 'hotp')),
        state text NOT NULL CHECK (state IN ('pending', 'active', 'disabled')),
        secret bytea NOT NULL CHECK ({_ENVELOPE.format(col="secret")}),
        key_id bigint NOT NULL,
        digits integer NOT NULL CHECK (digits BETWEEN 6 AND 10),
        period integer NOT NULL CHECK (period > 0),
        algorithm text NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
        t0 bigint NOT NULL,
        last_step bigint NOT NULL DEFAULT -1,
        drift integer NOT NULL DEFAULT 0,
        created_at bigint NOT NULL,
        confirmed_at bigint,
        disabled_at bigint
    )""",
    "CREATE UNIQUE INDEX credentials_one_active ON {schema}.credentials (user_id) "
    "WHERE state = 'active'",
    "CREATE UNIQUE INDEX credentials_one_pending ON {schema}.credentials (user_id) "
    "WHERE state = 'pending'",
    "CREATE INDEX credentials_key_id ON {schema}.credentials (key_id)",
    """CREATE TABLE {schema}.backup_codes (
        id text PRIMARY KEY,
        credential_id text NOT NULL REFERENCES {schema}.credentials (id),
        position integer NOT NULL,
        code_hash text NOT NULL,
        used_at bigint
    )""",
    "CREATE INDEX backup_codes_credential ON {schema}.backup_codes (credential_id, position)",
    f"""CREATE TABLE {{schema}}.key_checks (
        key_id bigint PRIMARY KEY,
        envelope bytea NOT NULL CHECK ({_ENVELOPE.format(col="envelope")}),
        created_at bigint NOT NULL
    )""",
    """CREATE TABLE {schema}.audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at bigint NOT NULL,
        event text NOT NULL,
        user_id text,
        credential_id text,
        factor text,
        outcome text,
        step_offset integer,
        failures integer,
        count integer
    )""",
    "CREATE INDEX audit_log_user ON {schema}.audit_log (user_id, id)",
    """CREATE FUNCTION {schema}.audit_log_append_only() RETURNS trigger
       LANGUAGE plpgsql SET search_path = pg_catalog AS $$
       BEGIN
           RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
       END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON {schema}.audit_log
       FOR EACH ROW EXECUTE FUNCTION {schema}.audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {schema}.audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_log_append_only()""",
)

# Version 2: many named devices per user (one active and one pending per device name),
# backup codes per user, the time each credential was last used.
_V2: Final = (
    "ALTER TABLE {schema}.credentials ADD COLUMN device text NOT NULL DEFAULT 'default'",
    "ALTER TABLE {schema}.credentials ADD COLUMN last_used_at bigint",
    "DROP INDEX {schema}.credentials_one_active",
    "DROP INDEX {schema}.credentials_one_pending",
    "CREATE UNIQUE INDEX credentials_one_active ON {schema}.credentials (user_id, device) "
    "WHERE state = 'active'",
    "CREATE UNIQUE INDEX credentials_one_pending ON {schema}.credentials (user_id, device) "
    "WHERE state = 'pending'",
    "ALTER TABLE {schema}.backup_codes ADD COLUMN user_id text "
    "REFERENCES {schema}.accounts (user_id)",
    "UPDATE {schema}.backup_codes b SET user_id = c.user_id FROM {schema}.credentials c "
    "WHERE c.id = b.credential_id",
    "ALTER TABLE {schema}.backup_codes ALTER COLUMN user_id SET NOT NULL",
    "ALTER TABLE {schema}.backup_codes DROP COLUMN credential_id",
    "CREATE INDEX backup_codes_user ON {schema}.backup_codes (user_id, position)",
)

#: Statements per migration; ``schema_version.version`` counts the ones applied.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (_V1, _V2)
SCHEMA_VERSION: Final = len(MIGRATIONS)
