"""Step-by-step traces of one code: every intermediate value of RFC 4226 §5.3 and RFC 6238 §4.

A trace is what the notebooks draw: the counter bytes, the HMAC, the offset nibble, the
4-byte window, the 31-bit value, the modulus and the code (and for TOTP the time, T0, period
and step). The key itself is never part of a trace, only its length.

>>> t = trace_hotp(b"12345678901234567890", 0)
>>> t.digest.hex()
'cc93cf18508d94934c64b65d8ba7667fb7cde4b0'
>>> t.offset, t.window.hex(), t.value, t.code
(0, 'cc93cf18', 1284755224, '755224')
"""

from __future__ import annotations

import hmac
from dataclasses import asdict, dataclass
from html import escape
from typing import Final

from ._checks import (
    ALGORITHMS,
    TimeLike,
    check_algorithm,
    check_counter,
    check_digits,
    to_seconds,
)
from .core import dynamic_truncate, pack_counter, time_step
from .prepared import MODULI
from .secret import KeyLike, check_key

__all__ = ["HOTPTrace", "TOTPTrace", "trace_hotp", "trace_totp"]

_CELL: Final = "<td style='{}font-family:monospace;padding:1px 3px'>{:02x}</td>"
_WINDOW_STYLE: Final = "background:#ffe08a;"
_OFFSET_STYLE: Final = "background:#9ad0f5;font-weight:bold;"
_ROW: Final = "<tr><th style='text-align:left'>{}</th><td><code>{}</code></td></tr>"


@dataclass(frozen=True, slots=True, kw_only=True)
class HOTPTrace:
    """Every intermediate value of one HOTP computation (RFC 4226 §5.3).

    Attributes:
        algorithm: The hash (``SHA1``/``SHA256``/``SHA512``).
        key_length: Key length in bytes (the key itself is not kept).
        counter: The moving factor C.
        counter_bytes: C as 8 bytes, big-endian (§5.1).
        digest: ``HMAC(K, counter_bytes)`` (§5.2 step 1).
        offset: The low 4 bits of the last digest byte (§5.3 "OffsetBits").
        window: The 4 digest bytes at ``offset`` (P).
        value: ``P`` with the top bit masked: the 31-bit "Snum".
        digits: Code length.
        modulus: ``10 ** digits``.
        code: ``value % modulus``, zero-padded to ``digits``.
    """

    algorithm: str
    key_length: int
    counter: int
    counter_bytes: bytes
    digest: bytes
    offset: int
    window: bytes
    value: int
    digits: int
    modulus: int
    code: str

    def steps(self) -> list[tuple[str, str]]:
        """The trace as (name, value) rows, in computation order."""
        return [
            ("algorithm", self.algorithm),
            ("key", f"<{self.key_length} bytes, hidden>"),
            ("counter C", str(self.counter)),
            ("C as 8 bytes (big-endian)", self.counter_bytes.hex(" ")),
            (f"HMAC-{self.algorithm}(K, C)", self.digest.hex(" ")),
            ("offset = last byte & 0x0f", f"{self.offset} (last byte {self.digest[-1]:#04x})"),
            ("P = digest[offset:offset+4]", self.window.hex(" ")),
            ("Snum = P & 0x7fffffff", f"{self.value} ({self.value:#010x})"),
            (f"Snum mod 10^{self.digits}", f"{self.value % self.modulus}"),
            ("code", self.code),
        ]

    def digest_html(self) -> str:
        """The digest bytes as an HTML row: offset nibble's byte and the 4-byte window marked."""
        cells = []
        last = len(self.digest) - 1
        for i, byte in enumerate(self.digest):
            style = ""
            if self.offset <= i < self.offset + 4:
                style = _WINDOW_STYLE
            if i == last:
                style += _OFFSET_STYLE
            cells.append(_CELL.format(style, byte))
        index = "".join(
            f"<td style='font-size:70%;color:#777'>{i}</td>" for i in range(len(self.digest))
        )
        return f"<table><tr>{index}</tr><tr>{''.join(cells)}</tr></table>"

    def _rows(self) -> list[tuple[str, str]]:
        return self.steps()

    def _repr_html_(self) -> str:
        rows = "".join(_ROW.format(escape(k), escape(v)) for k, v in self._rows())
        return (
            f"<div><b>{type(self).__name__}</b><table>{rows}</table>"
            f"<div>digest (window <span style='{_WINDOW_STYLE}'>&nbsp;P&nbsp;</span>, "
            f"offset byte <span style='{_OFFSET_STYLE}'>&nbsp;last&nbsp;</span>)</div>"
            f"{self.digest_html()}</div>"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TOTPTrace(HOTPTrace):
    """An :class:`HOTPTrace` plus the time arithmetic of RFC 6238 §4.2.

    Attributes:
        time: Unix seconds (floored).
        t0: T0.
        period: X.
    """

    time: int
    t0: int
    period: int

    def _rows(self) -> list[tuple[str, str]]:
        timing = [
            ("time t", str(self.time)),
            ("T0, X", f"{self.t0}, {self.period} s"),
            ("T = floor((t - T0) / X)", str(self.counter)),
        ]
        rows = self.steps()
        return rows[:2] + timing + rows[3:]


def _hotp_trace(key: KeyLike, counter: int, digits: int, algorithm: str) -> HOTPTrace:
    raw = check_key(key)
    algorithm = check_algorithm(algorithm)
    digits = check_digits(digits)
    counter_bytes = pack_counter(check_counter(counter))
    digest = hmac.digest(raw, counter_bytes, ALGORITHMS[algorithm])
    offset = digest[-1] & 0x0F  # shown in the trace; dynamic_truncate reads it the same way
    value = dynamic_truncate(digest)
    modulus = MODULI[digits]
    return HOTPTrace(
        algorithm=algorithm,
        key_length=len(raw),
        counter=counter,
        counter_bytes=counter_bytes,
        digest=digest,
        offset=offset,
        window=digest[offset : offset + 4],
        value=value,
        digits=digits,
        modulus=modulus,
        code=str(value % modulus).zfill(digits),
    )


def trace_hotp(
    key: KeyLike, counter: int, *, digits: int = 6, algorithm: str = "SHA1"
) -> HOTPTrace:
    """Trace one HOTP computation (RFC 4226 §5.3); same arguments as :func:`rfc6238.hotp`."""
    return _hotp_trace(key, counter, digits, algorithm)


def trace_totp(
    key: KeyLike,
    time: TimeLike,
    *,
    period: int = 30,
    t0: int = 0,
    digits: int = 6,
    algorithm: str = "SHA1",
) -> TOTPTrace:
    """Trace one TOTP computation (RFC 6238 §4); same arguments as :func:`rfc6238.totp`.

    >>> trace_totp(b"12345678901234567890", 59, digits=8).code
    '94287082'
    """
    step = time_step(time, period=period, t0=t0)
    fields = asdict(_hotp_trace(key, step, digits, algorithm))
    return TOTPTrace(**fields, time=to_seconds(time), t0=t0, period=period)
