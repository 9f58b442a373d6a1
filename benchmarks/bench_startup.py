"""Start-up as a user feels it: whole processes, CPU time, interleaved rounds, medians.

Each row runs one command as a fresh process (``python -c "import rfc6238"``, the
``rfc6238 code`` console script, pyotp's one-line equivalent, a stdlib-only argparse script)
and charges it the CPU time the child used (user + system, from
``resource.getrusage(RUSAGE_CHILDREN)`` deltas). Rounds are interleaved and shuffled, and
every row is divided by ``python -c pass`` of the same interpreter in the same round; the
table gives medians over rounds.

Two installations are measured: the interpreter running this script (normally the
editable checkout's ``.venv``, whose ``.pth`` path hook costs every process something) and
a wheel built from the checkout and installed into a fresh temporary virtual environment.
``--importtime`` adds the modules that dominate ``python -X importtime``.

    python benchmarks/bench_startup.py                # about 1-2 minutes
    python benchmarks/bench_startup.py --quick        # a smoke run; the numbers mean nothing
    python benchmarks/bench_startup.py --no-wheel --importtime
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

Samples = dict[tuple[str, str], list[tuple[float, float]]]  # (ms CPU, x pass) per round
ROOT = Path(__file__).resolve().parent.parent
KEY = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 4226 Appendix D key, base32
TARGETS = {"import rfc6238": 1.5, "rfc6238 code --secret-env K": 3.0}

PYOTP = "import os, pyotp; print(pyotp.TOTP(os.environ['K']).now())"
STDLIB_SCRIPT = '''\
"""A stdlib-only `code --secret-env NAME` (argparse, base64, hmac): the floor to compare."""
import argparse, base64, hmac, os, struct, time
parser = argparse.ArgumentParser(prog="totp")
sub = parser.add_subparsers(dest="command", required=True)
code = sub.add_parser("code")
code.add_argument("--secret-env", required=True)
args = parser.parse_args()
key = base64.b32decode(os.environ[args.secret_env])
mac = hmac.digest(key, struct.pack(">Q", int(time.time()) // 30), "sha1")
offset = mac[-1] & 15
print("%06d" % ((int.from_bytes(mac[offset:offset + 4]) & 0x7FFFFFFF) % 10**6))
'''


def child_env() -> dict[str, str]:
    """The caller's environment without PYTHON* variables (no -B, no extra paths), plus K."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["K"] = KEY
    return env


def commands(python: Path, stdlib: Path, pyotp: bool) -> dict[str, list[str]]:
    """The rows of one installation (argv lists); ``pass`` is the baseline."""
    script: list[str] = [str(python.parent / "rfc6238")]  # the console script, as users run it
    if not Path(script[0]).exists():
        print(f"note: no console script next to {python}; using python -m rfc6238")
        script = [str(python), "-m", "rfc6238"]
    rows = {
        "python -c pass": [str(python), "-c", "pass"],
        "import rfc6238": [str(python), "-c", "import rfc6238"],
        "rfc6238 code --secret-env K": [*script, "code", "--secret-env", "K"],
        "rfc6238 code --secret-env=K (argparse)": [*script, "code", "--secret-env=K"],
        "stdlib argparse script": [str(python), str(stdlib), "code", "--secret-env", "K"],
    }
    if pyotp:
        rows["pyotp one-liner"] = [str(python), "-c", PYOTP]
    return rows


def has_module(python: Path, name: str) -> bool:
    probe = f"import importlib.util as u; raise SystemExit(u.find_spec({name!r}) is None)"
    return subprocess.run([str(python), "-c", probe], env=child_env()).returncode == 0


def build_wheel_env(tmp: Path) -> Path:
    """Build a wheel of the checkout, install it into a new venv; return its python."""
    wheels = tmp / "wheels"
    cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels)]
    if has_module(Path(sys.executable), "setuptools"):
        cmd.append("--no-build-isolation")
    subprocess.run([*cmd, str(ROOT)], check=True, env=child_env())
    (wheel,) = wheels.glob("rfc6238-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, env=child_env())
    # pyotp (no dependencies) for its row; left out if the index cannot provide it.
    subprocess.run([*pip, "--no-deps", "pyotp"], env=child_env(), stderr=subprocess.DEVNULL)
    return python


def cpu_ms(argv: list[str], env: dict[str, str]) -> float:
    """CPU milliseconds (user + system) one child process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used * 1000.0


def check(rows: dict[str, list[str]], env: dict[str, str]) -> None:
    """Run every row once: it must succeed, and code rows must print a 6-digit code.

    This run also writes the bytecode caches, so no timed run compiles anything.
    """
    for name, argv in rows.items():
        out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
        if "code" in name or "pyotp" in name:
            assert re.fullmatch(r"[0-9]{6}\n", out), (name, out)
    fixed = [*rows["rfc6238 code --secret-env K"], "--at", "59", "--digits", "8"]
    rfc = subprocess.run(fixed, env=env, capture_output=True)
    assert rfc.stdout == b"94287082\n", rfc  # RFC 6238 Appendix B, first row


def measure(envs: dict[str, dict[str, list[str]]], rounds: int) -> Samples:
    """Interleaved shuffled rounds; returns per (env, row) the [ms, ratio-to-pass] samples."""
    env = child_env()
    jobs = [(e, name, argv) for e, rows in envs.items() for name, argv in rows.items()]
    for argv in (a for _, _, a in jobs):  # warm-up: page cache, bytecode
        cpu_ms(argv, env)
    rng = random.Random(6238)
    samples: Samples = {(e, name): [] for e, name, _ in jobs}  # report in table order
    for _ in range(rounds):
        rng.shuffle(jobs)
        got = {(e, name): cpu_ms(argv, env) for e, name, argv in jobs}
        for (e, name), ms in got.items():
            samples[e, name].append((ms, ms / max(got[e, "python -c pass"], 1e-3)))
    return samples


def report(samples: Samples, markdown: bool) -> None:
    head = ("install", "command", "median ms CPU", "IQR ms", "x python -c pass")
    lines = []
    for (env, name), values in samples.items():
        ms = sorted(v[0] for v in values)
        q = statistics.quantiles(ms, n=4) if len(ms) > 1 else [ms[0]] * 3
        ratio = statistics.median(v[1] for v in values)
        median = f"{statistics.median(ms):.1f}"
        lines.append((env, name, median, f"{q[2] - q[0]:.1f}", f"{ratio:.2f}x"))
    if markdown:
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        for row in lines:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
        for row in [head, *lines]:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print()
    for (env, name), values in samples.items():
        if name in TARGETS:
            ratio = statistics.median(v[1] for v in values)
            verdict = "met" if ratio <= TARGETS[name] else "NOT met"
            print(f"target {env}: {name} <= {TARGETS[name]}x: {ratio:.2f}x {verdict}")


IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def importtime(argv: list[str], base: list[str], runs: int, top: int) -> None:
    """Print the modules ``argv`` imports beyond ``base`` that cost most (median µs)."""

    def parse(cmd: list[str]) -> dict[str, tuple[int, int, int]]:
        err = subprocess.run(cmd, env=child_env(), capture_output=True, text=True).stderr
        return {m[4]: (int(m[1]), int(m[2]), len(m[3]) // 2) for m in IMPORTTIME.finditer(err)}

    seen = set(parse(base))
    runs_data = [parse(argv) for _ in range(runs)]
    names = [n for n in runs_data[0] if n not in seen]
    med = {
        n: (
            statistics.median(r[n][0] for r in runs_data if n in r),
            statistics.median(r[n][1] for r in runs_data if n in r),
            runs_data[0][n][2],
        )
        for n in names
    }
    print(f"{len(names)} modules beyond `python -c pass`; top {top} by cumulative µs:")
    for n, (own, cum, depth) in sorted(med.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"  {own:8.0f} self {cum:8.0f} cumulative  {'  ' * depth}{n}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="interleaved rounds (60)")
    parser.add_argument("--quick", action="store_true", help="3 rounds, no wheel: a smoke run")
    parser.add_argument("--no-wheel", action="store_true", help="measure the editable only")
    parser.add_argument("--importtime", action="store_true", help="print -X importtime tops")
    parser.add_argument("--markdown", action="store_true", help="the table in Markdown")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    tmp = Path(tempfile.mkdtemp(prefix="bench_startup_"))
    try:
        stdlib = tmp / "stdlib_totp.py"
        stdlib.write_text(STDLIB_SCRIPT)
        python = Path(sys.executable)
        envs = {"editable": commands(python, stdlib, has_module(python, "pyotp"))}
        if not (args.quick or args.no_wheel):
            wheel = build_wheel_env(tmp)
            envs["wheel"] = commands(wheel, stdlib, has_module(wheel, "pyotp"))
        for rows in envs.values():
            check(rows, child_env())
        print(
            f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs, load "
            f"{os.getloadavg()[0]:.2f}; {rounds} interleaved rounds; CPU time per process\n"
        )
        report(measure(envs, rounds), args.markdown)
        if args.importtime:
            for env, rows in envs.items():
                python_x = [rows["python -c pass"][0], "-X", "importtime"]
                for name in ("import rfc6238", "rfc6238 code --secret-env K"):
                    argv = rows[name][1:] if rows[name][0] == python_x[0] else rows[name]
                    print(f"\n{env}: python -X importtime, {name}")
                    runs = 1 if args.quick else 7
                    importtime([*python_x, *argv], [*python_x, "-c", "pass"], runs, 15)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
