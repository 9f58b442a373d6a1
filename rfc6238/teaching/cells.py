"""Small helpers for the teaching notebooks: cells that explain, show and check themselves.

:func:`table` turns rows of values into a :class:`Table` that displays as HTML in Jupyter
and as aligned text elsewhere (the last expression of a cell *is* the explanation).
:func:`expect` shows an expected error without stopping the notebook: it catches the listed
exception types, prints the type and message (messages never contain secrets, see
:mod:`rfc6238.errors`), and fails loudly if nothing was raised, so a notebook that stops
raising the error it teaches about fails under ``pytest --nbmake``.

>>> from rfc6238 import MalformedToken, verify_totp
>>> with expect(MalformedToken):
...     verify_totp(b"12345678901234567890", "12345", 59)
expected MalformedToken: token must be exactly 6 ASCII digits 0-9
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape

from ..errors import InvalidParameter, InvalidType

__all__ = ["Caught", "Table", "expect", "table"]


class Caught:
    """What :func:`expect` caught: ``.error`` is the exception (``None`` until it is raised)."""

    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def __repr__(self) -> str:
        if self.error is None:
            return "Caught(nothing)"
        return f"Caught({type(self.error).__name__})"


@contextmanager
def expect(*types: type[BaseException]) -> Iterator[Caught]:
    """Run the block, require one of ``types`` to be raised, print it and carry on.

    Args:
        *types: The exception classes the block must raise (at least one).

    Yields:
        A :class:`Caught` whose ``.error`` holds the exception after the block.

    Raises:
        AssertionError: the block raised nothing.
        InvalidType: no exception types were given, or one is not an exception class.
        BaseException: any other exception from the block propagates unchanged.

    >>> with expect(ZeroDivisionError) as caught:
    ...     1 / 0
    expected ZeroDivisionError: division by zero
    >>> caught
    Caught(ZeroDivisionError)
    """
    if not types or not all(isinstance(t, type) and issubclass(t, BaseException) for t in types):
        raise InvalidType("expect() takes one or more exception classes")
    caught = Caught()
    try:
        yield caught
    except types as err:
        caught.error = err
        print(f"expected {type(err).__name__}: {err}")
        return
    names = " or ".join(t.__name__ for t in types)
    raise AssertionError(f"expected {names}, but the block raised nothing")


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """Rows of values with column names: HTML in Jupyter, aligned text in ``repr``."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    def __repr__(self) -> str:
        cells = [self.columns, *self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if self.caption:
            lines.insert(0, self.caption)
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in self.rows
        )
        caption = f"<caption>{escape(self.caption)}</caption>" if self.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def table(rows: Iterable[Mapping[str, object]], *, caption: str = "") -> Table:
    """Build a :class:`Table` from dicts that share their keys (the first row's keys, in order).

    Values are shown with ``str``; format numbers before passing them.

    Raises:
        InvalidParameter: there are no rows, or a row's keys differ from the first row's.

    >>> table([{"digits": 6, "p": "3e-06"}, {"digits": 8, "p": "3e-08"}])
    digits  p
    ------  -----
    6       3e-06
    8       3e-08
    """
    materialised = [dict(row) for row in rows]
    if not materialised:
        raise InvalidParameter("table needs at least one row")
    columns = tuple(str(k) for k in materialised[0])
    if any(tuple(str(k) for k in row) != columns for row in materialised):
        raise InvalidParameter("every row of a table must have the same keys, in the same order")
    return Table(
        columns=columns,
        rows=tuple(tuple(str(v) for v in row.values()) for row in materialised),
        caption=caption,
    )
