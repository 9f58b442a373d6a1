"""Reports of a conformance run: terminal summary, JSON, and a Markdown or HTML matrix.

The matrix has one row per vector group (file, group index, operation) and one column per
implementation; each cell counts pass / fail / refused / skipped. Totals are kept apart for
RFC cases and for rfc6238's house rules (flag ``Policy``), and crashes are counted on their
own (a crash is always a failure). A second table lists every case some implementation
*failed*, with what each implementation returned and the one command that reproduces it.
Every text that comes from a vector or an adapter is shown with control and bidi characters
escaped (:func:`printable`).

>>> reproduce("pyotp", "tokens:3")
'rfc6238 conformance --impl pyotp --only tokens:3 -v'
"""

from __future__ import annotations

import json
import shlex
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .adapters import Implementation
from .cases import CATEGORIES, CaseResult, SuiteCase
from .html_report import render_html
from .text import printable

__all__ = [
    "RunInfo",
    "matrix",
    "print_groups",
    "printable",
    "reproduce",
    "summary_text",
    "totals",
    "write_json",
    "write_report",
]

_ORDER = ("pass", "fail", "refused", "skipped")
_BUILTIN = ("rfc6238", "pyotp", "cryptography", "oath", "oathtool")
_FAILURES_SHOWN = 8


def reproduce(implementation: str, case_id: str, how: str | None = None) -> str:
    """The one command that re-runs ``case_id`` (``how``: the adapter's own options)."""
    if how is None:
        how = f"--impl {implementation if implementation in _BUILTIN else '...'}"
    return f"rfc6238 conformance {how} --only {case_id} -v"


def _how(impl: Implementation) -> str:
    from .builtins import BUILTINS
    from .process import CommandImplementation, JsonLinesImplementation

    if isinstance(impl, JsonLinesImplementation):
        return "--jsonl " + shlex.quote(f"{impl.name}={impl.command}")
    if impl.name in BUILTINS:
        return f"--impl {impl.name}"
    if isinstance(impl, CommandImplementation):
        return " ".join(f"--command {shlex.quote(f'{op}={t}')}" for op, t in impl.templates.items())
    return "--impl ..."


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    """What a report says about the run: versions, vectors version, date, completeness."""

    versions: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    reproduce: Mapping[str, str] = field(default_factory=dict)
    vectors_version: str = ""
    date: str = ""
    complete: bool = True

    @classmethod
    def collect(
        cls, impls: Sequence[Implementation], cases: Sequence[SuiteCase], *, complete: bool
    ) -> RunInfo:
        """Ask each implementation its version once (after the run)."""
        return cls(
            versions={impl.name: impl.version() for impl in impls},
            descriptions={impl.name: impl.description for impl in impls},
            reproduce={impl.name: _how(impl) for impl in impls},
            vectors_version=", ".join(sorted({c.vectors_version for c in cases} - {""})),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            complete=complete,
        )


def _group_key(file: str, group: int, op: str) -> str:
    return f"{file} #{group} {op}"


def _groups(cases: Sequence[SuiteCase]) -> dict[str, tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    for case in cases:
        key = _group_key(case.file, case.group, case.op)
        count, _ = seen.get(key, (0, ""))
        seen[key] = (count + 1, case.group_comment)
    return seen


def matrix(results: Sequence[CaseResult]) -> dict[str, dict[str, Counter[str]]]:
    """``{group: {implementation: Counter(status)}}`` in first-seen order."""
    table: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for r in results:
        table[_group_key(r.file, r.group, r.op)][r.implementation][r.status] += 1
    return table


def totals(results: Sequence[CaseResult]) -> dict[str, dict[str, Counter[str]]]:
    """``{implementation: {category: Counter}}``: statuses per ``rfc``/``policy``, plus
    ``crash`` (failures that were crashes) and ``all`` (both categories)."""
    out: dict[str, dict[str, Counter[str]]] = defaultdict(
        lambda: {c: Counter() for c in (*CATEGORIES, "all")}
    )
    for r in results:
        for bucket in (r.category, "all"):
            out[r.implementation][bucket][r.status] += 1
            if r.crashed:
                out[r.implementation][bucket]["crash"] += 1
    return out


def _cell(counts: Counter[str]) -> str:
    return "/".join(str(counts[s]) for s in _ORDER)


def print_groups(cases: Sequence[SuiteCase], out: TextIO) -> None:
    """``--list``: one line per vector group."""
    for key, (count, comment) in _groups(cases).items():
        print(f"{key:32} {count:5} cases  {printable(comment)}", file=out)


def _header(cases: Sequence[SuiteCase], impls: Sequence[str], info: RunInfo) -> str:
    policy = sum(c.category == "policy" for c in cases)
    text = (
        f"{len(cases)} cases ({len(cases) - policy} RFC, {policy} policy) x "
        f"{len(impls)} implementation(s)"
    )
    if info.vectors_version:
        text += f"; vectors {info.vectors_version}"
    if info.date:
        text += f"; {info.date}"
    if not info.complete:
        text += "; INTERRUPTED: partial results"
    return text


def summary_text(
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    versions: Mapping[str, str],
    *,
    verbose: bool = False,
    info: RunInfo | None = None,
) -> str:
    """The terminal summary: totals (RFC and policy apart), a per-group table, then the
    non-passing cases (every one with ``verbose``), control characters escaped."""
    info = info or RunInfo(versions=versions)
    counts = totals(results)
    impls = list(counts)
    lines = [f"rfc6238 conformance: {_header(cases, impls, info)}", ""]
    lines.append(f"{'implementation':14} {'version':24} {'':7}{'pass':>6} {'fail':>6} "
                 f"{'refused':>8} {'skipped':>8} {'crash':>6}")  # fmt: skip
    for name in impls:
        for category in CATEGORIES:
            t = counts[name][category]
            label = name if category == "rfc" else ""
            version = versions.get(name, "")[:24] if category == "rfc" else ""
            lines.append(
                f"{printable(label):14} {printable(version):24} {category:7}{t['pass']:6} "
                f"{t['fail']:6} {t['refused']:8} {t['skipped']:8} {t['crash']:6}"
            )
    lines += ["", "per group (pass/fail/refused/skipped):"]
    width = max(len(k) for k in _groups(cases)) + 2 if cases else 10
    lines.append(" " * width + "".join(f"{printable(n)[:15]:>16}" for n in impls))
    for key, row in matrix(results).items():
        lines.append(f"{key:{width}}" + "".join(f"{_cell(row[n]):>16}" for n in impls))
    for name in impls:
        bad = [r for r in results if r.implementation == name and r.status in ("fail", "refused")]
        if not bad:
            continue
        lines += ["", f"{printable(name)}: {len(bad)} case(s) not passed"]
        shown = bad if verbose else [r for r in bad if r.status == "fail"][:_FAILURES_SHOWN]
        for r in shown:
            flags = ",".join(r.flags)
            status = "CRASH" if r.crashed else r.status.upper()
            lines.append(f"  {status:7} {r.case_id} [{flags}] {printable(r.comment)}")
            if r.policy:
                lines.append(f"          policy   {printable(r.policy)}")
            lines.append(f"          expected {printable(r.expected)}")
            lines.append(f"          got      {printable(r.got)}")
        if len(shown) < len(bad):
            lines.append(f"  ... {len(bad) - len(shown)} more (-v lists them all)")
    return "\n".join(lines)


def _json_doc(
    results: Sequence[CaseResult], cases: Sequence[SuiteCase], info: RunInfo
) -> dict[str, Any]:
    counts = totals(results)
    return {
        "cases": len(cases),
        "vectorsVersion": info.vectors_version,
        "date": info.date,
        "complete": info.complete,
        "implementations": [
            {
                "name": name,
                "version": info.versions.get(name, ""),
                "description": info.descriptions.get(name, ""),
                "reproduce": info.reproduce.get(name, ""),
                "totals": {s: counts[name]["all"][s] for s in _ORDER},
                "crashes": counts[name]["all"]["crash"],
                "rfc": {s: counts[name]["rfc"][s] for s in (*_ORDER, "crash")},
                "policy": {s: counts[name]["policy"][s] for s in (*_ORDER, "crash")},
            }
            for name in counts
        ],
        "groups": {
            key: {impl: {s: c[s] for s in _ORDER} for impl, c in row.items()}
            for key, row in matrix(results).items()
        },
        "results": [r.as_json() for r in results],
    }


def write_json(
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    versions: Mapping[str, str],
    descriptions: Mapping[str, str],
    out: TextIO,
    *,
    info: RunInfo | None = None,
) -> None:
    """``--json``: implementations, totals (RFC and policy apart), the matrix, every result."""
    info = info or RunInfo(versions=versions, descriptions=descriptions)
    json.dump(_json_doc(results, cases, info), out, indent=1, ensure_ascii=False)
    out.write("\n")


def disagreements(results: Sequence[CaseResult]) -> dict[str, dict[str, CaseResult]]:
    """``{case_id: {implementation: result}}`` for every case some implementation failed."""
    by_case: dict[str, dict[str, CaseResult]] = defaultdict(dict)
    for r in results:
        by_case[r.case_id][r.implementation] = r
    return {
        cid: row for cid, row in by_case.items() if any(r.status == "fail" for r in row.values())
    }


def _row(*cells: object) -> str:
    return "| " + " | ".join(printable(str(c)).replace("|", "/") for c in cells) + " |"


def _markdown(results: Sequence[CaseResult], cases: Sequence[SuiteCase], info: RunInfo) -> str:
    counts = totals(results)
    impls = list(counts)
    groups = _groups(cases)
    out = ["# rfc6238 conformance report", "", _header(cases, impls, info) + ".", ""]
    heads = [f"RFC {s}" for s in (*_ORDER, "crash")] + [f"policy {s}" for s in (*_ORDER, "crash")]
    out += [_row("implementation", "version", *heads), _row(*["---"] * (2 + len(heads)))]
    for n in impls:
        cells = [counts[n][c][s] for c in CATEGORIES for s in (*_ORDER, "crash")]
        out.append(_row(n, info.versions.get(n, ""), *cells))
    out += ["", "Cells: pass/fail/refused/skipped.", ""]
    out += [_row("group", "cases", *impls), _row(*["---"] * (len(impls) + 2))]
    for key, row in matrix(results).items():
        count, comment = groups.get(key, (0, ""))
        out.append(_row(f"{key}: {comment}", count, *(_cell(row[n]) for n in impls)))
    out += ["", "## Failed cases", ""]
    out += [_row("case", "comment", "expected", *impls), _row(*["---"] * (len(impls) + 3))]
    for cid, by_impl in disagreements(results).items():
        first = next(iter(by_impl.values()))
        got = (f"{_status(by_impl[n])}: {by_impl[n].got}" if n in by_impl else "" for n in impls)
        out.append(_row(f"`{cid}`", first.comment, first.expected, *got))
    out += ["", "## Implementations", ""]
    for n in impls:
        line = f"- **{printable(n)}** {printable(info.versions.get(n, ''))}: "
        line += printable(info.descriptions.get(n, ""))
        if n in info.reproduce:
            line += f" (reproduce a case: `{reproduce(n, 'FILE:TCID', info.reproduce[n])}`)"
        out.append(line)
    return "\n".join(out) + "\n"


def _status(r: CaseResult) -> str:
    return "crash" if r.crashed else r.status


def write_report(
    path: str | Path,
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    versions: Mapping[str, str],
    descriptions: Mapping[str, str],
    *,
    info: RunInfo | None = None,
) -> None:
    """Write the matrix as Markdown (``.md``), HTML (``.html``/``.htm``) or JSON (``.json``)."""
    info = info or RunInfo(versions=versions, descriptions=descriptions)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm"):
        text = render_html(results, cases, info, matrix(results), totals(results))
    elif suffix == ".json":
        text = json.dumps(_json_doc(results, cases, info), indent=1, ensure_ascii=False) + "\n"
    else:
        text = _markdown(results, cases, info)
    target.write_text(text, encoding="utf-8")
