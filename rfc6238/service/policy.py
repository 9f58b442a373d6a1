"""The two-factor service's policy: validated once, at configuration, never per request.

Defaults follow the RFCs and NIST SP 800-63B: 6 digits, 30-second steps, SHA-1 (what every
authenticator app supports; RFC 6238 §1.2), one step of tolerance on each side (§5.2), 160-bit
secrets (RFC 4226 §4 R6), drift learning bounded to 2 steps (§6), back-off after 5 consecutive
failures doubling from 1 s to 15 min, and a hard lock at 20 (RFC 4226 §7.3; 63B-4 §3.2.2
allows at most 100), 10 backup codes (63B-4 §3.1.2).

>>> Policy()
Policy(type='totp', digits=6, period=30, algorithm='SHA1', window=(1, 1), look_ahead=10, \
resync_window=100, secret_bytes=20, max_drift=2, \
max_failures=20, backoff_after=5, backoff_base=1, backoff_max=900, backup_codes=10, \
backup_scrypt=ScryptParams(n=4096, r=8, p=1), enrollment_ttl=900)
>>> Policy(digits=9)
Traceback (most recent call last):
  ...
rfc6238.errors.InvalidParameter: policy digits must be between 6 and 8
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from .._checks import MIN_KEY_BYTES, check_algorithm, check_digits, check_int, check_window
from ..errors import InvalidParameter, InvalidType
from .backup import DEFAULT_SCRYPT, ScryptParams
from .store import OTPKind, ThrottleRule

__all__ = ["MAX_FAILURES_LIMIT", "MAX_SECRET_BYTES", "Policy"]

#: NIST SP 800-63B: no more than 100 consecutive failed attempts on one account.
MAX_FAILURES_LIMIT: Final = 100
#: Imported or generated secrets longer than this are refused (a bound on work per request).
MAX_SECRET_BYTES: Final = 64
#: Legacy keys (with ``allow_short_key``) must still be at least 80 bits.
MIN_LEGACY_KEY_BYTES: Final = 10


def _between(name: str, value: object, low: int, high: int) -> int:
    number = check_int(value, name)
    if not low <= number <= high:
        raise InvalidParameter(f"policy {name} must be between {low} and {high}")
    return number


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """How the service enrolls and verifies.

    Args:
        type: ``"totp"`` (RFC 6238, the default) or ``"hotp"`` (RFC 4226, counter-based) for
            new enrollments; stored credentials keep their own type.
        digits: Code length, 6 to 8 (9 and 10 are biased and unsupported by apps).
        period: Step size, 15 to 120 seconds.
        algorithm: ``"SHA1"``, ``"SHA256"`` or ``"SHA512"``.
        window: Steps accepted before/after the current one, ``(past, future)``, each 0..5.
            An int ``w`` is accepted at run time and stored as ``(w, w)``.
        look_ahead: HOTP: counters accepted after the expected one (RFC 4226 §7.4), 0 to 50.
        resync_window: HOTP resynchronisation: counters searched for two consecutive codes
            after the expected one (RFC 4226 §7.4), ``look_ahead`` to 1000.
        secret_bytes: Length of generated secrets, 16 to 64 (import accepts any length in
            that range).
        max_drift: Largest learned clock drift in steps (RFC 6238 §6), 0 to 10.
        max_failures: Consecutive failures that lock the account, 1 to 100.
        backoff_after: Failures before back-off starts (1..max_failures).
        backoff_base: First back-off delay in seconds (doubles per further failure).
        backoff_max: Largest back-off delay in seconds.
        backup_codes: Codes per set, 1 to 20.
        backup_scrypt: scrypt parameters for new backup code hashes.
        enrollment_ttl: Seconds a pending enrollment may wait for confirmation.
        allow_short_key: Accept imported secrets of 80 to 127 bits (legacy).
    """

    type: OTPKind = "totp"
    digits: int = 6
    period: int = 30
    algorithm: str = "SHA1"
    window: tuple[int, int] = (1, 1)
    look_ahead: int = 10
    resync_window: int = 100
    secret_bytes: int = 20
    max_drift: int = 2
    max_failures: int = 20
    backoff_after: int = 5
    backoff_base: int = 1
    backoff_max: int = 900
    backup_codes: int = 10
    backup_scrypt: ScryptParams = DEFAULT_SCRYPT
    enrollment_ttl: int = 900
    allow_short_key: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.type not in ("totp", "hotp"):
            raise InvalidParameter("policy type must be 'totp' or 'hotp'")
        set_(self, "digits", check_digits(self.digits))
        if self.digits > 8:
            raise InvalidParameter("policy digits must be between 6 and 8")
        set_(self, "period", _between("period", self.period, 15, 120))
        set_(self, "algorithm", check_algorithm(self.algorithm))
        window = check_window(self.window)
        if max(window) > 5:
            raise InvalidParameter("policy window sides must be between 0 and 5 steps")
        set_(self, "window", window)
        set_(self, "look_ahead", _between("look_ahead", self.look_ahead, 0, 50))
        set_(
            self,
            "resync_window",
            _between("resync_window", self.resync_window, max(self.look_ahead, 1), 1000),
        )
        if type(self.allow_short_key) is not bool:
            raise InvalidType("allow_short_key must be a bool")
        set_(
            self, "secret_bytes", _between("secret_bytes", self.secret_bytes, 16, MAX_SECRET_BYTES)
        )
        set_(self, "max_drift", _between("max_drift", self.max_drift, 0, 10))
        set_(
            self, "max_failures", _between("max_failures", self.max_failures, 1, MAX_FAILURES_LIMIT)
        )
        set_(
            self,
            "backoff_after",
            _between("backoff_after", self.backoff_after, 1, self.max_failures),
        )
        set_(self, "backoff_base", _between("backoff_base", self.backoff_base, 1, 3600))
        set_(
            self, "backoff_max", _between("backoff_max", self.backoff_max, self.backoff_base, 86400)
        )
        set_(self, "backup_codes", _between("backup_codes", self.backup_codes, 1, 20))
        if not isinstance(self.backup_scrypt, ScryptParams):
            raise InvalidType("backup_scrypt must be a ScryptParams")
        set_(self, "enrollment_ttl", _between("enrollment_ttl", self.enrollment_ttl, 60, 86400))

    @property
    def rule(self) -> ThrottleRule:
        """The throttle the store re-checks in its conditional statements."""
        return ThrottleRule(
            max_failures=self.max_failures,
            backoff_after=self.backoff_after,
            backoff_base=self.backoff_base,
            backoff_max=self.backoff_max,
        )

    @property
    def min_key_bytes(self) -> int:
        """Shortest secret accepted for import: 16 bytes, or 10 with ``allow_short_key``."""
        return MIN_LEGACY_KEY_BYTES if self.allow_short_key else MIN_KEY_BYTES
