"""The conformance suite's value types: a case in its place, and one verdict on it.

Kept apart from the runner so that reports and the pytest plugin can use them without
importing the runner (and the runner can import the reports without a cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .adapters import INPUTS
from .vectors import VectorCase

__all__ = ["STATUSES", "CaseResult", "Status", "SuiteCase", "expected_value", "show"]

Status = Literal["pass", "fail", "refused", "skipped"]
STATUSES: Final[tuple[Status, ...]] = ("pass", "fail", "refused", "skipped")


@dataclass(frozen=True, slots=True, kw_only=True)
class SuiteCase:
    """One vector case with its place: file, group index and operation."""

    file: str
    group: int
    op: str
    group_comment: str
    case: VectorCase = field(repr=False)

    @property
    def case_id(self) -> str:
        """``FILE:TCID``, the name ``--only`` takes."""
        return f"{self.file}:{self.case.tc_id}"

    def args(self) -> dict[str, Any]:
        """The inputs of the operation, decoded to Python values."""
        return {name: self.case.arg(name) for name in INPUTS[self.op] if name in self.case.data}

    def raw_args(self) -> dict[str, Any]:
        """The inputs as raw JSON values (what a JSON-lines adapter receives)."""
        return {name: self.case.data[name] for name in INPUTS[self.op] if name in self.case.data}

    def expected(self) -> str:
        """The expected outcome as text for reports."""
        if self.case.result == "invalid":
            return f"refusal ({self.case.error})"
        value = expected_value(self)
        if self.op == "parse_uri" and isinstance(value, dict):  # the fields that matter most
            value = {k: v for k, v in value.items() if k != "secret_hex" and v is not None}
        return show(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseResult:
    """The verdict of one implementation on one case."""

    implementation: str
    case_id: str
    file: str
    group: int
    op: str
    tc_id: int
    comment: str
    flags: tuple[str, ...]
    result: str
    status: Status
    expected: str
    got: str

    def as_json(self) -> dict[str, Any]:
        """A plain dict for ``--json``."""
        return {
            "implementation": self.implementation,
            "id": self.case_id,
            "file": self.file,
            "group": self.group,
            "op": self.op,
            "tcId": self.tc_id,
            "comment": self.comment,
            "flags": list(self.flags),
            "result": self.result,
            "status": self.status,
            "expected": self.expected,
            "got": self.got,
        }


def show(value: object) -> str:
    if isinstance(value, bytes):
        text = f"hex {value.hex()}" if value else "b''"
    elif isinstance(value, dict):
        text = ", ".join(f"{k} {v}" for k, v in value.items()) or "accepted"
    else:
        text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else f"{text[:64]}... ({len(text)} characters)"


def expected_value(case: SuiteCase) -> object:
    data = case.case
    if case.op in ("hotp", "totp", "truncate"):
        return data.get("code")
    if case.op.startswith("verify"):
        return data.get("match")
    if case.op == "base32_decode":
        return data.arg("key")
    if case.op == "parse_uri":
        return data.get("expected")
    return data.get("text")
