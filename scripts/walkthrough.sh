#!/usr/bin/env bash
# The main job, with its own set-up: install rfc6238 with the `notebooks` extra into .venv
# (or $VENV) and open the walkthrough (notebooks/00_tour.ipynb) in JupyterLab.
#
#   bash scripts/walkthrough.sh                  # JupyterLab on http://127.0.0.1:8888
#   bash scripts/walkthrough.sh --port 9000      # another port (or RFC6238_PORT=9000)
#   bash scripts/walkthrough.sh --no-browser     # any other argument goes to `jupyter lab`
#   bash scripts/walkthrough.sh --demo           # the terminal demo instead (no browser)
#   bash scripts/walkthrough.sh --dry-run        # print the JupyterLab command, start nothing
#
# As root (containers, CI) JupyterLab needs --allow-root: it is added only when running as
# root. The access token is $JUPYTER_TOKEN when set, otherwise a fresh random one; the URL
# to open, token included, is printed before JupyterLab starts.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'walkthrough: %s\n' "$*"; }
fail() { printf 'walkthrough: %s\n' "$@" >&2; exit 2; }

port="${RFC6238_PORT:-8888}"
demo=0
dry_run=0
lab_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --demo) demo=1 ;;
        --dry-run) dry_run=1 ;;
        --port)
            [ $# -ge 2 ] || fail "--port needs a number, e.g. --port 8890"
            port="$2"
            shift ;;
        --port=*) port="${1#--port=}" ;;
        *) lab_args+=("$1") ;;
    esac
    shift
done

if [ "$demo" = 0 ]; then
    case "$port" in
        '' | *[!0-9]*) fail "the port must be a number from 1 to 65535, not '$port'" ;;
    esac
    if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
        fail "the port must be a number from 1 to 65535, not '$port'"
    fi
    # Check the port before the (slow) install, so a busy port fails at once and plainly.
    if ! "${PYTHON:-python3}" - "$port" <<'EOF'
import socket
import sys

with socket.socket() as s:
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
EOF
    then
        fail "port $port on 127.0.0.1 is already in use (another JupyterLab?)." \
            "Stop that program, or choose a free port: bash scripts/walkthrough.sh --port 8890"
    fi
    token="${JUPYTER_TOKEN:-$("${PYTHON:-python3}" -c 'import secrets; print(secrets.token_hex(24))')}"
    # The repository is JupyterLab's root (notebooks/, docs/, vectors/ all in reach) and the
    # tour is the page it opens.
    cmd=(jupyter lab "--ServerApp.root_dir=$PWD" --LabApp.default_url=/lab/tree/notebooks/00_tour.ipynb
        --ServerApp.ip=127.0.0.1 "--ServerApp.port=$port" --ServerApp.port_retries=0)
    if [ "$(id -u)" = 0 ]; then
        cmd+=(--allow-root)
    fi
    cmd+=(${lab_args[@]+"${lab_args[@]}"})
    url="http://127.0.0.1:$port/lab/tree/notebooks/00_tour.ipynb?token=$token"
    if [ "$dry_run" = 1 ]; then
        printf '%q ' "${cmd[@]}"
        printf '\n%s\n' "$url"
        exit 0
    fi
fi

say "setting up ${VENV:-.venv} with the notebooks extra (the first time takes a few minutes)"
source scripts/_venv.sh notebooks
if [ "$demo" = 1 ]; then
    exec python -m rfc6238 demo
fi
export JUPYTER_TOKEN="$token"
say "open this URL in your browser (JupyterLab also tries to open it):"
say "    $url"
say "stop JupyterLab with Ctrl-C"
exec "${cmd[@]}"
