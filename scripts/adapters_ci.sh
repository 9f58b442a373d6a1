#!/usr/bin/env bash
# CI for the conformance adapters: install what the adapters in examples/adapters/ need
# (Debian packages and npm, bounded in time), run them all against the vectors, and fail if
# the run broke: an adapter that fails its protocol self-test, rfc6238 itself not passing
# every case, fewer implementations than expected, or the runner erroring.
#
#   bash scripts/adapters_ci.sh [OUT_DIR]
#
# Environment: ADAPTERS_INSTALL=0 skips the installs (use what is there);
#              ADAPTERS_MIN (default 10) non-Python libraries that must have run;
#              ADAPTERS_INSTALL_TIMEOUT (default 600) seconds for all installs together.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/build/adapters}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3
export RFC6238="$PY -m rfc6238"

if [ "${ADAPTERS_INSTALL:-1}" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    started=$(date +%s)
    timeout "${ADAPTERS_INSTALL_TIMEOUT:-600}" bash -c '
        export DEBIAN_FRONTEND=noninteractive
        node=""  # Debian npm conflicts with a NodeSource nodejs: only when node is missing
        command -v node >/dev/null && command -v npm >/dev/null || node="nodejs npm"
        apt-get update -qq
        apt-get install -y -qq $node ruby ruby-rotp golang-go golang-github-pquerna-otp-dev \
            golang-github-xlzd-gotp-dev libauthen-oath-perl libpass-otp-perl gcc pkg-config \
            liboath-dev libcotp-dev libjson-c-dev php-cli php-christianriesen-otp
        (cd examples/adapters/node && npm ci --no-audit --no-fund)
        (cd examples/node-otplib && npm ci --no-audit --no-fund)
    ' >"$OUT/install.log" 2>&1 || echo "adapters_ci: installs incomplete (see $OUT/install.log)" >&2
    echo "adapters_ci: installs took $(( $(date +%s) - started )) s" >&2
fi

bash examples/adapters/run_all.sh "$OUT" 2>"$OUT/run_all.log" || {
    cat "$OUT/run_all.log" >&2
    exit 1
}
cat "$OUT/run_all.log" >&2
"$PY" - "$OUT/matrix.json" "${ADAPTERS_MIN:-10}" <<'EOF'
import json
import sys

doc = json.load(open(sys.argv[1], encoding="utf-8"))
minimum = int(sys.argv[2])
python = {"rfc6238", "pyotp", "cryptography", "oath", "oathtool"}
names = [i["name"] for i in doc["implementations"]]
others = [n for n in names if n not in python]
ref = next(i for i in doc["implementations"] if i["name"] == "rfc6238")
problems = []
if ref["totals"]["pass"] != doc["cases"]:
    problems.append(f"rfc6238 passed {ref['totals']['pass']} of {doc['cases']} cases")
if len(others) < minimum:
    problems.append(f"only {len(others)} non-Python libraries ran ({', '.join(others)})")
for item in doc["implementations"]:
    if item["totals"]["pass"] == 0:
        problems.append(f"{item['name']} passed nothing")
print(f"adapters_ci: {len(names)} implementations, {doc['cases']} cases: {', '.join(names)}")
for p in problems:
    print(f"adapters_ci: FAIL {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
