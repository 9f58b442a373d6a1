"""The conformance suite's value types: a case in its place, and one verdict on it.

Kept apart from the runner so that reports and the pytest plugin can use them without
importing the runner (and the runner can import the reports without a cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .adapters import INPUTS
from .vectors import VectorCase

__all__ = [
    "CATEGORIES",
    "STATUSES",
    "CaseResult",
    "Category",
    "Refusal",
    "Status",
    "SuiteCase",
    "expected_value",
    "show",
]

Status = Literal["pass", "fail", "refused", "skipped"]
STATUSES: Final[tuple[Status, ...]] = ("pass", "fail", "refused", "skipped")
#: ``rfc``: the RFCs decide the case; ``policy``: one of rfc6238's house rules (flag Policy).
Category = Literal["rfc", "policy"]
CATEGORIES: Final[tuple[Category, ...]] = ("rfc", "policy")
#: How an implementation refused: ``rejection`` (error reply, typed exception, non-zero
#: exit) or ``crash`` (panic, uncaught exception, signal, timeout; never a pass).
Refusal = Literal["", "rejection", "crash"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SuiteCase:
    """One vector case with its place: file, group index and operation."""

    file: str
    group: int
    op: str
    group_comment: str
    case: VectorCase = field(repr=False)
    #: The ``vectorsVersion`` of the file the case comes from.
    vectors_version: str = ""

    @property
    def case_id(self) -> str:
        """``FILE:TCID``, the name ``--only`` takes."""
        return f"{self.file}:{self.case.tc_id}"

    @property
    def category(self) -> Category:
        """``policy`` for a house-rule case (flag ``Policy``), else ``rfc``."""
        return "policy" if "Policy" in self.case.flags else "rfc"

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
        if self.case.result == "acceptable":
            return f"{show(value)} or a clean refusal"
        if isinstance(value, dict):  # the _text twins repeat the numbers
            value = {k: v for k, v in value.items() if not k.endswith("_text")}
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
    #: ``rfc`` or ``policy`` (a house rule; see :attr:`policy`).
    category: Category = "rfc"
    #: How the implementation refused, if it did: ``rejection`` or ``crash``.
    refusal: Refusal = ""
    #: The house rule in one line (policy cases only).
    policy: str = ""
    #: Seconds the implementation took on the case.
    seconds: float = 0.0

    @property
    def crashed(self) -> bool:
        """The implementation crashed on this case (always a failure)."""
        return self.refusal == "crash"

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
            "category": self.category,
            "refusal": self.refusal,
            "policy": self.policy,
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
    if case.op == "parse_uri_then_code":
        return data.get("code")
    if case.op == "parse_uri":
        return data.get("expected")
    return data.get("text")
