"""Solutions to 09 · The conformance suite."""

import hmac
import math
from datetime import UTC, datetime

HASHES = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}


def _check_int(name, value, low, high):
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{name} must be an int in {low}..{high}")
    return value


def my_totp(key, time, *, period=30, t0=0, digits=6, algorithm="SHA1"):
    """TOTP (RFC 6238 §4) with every input checked and exact integer arithmetic."""
    if not isinstance(key, bytes) or len(key) < 16:
        raise ValueError("key must be at least 16 bytes")
    if algorithm not in HASHES:
        raise ValueError("algorithm must be SHA1, SHA256 or SHA512")
    _check_int("digits", digits, 6, 10)
    _check_int("period", period, 1, 2**32)
    _check_int("t0", t0, -(2**63), 2**63)
    if isinstance(time, datetime):
        if time.tzinfo is None:
            raise ValueError("naive datetime")
        delta = time - datetime(1970, 1, 1, tzinfo=UTC)
        time = delta.days * 86400 + delta.seconds
    elif isinstance(time, float):
        if not math.isfinite(time):
            raise ValueError("time must be finite")
        time = math.floor(time)
    elif type(time) is not int:
        raise ValueError("time must be an int, a float or an aware datetime")
    if time < t0:
        raise ValueError("time before T0")
    step = (time - t0) // period
    _check_int("step", step, 0, 2**64 - 1)
    mac = hmac.digest(key, step.to_bytes(8, "big"), HASHES[algorithm])
    offset = mac[-1] & 0x0F
    snum = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(snum % 10**digits).zfill(digits)


def my_verify_totp(key, token, time, *, window=1, period=30, t0=0, digits=6, algorithm="SHA1"):
    """Only exactly ``digits`` ASCII digits are compared; the on-time step first."""
    if (
        not isinstance(token, str)
        or len(token) != digits
        or not all("0" <= c <= "9" for c in token)
    ):
        raise ValueError("token must be exactly digits ASCII digits")
    past, future = (window, window) if isinstance(window, int) else window
    step = (time - t0) // period
    for offset in sorted(range(-past, future + 1), key=lambda o: (abs(o), o)):
        if step + offset < 0:
            continue
        code = my_totp(
            key,
            t0 + (step + offset) * period,
            period=period,
            t0=t0,
            digits=digits,
            algorithm=algorithm,
        )
        if hmac.compare_digest(token.encode(), code.encode()):
            return step + offset
    return None
