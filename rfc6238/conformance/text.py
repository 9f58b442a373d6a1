"""Text from vectors and adapters, made safe to print in a terminal or a report."""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["printable"]

#: Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned
#: characters, and the line and paragraph separators: shown escaped, never raw.
_UNSAFE: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(text: str) -> str:
    """``text`` with control, format (bidi) and unassigned characters escaped.

    >>> printable("ok\\u202etxt.exe\\n")
    'ok\\\\u202etxt.exe\\\\n'
    """
    out = []
    for ch in text:
        if unicodedata.category(ch) in _UNSAFE or ch == "\\":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
