#!/usr/bin/env python3
"""Conformance runner transports: one process per case (``--command``) and JSON lines.

Two comparisons, each interleaved over rounds in one process, medians and ratios reported:

* ``--command`` with Debian's oathtool on the RFC 4226/6238 appendix cases: the previous
  transport (the template split per case, ``subprocess.run(timeout=...)``, which polls the
  child while it waits) against the current one (templates split once, ``Popen`` +
  ``communicate`` under a watchdog :class:`threading.Timer`);
* ``--jsonl`` with the reference adapter (``examples/jsonl_rfc6238.py``) on every vector
  case: one round trip per case against pipelined requests (32 written ahead).

Run ``python benchmarks/bench_conformance.py`` (about a minute; ``--rounds N``). Speed is
measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rfc6238.conformance import run_suite, select_cases  # noqa: E402
from rfc6238.conformance.adapters import Rejected  # noqa: E402
from rfc6238.conformance.builtins import OathtoolImplementation  # noqa: E402
from rfc6238.conformance.process import JsonLinesImplementation  # noqa: E402


class PolledOathtool(OathtoolImplementation):
    """The previous ``--command`` transport, kept here as the baseline."""

    def argv(
        self, op: str, args: Mapping[str, Any], extra: Mapping[str, str] | None = None
    ) -> list[str]:
        if op in self.templates:
            shlex.split(self.templates[op])  # the previous transport split it per case
        return super().argv(op, args, extra)

    def call(self, argv: list[str]) -> str:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20.0, check=False)
        if proc.returncode != 0:
            raise Rejected(f"exit {proc.returncode}")
        return proc.stdout.strip()


class OneRoundTrip(JsonLinesImplementation):
    """JSON lines without pipelining: one request, then its reply, per case."""

    prefetch = None  # type: ignore[assignment]  # the runner pipelines only a callable


def _time(job: Callable[[], object]) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--jsonl", metavar="COMMAND", help="time this JSON-lines adapter (default: the reference)"
    )
    args = parser.parse_args(argv)
    rows = []
    if shutil.which("oathtool"):
        cases = select_cases(groups=["rfc4226:hotp", "rfc6238"])
        old, new = PolledOathtool(), OathtoolImplementation()
        pairs = []
        for _ in range(args.rounds):
            t_old = _time(lambda: run_suite([old], cases))
            t_new = _time(lambda: run_suite([new], cases))
            pairs.append((t_old, t_new))
        per_case = len(cases)
        rows.append((
            f"--command oathtool, {per_case} cases",
            statistics.median(p[0] for p in pairs) / per_case * 1e3,
            statistics.median(p[1] for p in pairs) / per_case * 1e3,
            statistics.median(p[1] / p[0] for p in pairs),
        ))  # fmt: skip
    cases = select_cases()
    adapter = args.jsonl or f"{sys.executable} {ROOT / 'examples' / 'jsonl_rfc6238.py'}"
    serial, piped = OneRoundTrip(adapter), JsonLinesImplementation(adapter)
    try:
        pairs = []
        for _ in range(args.rounds):
            t_old = _time(lambda: run_suite([serial], cases))
            t_new = _time(lambda: run_suite([piped], cases))
            pairs.append((t_old, t_new))
    finally:
        serial.close()
        piped.close()
    rows.append((
        f"--jsonl {'reference adapter' if not args.jsonl else args.jsonl}, {len(cases)} cases",
        statistics.median(p[0] for p in pairs) / len(cases) * 1e3,
        statistics.median(p[1] for p in pairs) / len(cases) * 1e3,
        statistics.median(p[1] / p[0] for p in pairs),
    ))  # fmt: skip
    print(f"| transport ({args.rounds} rounds, medians) | before ms/case | now ms/case | ratio |")
    print("|---|---|---|---|")
    for name, before, now, ratio in rows:
        print(f"| {name} | {before:.3f} | {now:.3f} | {ratio:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
