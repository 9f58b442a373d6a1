"""The ``rfc6238`` argument parsers: one builder per subcommand, all or one at a time.

:func:`build_parser` builds every subcommand's parser (``rfc6238 --help``, the docs) or only
the one named first on the command line, so ``rfc6238 code`` imports neither the conformance
runner nor the provisioning commands. Each handler imports its module only when it runs.

>>> build_parser("code").parse_args(["code", "--secret-env", "K"]).secret_env
'K'
"""

from __future__ import annotations

from .._version import __version__
from .common import SOURCES_HELP, add_json_option, add_secret_options, add_text_source_options

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Handler = Callable[[argparse.Namespace], int]

__all__ = ["COMMANDS", "EPILOG", "build_parser", "lazy_handler"]

EPILOG = """\
exit codes: 0 success; 1 token rejected or conformance failures; 2 usage error or invalid
input; 3 optional dependency or implementation unavailable; 4 cannot read an input or
write an output.
"""


def lazy_handler(module: str, name: str) -> Handler:
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
    from argparse import RawDescriptionHelpFormatter  # loaded by build_parser already

    parser = subparsers.add_parser(
        name,
        help=help_text,
        description=description or help_text,
        epilog=EPILOG,
        formatter_class=RawDescriptionHelpFormatter,
    )
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def _add_code(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .codes import add_otp_options

    code = _sub(
        sub,
        "code",
        "print the TOTP code now (or --at TIME) or the HOTP code at --counter",
        lazy_handler("cli.codes", "cmd_code"),
        "Print the current TOTP code, or the code at --at TIME, or the HOTP code at --counter.",
    )
    add_secret_options(code)
    add_otp_options(code)
    code.add_argument(
        "--window", type=int, metavar="N", help="also print N steps/counters on each side"
    )
    add_json_option(code)


def _add_verify(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .codes import add_otp_options

    verify = _sub(
        sub,
        "verify",
        "check a token over a window (exit 0 accepted, 1 rejected)",
        lazy_handler("cli.codes", "cmd_verify"),
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


def _add_explain(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .codes import add_otp_options

    explain = _sub(
        sub,
        "explain",
        "print every intermediate value of one code (the RFC 4226 §5.3 trace)",
        lazy_handler("cli.codes", "cmd_explain"),
        "Print the step-by-step trace of one code; the key is shown only as a length.",
    )
    add_secret_options(explain)
    add_otp_options(explain)
    add_json_option(explain)


def _add_secret(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .provision import add_uri_options

    secret = _sub(sub, "secret", "make secrets", None)
    secret_sub = secret.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = _sub(
        secret_sub,
        "new",
        "generate a random secret; print base32, the otpauth URI and a terminal QR code",
        lazy_handler("cli.provision", "cmd_secret_new"),
    )
    new.add_argument("--bytes", type=int, metavar="N", help="key length (default: hash size)")
    add_uri_options(new)
    new.add_argument("--no-qr", action="store_true", help="do not draw the QR code")
    new.add_argument(
        "--save", metavar="PATH", help="also write the base32 secret to a new 0600 file"
    )
    add_json_option(new)


def _add_uri(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .provision import add_uri_options

    uri = _sub(sub, "uri", "parse or build otpauth:// URIs", None)
    uri_sub = uri.add_subparsers(dest="action", required=True, metavar="ACTION")
    parse = _sub(
        uri_sub,
        "parse",
        "show the fields of an otpauth:// URI (secret hidden unless --show-secret)",
        lazy_handler("cli.provision", "cmd_uri_parse"),
    )
    add_text_source_options(parse, "uri")
    parse.add_argument("--show-secret", action="store_true", help="print the base32 secret")
    add_json_option(parse)
    build = _sub(
        uri_sub,
        "build",
        "build an otpauth:// URI from a secret and parameters",
        lazy_handler("cli.provision", "cmd_uri_build"),
        "Build an otpauth:// URI (it contains the secret).",
    )
    add_secret_options(build)
    add_uri_options(build)
    build.add_argument("--counter", type=int, metavar="C", help="initial counter (HOTP)")


def _add_qr(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    qr = _sub(
        sub,
        "qr",
        "draw an otpauth URI as a QR code (terminal, PNG or SVG)",
        lazy_handler("cli.provision", "cmd_qr"),
    )
    add_text_source_options(qr, "uri")
    qr.add_argument("--output", "-o", metavar="PATH", help="write a .png or .svg file")


def _add_migration(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        lazy_handler("cli.provision", "cmd_migration_decode"),
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
        lazy_handler("cli.provision", "cmd_migration_encode"),
    )
    add_text_source_options(encode, "uri list")


def _add_conformance(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ..conformance.options import add_arguments

    conformance = _sub(
        sub,
        "conformance",
        "run the conformance vectors against rfc6238 or another implementation",
        lazy_handler("conformance", "run_from_args"),
    )
    add_arguments(conformance)


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _sub(
        sub, "demo", "a deterministic walkthrough of one code", lazy_handler("cli.demo", "cmd_demo")
    )


#: Each subcommand and the function that adds its parser, in ``--help`` order.
COMMANDS: dict[str, Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = {
    "code": _add_code,
    "verify": _add_verify,
    "explain": _add_explain,
    "secret": _add_secret,
    "uri": _add_uri,
    "qr": _add_qr,
    "migration": _add_migration,
    "conformance": _add_conformance,
    "demo": _add_demo,
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand (the default, used by the docs) or one.

    :func:`main` builds only the parser of the subcommand named first, so ``rfc6238 code``
    imports neither the conformance runner nor the provisioning commands; parsing and every
    message are the same as with the full parser.
    """
    import argparse  # measured slow on the code path (benchmarks/README.md); not needed there

    parser = argparse.ArgumentParser(
        prog="rfc6238",
        description="TOTP (RFC 6238) and HOTP (RFC 4226): codes, verification, provisioning, "
        "traces and a conformance suite.\n" + SOURCES_HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rfc6238 {__version__}")
    sub = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
    for name, add in COMMANDS.items():
        if command is None or name == command:
            add(sub)
    return parser
