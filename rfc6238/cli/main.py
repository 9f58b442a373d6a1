"""The ``rfc6238`` command line: an oathtool-like tool that is safe by default.

Subcommands: ``code``, ``verify``, ``explain`` (RFC 4226 §5.3, RFC 6238 §4-§6), ``secret new``,
``uri parse|build`` (Key URI format), ``qr``, ``migration decode|encode`` (Google
Authenticator export), ``conformance`` (the vector suite against any implementation) and
``demo``. Secrets come from a file, an environment variable or standard input; errors go to
stderr and never quote a secret. Exit codes are listed in :mod:`rfc6238.cli.common`.

>>> main(["code", "--hex", "--secret", "3132333435363738393031323334353637383930",
...       "--at", "59", "--digits", "8"])
94287082
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .._version import __version__
from ..errors import MissingDependency, RFC6238Error
from .common import (
    EXIT_FAILED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    SOURCES_HELP,
    CLIError,
    add_json_option,
    add_secret_options,
    add_text_source_options,
)

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]

EPILOG = """\
exit codes: 0 success; 1 token rejected or conformance failures; 2 usage error or invalid
input; 3 optional dependency or implementation unavailable; 4 cannot read an input.
"""


def _handler(module: str, name: str) -> Handler:
    """Import a subcommand's module only when it runs (keeps startup and imports small)."""

    def run(args: argparse.Namespace) -> int:
        from importlib import import_module

        result: int = getattr(import_module(f"rfc6238.{module}"), name)(args)
        return result

    return run


def _sub(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: Handler | None,
    description: str = "",
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help=help_text,
        description=description or help_text,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def _add_codes(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .codes import add_otp_options

    code = _sub(
        sub,
        "code",
        "print the TOTP code now (or --at TIME) or the HOTP code at --counter",
        _handler("cli.codes", "cmd_code"),
        "Print the current TOTP code, or the code at --at TIME, or the HOTP code at --counter.",
    )
    add_secret_options(code)
    add_otp_options(code)
    code.add_argument(
        "--window", type=int, metavar="N", help="also print N steps/counters on each side"
    )
    add_json_option(code)

    verify = _sub(
        sub,
        "verify",
        "check a token over a window (exit 0 accepted, 1 rejected)",
        _handler("cli.codes", "cmd_verify"),
        "Verify TOKEN (use - to read one line from stdin). Exactly DIGITS ASCII digits;\n"
        "every step in the window is compared (RFC 6238 §5.2).",
    )
    verify.add_argument("token", metavar="TOKEN", help="the code to check, or - for stdin")
    add_secret_options(verify)
    add_otp_options(verify)
    verify.add_argument(
        "--window", metavar="N|PAST,FUTURE", help="TOTP steps accepted each side (default 1)"
    )
    verify.add_argument(
        "--look-ahead", type=int, metavar="S", help="HOTP counters ahead (default 0, RFC 4226 §7.4)"
    )
    verify.add_argument(
        "--last-step",
        type=int,
        metavar="N",
        help="step/counter accepted last time: refuse matches not above it (replay)",
    )
    verify.add_argument(
        "--strip-separators", action="store_true", help="remove ASCII spaces and hyphens first"
    )
    verify.add_argument(
        "--allow-short-key", action="store_true", help="accept keys under 128 bits (legacy)"
    )
    add_json_option(verify)

    explain = _sub(
        sub,
        "explain",
        "print every intermediate value of one code (the RFC 4226 §5.3 trace)",
        _handler("cli.codes", "cmd_explain"),
        "Print the step-by-step trace of one code; the key is shown only as a length.",
    )
    add_secret_options(explain)
    add_otp_options(explain)
    add_json_option(explain)


def _add_provisioning(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .provision import add_uri_options

    secret = _sub(sub, "secret", "make secrets", None)
    secret_sub = secret.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = _sub(
        secret_sub,
        "new",
        "generate a random secret; print base32, the otpauth URI and a terminal QR code",
        _handler("cli.provision", "cmd_secret_new"),
    )
    new.add_argument("--bytes", type=int, metavar="N", help="key length (default: hash size)")
    add_uri_options(new)
    new.add_argument("--no-qr", action="store_true", help="do not draw the QR code")
    new.add_argument(
        "--save", metavar="PATH", help="also write the base32 secret to a new 0600 file"
    )
    add_json_option(new)

    uri = _sub(sub, "uri", "parse or build otpauth:// URIs", None)
    uri_sub = uri.add_subparsers(dest="action", required=True, metavar="ACTION")
    parse = _sub(
        uri_sub,
        "parse",
        "show the fields of an otpauth:// URI (secret hidden unless --show-secret)",
        _handler("cli.provision", "cmd_uri_parse"),
    )
    add_text_source_options(parse, "uri")
    parse.add_argument("--show-secret", action="store_true", help="print the base32 secret")
    add_json_option(parse)
    build = _sub(
        uri_sub,
        "build",
        "build an otpauth:// URI from a secret and parameters",
        _handler("cli.provision", "cmd_uri_build"),
        "Build an otpauth:// URI (it contains the secret).",
    )
    add_secret_options(build)
    add_uri_options(build)
    build.add_argument("--counter", type=int, metavar="C", help="initial counter (HOTP)")

    qr = _sub(
        sub,
        "qr",
        "draw an otpauth URI as a QR code (terminal, PNG or SVG)",
        _handler("cli.provision", "cmd_qr"),
    )
    add_text_source_options(qr, "uri")
    qr.add_argument("--output", "-o", metavar="PATH", help="write a .png or .svg file")

    migration = _sub(
        sub,
        "migration",
        "Google Authenticator export URIs (otpauth-migration://)",
        None,
    )
    mig_sub = migration.add_subparsers(dest="action", required=True, metavar="ACTION")
    decode = _sub(
        mig_sub,
        "decode",
        "list the accounts of an otpauth-migration:// URI",
        _handler("cli.provision", "cmd_migration_decode"),
    )
    add_text_source_options(decode, "migration uri")
    decode.add_argument(
        "--uris", action="store_true", help="print one otpauth:// URI per account (secrets!)"
    )
    add_json_option(decode)
    encode = _sub(
        mig_sub,
        "encode",
        "pack otpauth:// URIs (one per line) into an otpauth-migration:// URI",
        _handler("cli.provision", "cmd_migration_encode"),
    )
    add_text_source_options(encode, "uri list")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (used by :func:`main` and by the docs)."""
    parser = argparse.ArgumentParser(
        prog="rfc6238",
        description="TOTP (RFC 6238) and HOTP (RFC 4226): codes, verification, provisioning, "
        "traces and a conformance suite.\n" + SOURCES_HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rfc6238 {__version__}")
    sub = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
    _add_codes(sub)
    _add_provisioning(sub)
    conformance = _sub(
        sub,
        "conformance",
        "run the conformance vectors against rfc6238 or another implementation",
        _handler("conformance", "run_from_args"),
    )
    from ..conformance.options import add_arguments

    add_arguments(conformance)
    _sub(sub, "demo", "a deterministic walkthrough of one code", _handler("cli.demo", "cmd_demo"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
    return result


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
