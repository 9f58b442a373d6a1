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
FAILED=()
run() {  # run NAME COMMAND...: one timed phase; a failure is recorded, the next phase runs
    phase "$1"
    shift
    if ! "$@"; then
        FAILED+=("$current")
        echo "!! phase $current failed"
    fi
}
summary() {
    phase ""
    echo "== time per phase"
    printf '%s' "$TIMES"
    printf '   %-12s %5d s\n' total $(($(date +%s) - all_started))
    if [ "${#FAILED[@]}" -gt 0 ]; then
        echo "== FAILED phases: ${FAILED[*]}"
        exit 1
    fi
    echo "== every phase passed"
}

# Each phase is a function; its commands are joined by && (inside `if`, bash ignores set -e).
lint() {
    echo "-- ruff check" && ruff check . &&
        echo "-- ruff format --check" && ruff format --check . &&
        echo "-- mypy --strict (rfc6238, tests, scripts, benchmarks, examples, docs)" && mypy &&
        echo "-- nbstripout --verify" && nbstripout --verify notebooks/*.ipynb
}
unit() {  # the browser tests have their own phase, after the site is built
    HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}" MPLBACKEND=Agg \
        python -m pytest --ignore=tests/site/test_site.py "$@"
}
browser() {
    python -m pytest -p no:cacheprovider tests/site/test_site.py &&
        echo "-- screenshots: $(ls build/artifacts/*.png | tr '\n' ' ')"
}
# The walkthrough makes a fresh environment of its own, as a newcomer's would be.
export RFC6238_WALKTHROUGH_VENV="${RFC6238_WALKTHROUGH_VENV:-$PWD/.venv-walkthrough}"
walkthrough() {
    rm -rf "$RFC6238_WALKTHROUGH_VENV" &&
        python -m pytest -p no:cacheprovider tests/site/test_walkthrough.py -k serves_the_tour
}
notebooks() {  # only the notebooks extra (installed by the walkthrough) plus the test runner
    local py="$RFC6238_WALKTHROUGH_VENV/bin/python"
    "$py" -m pip install --quiet nbmake pytest-xdist &&
        MPLBACKEND=Agg "$py" -m pytest -p no:cacheprovider -o addopts="-ra" \
            -n 2 --nbmake --nbmake-timeout=300 notebooks/
}

phase setup  # a failed set-up stops here (set -e): nothing after it could run
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

run lint lint
run pytest unit "$@"
run site bash scripts/docs.sh
run browser browser
run walkthrough walkthrough
run notebooks notebooks
summary
