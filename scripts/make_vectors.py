#!/usr/bin/env python3
"""Regenerate and re-check the language-neutral test vectors in ``vectors/``.

Every file in ``vectors/`` is written by this script, deterministically, each by its own
builder module in ``scripts/vectors/`` (``rfc4226.py`` writes ``vectors/rfc4226.json``, and so
on; ``oracles.py`` holds the independent implementations, ``filebuilder.py`` the file shape):

* ``rfc4226.json`` and ``rfc6238.json`` hold values *transcribed* from RFC 4226 Appendix D
  (and §5.4) and RFC 6238 Appendix B (with the errata 2866 seeds). The transcription lives in
  this file; the script checks it against ``rfc6238`` and every oracle before writing.
* ``uri.json`` holds the Key URI parsing cases written by hand in ``tests/data/uris.json``
  (their single source: the decisions of ``docs/uri.md``); the script checks each against
  ``rfc6238.parse_uri`` and records what ``pyotp.parse_uri`` and python-oath's
  ``parse_otpauth`` make of it.
* The other files are *self-made*: the script chooses the inputs (fixed lists and
  deterministic searches, keys from SHAKE-256 of a label) and computes each expected value
  with ``rfc6238``, then asks every independent implementation it can (``cryptography``,
  ``pyotp``, python ``oath``, Debian ``oathtool``, and a minimal in-script HOTP) and records,
  per case, which of them agreed (``verified_by``), which disagreed (``disagreed``) and which
  could not run it (``refused``, with the reason they gave).

Usage::

    python scripts/make_vectors.py            # regenerate every file (needs every oracle)
    python scripts/make_vectors.py --check    # regenerate in memory; exit 1 on any difference
                                              # from the files or on any new disagreement

The check compares the regenerated text with the files on disk (oracle *versions* in
``source.oracles`` are compared loosely, with a warning), so a change in any oracle's answer,
in ``rfc6238`` or in the files shows up as a failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vectors._base import ROOT, VECTORS
from vectors.base32 import build_base32
from vectors.filebuilder import ID_MAPS, IDS
from vectors.hotp_edges import build_hotp_edges
from vectors.oracles import oracle_versions
from vectors.parameters import build_parameters
from vectors.rfc4226 import build_rfc4226
from vectors.rfc6238 import build_rfc6238
from vectors.tokens import build_tokens
from vectors.totp_edges import build_totp_edges
from vectors.uri import build_uri
from vectors.verify import build_verify

BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "rfc4226": build_rfc4226,
    "rfc6238": build_rfc6238,
    "hotp_edges": build_hotp_edges,
    "totp_edges": build_totp_edges,
    "verify": build_verify,
    "tokens": build_tokens,
    "base32": build_base32,
    "parameters": build_parameters,
    "uri": build_uri,
}


def render(doc: dict[str, Any]) -> str:
    """Pretty JSON with one test case per line (ASCII only, so every byte is unambiguous)."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=True, allow_nan=False)

    lines = ["{"]
    items = list(doc.items())
    for i, (name, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if name != "testGroups":
            text = json.dumps(value, ensure_ascii=True, allow_nan=False, indent=2)
            text = text.replace("\n", "\n  ")
            lines.append(f"  {dump(name)}: {text}{comma}")
            continue
        lines.append('  "testGroups": [')
        for g, group in enumerate(value):
            lines.append("    {")
            lines.append(f'      "type": {dump(group["type"])},')
            lines.append(f'      "comment": {dump(group["comment"])},')
            lines.append('      "tests": [')
            for t, case in enumerate(group["tests"]):
                sep = "," if t < len(group["tests"]) - 1 else ""
                lines.append(f"        {dump(case)}{sep}")
            lines.append("      ]")
            lines.append("    }" + ("," if g < len(value) - 1 else ""))
        lines.append(f"  ]{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _without_versions(text: str) -> Any:
    doc = json.loads(text)
    doc["source"].pop("oracle_versions", None)
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate in memory and compare with vectors/; exit 1 on any difference",
    )
    parser.add_argument(
        "names",
        nargs="*",
        choices=[*BUILDERS, []],
        metavar="NAME",
        help=f"files to build (default: all of {', '.join(BUILDERS)})",
    )
    args = parser.parse_args(argv)
    versions = oracle_versions()
    missing = [k for k, v in versions.items() if v == "missing"]
    if missing:
        print(f"oracles missing: {', '.join(missing)}", file=sys.stderr)
        if not args.check:
            print("refusing to write files that would lose their oracle records", file=sys.stderr)
            return 2
    failures = 0
    for name in args.names or BUILDERS:
        text = render(BUILDERS[name]())
        ids_path = IDS / f"{name}.json"
        if args.check:
            if not ids_path.exists() or ids_path.read_text(encoding="utf-8") != ID_MAPS[name]:
                failures += 1
                print(f"DIFFERS  {ids_path.relative_to(ROOT)}: the case ids changed")
        else:
            IDS.mkdir(exist_ok=True)
            ids_path.write_text(ID_MAPS[name], encoding="utf-8")
        path = VECTORS / f"{name}.json"
        if args.check:
            on_disk = path.read_text(encoding="utf-8") if path.exists() else ""
            if text == on_disk:
                print(f"ok       {path.relative_to(ROOT)}")
            elif on_disk and _without_versions(text) == _without_versions(on_disk):
                print(f"ok       {path.relative_to(ROOT)} (oracle versions differ)")
            else:
                failures += 1
                print(f"DIFFERS  {path.relative_to(ROOT)}: regenerate and review the diff")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote    {path.relative_to(ROOT)} ({len(text.encode())} bytes)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
