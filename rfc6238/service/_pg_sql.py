"""The SQL of the PostgreSQL store: each claim is one statement (see ``postgres_store``).

Tables are found through the connection's ``search_path`` (the store's schema). Audit
events travel as parallel arrays (``unnest ... WITH ORDINALITY``) so that any number of
them is appended by the same statement that makes the claim, in their order.
"""

# ruff: noqa: S608 - every statement here is assembled from constants; values are bound.
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

from .audit import AuditEvent
from .sqlite_store import _CRED_KEYS  # the column names come from the row type
from .store import ThrottleRule

__all__ = [
    "AUDIT_INSERT",
    "CLAIM_BACKUP",
    "CLAIM_STEP",
    "CRED",
    "LOAD_ACCOUNT",
    "RESERVE",
    "UNLOCK",
    "audit_params",
    "rule_params",
]

#: The credential columns, named like the row type's fields, for table alias ``{p}``.
CRED: Final = ", ".join(f"{{p}}.{name}" for name in _CRED_KEYS)


def _with_live(source: str, user: str) -> str:
    """``<credential columns> FROM source`` joined to the live credentials of ``user``: one
    row per credential (NULLs: none), in the SQLite store's order (device, state, id, bytes)."""
    return (
        f"{CRED.format(p='c')} FROM {source} LEFT JOIN credentials c ON c.user_id = {user} "
        "AND c.state IN ('active', 'pending') "
        'ORDER BY c.device COLLATE "C", c.state COLLATE "C", c.id COLLATE "C"'
    )


#: The account's throttle state and live credentials, one statement.
LOAD_ACCOUNT: Final = (
    f"SELECT a.failures, a.last_failure_at, {_with_live('accounts a', 'a.user_id')}"
).replace(" ORDER BY", " WHERE a.user_id = %(user)s ORDER BY")

_EVENTS: Final = (
    "unnest(%(a_at)s::bigint[], %(a_event)s::text[], %(a_user)s::text[], %(a_cred)s::text[], "
    "%(a_factor)s::text[], %(a_outcome)s::text[], %(a_offset)s::int[], %(a_failures)s::int[], "
    "%(a_count)s::int[]) WITH ORDINALITY AS e(at, event, user_id, credential_id, factor, "
    "outcome, step_offset, failures, count, n)"
)
_AUDIT_COLUMNS: Final = (
    "at, event, user_id, credential_id, factor, outcome, step_offset, failures, count"
)
#: Append the events given by :func:`audit_params`; ``{where}`` may make it conditional.
AUDIT_INSERT: Final = (
    f"INSERT INTO audit_log ({_AUDIT_COLUMNS}) SELECT {_AUDIT_COLUMNS} "
    f"FROM {_EVENTS} {{where}} ORDER BY n"
)
_IF_CLAIMED: Final = "WHERE EXISTS (SELECT 1 FROM claim)"

#: The throttle reservation (RFC 4226 §7.3): one conditional upsert that counts the attempt
#: only while the rule allows a guess, evaluated on the stored row; the allowed test uses the
#: rule's own delays (ThrottleRule.delay, passed as an array), so the policy has one
#: definition. Granted: the row comes back with the live credentials, read by the same
#: statement. No row: refused, nothing written.
RESERVE: Final = (
    "WITH res AS (INSERT INTO accounts AS a (user_id, failures, last_failure_at, created_at) "
    "VALUES (%(user)s, 1, %(now)s, %(now)s) ON CONFLICT (user_id) DO UPDATE SET "
    "failures = a.failures + 1, last_failure_at = %(now)s WHERE a.failures < %(max)s AND "
    "((%(delays)s::bigint[])[a.failures + 1] = 0 OR COALESCE(a.last_failure_at, 0) "
    "+ (%(delays)s::bigint[])[a.failures + 1] <= %(now)s) "
    "RETURNING a.failures, a.last_failure_at) "
    f"SELECT r.failures, r.last_failure_at, {_with_live('res r', '%(user)s')}"
)
#: Replay claim (RFC 6238 §5.2; RFC 4226 §7.2 for HOTP counters) + failure reset + audit, one
#: statement. The account row is locked first, as by every write, so writes never deadlock.
CLAIM_STEP: Final = (
    "WITH acct AS (SELECT 1 FROM accounts WHERE user_id = %(user)s FOR UPDATE), "
    "claim AS (UPDATE credentials SET last_step = %(step)s, drift = %(drift)s, "
    "last_used_at = %(now)s "
    "WHERE id = %(id)s AND state = 'active' AND last_step < %(step)s "
    "AND EXISTS (SELECT 1 FROM acct) RETURNING 1), "
    "reset AS (UPDATE accounts SET failures = 0 WHERE user_id = %(user)s AND failures <> 0 "
    f"AND EXISTS (SELECT 1 FROM claim) RETURNING 1), "
    f"audit AS ({AUDIT_INSERT.format(where=_IF_CLAIMED)} RETURNING 1) "
    "SELECT EXISTS (SELECT 1 FROM claim)"
)
#: Single use of a backup code + failure reset + the count of unused codes left + both audit
#: events, one statement; it runs after the account row was locked by an earlier statement
#: of its transaction, so its snapshot holds every other use (the count is exact).
CLAIM_BACKUP: Final = (
    "WITH claim AS (UPDATE backup_codes SET used_at = %(now)s WHERE id = %(id)s "
    "AND user_id = %(user)s AND used_at IS NULL RETURNING 1), "
    "reset AS (UPDATE accounts SET failures = 0 WHERE user_id = %(user)s AND failures <> 0 "
    "AND EXISTS (SELECT 1 FROM claim) RETURNING 1), "
    "unused AS (SELECT count(*) AS n FROM backup_codes WHERE user_id = %(user)s "
    "AND used_at IS NULL AND id <> %(id)s), "
    f"ev AS (SELECT {_AUDIT_COLUMNS}, n FROM {_EVENTS} UNION ALL "
    "SELECT %(now)s, 'backup_code_used', %(user)s, NULL, NULL, NULL, NULL, NULL, "
    "(SELECT n FROM unused), 2147483647 FROM claim), "
    f"audit AS (INSERT INTO audit_log ({_AUDIT_COLUMNS}) SELECT {_AUDIT_COLUMNS} FROM ev "
    f"{_IF_CLAIMED} ORDER BY n RETURNING 1) "
    "SELECT (SELECT n FROM unused) FROM claim"
)
#: The authorised reset of the failure count, audited: one statement.
UNLOCK: Final = (
    "WITH claim AS (UPDATE accounts SET failures = 0 WHERE user_id = %(user)s RETURNING 1), "
    f"audit AS ({AUDIT_INSERT.format(where=_IF_CLAIMED)} RETURNING 1) "
    "SELECT EXISTS (SELECT 1 FROM claim)"
)


def audit_params(events: Sequence[AuditEvent]) -> dict[str, list[Any]]:
    """The events as the parallel arrays the statements above unnest."""
    return {
        "a_at": [e.at for e in events],
        "a_event": [e.event for e in events],
        "a_user": [e.user_id for e in events],
        "a_cred": [e.credential_id for e in events],
        "a_factor": [e.factor for e in events],
        "a_outcome": [e.outcome for e in events],
        "a_offset": [e.offset for e in events],
        "a_failures": [e.failures for e in events],
        "a_count": [e.count for e in events],
    }


@lru_cache(maxsize=64)
def _delays(rule: ThrottleRule) -> tuple[int, ...]:
    return tuple(rule.delay(n) for n in range(rule.max_failures))


def rule_params(rule: ThrottleRule) -> dict[str, Any]:
    """The throttle rule as statement parameters: the lock threshold and every delay."""
    return {"max": rule.max_failures, "delays": list(_delays(rule))}
