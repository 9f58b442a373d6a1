#!/usr/bin/env bash
# Run the conformance vectors against every OTP library in examples/adapters/ (and the
# Python built-ins) in one run, and write the matrix.
#
#   bash examples/adapters/run_all.sh [--install] [--only NAME,NAME] [OUT_DIR]
#
# --install  first installs what the adapters need: Debian packages (apt-get; root) and the
#            npm packages of node/ (npm ci). Without it, adapters whose toolchain or library
#            is missing are left out, each with a line saying why.
# OUT_DIR    where matrix.md, matrix.html and matrix.json go (default: examples/adapters/out).
# Environment: RFC6238 (the runner; default: rfc6238 on PATH, else python -m rfc6238),
#              TIMEOUT (seconds per case, default 10).
#
# Install commands, by language (what --install runs):
#   JavaScript  apt-get install nodejs npm; (cd examples/adapters/node && npm ci);
#               (cd examples/node-otplib && npm ci)
#   Ruby        apt-get install ruby ruby-rotp
#   Go          apt-get install golang-go golang-github-pquerna-otp-dev golang-github-xlzd-gotp-dev
#   Perl        apt-get install libauthen-oath-perl libpass-otp-perl
#   C           apt-get install gcc pkg-config liboath-dev libcotp-dev libjson-c-dev
#   PHP         apt-get install php-cli php-christianriesen-otp
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
INSTALL=0
ONLY=""
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --install) INSTALL=1 ;;
        --only) ONLY="$2"; shift ;;
        -h|--help) sed -n 2,22p "$0"; exit 0 ;;
        *) OUT="$1" ;;
    esac
    shift
done
OUT="${OUT:-$HERE/out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"  # absolute: the builds below run in other folders (GOCACHE)
TIMEOUT="${TIMEOUT:-10}"
if [ -z "${RFC6238:-}" ]; then
    if command -v rfc6238 >/dev/null 2>&1; then RFC6238=rfc6238; else RFC6238="python3 -m rfc6238"; fi
fi

DEBIAN="ruby ruby-rotp golang-go golang-github-pquerna-otp-dev golang-github-xlzd-gotp-dev
libauthen-oath-perl libpass-otp-perl gcc pkg-config liboath-dev libcotp-dev libjson-c-dev php-cli
php-christianriesen-otp"
# Debian's npm conflicts with a NodeSource nodejs: install Node only where it is missing.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || DEBIAN="nodejs npm $DEBIAN"
if [ "$INSTALL" = 1 ]; then
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    (apt-get update -qq && apt-get install -y -qq $DEBIAN) >"$OUT/install.log" 2>&1 \
        || echo "run_all: some Debian packages did not install (see $OUT/install.log)" >&2
    for dir in "$HERE/node" "$HERE/../node-otplib"; do
        (cd "$dir" && npm ci --no-audit --no-fund) >>"$OUT/install.log" 2>&1 \
            || echo "run_all: npm ci failed in $dir (see $OUT/install.log)" >&2
    done
fi

# Build the compiled adapters (a few seconds; skipped when the toolchain is missing).
build_log="$OUT/build.log"
: >"$build_log"
if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/github.com/pquerna/otp ]; then
    for name in pquerna gotp; do
        (cd "$HERE/go" && GO111MODULE=off GOPATH="$HERE/go:/usr/share/gocode" \
            GOCACHE="${GOCACHE:-$OUT/gocache}" go build -o "bin/$name" "rfc6238adapter/$name") \
            >>"$build_log" 2>&1 || echo "run_all: go build $name failed" >&2
    done
fi
if command -v cc >/dev/null 2>&1 && pkg-config --exists json-c 2>/dev/null; then
    mkdir -p "$HERE/c/bin"
    if pkg-config --exists liboath; then
        cc -O2 -o "$HERE/c/bin/liboath" "$HERE/c/liboath_adapter.c" "$HERE/c/protocol.c" \
            $(pkg-config --cflags --libs liboath json-c) >>"$build_log" 2>&1 || echo "run_all: liboath build failed" >&2
    fi
    if [ -f /usr/include/cotp.h ]; then
        cc -O2 -o "$HERE/c/bin/libcotp" "$HERE/c/libcotp_adapter.c" "$HERE/c/protocol.c" \
            $(pkg-config --cflags --libs json-c) -lcotp -lgcrypt >>"$build_log" 2>&1 || echo "run_all: libcotp build failed" >&2
    fi
fi

# name | command | what must exist for it to run
ADAPTERS="
otpauth|node examples/adapters/node/otpauth.mjs|test -d $HERE/node/node_modules/otpauth
otplib12|node examples/adapters/node/otplib.mjs|test -d $HERE/node/node_modules/otplib
otplib13|node examples/node-otplib/adapter.mjs|test -d $HERE/../node-otplib/node_modules/otplib
speakeasy|node examples/adapters/node/speakeasy.mjs|test -d $HERE/node/node_modules/speakeasy
totp-generator|node examples/adapters/node/totp-generator.mjs|test -d $HERE/node/node_modules/totp-generator
rotp|ruby examples/adapters/ruby/rotp_adapter.rb|ruby -e 'require \"rotp\"'
pquerna-otp|examples/adapters/go/bin/pquerna|test -x $HERE/go/bin/pquerna
gotp|examples/adapters/go/bin/gotp|test -x $HERE/go/bin/gotp
authen-oath|perl examples/adapters/perl/authen_oath.pl|perl -MAuthen::OATH -e 1
pass-otp|perl examples/adapters/perl/pass_otp.pl|perl -MPass::OTP -e 1
liboath|examples/adapters/c/bin/liboath|test -x $HERE/c/bin/liboath
libcotp|examples/adapters/c/bin/libcotp|test -x $HERE/c/bin/libcotp
christianriesen-otp|php examples/adapters/php/christianriesen_otp.php|php -r 'require \"ChristianRiesen/Otp/autoload.php\";'
"
cd "$ROOT" || exit 1  # the adapter commands are relative to the checkout
args=(--impl all)
ran=()
while IFS='|' read -r name command check; do
    [ -z "$name" ] && continue
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
    if ! bash -c "$check" >/dev/null 2>&1; then
        echo "run_all: $name left out (not installed: $check)" >&2
        continue
    fi
    if ! $RFC6238 conformance --selftest-adapter "$command" >"$OUT/selftest-$name.txt" 2>&1; then
        echo "run_all: $name left out: its adapter fails the protocol self-test ($OUT/selftest-$name.txt)" >&2
        continue
    fi
    args+=(--jsonl "$name=$command")
    ran+=("$name")
done <<<"$ADAPTERS"
echo "run_all: ${#ran[@]} adapters: ${ran[*]}" >&2
$RFC6238 conformance "${args[@]}" --timeout "$TIMEOUT" \
    --report "$OUT/matrix.md" --report "$OUT/matrix.html" --report "$OUT/matrix.json" >"$OUT/summary.txt"
status=$?
echo "run_all: summary in $OUT/summary.txt, matrix in $OUT/matrix.{md,html,json} (exit $status)" >&2
# Exit 1 only when the run itself broke (exit 1 = some library failed a case: expected).
[ "$status" -le 1 ] || exit "$status"
