"""Tests for rfc6238.teaching: expect() and table()."""

from __future__ import annotations

import pytest

import rfc6238
from rfc6238 import InvalidParameter, InvalidType
from rfc6238.teaching import Caught, Table, expect, table

KEY = b"12345678901234567890"


def test_expect_catches_prints_and_records(capsys: pytest.CaptureFixture[str]) -> None:
    with expect(rfc6238.MalformedToken, rfc6238.InvalidParameter) as caught:
        rfc6238.verify_totp(KEY, "12345", 59)
    assert isinstance(caught.error, rfc6238.MalformedToken)
    assert repr(caught) == "Caught(MalformedToken)"
    out = capsys.readouterr().out
    assert out == "expected MalformedToken: token must be exactly 6 ASCII digits 0-9\n"
    assert "12345" not in out  # the submitted token is never echoed


def test_expect_fails_when_nothing_is_raised() -> None:
    with pytest.raises(AssertionError, match="expected InvalidToken or TypeError"):  # noqa: SIM117
        with expect(rfc6238.InvalidToken, TypeError):
            rfc6238.verify_totp(KEY, "287082", 59)


def test_expect_lets_other_errors_through() -> None:
    with pytest.raises(ZeroDivisionError):  # noqa: SIM117
        with expect(rfc6238.InvalidToken):
            _ = 1 / 0


@pytest.mark.parametrize("types", [(), (ValueError, "x"), (int,)])
def test_expect_rejects_non_exception_types(types: tuple[object, ...]) -> None:
    with pytest.raises(InvalidType):  # noqa: SIM117
        with expect(*types):  # type: ignore[arg-type]  # the bad argument under test
            pass


def test_caught_before_anything() -> None:
    assert repr(Caught()) == "Caught(nothing)"


def test_table_text_and_html() -> None:
    t = table([{"name": "a<b", "n": 1}, {"name": "c", "n": 22}], caption="cap")
    assert isinstance(t, Table)
    assert t.columns == ("name", "n")
    assert t.rows == (("a<b", "1"), ("c", "22"))
    assert repr(t).splitlines() == ["cap", "name  n", "----  --", "a<b   1", "c     22"]
    html = t._repr_html_()
    assert "<caption>cap</caption>" in html
    assert "a&lt;b" in html
    assert html.count("<tr>") == 3


def test_table_rejects_empty_and_ragged_rows() -> None:
    with pytest.raises(InvalidParameter):
        table([])
    with pytest.raises(InvalidParameter):
        table([{"a": 1}, {"b": 2}])
