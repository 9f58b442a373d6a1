"""Reports of a conformance run: terminal summary, JSON, and a Markdown or HTML matrix.

The matrix has one row per vector group (file, group index, operation) and one column per
implementation; each cell counts pass / fail / refused / skipped. A second table lists every
case some implementation *failed*, with what each implementation returned, and the one
command that reproduces it.

>>> reproduce("pyotp", "tokens:3")
'rfc6238 conformance --impl pyotp --only tokens:3 -v'
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any, TextIO

from .cases import CaseResult, SuiteCase

__all__ = [
    "matrix",
    "print_groups",
    "reproduce",
    "summary_text",
    "write_json",
    "write_report",
]

_ORDER = ("pass", "fail", "refused", "skipped")
_BUILTIN = ("rfc6238", "pyotp", "cryptography", "oath", "oathtool")
_FAILURES_SHOWN = 8


def reproduce(implementation: str, case_id: str) -> str:
    """The one command that re-runs ``case_id`` on a built-in ``implementation``."""
    impl = implementation if implementation in _BUILTIN else "..."
    return f"rfc6238 conformance --impl {impl} --only {case_id} -v"


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


def _totals(results: Sequence[CaseResult]) -> dict[str, Counter[str]]:
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        totals[r.implementation][r.status] += 1
    return totals


def _cell(counts: Counter[str]) -> str:
    return "/".join(str(counts[s]) for s in _ORDER)


def print_groups(cases: Sequence[SuiteCase], out: TextIO) -> None:
    """``--list``: one line per vector group."""
    for key, (count, comment) in _groups(cases).items():
        print(f"{key:32} {count:5} cases  {comment}", file=out)


def summary_text(
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    versions: Mapping[str, str],
    *,
    verbose: bool = False,
) -> str:
    """The terminal summary: totals, a per-group table, then the non-passing cases."""
    totals = _totals(results)
    impls = list(totals)
    lines = [f"rfc6238 conformance: {len(cases)} cases x {len(impls)} implementation(s)", ""]
    lines.append(f"{'implementation':14} {'version':32} {'pass':>6} {'fail':>6} {'refused':>8} "
                 f"{'skipped':>8}")  # fmt: skip
    for name in impls:
        t = totals[name]
        lines.append(
            f"{name:14} {versions.get(name, '')[:32]:32} {t['pass']:6} {t['fail']:6} "
            f"{t['refused']:8} {t['skipped']:8}"
        )
    lines += ["", "per group (pass/fail/refused/skipped):"]
    width = max(len(k) for k in _groups(cases)) + 2
    lines.append(" " * width + "".join(f"{n[:15]:>16}" for n in impls))
    for key, row in matrix(results).items():
        lines.append(f"{key:{width}}" + "".join(f"{_cell(row[n]):>16}" for n in impls))
    for name in impls:
        bad = [r for r in results if r.implementation == name and r.status in ("fail", "refused")]
        if not bad:
            continue
        lines += ["", f"{name}: {len(bad)} case(s) not passed"]
        shown = bad if verbose else [r for r in bad if r.status == "fail"][:_FAILURES_SHOWN]
        for r in shown:
            flags = ",".join(r.flags)
            lines.append(f"  {r.status.upper():7} {r.case_id} [{flags}] {r.comment}")
            lines.append(f"          expected {r.expected}")
            lines.append(f"          got      {r.got}")
        if len(shown) < len(bad):
            lines.append(f"  ... {len(bad) - len(shown)} more (-v lists them all)")
    return "\n".join(lines)


def write_json(
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    versions: Mapping[str, str],
    descriptions: Mapping[str, str],
    out: TextIO,
) -> None:
    """``--json``: implementations, totals, the per-group matrix and every result."""
    totals = _totals(results)
    doc: dict[str, Any] = {
        "cases": len(cases),
        "implementations": [
            {
                "name": name,
                "version": versions.get(name, ""),
                "description": descriptions.get(name, ""),
                "totals": {s: totals[name][s] for s in _ORDER},
            }
            for name in totals
        ],
        "groups": {
            key: {impl: {s: c[s] for s in _ORDER} for impl, c in row.items()}
            for key, row in matrix(results).items()
        },
        "results": [r.as_json() for r in results],
    }
    json.dump(doc, out, indent=1, ensure_ascii=False)
    out.write("\n")


def _disagreements(results: Sequence[CaseResult]) -> dict[str, dict[str, CaseResult]]:
    by_case: dict[str, dict[str, CaseResult]] = defaultdict(dict)
    for r in results:
        by_case[r.case_id][r.implementation] = r
    return {
        cid: row for cid, row in by_case.items() if any(r.status == "fail" for r in row.values())
    }


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |"


def _markdown(
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    versions: Mapping[str, str],
    descriptions: Mapping[str, str],
) -> str:
    totals = _totals(results)
    impls = list(totals)
    groups = _groups(cases)
    out = ["# rfc6238 conformance report", "", f"{len(cases)} cases.", ""]
    out += [_row("implementation", "version", *_ORDER), _row(*["---"] * 6)]
    for n in impls:
        out.append(_row(n, versions.get(n, ""), *(totals[n][s] for s in _ORDER)))
    out += ["", "Cells: pass/fail/refused/skipped.", ""]
    out += [_row("group", "cases", *impls), _row(*["---"] * (len(impls) + 2))]
    for key, row in matrix(results).items():
        count, comment = groups.get(key, (0, ""))
        out.append(_row(f"{key}: {comment}", count, *(_cell(row[n]) for n in impls)))
    out += ["", "## Failed cases", ""]
    out += [_row("case", "comment", "expected", *impls), _row(*["---"] * (len(impls) + 3))]
    for cid, by_impl in _disagreements(results).items():
        first = next(iter(by_impl.values()))
        cells = (f"{by_impl[n].status}: {by_impl[n].got}" if n in by_impl else "" for n in impls)
        out.append(_row(f"`{cid}`", first.comment, first.expected, *cells))
    out += ["", "## Implementations", ""]
    out += [f"- **{n}**: {descriptions.get(n, '')}" for n in impls]
    return "\n".join(out) + "\n"


def _html(markdown: str) -> str:
    body: list[str] = []
    in_table = False
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set("".join(cells)) <= {"-"}:
                continue
            tag = "th" if not in_table else "td"
            if not in_table:
                body.append("<table>")
                in_table = True
            row = "".join(f"<{tag} class='{_css(c)}'>{escape(c.strip('`'))}</{tag}>" for c in cells)
            body.append(f"<tr>{row}</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{escape(line.lstrip('# '))}</h{level}>")
        elif line.strip():
            body.append(f"<p>{escape(line)}</p>")
    if in_table:
        body.append("</table>")
    style = (
        "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:2px 6px;font-size:90%}.fail{background:#fbb}.ok{background:#cfc}"
    )
    return f"<!doctype html><meta charset='utf-8'><title>rfc6238 conformance</title><style>{style}</style>{''.join(body)}\n"  # noqa: E501


def _css(cell: str) -> str:
    if cell.startswith("fail"):
        return "fail"
    parts = cell.split("/")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return "fail" if parts[1] != "0" else "ok"
    return ""


def write_report(
    path: str | Path,
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    versions: Mapping[str, str],
    descriptions: Mapping[str, str],
) -> None:
    """Write the matrix as Markdown (``.md``) or HTML (``.html``/``.htm``)."""
    text = _markdown(results, cases, versions, descriptions)
    target = Path(path)
    if target.suffix.lower() in (".html", ".htm"):
        text = _html(text)
    target.write_text(text, encoding="utf-8")
