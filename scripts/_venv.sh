# Sourced by the scripts here: make (or reuse) the virtual environment and install the
# project with the extras given as $1 (e.g. "all" or "notebooks") and the dependency groups
# of pyproject.toml given as $2 (optional, e.g. "dev"). Sets $VENV.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[$1]"
# Dependency groups (PEP 735) need pip >= 25.1, which the upgrade above brings.
for group in ${2:-}; do
    if ! "$VENV/bin/python" -m pip install --quiet --group "$group"; then
        echo "cannot install the '$group' group: $("$VENV/bin/python" -m pip --version)" \
            "(pip >= 25.1 reads [dependency-groups])" >&2
        exit 1
    fi
done
VENV_BIN="$(cd "$VENV/bin" && pwd)"
export PATH="$VENV_BIN:$PATH"
