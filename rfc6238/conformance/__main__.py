"""``python -m rfc6238.conformance``: the conformance runner (same as ``rfc6238 conformance``)."""

from __future__ import annotations

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main())
