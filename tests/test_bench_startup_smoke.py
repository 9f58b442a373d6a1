"""Smoke test for ``benchmarks/bench_startup.py``: it runs, checks itself and prints its rows.

Speed is measured by the script, never asserted here: ``--quick`` (3 rounds, no wheel) and
only the shape of the output is looked at.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_startup.py"
ROWS = [
    "python -c pass",
    "import rfc6238",
    "rfc6238 code --secret-env K",
    "rfc6238 code --secret-env=K (argparse)",
    "stdlib argparse script",
]


def test_quick_run_prints_every_row_target_and_importtime() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--importtime"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    for row in ROWS:
        assert any(line.startswith(f"editable  {row} ") for line in lines), row
    targets = [line for line in lines if line.startswith("target editable: ")]
    assert len(targets) == 2
    assert all(line.endswith(("x met", "x NOT met")) for line in targets)
    assert "editable: python -X importtime, rfc6238 code --secret-env K" in lines
