"""The ``rfc6238`` command line (layer 5): ``code``, ``verify``, ``explain``, ``secret``,
``uri``, ``qr``, ``migration``, ``conformance`` and ``demo``.

:mod:`~rfc6238.cli.main` dispatches: plain ``code`` command lines through a small
argparse-free fast path, everything else through :mod:`~rfc6238.cli.parsers`, which builds
only the parser of the subcommand run. Each subcommand's module is imported only when it
runs. See ``docs/cli.md`` for the commands and exit codes.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
