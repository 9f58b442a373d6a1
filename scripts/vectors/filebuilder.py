"""Assembling one vector file: groups, cases with sequential tcIds, the source record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rfc6238

from ._base import FORMAT_VERSION
from .oracles import ORACLE_NAMES, oracle_versions


class FileBuilder:
    """Accumulates groups and cases with sequential tcIds and checks every flag has a note."""

    def __init__(self, name: str, description: str, source: dict[str, Any]) -> None:
        self.name = name
        self.description = description
        self.source = source
        self.notes: dict[str, str] = {}
        self.groups: list[dict[str, Any]] = []
        self.next_id = 1

    def note(self, **notes: str) -> None:
        self.notes.update(notes)

    def group(self, type_: str, comment: str) -> list[dict[str, Any]]:
        tests: list[dict[str, Any]] = []
        self.groups.append({"type": type_, "comment": comment, "tests": tests})
        return tests

    def case(
        self,
        tests: list[dict[str, Any]],
        comment: str,
        flags: Iterable[str],
        result: str,
        **fields: Any,
    ) -> dict[str, Any]:
        case = {"tcId": self.next_id, "comment": comment, "flags": list(flags), "result": result}
        case.update(fields)
        self.next_id += 1
        tests.append(case)
        return case

    def document(self) -> dict[str, Any]:
        used = {f for g in self.groups for c in g["tests"] for f in c["flags"]}
        missing = used - self.notes.keys()
        if missing:
            raise SystemExit(f"{self.name}: flags without a note: {sorted(missing)}")
        self.source.setdefault("generator", "scripts/make_vectors.py")
        return {
            "schema": "schema.json",
            "name": self.name,
            "formatVersion": FORMAT_VERSION,
            "description": self.description,
            "source": self.source,
            "notes": {k: self.notes[k] for k in sorted(used)},
            "numberOfTests": self.next_id - 1,
            "testGroups": self.groups,
        }


def self_made_source(what: str, references: list[str]) -> dict[str, Any]:
    return {
        "kind": "self-made",
        "references": references,
        "description": what,
        "verification": "Each expected value was computed by rfc6238 (one-shot and prepared "
        "objects) and then by every oracle listed in 'oracles' that can express the case; "
        "verified_by lists the oracles that returned the same value (for invalid cases: that "
        "rejected the input), disagreed those that returned something else (or accepted an "
        "invalid input), refused those that could not run the case and why. A valid "
        "self-made case verified by fewer than two external oracles carries the flag "
        "FewOracles. 'minimal' is a weak oracle (same CPython hmac).",
        "oracles": {k: v for k, v in ORACLE_NAMES.items() if k != "rfc-text"},
        "oracle_versions": oracle_versions(),
    }


def _expect(condition: bool, message: str) -> None:
    """Stop the generator when rfc6238 does not behave as the case says."""
    if not condition:
        raise SystemExit(f"make_vectors: {message}")


def hexkey(key: bytes) -> str:
    return key.hex()


def trace_fields(key: bytes, counter: int, digits: int, alg: str) -> dict[str, Any]:
    t = rfc6238.trace_hotp(key, counter, digits=digits, algorithm=alg)
    return {"hmac": t.digest.hex(), "offset": t.offset, "truncated": t.value}
