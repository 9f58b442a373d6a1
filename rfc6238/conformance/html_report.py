"""The HTML matrix of a conformance run, readable with many implementations.

Vector groups are rows and implementations columns, under sticky headers (the first
column and the header row stay in view while scrolling); each cell counts pass / fail /
refused / skipped and links to the first failing case of that group and implementation,
listed below with what every implementation answered. A group whose cases were all
skipped for an implementation is grey ("skipped"), never green. The page names the vectors
version, the date, and each implementation's version; RFC and policy totals are apart.

>>> "<table" in render_html([], [], _Info(), {}, {})
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any, Protocol

from .cases import CATEGORIES, CaseResult, SuiteCase
from .text import printable


class RunInfo(Protocol):
    """What the page says about the run (:class:`rfc6238.conformance.report.RunInfo`)."""

    @property
    def versions(self) -> Mapping[str, str]: ...
    @property
    def descriptions(self) -> Mapping[str, str]: ...
    @property
    def vectors_version(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def complete(self) -> bool: ...


__all__ = ["render_html"]

_ORDER = ("pass", "fail", "refused", "skipped")
_STYLE = """
body{font-family:system-ui,sans-serif;margin:1em;color:#222}
.wrap{overflow:auto;max-height:80vh;border:1px solid #ccc}
table{border-collapse:separate;border-spacing:0;font-size:85%}
th,td{border-right:1px solid #ddd;border-bottom:1px solid #ddd;padding:2px 6px;white-space:nowrap}
thead th{position:sticky;top:0;background:#f4f4f4;z-index:2}
tbody th{position:sticky;left:0;background:#fafafa;text-align:left;z-index:1;font-weight:normal}
thead th:first-child{left:0;z-index:3}
td.pass{background:#d9f2d9}td.fail{background:#f8c8c8}td.refused{background:#fde9b8}
td.skipped{background:#e6e6e6;color:#666}td.none{background:#fff}
td a{color:inherit}
.details td{white-space:normal;max-width:28em;vertical-align:top}
.crash{font-weight:bold;color:#900}
""".strip()


class _Info:
    """A blank run description (for the doctest)."""

    versions: Mapping[str, str] = {}
    descriptions: Mapping[str, str] = {}
    reproduce: Mapping[str, str] = {}
    vectors_version = ""
    date = ""
    complete = True


def _e(value: object) -> str:
    return escape(printable(str(value)), quote=True)


def _worst(counts: Counter[str]) -> str:
    if not counts:
        return "none"
    for status in ("fail", "refused", "pass"):
        if counts[status]:
            return status
    return "skipped"


def _anchor(case_id: str) -> str:
    return "case-" + "".join(c if c.isalnum() else "-" for c in case_id)


def _totals_table(names: Sequence[str], info: RunInfo, counts: Mapping[str, Any]) -> str:
    head = "".join(f"<th>{c} {s}</th>" for c in CATEGORIES for s in (*_ORDER, "crash"))
    rows = []
    for n in names:
        cells = "".join(
            f"<td>{counts[n][c][s]}</td>" for c in CATEGORIES for s in (*_ORDER, "crash")
        )
        rows.append(
            f"<tr><th>{_e(n)}</th><td>{_e(info.versions.get(n, ''))}</td>{cells}"
            f"<td>{_e(info.descriptions.get(n, ''))}</td></tr>"
        )
    return (
        "<div class='wrap'><table><thead><tr><th>implementation</th><th>version</th>"
        f"{head}<th>adapter</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_html(
    results: Sequence[CaseResult],
    cases: Sequence[SuiteCase],
    info: RunInfo,
    table: Mapping[str, Mapping[str, Counter[str]]],
    counts: Mapping[str, Any],
) -> str:
    """The whole page (see the module docstring)."""
    names = list(counts)
    comments = {f"{c.file} #{c.group} {c.op}": c.group_comment for c in cases}
    first_fail: dict[tuple[str, str], str] = {}
    by_case: dict[str, dict[str, CaseResult]] = {}
    for r in results:
        by_case.setdefault(r.case_id, {})[r.implementation] = r
        if r.status == "fail":
            first_fail.setdefault((f"{r.file} #{r.group} {r.op}", r.implementation), r.case_id)
    head = "".join(f"<th>{_e(n)}<br><small>{_e(info.versions.get(n, ''))}</small></th>"
                   for n in names)  # fmt: skip
    rows = []
    for group, row in table.items():
        cells = []
        for n in names:
            c = row.get(n, Counter())
            text = "/".join(str(c[s]) for s in _ORDER) if c else ""
            if (group, n) in first_fail:
                text = f"<a href='#{_anchor(first_fail[group, n])}'>{text}</a>"
            cells.append(f"<td class='{_worst(c)}' title='pass/fail/refused/skipped'>{text}</td>")
        rows.append(
            f"<tr><th title='{_e(comments.get(group, ''))}'>{_e(group)}</th>{''.join(cells)}</tr>"
        )
    failed = []
    for cid, by_impl in by_case.items():
        if not any(r.status == "fail" for r in by_impl.values()):
            continue
        first = next(iter(by_impl.values()))
        cells = []
        for n in names:
            got = by_impl.get(n)
            if got is None:
                cells.append("<td class='none'></td>")
                continue
            label = "<span class='crash'>crash</span>" if got.crashed else got.status
            cells.append(f"<td class='{got.status}'>{label}: {_e(got.got)}</td>")
        rule = f"<br><i>policy: {_e(first.policy)}</i>" if first.policy else ""
        failed.append(
            f"<tr id='{_anchor(cid)}'><th><code>{_e(cid)}</code></th>"
            f"<td>{_e(first.comment)}{rule}</td><td>{_e(first.expected)}</td>{''.join(cells)}</tr>"
        )
    policy = sum(c.category == "policy" for c in cases)
    meta = [f"{len(cases)} cases ({len(cases) - policy} RFC, {policy} policy)"]
    if info.vectors_version:
        meta.append(f"vectors {_e(info.vectors_version)}")
    if info.date:
        meta.append(_e(info.date))
    if not info.complete:
        meta.append("<b>interrupted: partial results</b>")
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>rfc6238 conformance</title><style>{_STYLE}</style><body>"
        f"<h1>rfc6238 conformance report</h1><p>{' · '.join(meta)}</p>"
        f"<h2>Totals</h2>{_totals_table(names, info, counts)}"
        "<h2>Matrix</h2><p>Cells: pass/fail/refused/skipped; colour: the worst status (grey: "
        "all skipped); a link goes to the first failing case.</p>"
        f"<div class='wrap'><table><thead><tr><th>group</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        "<h2>Failed cases</h2><div class='wrap'><table class='details'><thead><tr><th>case</th>"
        f"<th>comment</th><th>expected</th>{head}</tr></thead><tbody>{''.join(failed)}"
        "</tbody></table></div></body></html>\n"
    )
