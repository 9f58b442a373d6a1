#!/usr/bin/env bash
# The main job, with its own set-up: install rfc6238 with the notebook extras into .venv
# and open the walkthrough (notebooks/00_tour.ipynb) in JupyterLab.
# Pass --demo to run the terminal demo instead (no browser needed).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[notebooks]"
if [ "${1:-}" = "--demo" ]; then
    exec "$VENV/bin/python" -m rfc6238 demo
fi
exec "$VENV/bin/jupyter" lab notebooks/00_tour.ipynb
