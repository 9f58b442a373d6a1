#!/usr/bin/env bash
# The documentation site, with its own set-up: install rfc6238 with the `docs` extra into
# .venv (or $VENV), then build build/site/ with Sphinx: the guides in docs/, the twelve
# notebooks executed during the build, and the API reference from the docstrings.
# Any warning fails the build. Open build/site/index.html, or serve the folder:
#   python3 -m http.server --directory build/site 8000   # then http://127.0.0.1:8000/
# Extra arguments go to sphinx-build (e.g. -E to re-read every page).
# RFC6238_DOCS_REPO=https://github.com/OWNER/NAME adds nbviewer and Colab links.
source "$(dirname "$0")/_venv.sh" docs
# The kernels draw figures with the inline backend (PNG outputs): no MPLBACKEND override.
unset MPLBACKEND
OUT="${RFC6238_SITE_DIR:-build/site}"
# Always from scratch: an incremental build re-reads only changed pages and so would hide
# the warnings of the others.
rm -rf "$OUT" build/doctrees
python -m sphinx -b html -q -W --keep-going -j "${SPHINX_JOBS:-auto}" -d build/doctrees \
    "$@" docs "$OUT"
echo "docs: the site is in $OUT/ (open $OUT/index.html)"
