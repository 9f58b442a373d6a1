"""Shared plumbing of the ``rfc6238`` command line: secret sources, time parsing, exit codes.

Secrets reach the command line from a file, an environment variable or standard input, so
they stay out of shell history and the process list (``ps`` shows argv to every user);
``--secret TEXT`` exists for throw-away test keys and says so in ``--help``. Nothing here
ever prints a secret: errors name the option and the rule (RFC 4226 §7.5).

Exit codes (documented in ``docs/cli.md``):

=====  ==============================================================================
0      success (a code printed, a token accepted, every conformance case passed)
1      a negative answer: token rejected, or conformance failures
2      usage error or invalid input (bad option, bad secret, bad URI, bad token format)
3      unavailable: an optional dependency or an implementation under test is missing
4      I/O error: a secret file, environment variable or standard input could not be read
=====  ==============================================================================

>>> parse_time("1111111109"), parse_time("2005-03-18T01:58:29Z")
(1111111109, 1111111109)
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from .. import base32
from ..core import unix_seconds
from ..errors import InvalidEncoding, InvalidParameter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    import argparse
    from typing import Final, NoReturn, TextIO

__all__ = [
    "EXIT_FAILED",
    "EXIT_IO",
    "EXIT_OK",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "SOURCES_HELP",
    "CLIError",
    "add_json_option",
    "add_secret_options",
    "add_text_source_options",
    "decode_key",
    "emit_json",
    "fail",
    "parse_time",
    "read_secret_text",
    "read_text_source",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_UNAVAILABLE: Final = 3
EXIT_IO: Final = 4

#: Longest secret text read from any source (a URI with a 64-byte key is far shorter).
MAX_SECRET_TEXT: Final = 64 * 1024

#: How to pass a secret, for ``--help`` (wrapped at 88 columns).
SOURCES_HELP: Final = """\
Secrets are read from --secret-file PATH, --secret-env NAME or --secret-stdin. --secret
TEXT also works but is unsafe: argv lands in shell history and is visible to every user
through ps. The text is base32 (spaces and hyphens allowed), hex with --hex, or an
otpauth:// URI whose parameters become the defaults."""


class CLIError(Exception):
    """A failure to report on stderr with an exit code; the message never holds a secret."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Raise :class:`CLIError` (a helper that reads well at call sites)."""
    raise CLIError(message, code)


def add_secret_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add the four secret sources (mutually exclusive) and ``--hex`` to ``parser``."""
    group = parser.add_argument_group("secret (one of)", SOURCES_HELP)
    sources = group.add_mutually_exclusive_group(required=required)
    sources.add_argument("--secret-file", metavar="PATH", help="read the secret from a file")
    sources.add_argument(
        "--secret-env", metavar="NAME", help="read the secret from environment variable NAME"
    )
    sources.add_argument(
        "--secret-stdin", action="store_true", help="read the secret from standard input"
    )
    sources.add_argument(
        "--secret",
        metavar="TEXT",
        help="the secret itself (UNSAFE: visible in shell history and ps; test keys only)",
    )
    group.add_argument(
        "--hex", action="store_true", help="the secret is hexadecimal, not base32 (RFC test keys)"
    )


def add_text_source_options(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--file``/``--env``/``--stdin`` and an optional positional for URI-like inputs."""
    parser.add_argument(
        "text",
        nargs="?",
        metavar=what.upper(),
        help=f"the {what} itself (UNSAFE if it holds a secret: prefer --file, --env, --stdin)",
    )
    parser.add_argument("--file", metavar="PATH", help=f"read the {what} from a file")
    parser.add_argument("--env", metavar="NAME", help=f"read the {what} from an env variable")
    parser.add_argument("--stdin", action="store_true", help=f"read the {what} from stdin")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--json`` (machine-readable output on stdout)."""
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _read_file(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(MAX_SECRET_TEXT + 1)
    except OSError as err:
        fail(f"cannot read the {what} file: {err.strerror or type(err).__name__}", EXIT_IO)
    except UnicodeDecodeError:
        fail(f"the {what} file is not UTF-8 text", EXIT_IO)
    return text


def _read_stream(stream: TextIO, what: str) -> str:
    try:
        text = stream.read(MAX_SECRET_TEXT + 1)
    except (OSError, UnicodeDecodeError):
        fail(f"cannot read the {what} from standard input", EXIT_IO)
    return text


def _read_source(
    what: str,
    *,
    file: str | None,
    env: str | None,
    from_stdin: bool,
    text: str,
    stream: TextIO | None,
) -> str:
    """The text of the first source given, in this order: ``file`` (a path), ``env`` (a
    variable's name), standard input (``stream``, or ``sys.stdin``) if ``from_stdin``, else
    ``text`` itself; then stripped and bounded by :func:`_finish`."""
    if file is not None:
        text = _read_file(file, what)
    elif env is not None:
        value = os.environ.get(env)
        if value is None:
            fail(f"environment variable {env} is not set", EXIT_IO)
        text = value
    elif from_stdin:
        text = _read_stream(stream or sys.stdin, what)
    return _finish(text, what)


def _finish(text: str, what: str) -> str:
    if len(text) > MAX_SECRET_TEXT:
        fail(f"the {what} is longer than {MAX_SECRET_TEXT} characters")
    text = text.strip()
    if not text:
        fail(f"the {what} is empty", EXIT_IO)
    return text


def read_secret_text(args: argparse.Namespace, stdin: TextIO | None = None) -> str:
    """Return the secret text from whichever source ``args`` names (stripped).

    >>> import argparse
    >>> ns = argparse.Namespace(secret_file=None, secret_env=None, secret_stdin=False,
    ...                         secret=" GEZA ")
    >>> read_secret_text(ns)
    'GEZA'
    """
    given = (args.secret_file, args.secret_env, args.secret_stdin or None, args.secret)
    if all(source is None for source in given):
        fail("no secret given: use --secret-file, --secret-env or --secret-stdin")
    return _read_source(
        "secret",
        file=args.secret_file,
        env=args.secret_env,
        from_stdin=bool(args.secret_stdin),
        text=args.secret,
        stream=stdin,
    )


def read_text_source(args: argparse.Namespace, what: str, stdin: TextIO | None = None) -> str:
    """Return the text named by ``text``/``--file``/``--env``/``--stdin`` (exactly one)."""
    given = [
        args.text is not None,
        args.file is not None,
        args.env is not None,
        bool(args.stdin),
    ]
    if sum(given) != 1:
        fail(f"give the {what} exactly once: as an argument, --file, --env or --stdin")
    return _read_source(
        what,
        file=args.file,
        env=args.env,
        from_stdin=bool(args.stdin),
        text=args.text,
        stream=stdin,
    )


def decode_key(text: str, *, hex_key: bool) -> bytes:
    """Decode secret text: hexadecimal with ``hex_key``, else lenient base32 (RFC 4648 §6).

    >>> decode_key("3132333435363738393031323334353637383930", hex_key=True)
    b'12345678901234567890'
    """
    if not hex_key:
        return base32.decode(text)
    compact = text.replace(" ", "").replace(":", "")
    if not compact.isascii():
        raise InvalidEncoding("hex secret must contain only ASCII characters")
    try:
        key = bytes.fromhex(compact)
    except ValueError as err:
        raise InvalidEncoding("hex secret must be pairs of 0-9a-f characters") from err
    if not key:
        raise InvalidEncoding("hex secret must not be empty")
    return key


def parse_time(text: str) -> int | float:
    """Parse ``--at``: Unix seconds (int or decimal) or ISO 8601 with a timezone.

    Naive ISO times are rejected: "local time" is ambiguous twice a year. ISO times become
    whole Unix seconds with integer arithmetic (exact past 2038).
    """
    text = text.strip()
    try:
        return int(text, 10) if text.lstrip("-").isdecimal() and text.isascii() else float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise InvalidParameter(
            "--at must be Unix seconds or ISO 8601 with a timezone (2033-05-18T03:33:20Z)"
        ) from err
    if moment.tzinfo is None:
        raise InvalidParameter("--at must have a timezone (add Z or +00:00)")
    return unix_seconds(moment)


def emit_json(obj: object, stream: TextIO | None = None) -> None:
    """Print ``obj`` as one JSON document (integers stay exact).

    >>> emit_json({"counter": 2**64 - 1})
    {
      "counter": 18446744073709551615
    }
    """
    import json  # only --json needs it; measured slow on the code path (benchmarks/README.md)

    print(json.dumps(obj, indent=2, ensure_ascii=False), file=stream or sys.stdout)
