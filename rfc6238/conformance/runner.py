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
import contextlib
import os
import re
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from .adapters import (
    INPUTS,
    AdapterError,
    Crashed,
    Implementation,
    PythonImplementation,
    Rejected,
    Rfc6238Implementation,
    Unsupported,
    refusal_kind,
)
from .cases import CaseResult, Refusal, Status, SuiteCase, expected_value, show
from .options import add_arguments
from .process import CommandImplementation, JsonLinesImplementation
from .vectors import available, default_directory, load

__all__ = [
    "CaseResult",
    "RunInterrupted",
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
    text = str(err) if isinstance(err, Rejected | AdapterError) else f"{type(err).__name__}: {err}"
    text = text.replace("\n", " ")
    return text if len(text) <= 200 else text[:197] + "..."


def _call(impl: Implementation, op: str, args: Mapping[str, Any]) -> Any:
    """``impl.run`` under a watchdog: an in-process call that outlives ``impl.timeout``
    is abandoned (its daemon thread left behind) and reported as a crash."""
    if not impl.in_process or not impl.timeout:
        return impl.run(op, args)
    box: list[Any] = []

    def work() -> None:
        try:
            box.append((True, impl.run(op, args)))
        except BaseException as err:  # handed to the caller's thread as is
            box.append((False, err))

    worker = threading.Thread(target=work, name=f"conformance-{impl.name}", daemon=True)
    worker.start()
    worker.join(impl.timeout)
    if not box:
        raise Crashed(f"timeout: no answer after {impl.timeout:g} s")
    ok, value = box[0]
    if not ok:
        raise value
    return value


def judge(impl: Implementation, case: SuiteCase) -> CaseResult:
    """Run one case on one implementation and classify the outcome.

    A valid case passes with the expected value; an invalid case passes with a clean
    refusal; an acceptable case passes with either. A crash (an uncaught language error,
    :class:`Crashed`: a dead adapter process, a timeout) is a failure whatever the case
    expects. Any other :class:`AdapterError` (the adapter itself is broken) propagates;
    :func:`run_suite` records it as a crash of the case.

    >>> judge(Rfc6238Implementation(), select_cases(only=["tokens:17"])[0]).status
    'pass'
    """
    result = case.case.result
    refusal: Refusal = ""
    status: Status
    impl.case_id = case.case_id  # named in the adapter's errors
    started = time.perf_counter()
    try:
        answer = _call(impl, case.op, case.raw_args() if impl.raw_json else case.args())
    except AdapterError as err:
        if not isinstance(err, Crashed):
            raise  # the adapter itself is broken: the caller decides (run_suite: a crash)
        refusal, status = "crash", "fail"
        got = f"crash: {_reason(err)}"
    except Unsupported as err:
        status = "skipped"
        got = f"not expressible: {err}"
    except Exception as err:
        if refusal_kind(err) == "crash":
            refusal, status = "crash", "fail"
            got = f"crash: {_reason(err)}"
        else:
            refusal = "rejection"
            status = "refused" if result == "valid" else "pass"
            got = f"refused: {_reason(err)}"
    else:
        got = show(answer)
        if result == "invalid":
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
        category=case.category,
        refusal=refusal,
        policy=data.policy or "",
        seconds=time.perf_counter() - started,
    )


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_suite`; ``results`` holds every verdict reached so far."""

    def __init__(self, results: list[CaseResult]) -> None:
        super().__init__(f"interrupted after {len(results)} verdicts")
        self.results = results


def _matches_group(case: SuiteCase, groups: Sequence[str]) -> bool:
    names = {case.file, case.op, f"{case.file}:{case.op}", f"{case.file}:{case.group}"}
    return any(g in names for g in groups)


def select_cases(
    *,
    directory: str | Path | None = None,
    groups: Sequence[str] = (),
    only: Sequence[str] = (),
    flags: Sequence[str] = (),
    exclude: Sequence[str] = (),
    policy: bool = True,
) -> list[SuiteCase]:
    """Load the vector files and keep the cases the filters name.

    Args:
        directory: Where the vector files are (default: ``$RFC6238_VECTORS``, else the
            checkout's ``vectors/``).
        groups: Keep groups named by file (``rfc4226``), operation (``totp``),
            ``FILE:OP`` or ``FILE:INDEX``.
        only: Keep cases ``FILE:TCID`` (or ``FILE`` for a whole file).
        flags: Keep cases carrying any of these flags.
        exclude: Drop cases named like ``only`` or ``groups`` (``FILE:TCID``, ``FILE``,
            ``OP``, ``FILE:OP``, ``FILE:INDEX``) or by a flag.
        policy: False drops the house-rule cases (flag ``Policy``): RFC conformance only.

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
    dropped = {item for spec in exclude for item in spec.split(",") if item}
    cases = []
    for name in names:
        vector_file = load(name, directory=base)
        for index, group in enumerate(vector_file.groups):
            for vector in group.tests:
                case = SuiteCase(
                    file=name,
                    group=index,
                    op=group.type,
                    group_comment=group.comment,
                    case=vector,
                    vectors_version=vector_file.vectors_version,
                )
                if group.type not in INPUTS:
                    continue
                if groups and not _matches_group(case, groups):
                    continue
                if wanted and case.case_id not in wanted and name not in wanted:
                    continue
                if flags and not set(flags) & set(vector.flags):
                    continue
                if not policy and case.category == "policy":
                    continue
                if dropped and (
                    case.case_id in dropped
                    or _matches_group(case, list(dropped))
                    or dropped & set(vector.flags)
                ):
                    continue
                cases.append(case)
    return cases


def run_suite(
    implementations: Iterable[Implementation],
    cases: Sequence[SuiteCase],
    *,
    progress: TextIO | None = None,
) -> list[CaseResult]:
    """Judge every case on every implementation (a progress line on ``progress``).

    A crash or timeout on one case is recorded (with the case id) and the adapter is
    restarted before the next case: the run always finishes. Ctrl-C raises
    :class:`RunInterrupted` carrying the verdicts reached so far.
    """
    results: list[CaseResult] = []
    try:
        for impl in implementations:
            sent = 0  # pipelining: cases whose requests were written ahead (JSON lines)
            for i, case in enumerate(cases, 1):
                prefetch = getattr(impl, "prefetch", None)
                if callable(prefetch) and impl.raw_json and sent < i:
                    upto = min(len(cases), i - 1 + _PIPELINE)
                    with contextlib.suppress(AdapterError):  # a dead adapter: judged next
                        prefetch((c.case_id, c.op, c.raw_args()) for c in cases[i - 1 : upto])
                    sent = upto
                try:
                    verdict = judge(impl, case)
                except AdapterError as err:  # a broken adapter: this case is a crash
                    verdict = judge(_Dead(impl.name, err), case)
                results.append(verdict)
                if verdict.crashed:
                    try:
                        impl.restart()
                    except AdapterError as err:  # cannot come back: the rest crash too
                        results.extend(_crashed_rest(impl, cases[i:], err))
                        break
                    sent = i + len(getattr(impl, "ahead", ()))  # a new process lost them
                if progress is not None and (i % 25 == 0 or i == len(cases)):
                    print(f"\r{impl.name}: {i}/{len(cases)} cases", end="", file=progress)
            if progress is not None:
                print(file=progress)
    except KeyboardInterrupt as err:
        raise RunInterrupted(results) from err
    return results


class _Dead(Implementation):
    """Stands for an adapter that broke: every case it is asked is a crash."""

    in_process = False

    def __init__(self, name: str, err: AdapterError) -> None:
        self.name, self.err = name, err

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        raise Crashed(f"the adapter broke: {self.err}")


def _crashed_rest(
    impl: Implementation, cases: Sequence[SuiteCase], err: AdapterError
) -> list[CaseResult]:
    dead = _Dead(impl.name, AdapterError(f"it could not restart: {err}"))
    return [judge(dead, case) for case in cases]


#: Requests written ahead of their replies for a JSON-lines adapter.
_PIPELINE: Final = 32
_NAMED: Final = re.compile(r"([A-Za-z0-9_.@+-]{1,64})=(.+)", re.DOTALL)


def _named(spec: str) -> tuple[str | None, str]:
    """``NAME=COMMAND`` -> (NAME, COMMAND); a plain command -> (None, command)."""
    match = _NAMED.fullmatch(spec)
    return (match[1], match[2]) if match else (None, spec)


def implementations_from_args(args: argparse.Namespace) -> list[Implementation]:
    """Build the implementations the options name (``LookupError`` if one is missing).

    ``--impl`` built-ins, ``--python``, ``--command`` and every ``--jsonl [NAME=]COMMAND``
    (repeatable) become one column each of the same matrix.
    """
    from .builtins import available_builtins, builtin

    names: list[str] = []
    for name in args.impl:
        names.extend(available_builtins() if name == "all" else name.split(","))
    impls = [builtin(name) for name in dict.fromkeys(names)]
    if args.python:
        impls.append(PythonImplementation(args.python, name=args.name))
    if args.command:
        impls.append(CommandImplementation(args.command, name=args.name))
    jsonl = [args.jsonl] if isinstance(args.jsonl, str) else list(args.jsonl or ())
    for spec in jsonl:
        label, command = _named(spec)
        try:
            impls.append(JsonLinesImplementation(command, name=label or args.name))
        except AdapterError:
            for impl in impls:
                impl.close()
            raise
    timeout = getattr(args, "timeout", None)
    seen: set[str] = set()
    for impl in impls:  # two columns must not share a name in the reports
        if timeout is not None:
            impl.timeout = timeout
        base, n = impl.name, 1
        while impl.name in seen:
            n += 1
            impl.name = f"{base}#{n}"
        seen.add(impl.name)
    return impls or [Rfc6238Implementation()]


def _write_reports(
    args: argparse.Namespace,
    results: list[CaseResult],
    cases: Sequence[SuiteCase],
    impls: Sequence[Implementation],
    out: TextIO,
    *,
    complete: bool,
) -> None:
    from .report import RunInfo, summary_text, write_json, write_report

    info = RunInfo.collect(impls, cases, complete=complete)
    if args.json:
        write_json(results, cases, info.versions, info.descriptions, out, info=info)
    else:
        print(
            summary_text(results, cases, info.versions, verbose=args.verbose, info=info), file=out
        )
    for path in args.report or ():
        write_report(path, results, cases, info.versions, info.descriptions, info=info)
        print(f"report written to {path}", file=sys.stderr)


def _exit_status(args: argparse.Namespace, results: Sequence[CaseResult]) -> int:
    bad = {"fail", "refused"} if args.strict else {"fail"}
    status = 1 if any(r.status in bad for r in results) else 0
    names = dict.fromkeys(r.implementation for r in results)
    for name in names:
        if not any(r.status == "pass" for r in results if r.implementation == name):
            print(f"rfc6238 conformance: {name} passed no case (a broken adapter?)",
                  file=sys.stderr)  # fmt: skip
            status = 1
    return status


def run_from_args(args: argparse.Namespace, *, stdout: TextIO | None = None) -> int:
    """Run the suite as the options say; print reports; return the exit status.

    0: every case passed or was refused/skipped, and every implementation passed some case;
    1: a failure (a crash counts), or an implementation that passed nothing; 2: the filters
    select nothing; 3: an implementation cannot start; 4: no vectors; 130: interrupted (the
    partial results are still printed and the reports written).
    """
    from .report import print_groups

    out = stdout or sys.stdout
    if getattr(args, "selftest_adapter", None):
        from .selftest import selftest_main

        return selftest_main(args.selftest_adapter, out)
    try:
        cases = select_cases(
            directory=args.vectors,
            groups=args.group,
            only=args.only,
            flags=args.flag,
            exclude=getattr(args, "exclude", ()),
            policy=getattr(args, "policy", True),
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
    complete = True
    try:
        results = run_suite(impls, cases, progress=sys.stderr if show else None)
    except RunInterrupted as stop:
        results, complete = stop.results, False
        print(f"\nrfc6238 conformance: interrupted after {len(results)} verdicts; "
              "writing the partial results", file=sys.stderr)  # fmt: skip
    try:
        _write_reports(args, results, cases, impls, out, complete=complete)
    finally:
        for impl in impls:
            impl.close()
    return _exit_status(args, results) if complete else 130


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rfc6238.conformance``."""
    parser = argparse.ArgumentParser(
        prog="python -m rfc6238.conformance",
        description="Run the rfc6238 conformance vectors against an OTP implementation.",
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))
