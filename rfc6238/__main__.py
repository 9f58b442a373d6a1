"""``python -m rfc6238``: the command line of :mod:`rfc6238.cli` (``python -m rfc6238 demo``)."""

from __future__ import annotations

from .cli.main import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
