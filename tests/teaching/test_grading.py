"""The grader's verdicts and words: refusals, accepted bad input, options not asked, stubs."""

from __future__ import annotations

import pytest

import rfc6238
from rfc6238.teaching.grading import grade, grade_against


def test_accepting_bad_input_is_a_failure_in_words() -> None:
    def accepts_everything(key: bytes, token: str, time: int, **options: object) -> int:
        return rfc6238.time_step(time)

    result = grade("verify_totp", accepts_everything, groups=["tokens"])
    assert not result.ok
    assert any(f.got.startswith("your function accepted it") for f in result.failures)
    assert any(
        f.expected.startswith("a refusal (any exception; rfc6238 raises") for f in result.failures
    )


def test_raising_on_a_valid_case_names_the_exception() -> None:
    def refuses(key: bytes, counter: int) -> str:
        raise ValueError("no thanks")

    result = grade("hotp", refuses, groups=["rfc4226"], show=2)
    assert result.total == 10
    assert len(result.failures) == 10
    assert result.failures[0].got == "your function raised ValueError: no thanks"
    assert "(showing 2)" in repr(result)
    assert repr(result).count("expected:") == 2


def test_options_the_function_does_not_take_are_not_asked() -> None:
    def sha1_only(key: bytes, time: int, *, digits: int = 6) -> str:
        return rfc6238.totp(key, time, digits=digits)

    result = grade("totp", sha1_only, groups=["rfc6238"])
    assert result.ok
    assert result.total + result.not_asked == 30
    assert result.not_asked > 0
    assert f"({result.not_asked} more use options your function does not take)" in repr(result)


def test_a_stub_is_reported_once_with_what_to_do() -> None:
    def stub(key: bytes, counter: int) -> str:
        raise NotImplementedError

    result = grade("hotp", stub, groups=["rfc4226"])
    assert len(result.failures) == 10
    assert "replace the stub" in repr(result)
    assert repr(result).count("expected:") == 1
    assert "✗" in result._repr_html_()


def test_grade_against_needs_one_source_of_truth() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        grade_against(abs, [("x", (1,))])
    with pytest.raises(ValueError, match="exactly one"):
        grade_against(abs, [("x", (1,))], reference=abs, expected=[1])
    refusing = grade_against(lambda x: x, [("negative", (-1,))], reference=lambda x: 1 // (x + 1))
    assert refusing.failures[0].expected.startswith("a refusal")
