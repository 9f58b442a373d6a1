#!/usr/bin/env python3
"""Core speed benchmarks: rfc6238 against the HMAC floor, pyotp, cryptography and python-oath.

The floor is one one-shot :func:`hmac.digest` (RFC 2104) of the 8-byte counter plus the
RFC 4226 §5.3 dynamic truncation and formatting: the least a code costs without preparing
the key. Every other job is reported as a ratio to the floor of its hash measured in the same
run, so the numbers travel between machines better than microseconds do.

Method: one process; every job is timed ``timeit``-style (a loop of N calls, garbage
collector off, :func:`time.perf_counter_ns`) with N calibrated so that one sample lasts about
``--sample-ms``; after a warm-up, many interleaved rounds run every job once per round in a
shuffled order. The table shows per-job medians; a ratio is the median over rounds of
``job / floor`` within the same round, so load from other processes cancels as far as it can.

Run ``python benchmarks/bench_core.py`` (30-60 s), ``--quick`` for a smoke run, ``--markdown``
for the README table. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import hmac
import os
import platform
import random
import ssl
import statistics
import struct
import sys
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import rfc6238
from rfc6238.errors import InvalidToken

__all__ = ["Job", "build_jobs", "machine_lines", "main", "report", "run", "self_check"]

#: RFC 6238 Appendix B seeds: 20, 32 and 64 bytes for SHA1, SHA256 and SHA512.
KEYS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
TIME = 2_000_000_000  # 2033-05-18T03:33:20Z, step 66666666
PERIOD = 30
FLOOR_STMT = (
    "_d = _digest(key, _pack(counter), hashname)\n"
    "_r = '%06d' % ((_unpack(_d, _d[-1] & 15)[0] & 0x7FFFFFFF) % 1000000)"
)
GEN, VER = "generate", "verify ±1 (3 steps)"
#: The HMAC work of a ±1 verification and nothing else: three prepared HMACs (RFC 2104
#: state copies), no truncation, no comparison, no call of the library. A reference row.
THREE_HMACS_STMT = "\n".join(
    f"_i = ipad.copy()\n_i.update(p{n})\n_o = opad.copy()\n_o.update(_i.digest())\n_r = _o.digest()"
    for n in range(3)
)


@dataclass(slots=True)
class Job:
    """One timed statement: ``stmt`` runs with globals ``ns`` and leaves its result in ``_r``."""

    name: str
    group: str
    algorithm: str
    stmt: str
    ns: dict[str, Any]
    expect: object
    number: int = 1
    samples: list[float] = field(default_factory=list)  # ns per call, one per round


def _job(
    name: str, kind: str, stmt: str, ns: dict[str, Any], expect: object, alg: str = "SHA1"
) -> Job:
    return Job(name, f"{alg} {kind}", alg, stmt, ns, expect)


def _catch(stmt: str, error: str) -> str:
    return f"try:\n    _r = {stmt}\nexcept {error}:\n    _r = None"


def _rfc6238_jobs(alg: str) -> list[Job]:
    key, step, a = KEYS[alg], TIME // PERIOD, alg.lower()
    otp = rfc6238.TOTP(key=key, algorithm=alg)
    window = {otp.at(TIME + d * PERIOD) for d in (-1, 0, 1)}
    ns: dict[str, Any] = {
        "_digest": hmac.digest,
        "_pack": struct.Struct(">Q").pack,
        "_unpack": struct.Struct(">I").unpack_from,
        "hashname": a,
        "key": key,
        "counter": step,
        "t": TIME,
        "otp": otp,
        "ahead": otp.at(TIME + PERIOD),  # the *future* step: the last candidate scanned
        "last": step - 1,  # a replay floor as a service passes it: the step accepted before
        "bad": next(c for c in (f"{i:06d}" for i in range(10**6)) if c not in window),
        "hotp": rfc6238.hotp,
        "totp": rfc6238.totp,
        "verify_totp": rfc6238.verify_totp,
        "InvalidToken": InvalidToken,
        "ipad": otp._mac._inner,  # the prepared states, for the reference row only
        "opad": otp._mac._outer,
        **{f"p{n}": struct.pack(">Q", step - 1 + n) for n in range(3)},
    }
    code, hit = otp.at(TIME), rfc6238.Match(counter=step + 1, offset=1)
    floor = _job(f"floor {a}: hmac.digest+truncate", GEN, FLOOR_STMT, ns, code, alg)
    at = _job(f"rfc6238 TOTP.at {a} (prepared)", GEN, "_r = otp.at(t)", ns, code, alg)
    ver = _job(f"rfc6238 TOTP.verify {a} future", VER, "_r = otp.verify(ahead, t)", ns, hit, alg)
    if alg != "SHA1":
        return [floor, at, ver]
    last_hmac = hmac.digest(key, struct.pack(">Q", step + 1), a)
    return [
        floor,
        _job("rfc6238 hotp (pure)", GEN, "_r = hotp(key, counter)", ns, code),
        _job("rfc6238 totp (pure)", GEN, "_r = totp(key, t)", ns, code),
        at,
        _job("reference: 3 prepared HMACs only", VER, THREE_HMACS_STMT, ns, last_hmac),
        ver,
        _job(
            "rfc6238 TOTP.verify sha1 future after=",
            VER,
            "_r = otp.verify(ahead, t, after=last)",
            ns,
            hit,
        ),
        _job(
            "rfc6238 TOTP.verify no match",
            VER,
            _catch("otp.verify(bad, t)", "InvalidToken"),
            ns,
            None,
        ),
        _job(
            "rfc6238 verify_totp one-shot future", VER, "_r = verify_totp(key, ahead, t)", ns, hit
        ),
    ]


def _pyotp_jobs(base: dict[str, Any]) -> list[Job]:
    import pyotp

    ns = {**base, "p": pyotp.TOTP(rfc6238.base32.encode(KEYS["SHA1"]))}
    verify = "_r = p.verify({}, for_time=t, valid_window=1)"
    return [
        _job("pyotp TOTP.at", GEN, "_r = p.at(t)", ns, base["code"]),
        _job("pyotp TOTP.verify future", VER, verify.format("ahead"), ns, True),
        _job("pyotp TOTP.verify no match", VER, verify.format("bad"), ns, False),
    ]


def _cryptography_jobs(base: dict[str, Any]) -> list[Job]:
    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor import InvalidToken as CInvalidToken
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    totp = TOTP(KEYS["SHA1"], 6, SHA1(), PERIOD)  # noqa: S303 - RFC 6238's default hash
    ns = {**base, "c": totp, "CInvalidToken": CInvalidToken}
    # twofactor has no window: the caller loops over the steps and stops at the first match.
    loop = (
        "_b = {}.encode()\n_r = None\n"
        "for _s in (t - 30, t, t + 30):\n"
        "    try:\n        c.verify(_b, _s)\n    except CInvalidToken:\n        continue\n"
        "    _r = _s\n    break"
    )
    return [
        _job("cryptography TOTP.generate", GEN, "_r = c.generate(t)", ns, base["code"].encode()),
        _job("cryptography caller loop future", VER, loop.format("ahead"), ns, TIME + PERIOD),
        _job("cryptography caller loop no match", VER, loop.format("bad"), ns, None),
    ]


def _oath_jobs(base: dict[str, Any]) -> list[Job]:
    import oath  # type: ignore[import-untyped]  # python-oath ships no type hints

    ns = {**base, "oath": oath, "hexkey": KEYS["SHA1"].hex()}
    accept = "_r = oath.accept_totp(hexkey, {}, t=t)"  # backward_drift=forward_drift=1
    return [
        _job("oath totp", GEN, "_r = oath.totp(hexkey, t=t)", ns, base["code"]),
        _job("oath accept_totp future", VER, accept.format("ahead"), ns, (True, 1)),
        _job("oath accept_totp no match", VER, accept.format("bad"), ns, (False, 0)),
    ]


COMPARISONS: dict[str, Callable[[dict[str, Any]], list[Job]]] = {
    "pyotp": _pyotp_jobs,
    "cryptography": _cryptography_jobs,
    "oath": _oath_jobs,
}


def self_check(jobs: list[Job]) -> None:
    """Run every statement once; exit if one does not produce what its name promises."""
    for job in jobs:
        job.ns.pop("_r", None)
        exec(job.stmt, job.ns)  # noqa: S102 - the fixed statements defined in this file
        if job.ns.get("_r") != job.expect:
            raise SystemExit(f"self-check failed for {job.name!r}: got {job.ns.get('_r')!r}")


def build_jobs() -> tuple[list[Job], list[str]]:
    """Return the checked jobs, one block per group, and the comparison libraries missing."""
    jobs = _rfc6238_jobs("SHA1")
    ns = jobs[0].ns
    base = {"t": TIME, "ahead": ns["ahead"], "bad": ns["bad"], "code": jobs[0].expect}
    missing: list[str] = []
    for lib, make in COMPARISONS.items():
        try:
            jobs += make(base)
        except ImportError:
            missing.append(lib)
    jobs += _rfc6238_jobs("SHA256") + _rfc6238_jobs("SHA512")
    groups = list(dict.fromkeys(job.group for job in jobs))
    jobs.sort(key=lambda job: groups.index(job.group))  # stable
    self_check(jobs)
    return jobs, missing


def _time(job: Job, number: int) -> float:
    timer = timeit.Timer(job.stmt, globals=job.ns, timer=time.perf_counter_ns)
    return timer.timeit(number) / number


def run(jobs: list[Job], *, rounds: int, sample_ns: int, seed: int = 6238) -> None:
    """Calibrate and warm up every job, then append one sample per job per shuffled round."""
    for job in jobs:
        number = 1
        while (per_call := _time(job, number)) * number < sample_ns / 4:
            number *= 4
        job.number = max(1, round(sample_ns / per_call))
        _time(job, job.number)  # warm-up at the final size
    order = list(jobs)
    shuffle = random.Random(seed).shuffle
    for _ in range(rounds):
        shuffle(order)
        for job in order:
            job.samples.append(_time(job, job.number))


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines() -> list[str]:
    """Python, CPU, load, OpenSSL and library versions: the context every number needs."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    libs = ", ".join(f"{d} {_version(d)}" for d in ("rfc6238", "pyotp", "cryptography", "oath"))
    return [
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, CPU {_cpu()} x{os.cpu_count()}, "
        f"load {load:.2f}",
        f"{ssl.OPENSSL_VERSION}; {libs}",
    ]


def _paired(a: Job, b: Job) -> float:
    """Median over rounds of ``a / b`` measured in the same round."""
    return statistics.median(x / y for x, y in zip(a.samples, b.samples, strict=True))


def _targets(by: dict[str, Job]) -> list[tuple[str, float, float, bool]]:
    """(label, measured, bound, upper bound?) for the targets of the issue."""
    floor = by["floor sha1: hmac.digest+truncate"]
    at, ver = by["rfc6238 TOTP.at sha1 (prepared)"], by["rfc6238 TOTP.verify sha1 future"]
    after = by["rfc6238 TOTP.verify sha1 future after="]
    rows = [
        ("prepared TOTP.at / floor", _paired(at, floor), 0.65, True),
        ("pure hotp / floor", _paired(by["rfc6238 hotp (pure)"], floor), 1.2, True),
        ("prepared TOTP.verify ±1, future step / floor", _paired(ver, floor), 2.0, True),
        ("prepared TOTP.verify ±1 with after= / floor", _paired(after, floor), 2.0, True),
    ]
    if "pyotp TOTP.at" in by:
        rows.append(
            ("pyotp TOTP.at / prepared TOTP.at", _paired(by["pyotp TOTP.at"], at), 5, False)
        )
        rows.append(
            (
                "pyotp verify future / prepared verify future",
                _paired(by["pyotp TOTP.verify future"], ver),
                5,
                False,
            )
        )
    return rows


def report(jobs: list[Job], missing: Sequence[str] = (), *, markdown: bool = False) -> str:
    """Format the machine lines, the table and the targets as plain text or Markdown."""
    floors = {j.algorithm: j for j in jobs if j.name.startswith("floor")}
    out = machine_lines()
    if markdown:
        out = [f"*{line}*  " for line in out]
        out += ["", "| job | median µs | × floor |", "|---|---:|---:|"]  # noqa: RUF001
    else:
        head = f"{'job':<40} {'median µs':>10} {'min µs':>8} {'x floor':>8} {'IQR %':>6}"
        out += ["", head, "-" * len(head)]
    group = ""
    for job in jobs:
        med = statistics.median(job.samples)
        ratio = _paired(job, floors[job.algorithm])
        if markdown:
            out.append(f"| {job.name} | {med / 1000:.2f} | {ratio:.2f}x |")
            continue
        if job.group != group:
            group = job.group
            out.append(f"[{group}]")
        q1, _, q3 = statistics.quantiles(job.samples, n=4) if len(job.samples) > 1 else [med] * 3
        out.append(
            f"{job.name:<40} {med / 1000:>10.2f} {min(job.samples) / 1000:>8.2f} "
            f"{ratio:>7.2f}x {100 * (q3 - q1) / med:>6.1f}"
        )
    out += [f"{lib}: not installed, its rows are skipped" for lib in missing]
    out += ["", "Targets (ratios measured in this run):"]
    for label, value, bound, upper in _targets({j.name: j for j in jobs}):
        ok = value <= bound if upper else value >= bound
        rule = f"{'<=' if upper else '>='} {bound}"
        out.append(f"- {label}: {value:.2f}x ({rule}) {'met' if ok else 'NOT met'}")
    return "\n".join(out)


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be positive")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a few short rounds (smoke run)")
    parser.add_argument("--rounds", type=_positive(int), help="rounds (default 600, quick 5)")
    parser.add_argument("--sample-ms", type=_positive(float), help="sample length (2.5)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    rounds = int(args.rounds or (5 if args.quick else 600))
    sample_ms = float(args.sample_ms or (0.2 if args.quick else 2.5))
    started = time.perf_counter()
    jobs, missing = build_jobs()
    run(jobs, rounds=rounds, sample_ns=int(sample_ms * 1e6))
    print(report(jobs, missing, markdown=args.markdown))
    note = " (--quick: too short to mean anything)" if args.quick else ""
    elapsed = time.perf_counter() - started
    print(f"\n{rounds} rounds x {len(jobs)} jobs, samples ~{sample_ms} ms, {elapsed:.1f} s{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
