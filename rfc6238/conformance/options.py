"""The options of the conformance runner (``rfc6238 conformance``, ``-m rfc6238.conformance``).

Kept apart from :mod:`rfc6238.conformance` so that building the command line's parser
imports nothing but :mod:`argparse`.

>>> parser = argparse.ArgumentParser()
>>> add_arguments(parser)
>>> parser.parse_args(["--impl", "pyotp", "--group", "tokens"]).impl
['pyotp']
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The runner's options (shared by ``rfc6238 conformance`` and ``-m``)."""
    what = parser.add_argument_group("implementations (default: rfc6238)")
    what.add_argument(
        "--impl",
        action="append",
        default=[],
        metavar="NAME",
        help="built-in: rfc6238, pyotp, cryptography, oath, oathtool, or 'all' (installed ones)",
    )
    what.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="MODULE[:OBJ] | OP=MODULE:FUNC",
        help="a Python implementation: functions named hotp, totp, verify_totp, ...",
    )
    what.add_argument(
        "--command",
        action="append",
        default=[],
        metavar="[OP=]TEMPLATE",
        help="a command per case, e.g. 'oathtool --hotp -c {counter} -d {digits} {key_hex}'",
    )
    what.add_argument(
        "--jsonl",
        action="append",
        default=[],
        metavar="[NAME=]COMMAND",
        help="a long-lived process speaking JSON lines (repeatable: one column each)",
    )
    what.add_argument("--name", help="report name for the --python/--command/--jsonl adapter")
    what.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="per-case limit; a case over it is a crash and the adapter restarts (default 10)",
    )
    what.add_argument(
        "--selftest-adapter",
        metavar="COMMAND",
        help="check a JSON-lines adapter's protocol handling with echo cases, then exit",
    )
    chosen = parser.add_argument_group("cases")
    chosen.add_argument("--vectors", metavar="DIR", help="vector directory (default: vectors/)")
    chosen.add_argument(
        "--group", action="append", default=[], help="FILE, OP, FILE:OP or FILE:INDEX"
    )
    chosen.add_argument("--only", action="append", default=[], help="FILE:TCID[,FILE:TCID...]")
    chosen.add_argument("--flag", action="append", default=[], help="cases with this flag")
    chosen.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="SPEC",
        help="drop cases: FILE:TCID, FILE, OP, FILE:OP, FILE:INDEX or a flag",
    )
    chosen.add_argument(
        "--no-policy",
        dest="policy",
        action="store_false",
        help="leave out rfc6238's house-rule cases (flag Policy): RFC conformance only",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print every result as JSON on stdout")
    out.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="write the matrix as .md, .html or .json (repeatable)",
    )
    out.add_argument("-v", "--verbose", action="store_true", help="list every non-passing case")
    out.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None, help="progress on stderr"
    )
    out.add_argument("--strict", action="store_true", help="exit 1 on refused valid cases too")
    out.add_argument("--list", action="store_true", help="list the vector groups and exit")
