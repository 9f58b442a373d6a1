#!/usr/bin/env bash
# The full test suite, with its own set-up: a virtual environment in .venv (or $VENV)
# with the project and every extra, then lint, types, unit tests, doctests and notebooks.
source "$(dirname "$0")/_venv.sh" all dev  # dev: the linters and type checkers
# Debian's oathtool is one of the independent oracles; install it where we can (root + apt).
if ! command -v oathtool >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq oathtool) >/dev/null 2>&1 || true
fi
# The Node example adapter (otplib) is tested when npm can install it; otherwise skipped.
if command -v npm >/dev/null 2>&1; then
    (cd examples/node-otplib && npm ci --no-audit --no-fund) >/dev/null 2>&1 || true
fi
echo "== ruff check"; ruff check .
echo "== ruff format --check"; ruff format --check .
echo "== mypy --strict (rfc6238, tests, scripts, benchmarks, examples)"; mypy
if ls notebooks/*.ipynb >/dev/null 2>&1; then
    echo "== nbstripout --verify"; nbstripout --verify notebooks/*.ipynb
fi
echo "== pytest (unit, property, doctest, vectors)"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
export MPLBACKEND=Agg
python -m pytest "$@"
if ls notebooks/*.ipynb >/dev/null 2>&1; then
    echo "== notebooks (executed with nbmake)"
    python -m pytest -o addopts="--strict-markers -ra" --nbmake --nbmake-timeout=120 notebooks/
fi
