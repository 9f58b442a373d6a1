"""The provisioning subcommands: ``secret new``, ``uri parse|build``, ``qr``, ``migration``.

Secrets are generated with :mod:`secrets` (RFC 6238 §5.1, RFC 4226 §4 R6), written into
``otpauth://`` Key URIs (:mod:`rfc6238.uri`), drawn as QR codes (:mod:`rfc6238.qr`, the
``qr`` extra) and moved in Google Authenticator exports (:mod:`rfc6238.migration`). Those
modules are imported inside each handler. A secret is printed only where it is the point:
``secret new``, ``uri build``, ``uri parse --show-secret``, ``migration decode --uris``.
Files that hold a secret (``--save``, ``qr -o``) are created new with mode 0600.

>>> describe_key_size(10)
'10 bytes (80 bits; below the 128 bits of RFC 4226 R6)'
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from typing import Any

from ..secret import MIN_KEY_BYTES
from .common import (
    EXIT_IO,
    EXIT_OK,
    decode_key,
    emit_json,
    fail,
    read_secret_text,
    read_text_source,
)

__all__ = [
    "add_uri_options",
    "cmd_migration_decode",
    "cmd_migration_encode",
    "cmd_qr",
    "cmd_secret_new",
    "cmd_uri_build",
    "cmd_uri_parse",
    "describe_key_size",
]


def describe_key_size(size: int) -> str:
    """A key length for humans, flagging keys below RFC 4226's 128-bit minimum."""
    note = "; below the 128 bits of RFC 4226 R6" if size < MIN_KEY_BYTES else ""
    return f"{size} bytes ({8 * size} bits{note})"


def add_uri_options(parser: argparse.ArgumentParser) -> None:
    """Key URI fields shared by ``secret new`` and ``uri build``."""
    group = parser.add_argument_group("key URI fields")
    group.add_argument("--type", choices=("totp", "hotp"), default="totp", help="default totp")
    group.add_argument("--account", default="user", help="account name in the label")
    group.add_argument("--issuer", help="provider name (label prefix and issuer parameter)")
    group.add_argument("--algorithm", default="SHA1", help="SHA1 (default), SHA256, SHA512")
    group.add_argument("--digits", type=int, default=6, help="code length (default 6)")
    group.add_argument("--period", type=int, help="TOTP step in seconds (default 30)")


def _build(args: argparse.Namespace, key: bytes, counter: int | None) -> str:
    from ..uri import build_uri

    hotp = args.type == "hotp"
    return build_uri(
        key,
        account=args.account,
        issuer=args.issuer,
        type=args.type,
        algorithm=args.algorithm,
        digits=args.digits,
        period=None if hotp else args.period,
        counter=(0 if counter is None else counter) if hotp else counter,
    )


def _write_private(path: str, data: bytes) -> None:
    """Create ``path`` (never overwrite) readable by the owner only, holding exactly ``data``.

    The bytes go to a new 0600 file beside ``path`` first, are flushed to disk, and only then
    linked to ``path`` (``link`` refuses an existing name atomically). A full disk, a file-size
    limit or a crash therefore never leaves a partial secret under ``path``, and the retry is
    not refused as "exists".
    """
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the path
        fail(f"cannot create {_shown(path)}: {_reason(err)}", EXIT_IO)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temp, path)
    except FileExistsError:
        fail(f"{_shown(path)} exists; refusing to overwrite a file that may hold a secret", EXIT_IO)
    except OSError as err:
        fail(f"cannot write {_shown(path)}: {_reason(err)}", EXIT_IO)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _shown(path: str) -> str:
    return ascii(path)[1:-1] if not path.isprintable() else path


def _reason(err: BaseException) -> str:
    return (err.strerror if isinstance(err, OSError) else None) or str(err) or type(err).__name__


def _terminal_qr(text: str) -> str | None:
    try:
        from ..qr import QRCode

        return QRCode(text).terminal()
    except ImportError:
        print("(QR code skipped: pip install 'rfc6238[qr]')", file=sys.stderr)
        return None


def cmd_secret_new(args: argparse.Namespace) -> int:
    """Generate a secret; print base32, the URI and (unless ``--no-qr``) a terminal QR code."""
    from ..secret import generate_secret

    secret = (
        generate_secret(algorithm=args.algorithm)
        if args.bytes is None
        else generate_secret(args.bytes)
    )
    text = secret.reveal_base32()
    uri = _build(args, secret.reveal(), None)
    if args.save:
        _write_private(args.save, (text + "\n").encode("ascii"))
    if args.json:
        emit_json({"secret": text, "uri": uri, "key_bytes": len(secret)})
        return EXIT_OK
    print(f"secret: {text}")
    print(f"uri:    {uri}")
    if args.save:
        shown = _shown(args.save)
        print(f"saved:  {shown} (mode 0600); use --secret-file {shown}")
    if not args.no_qr and (drawing := _terminal_qr(uri)) is not None:
        print(drawing, end="")
    return EXIT_OK


def cmd_uri_build(args: argparse.Namespace) -> int:
    """Build an ``otpauth://`` URI from a secret read safely."""
    key = decode_key(read_secret_text(args), hex_key=args.hex)
    if args.counter is not None and args.type != "hotp":
        fail("--counter needs --type hotp")
    print(_build(args, key, args.counter))
    return EXIT_OK


def cmd_uri_parse(args: argparse.Namespace) -> int:
    """Show the fields of a key URI; the secret only with ``--show-secret``."""
    from .. import base32
    from ..uri import parse_uri

    key = parse_uri(read_text_source(args, "uri"))
    fields: dict[str, Any] = {
        "type": key.type,
        "issuer": key.issuer,
        "account": key.account,
        "algorithm": key.algorithm,
        "digits": key.digits,
        "period": key.period,
        "counter": key.counter,
        "key_bytes": key.key_size,
        "short_key": key.short_key,
        "image": key.image,
        "extra": dict(key.extra),
    }
    if args.show_secret:
        fields["secret"] = base32.encode(key.secret)
    if args.json:
        emit_json(fields)
        return EXIT_OK
    for name, value in fields.items():
        if name == "key_bytes":
            print(f"{'key':10} {describe_key_size(value)}")
        elif value is not None and name != "short_key" and value != {}:
            print(f"{name:10} {value}")
    if not args.show_secret:
        print(f"{'secret':10} <hidden; --show-secret prints it>")
    return EXIT_OK


def cmd_qr(args: argparse.Namespace) -> int:
    """Draw a key URI (or a migration URI) as a QR code: terminal, ``.png`` or ``.svg``."""
    from ..qr import QRCode

    text = read_text_source(args, "uri")
    if text[:20].lower().startswith("otpauth-migration:"):
        from ..migration import parse_migration_uri

        parse_migration_uri(text)  # never draw what no app can import
    else:
        from ..uri import parse_uri

        parse_uri(text)
    code = QRCode(text)
    if args.output is None:
        print(code.terminal(), end="")
        return EXIT_OK
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix == ".png":
        _write_private(args.output, code.png())
    elif suffix == ".svg":
        _write_private(args.output, code.svg().encode("utf-8"))
    else:
        fail("--output must end in .png or .svg")
    print(f"wrote {args.output} (mode 0600: it holds the secret)", file=sys.stderr)
    return EXIT_OK


def cmd_migration_decode(args: argparse.Namespace) -> int:
    """List the accounts of an export; ``--uris`` prints each as an ``otpauth://`` URI."""
    from ..migration import parse_migration_uri

    batch = parse_migration_uri(read_text_source(args, "migration uri"))
    rows = []
    for account in batch.accounts:
        row: dict[str, Any] = {
            "name": account.name,
            "issuer": account.issuer,
            "type": account.type,
            "algorithm": account.algorithm,
            "digits": account.digits,
            "counter": account.counter if account.type == "hotp" else None,
            "key_bytes": len(account.secret),
        }
        if args.uris:
            row["uri"] = account.to_key_uri().to_uri()
        rows.append(row)
    if args.json:
        header = {
            "version": batch.version,
            "batch_size": batch.batch_size,
            "batch_index": batch.batch_index,
            "batch_id": batch.batch_id,
        }
        emit_json({**header, "accounts": rows})
        return EXIT_OK
    print(f"batch {batch.batch_index + 1} of {batch.batch_size}, {len(rows)} account(s)")
    for i, row in enumerate(rows):
        if args.uris:
            print(row["uri"])
            continue
        print(
            f"{i}: {row['type']} {row['name']!r} issuer={row['issuer']!r} {row['algorithm']} "
            f"{row['digits']} digits, key {describe_key_size(row['key_bytes'])}"
        )
    return EXIT_OK


def cmd_migration_encode(args: argparse.Namespace) -> int:
    """Pack ``otpauth://`` URIs (one per line) into one or more migration URIs."""
    from ..migration import build_migration_uris
    from ..uri import parse_uri

    lines = [line.strip() for line in read_text_source(args, "uri list").splitlines()]
    keys = [parse_uri(line) for line in lines if line and not line.startswith("#")]
    for uri in build_migration_uris(keys):
        print(uri)
    return EXIT_OK
