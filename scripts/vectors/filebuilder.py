"""Assembling one vector file: groups, cases with stable tcIds, the source record.

Case ids are stable (``file:tcId`` is never reused): ``scripts/vectors/ids/<file>.json``
maps each case's identity (operation, comment and inputs, hashed) to its tcId; a new case
gets the next unused number, a removed case's number is retired. Every integer field of a
case also appears as a ``FIELD_text`` decimal string, for readers whose JSON numbers are
doubles, and a ``match``/``expected`` object has a ``match_text``/``expected_text`` twin
holding its integers as decimal strings; every house-rule case gets its
``Policy`` flag and ``policy`` reason from :mod:`.policy`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rfc6238
from rfc6238.conformance.adapters import INPUTS

from ._base import FORMAT_VERSION, VECTORS, VECTORS_VERSION
from .oracles import ORACLE_NAMES, Verdicts, oracle_versions
from .policy import NOTE, house_rule

IDS = Path(__file__).resolve().parent / "ids"
#: ``name -> text`` of the id maps the last builds produced (written or checked by main).
ID_MAPS: dict[str, str] = {}
_NOT_TEXT = frozenset({"tcId", "related_tcId"})


def _identity(op: str, case: dict[str, Any], seen: dict[str, int]) -> str:
    inputs = {k: case[k] for k in INPUTS.get(op, ()) if k in case}
    text = json.dumps([op, case["comment"], inputs], sort_keys=True, ensure_ascii=True)
    n = seen.get(text, 0)
    seen[text] = n + 1
    return hashlib.sha256(f"{text}#{n}".encode()).hexdigest()[:20]


def _seed(name: str) -> dict[str, int]:
    """The identities of the cases in the file on disk (the ids before this mechanism)."""
    path = VECTORS / f"{name}.json"
    if not path.exists():
        return {}
    doc = json.loads(path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    return {_identity(g["type"], c, seen): c["tcId"] for g in doc["testGroups"] for c in g["tests"]}


def add_text(value: dict[str, Any]) -> None:
    """Add ``FIELD_text`` beside every integer (or list of integers) field, recursively."""
    for name, item in list(value.items()):
        if name in _NOT_TEXT or name.endswith("_text"):
            continue
        if type(item) is int:
            value[f"{name}_text"] = str(item)
        elif isinstance(item, list) and item and all(type(v) is int for v in item):
            value[f"{name}_text"] = [str(v) for v in item]
        elif isinstance(item, dict) and name in ("match", "expected"):
            twin = {k: str(v) for k, v in item.items() if type(v) is int}
            if twin:  # beside the object, so readers of the object itself see no new keys
                value[f"{name}_text"] = twin


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

    def _finish_cases(self) -> None:
        """Policy flags and reasons, stable ids, ``_text`` twins (see the module docstring)."""
        path = IDS / f"{self.name}.json"
        known: dict[str, int] = (
            json.loads(path.read_text(encoding="utf-8"))["ids"]
            if path.exists()
            else _seed(self.name)
        )
        next_id = max(known.values(), default=0) + 1
        renumber: dict[int, int] = {}
        seen: dict[str, int] = {}
        for group in self.groups:
            for case in group["tests"]:
                rule = house_rule(self.name, group["type"], case)
                if rule is not None:
                    if "Policy" not in case["flags"]:
                        case["flags"].append("Policy")
                    case["policy"], case["result"] = rule
                    self.notes["Policy"] = NOTE
                identity = _identity(group["type"], case, seen)
                if identity not in known:
                    known[identity] = next_id
                    next_id += 1
                renumber[case["tcId"]] = known[identity]
                case["tcId"] = known[identity]
                add_text(case)
        for group in self.groups:
            for case in group["tests"]:
                if "related_tcId" in case:
                    case["related_tcId"] = renumber[case["related_tcId"]]
        ids = sorted(renumber.values())
        if len(ids) != len(set(ids)):
            raise SystemExit(f"make_vectors: {self.name}: two cases share an identity")
        ID_MAPS[self.name] = json.dumps({"file": self.name, "ids": known}, indent=0) + "\n"

    def document(self) -> dict[str, Any]:
        self._finish_cases()
        used = {f for g in self.groups for c in g["tests"] for f in c["flags"]}
        missing = used - self.notes.keys()
        if missing:
            raise SystemExit(f"{self.name}: flags without a note: {sorted(missing)}")
        self.source.setdefault("generator", "scripts/make_vectors.py")
        return {
            "schema": "schema.json",
            "name": self.name,
            "formatVersion": FORMAT_VERSION,
            "vectorsVersion": VECTORS_VERSION,
            "description": self.description,
            "source": self.source,
            "notes": {k: self.notes[k] for k in sorted(used)},
            "numberOfTests": sum(len(g["tests"]) for g in self.groups),
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


def edge_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flags: list[str],
    key: bytes,
    **fields: Any,
) -> dict[str, Any]:
    """A valid self-made case of ``key``; more than 8 ``digits`` adds ``BeyondRFCDigits``."""
    if fields["digits"] > 8:
        flags = [*flags, "BeyondRFCDigits"]
    return fb.case(tests, comment, flags, "valid", key=hexkey(key), **fields)


def rfc_case(
    fb: FileBuilder,
    tests: list[dict[str, Any]],
    comment: str,
    flag: str,
    key: bytes,
    verdicts: Verdicts,
    **fields: Any,
) -> dict[str, Any]:
    """A valid case transcribed from an RFC: the RFC text is the first of its verifiers."""
    verdicts.verified_by.insert(0, "rfc-text")
    case = fb.case(
        tests,
        comment,
        [flag],
        "valid",
        key=hexkey(key),
        key_base32=rfc6238.base32.encode(key),
        **fields,
    )
    return verdicts.dump(case)


def trace_fields(key: bytes, counter: int, digits: int, alg: str) -> dict[str, Any]:
    t = rfc6238.trace_hotp(key, counter, digits=digits, algorithm=alg)
    return {"hmac": t.digest.hex(), "offset": t.offset, "truncated": t.value}
