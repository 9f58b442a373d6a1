"""Smoke test of ``benchmarks/bench_postgres.py --quick``: it runs against its own server,
checks itself, prints every row, and a verify costs two statements (round trips).

Speed is never asserted; the round-trip count is a property of the SQL, not a timing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pg_server import PostgresServer

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_postgres.py"


@pytest.mark.slow
def test_quick_run_prints_the_table(pg_server: PostgresServer) -> None:  # needs a server
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True,
                          text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["clients", "verify", "ms"]
    assert [line.split()[0] for line in lines[1:3]] == ["1", "4"]
    assert "statements (= round trips) per successful verify: 2.00" in done.stdout
    assert re.search(r"audit_log bytes per row \(table \+ indexes\): \d+", done.stdout)
