#!/usr/bin/env bash
# The main job, with its own set-up: install rfc6238 with the notebook extras into .venv
# and open the walkthrough (notebooks/00_tour.ipynb) in JupyterLab.
# Pass --demo to run the terminal demo instead (no browser needed).
source "$(dirname "$0")/_venv.sh" notebooks
if [ "${1:-}" = "--demo" ]; then
    exec python -m rfc6238 demo
fi
exec jupyter lab notebooks/00_tour.ipynb
