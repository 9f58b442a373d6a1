# Sourced by the scripts here: make (or reuse) the virtual environment and install the
# project with the extras given as $1 (e.g. "all" or "notebooks"). Sets $VENV.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[$1]"
VENV_BIN="$(cd "$VENV/bin" && pwd)"
export PATH="$VENV_BIN:$PATH"
