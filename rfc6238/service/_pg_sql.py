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
from .store import ThrottleRule

__all__ = [
    "AUDIT_INSERT",
    "CLAIM_BACKUP",
    "CLAIM_STEP",
    "CRED",
    "LOAD_ACCOUNT",
    "RECORD_FAILURE",
    "UNLOCK",
    "audit_params",
    "rule_params",
]

CRED: Final = (
    "{p}.id, {p}.user_id, {p}.state, {p}.secret, {p}.key_id, {p}.digits, {p}.period, "
    "{p}.algorithm, {p}.t0, {p}.last_step, {p}.drift, {p}.created_at, {p}.confirmed_at, {p}.kind"
)
LOAD_ACCOUNT: Final = (
    f"SELECT a.user_id, a.failures, a.last_failure_at, {CRED.format(p='c')}, "
    f"{CRED.format(p='p')} FROM accounts a "
    "LEFT JOIN credentials c ON c.user_id = a.user_id AND c.state = 'active' "
    "LEFT JOIN credentials p ON p.user_id = a.user_id AND p.state = 'pending' "
    "WHERE a.user_id = %(user)s"
)

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

# The throttle as SQL on the locked account row, from the rule's own delays (so the policy
# has one definition, ThrottleRule.delay): allowed iff failures < max and the delay for
# that many failures is 0 or has passed since the last failure (ThrottleRule.retry_after).
_ALLOWED: Final = (
    "SELECT 1 FROM acct WHERE acct.failures < %(max)s AND "
    "((%(delays)s::bigint[])[acct.failures + 1] = 0 OR COALESCE(acct.last_failure_at, 0) "
    "+ (%(delays)s::bigint[])[acct.failures + 1] <= %(now)s)"
)
_CLAIM: Final = (
    "WITH acct AS (SELECT failures, last_failure_at FROM accounts "
    "WHERE user_id = %(user)s FOR UPDATE), "
    f"allowed AS ({_ALLOWED}), "
    "claim AS ({claim} AND EXISTS (SELECT 1 FROM allowed) RETURNING 1), "
    "reset AS (UPDATE accounts SET failures = 0 WHERE user_id = %(user)s AND failures > 0 "
    "AND EXISTS (SELECT 1 FROM claim) RETURNING 1), "
    "audit AS ("
    + AUDIT_INSERT.format(where="WHERE EXISTS (SELECT 1 FROM claim)")
    + " RETURNING 1) "
    "SELECT EXISTS (SELECT 1 FROM allowed), EXISTS (SELECT 1 FROM claim)"
)
#: Replay claim (RFC 6238 §5.2) + throttle re-check + failure reset + audit: one statement.
CLAIM_STEP: Final = _CLAIM.format(
    claim="UPDATE credentials SET last_step = %(step)s, drift = %(drift)s "
    "WHERE id = %(id)s AND state = 'active' AND last_step < %(step)s"
)
#: Single use of a backup code + throttle re-check + failure reset + audit: one statement.
CLAIM_BACKUP: Final = _CLAIM.format(
    claim="UPDATE backup_codes SET used_at = %(now)s WHERE id = %(id)s AND used_at IS NULL"
)
#: One failure counted atomically, its event (with the count after) and, when this failure
#: reaches the lock threshold, a ``lockout`` event: one statement.
RECORD_FAILURE: Final = (
    "WITH bump AS (UPDATE accounts SET failures = failures + 1, last_failure_at = %(now)s "
    "WHERE user_id = %(user)s RETURNING failures), "
    f"ev AS (SELECT at, event, user_id, credential_id, factor, outcome, step_offset, "
    f"(SELECT failures FROM bump) AS failures, count, n FROM {_EVENTS} "
    "UNION ALL SELECT %(now)s, 'lockout', %(user)s, NULL, NULL, NULL, NULL, failures, NULL, "
    "2147483647 FROM bump WHERE failures = %(max)s), "
    f"audit AS (INSERT INTO audit_log ({_AUDIT_COLUMNS}) SELECT {_AUDIT_COLUMNS} FROM ev "
    "ORDER BY n RETURNING 1) "
    "SELECT failures FROM bump"
)
#: The authorised reset of the failure count, audited: one statement.
UNLOCK: Final = (
    "WITH u AS (UPDATE accounts SET failures = 0 WHERE user_id = %(user)s RETURNING 1), "
    "audit AS (" + AUDIT_INSERT.format(where="WHERE EXISTS (SELECT 1 FROM u)") + " RETURNING 1) "
    "SELECT EXISTS (SELECT 1 FROM u)"
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
