"""The conformance runner: ``vectors/*.json`` against rfc6238 or any other implementation.

Each case of each vector file (:mod:`rfc6238.conformance.vectors`) is given to an implementation
(:mod:`rfc6238.conformance.adapters`, :mod:`rfc6238.conformance.builtins`) and judged:

* **pass**: a valid case answered with the expected value (the code of RFC 4226 §5.3 /
  RFC 6238 §4, the matched step of RFC 6238 §5.2, the bytes of RFC 4648 §6), or an invalid
  case refused (an exception, an error exit, a rejected token);
* **fail**: a wrong answer, or an invalid case accepted;
* **refused**: a valid case the implementation refused (a policy or a limit; the reason is
  kept);
* **skipped**: the adapter cannot express the case for that implementation.

Run it as ``rfc6238 conformance`` or ``python -m rfc6238.conformance`` (``--help``); the exit
status is 1 if any case failed (with ``--strict``, also if any valid case was refused).

>>> results = run_suite([Rfc6238Implementation()], select_cases(only=["rfc4226:1"]))
>>> [(r.implementation, r.case_id, r.status) for r in results]
[('rfc6238', 'rfc4226:1', 'pass')]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .adapters import (
    INPUTS,
    AdapterError,
    Implementation,
    PythonImplementation,
    Rejected,
    Rfc6238Implementation,
    Unsupported,
)
from .cases import CaseResult, Status, SuiteCase, expected_value, show
from .options import add_arguments
from .process import CommandImplementation, JsonLinesImplementation
from .vectors import available, default_directory, load

__all__ = [
    "CaseResult",
    "SuiteCase",
    "add_arguments",
    "judge",
    "main",
    "run_from_args",
    "run_suite",
    "select_cases",
]


def _compare(case: SuiteCase, answer: Any) -> bool:
    expected = expected_value(case)
    if case.op.startswith("verify"):
        if not isinstance(answer, dict) or not isinstance(expected, dict):
            return False
        checks = {k: answer[k] for k in ("counter", "offset") if k in answer}
        if "abs_offset" in answer:
            return answer["abs_offset"] == abs(expected["offset"]) and all(
                expected[k] == v for k, v in checks.items()
            )
        return all(expected[k] == v for k, v in checks.items())
    if case.op == "base32_decode":
        return isinstance(answer, bytes | bytearray) and bytes(answer) == expected
    if case.op == "parse_uri":
        if not isinstance(answer, dict) or not isinstance(expected, dict):
            return False
        shared = [k for k in answer if k in expected]
        return bool(shared) and all(answer[k] == expected[k] for k in shared)
    return type(answer) is str and answer == expected


def _reason(err: BaseException) -> str:
    text = str(err) if isinstance(err, Rejected) else f"{type(err).__name__}: {err}"
    text = text.replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "..."


def judge(impl: Implementation, case: SuiteCase) -> CaseResult:
    """Run one case on one implementation and classify the outcome.

    >>> judge(Rfc6238Implementation(), select_cases(only=["tokens:17"])[0]).status
    'pass'
    """
    valid = case.case.result == "valid"
    try:
        answer = impl.run(case.op, case.raw_args() if impl.raw_json else case.args())
    except AdapterError:
        raise
    except Unsupported as err:
        status: Status = "skipped"
        got = f"not expressible: {err}"
    except Exception as err:
        status = "refused" if valid else "pass"
        got = f"refused: {_reason(err)}"
    else:
        got = show(answer)
        if not valid:
            status, got = "fail", f"accepted: {got}"
        else:
            status = "pass" if _compare(case, answer) else "fail"
            expected = expected_value(case)
            if status == "fail" and isinstance(answer, dict) and isinstance(expected, dict):
                got = show({k: v for k, v in answer.items() if expected.get(k, v) != v}) or got
    data = case.case
    return CaseResult(
        implementation=impl.name,
        case_id=case.case_id,
        file=case.file,
        group=case.group,
        op=case.op,
        tc_id=data.tc_id,
        comment=data.comment,
        flags=data.flags,
        result=data.result,
        status=status,
        expected=case.expected(),
        got=got,
    )


def _matches_group(case: SuiteCase, groups: Sequence[str]) -> bool:
    names = {case.file, case.op, f"{case.file}:{case.op}", f"{case.file}:{case.group}"}
    return any(g in names for g in groups)


def select_cases(
    *,
    directory: str | Path | None = None,
    groups: Sequence[str] = (),
    only: Sequence[str] = (),
    flags: Sequence[str] = (),
) -> list[SuiteCase]:
    """Load the vector files and keep the cases the filters name.

    Args:
        directory: Where the vector files are (default: ``$RFC6238_VECTORS``, else the
            checkout's ``vectors/``).
        groups: Keep groups named by file (``rfc4226``), operation (``totp``),
            ``FILE:OP`` or ``FILE:INDEX``.
        only: Keep cases ``FILE:TCID`` (or ``FILE`` for a whole file).
        flags: Keep cases carrying any of these flags.

    >>> [c.case_id for c in select_cases(only=["rfc4226:1,rfc4226:2"])]
    ['rfc4226:1', 'rfc4226:2']
    """
    if directory is None:
        directory = os.environ.get("RFC6238_VECTORS") or default_directory()
    base = Path(directory)
    names = available(directory=base) if base.is_dir() else []
    if not names:
        raise FileNotFoundError(f"no vector files in {base}; pass --vectors DIR")
    wanted = {item for spec in only for item in spec.split(",") if item}
    cases = []
    for name in names:
        vector_file = load(name, directory=base)
        for index, group in enumerate(vector_file.groups):
            for vector in group.tests:
                case = SuiteCase(
                    file=name, group=index, op=group.type, group_comment=group.comment, case=vector
                )
                if group.type not in INPUTS:
                    continue
                if groups and not _matches_group(case, groups):
                    continue
                if wanted and case.case_id not in wanted and name not in wanted:
                    continue
                if flags and not set(flags) & set(vector.flags):
                    continue
                cases.append(case)
    return cases


def run_suite(
    implementations: Iterable[Implementation],
    cases: Sequence[SuiteCase],
    *,
    progress: TextIO | None = None,
) -> list[CaseResult]:
    """Judge every case on every implementation (a progress line on ``progress``)."""
    results = []
    for impl in implementations:
        for i, case in enumerate(cases, 1):
            results.append(judge(impl, case))
            if progress is not None and (i % 25 == 0 or i == len(cases)):
                print(f"\r{impl.name}: {i}/{len(cases)} cases", end="", file=progress)
        if progress is not None:
            print(file=progress)
    return results


def implementations_from_args(args: argparse.Namespace) -> list[Implementation]:
    """Build the implementations the options name (``LookupError`` if one is missing)."""
    from .builtins import available_builtins, builtin

    names: list[str] = []
    for name in args.impl:
        names.extend(available_builtins() if name == "all" else name.split(","))
    impls = [builtin(name) for name in dict.fromkeys(names)]
    if args.python:
        impls.append(PythonImplementation(args.python, name=args.name))
    if args.command:
        impls.append(CommandImplementation(args.command, name=args.name))
    if args.jsonl:
        impls.append(JsonLinesImplementation(args.jsonl, name=args.name))
    seen: set[str] = set()
    for impl in impls:  # two columns must not share a name in the reports
        base, n = impl.name, 1
        while impl.name in seen:
            n += 1
            impl.name = f"{base}#{n}"
        seen.add(impl.name)
    return impls or [Rfc6238Implementation()]


def run_from_args(args: argparse.Namespace, *, stdout: TextIO | None = None) -> int:
    """Run the suite as the options say; print reports; return the exit status."""
    from .report import print_groups, summary_text, write_json, write_report

    out = stdout or sys.stdout
    try:
        cases = select_cases(
            directory=args.vectors, groups=args.group, only=args.only, flags=args.flag
        )
    except FileNotFoundError as err:
        print(f"rfc6238 conformance: error: {err}", file=sys.stderr)
        return 4
    if args.list:
        print_groups(cases, out)
        return 0
    if not cases:
        print("rfc6238 conformance: error: the filters select no case", file=sys.stderr)
        return 2
    try:
        impls = implementations_from_args(args)
    except (LookupError, ImportError, ValueError, OSError, AdapterError) as err:
        print(f"rfc6238 conformance: error: {err}", file=sys.stderr)
        return 3
    show = sys.stderr.isatty() if args.progress is None else args.progress
    try:
        results = run_suite(impls, cases, progress=sys.stderr if show else None)
    except AdapterError as err:
        print(f"rfc6238 conformance: error: {err}", file=sys.stderr)
        return 3
    finally:
        versions = {impl.name: impl.version() for impl in impls}
        descriptions = {impl.name: impl.description for impl in impls}
        for impl in impls:
            impl.close()
    if args.json:
        write_json(results, cases, versions, descriptions, out)
    else:
        print(summary_text(results, cases, versions, verbose=args.verbose), file=out)
    if args.report:
        write_report(args.report, results, cases, versions, descriptions)
        print(f"report written to {args.report}", file=sys.stderr)
    bad = {"fail", "refused"} if args.strict else {"fail"}
    return 1 if any(r.status in bad for r in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rfc6238.conformance``."""
    parser = argparse.ArgumentParser(
        prog="python -m rfc6238.conformance",
        description="Run the rfc6238 conformance vectors against an OTP implementation.",
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))
