#!/usr/bin/env bash
# The full test suite, with its own set-up. CI runs exactly this (through .ci/run).
# Phases, each timed (the summary is printed at the end):
#   setup       .venv (or $VENV) with the project and every extra; optional outside tools
#   lint        ruff, ruff format, mypy --strict (rfc6238, tests, scripts, benchmarks, docs,
#               examples), notebooks stored without outputs
#   pytest      unit, property, doctest, vector and script tests (arguments go here)
#   site        the documentation site (scripts/docs.sh: notebooks executed, zero warnings)
#   browser     the built site in Debian's Chromium (tests/site/test_site.py)
#   walkthrough scripts/walkthrough.sh as a newcomer runs it: a fresh environment of its own
#               (only the `notebooks` extra), JupyterLab served on 127.0.0.1, then stopped
#   notebooks   all twelve notebooks executed in that same environment, two at a time
# In CI (CI=true) a part that cannot run is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

TIMES=""
current=""
started=$(date +%s)
phase() {  # phase NAME: close the running phase, recording its time, and open the next one
    local now
    now=$(date +%s)
    if [ -n "$current" ]; then
        TIMES+="$(printf '   %-12s %5d s' "$current" $((now - started)))"$'\n'
    fi
    current="$1"
    started=$now
    if [ -n "$current" ]; then echo "== $current"; fi
}
all_started=$(date +%s)
summary() {
    phase ""
    echo "== time per phase"
    printf '%s' "$TIMES"
    printf '   %-12s %5d s\n' total $(($(date +%s) - all_started))
}

phase setup
source scripts/_venv.sh all dev  # dev: the linters and type checkers
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    # Debian's oathtool is one of the independent oracles; chromium runs the site tests.
    for tool in oathtool chromium; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            (apt-get update -qq && apt-get install -y -qq "$tool") >/dev/null 2>&1 || true
        fi
    done
fi
# The Node example adapter (otplib) is tested when npm can install it; otherwise skipped.
if command -v npm >/dev/null 2>&1; then
    (cd examples/node-otplib && npm ci --no-audit --no-fund) >/dev/null 2>&1 || true
fi

phase lint
echo "-- ruff check"; ruff check .
echo "-- ruff format --check"; ruff format --check .
echo "-- mypy --strict (rfc6238, tests, scripts, benchmarks, examples, docs)"; mypy
echo "-- nbstripout --verify"; nbstripout --verify notebooks/*.ipynb

phase pytest
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
export MPLBACKEND=Agg
# The browser tests have their own phase, after the site is built.
python -m pytest --ignore=tests/site/test_site.py "$@"

phase site
bash scripts/docs.sh

phase browser
python -m pytest -p no:cacheprovider tests/site/test_site.py
echo "-- screenshots: $(ls build/artifacts/*.png | tr '\n' ' ')"

phase walkthrough
# A fresh environment made by the walkthrough script itself, as a newcomer's would be.
export RFC6238_WALKTHROUGH_VENV="${RFC6238_WALKTHROUGH_VENV:-$PWD/.venv-walkthrough}"
rm -rf "$RFC6238_WALKTHROUGH_VENV"
python -m pytest -p no:cacheprovider tests/site/test_walkthrough.py -k serves_the_tour

phase notebooks
# Only the notebooks extra (installed above by the walkthrough) plus the test runner itself.
"$RFC6238_WALKTHROUGH_VENV/bin/python" -m pip install --quiet nbmake pytest-xdist
"$RFC6238_WALKTHROUGH_VENV/bin/python" -m pytest -p no:cacheprovider -o addopts="-ra" \
    -n 2 --nbmake --nbmake-timeout=300 notebooks/

summary
