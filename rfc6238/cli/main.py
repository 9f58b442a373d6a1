"""The ``rfc6238`` command line: an oathtool-like tool that is safe by default.

Subcommands: ``code``, ``verify``, ``explain`` (RFC 4226 §5.3, RFC 6238 §4-§6), ``secret new``,
``uri parse|build`` (Key URI format), ``qr``, ``migration decode|encode`` (Google
Authenticator export), ``conformance`` (the vector suite against any implementation) and
``demo``. Secrets come from a file, an environment variable or standard input; errors go to
stderr and never quote a secret. Exit codes are listed in :mod:`rfc6238.cli.common`.
Plain ``code`` command lines skip argparse (:func:`fast_code_args`); the rest are parsed by
the parser of their subcommand only (:mod:`rfc6238.cli.parsers`).

>>> main(["code", "--hex", "--secret", "3132333435363738393031323334353637383930",
...       "--at", "59", "--digits", "8"])
94287082
0
"""

from __future__ import annotations

import sys

from ..errors import MissingDependency, RFC6238Error
from .common import EXIT_FAILED, EXIT_IO, EXIT_UNAVAILABLE, EXIT_USAGE, CLIError
from .parsers import COMMANDS, build_parser, lazy_handler

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    import argparse
    from argparse import Namespace
    from collections.abc import Sequence
else:
    # The fast path's result: handlers only read attributes, which SimpleNamespace has too.
    from types import SimpleNamespace as Namespace

__all__ = ["build_parser", "fast_code_args", "main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    _escape_unencodable_output()
    args = fast_code_args(arguments)
    if args is None:
        first = arguments[0] if arguments else None
        args = build_parser(first if first in COMMANDS else None).parse_args(arguments)
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Call the subcommand's handler; report its errors on stderr as exit codes."""
    command = args.subcommand + (f" {args.action}" if getattr(args, "action", None) else "")
    try:
        result: int = args.handler(args)
    except CLIError as err:
        print(f"rfc6238 {command}: error: {err}", file=sys.stderr)
        return err.code
    except MissingDependency as err:  # its message names the extra to install
        print(f"rfc6238 {command}: error: {err}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except RFC6238Error as err:
        # Library messages name the parameter and the rule, never a secret or code.
        print(f"rfc6238 {command}: error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as err:
        # A missing optional dependency (the qr extra), or a module missing from this build.
        name = getattr(err, "name", None) or ""
        if isinstance(err, ModuleNotFoundError) and not name.startswith("rfc6238"):
            message = f"optional module {name!r} is not installed (pip install 'rfc6238[qr]')"
        elif name.startswith("rfc6238"):
            message = f"{name} is missing from this build"
        else:
            message = str(err)
        print(f"rfc6238 {command}: error: {message}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`rfc6238 ... | head`): stop quietly, as Unix tools do.
        _silence_stdout()
        return EXIT_FAILED
    except OSError as err:
        # Any file the command reads or writes (a report path, a full disk): a message, no
        # traceback. The path is shown escaped; OSError messages never hold a secret here.
        where = f" {err.filename!a}" if err.filename is not None else ""
        reason = err.strerror or type(err).__name__
        print(f"rfc6238 {command}: error: cannot use{where}: {reason}", file=sys.stderr)
        return EXIT_IO
    return result


def _escape_unencodable_output() -> None:
    """Print what stdout's encoding cannot hold as escapes (``\\xe9``) instead of crashing.

    An account name in a URI may be any Unicode text while stdout may be ASCII (``LANG=C``,
    ``PYTHONIOENCODING=ascii``); the escapes keep the output readable and the exit code honest.
    """
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and getattr(sys.stdout, "errors", None) == "strict":
        reconfigure(errors="backslashreplace")


#: ``rfc6238 code`` options read by :func:`fast_code_args`, with their destination and type
#: (``None``: a flag). They mirror ``_add_code``; tests/cli compare the two parsers.
_CODE_OPTIONS: dict[str, tuple[str, type[int] | type[str] | None]] = {
    "--secret-file": ("secret_file", str),
    "--secret-env": ("secret_env", str),
    "--secret-stdin": ("secret_stdin", None),
    "--secret": ("secret", str),
    "--hex": ("hex", None),
    "--at": ("at", str),
    "--counter": ("counter", int),
    "--digits": ("digits", int),
    "--algorithm": ("algorithm", str),
    "--period": ("period", int),
    "--t0": ("t0", int),
    "--window": ("window", int),
    "--json": ("json", None),
}
_OPTIONS = list(_CODE_OPTIONS.values())


def fast_code_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """Parse the plain forms of ``rfc6238 code`` without :mod:`argparse`, or return ``None``.

    ``code`` followed by options of the table above, each at most once, values as separate
    words not starting with ``-``, exactly one secret source and not both ``--at`` and
    ``--counter``: the namespace ``argparse`` would build. Anything else (help, ``=``,
    abbreviations, repeats, a bad number, a missing value) returns ``None`` and goes to the
    full parser, so its messages and exit codes stay argparse's. Skipping argparse saves
    about 4.5 ms of CPU per run, 0.75x of ``python -c pass`` (benchmarks/README.md).

    >>> fast_code_args(["code", "--secret-env", "K", "--digits", "8"]).digits
    8
    >>> fast_code_args(["code", "--secret-env", "K", "--digits", "eight"]) is None
    True
    """
    if not argv or argv[0] != "code":
        return None
    values: dict[str, object] = {}
    words = iter(argv[1:])
    for word in words:
        option = _CODE_OPTIONS.get(word)
        if option is None or option[0] in values:
            return None
        dest, kind = option
        if kind is None:
            values[dest] = True
            continue
        text = next(words, "-")
        if text.startswith("-"):
            return None
        try:
            values[dest] = kind(text)
        except ValueError:
            return None
    sources = ("secret_file", "secret_env", "secret_stdin", "secret")
    if sum(dest in values for dest in sources) != 1 or {"at", "counter"} <= values.keys():
        return None
    args: dict[str, object] = {dest: False if kind is None else None for dest, kind in _OPTIONS}
    args.update(values, subcommand="code", handler=lazy_handler("cli.codes", "cmd_code"))
    return Namespace(**args)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
