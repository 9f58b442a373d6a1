"""Grade a learner's function in a notebook: the conformance suite, in a learner's words.

:func:`grade` wraps one function as an implementation of one conformance operation
(``hotp``, ``totp``, ``truncate``, ``verify_totp``, ``base32_decode``, ...; see
:mod:`rfc6238.conformance.adapters`), runs the chosen vector groups through the runner's
Python API (:func:`~rfc6238.conformance.select_cases`, :func:`~rfc6238.conformance.judge`)
and returns a :class:`Grade`: which cases fail, with the case's comment, its inputs, the
expected answer and what the function did, at most ``show`` of them, or "all N cases pass".
:func:`grade_against` does the same for exercises no vector file covers, against a reference
function or fixed expected values. Neither raises when the learner's code is wrong: a check
cell reports, it does not stop the notebook.

A case that passes an option the function does not take (say ``algorithm="SHA256"`` to a
function without an ``algorithm`` parameter) is *not asked*: it is left out and counted
separately. The same option at its default value is simply not passed.

>>> import hmac, rfc6238
>>> def my_hotp(key, counter):
...     mac = hmac.digest(key, counter.to_bytes(8, "big"), "sha1")
...     return "%06d" % (rfc6238.dynamic_truncate(mac) % 10**6)
>>> result = grade("hotp", my_hotp, groups=["rfc4226"])
>>> result.ok, result.total
(True, 10)
>>> grade("hotp", lambda key, counter: "000000", groups=["rfc4226"], show=1).ok
False
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Final

from ..conformance import (
    AdapterError,
    PythonImplementation,
    SuiteCase,
    Unsupported,
    judge,
    select_cases,
)
from ..conformance.cases import show as show_value

__all__ = ["DEFAULTS", "Failure", "Grade", "LearnerFunction", "grade", "grade_against"]

#: The library's defaults: an option at this value is not passed to a function without it.
DEFAULTS: Final[Mapping[str, object]] = {
    "digits": 6,
    "algorithm": "SHA1",
    "period": 30,
    "t0": 0,
    "window": 1,
    "look_ahead": 0,
    "allow_short_key": False,
    "strict": False,
}


@dataclass(frozen=True, slots=True)
class Failure:
    """One case the learner's function got wrong, in words."""

    comment: str
    inputs: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class Grade:
    """The outcome of one check cell: displays as a short report; ``ok`` is True when all pass."""

    title: str
    total: int
    failures: tuple[Failure, ...]
    not_asked: int = 0
    show: int = 5

    @property
    def passed(self) -> int:
        """How many graded cases passed."""
        return self.total - len(self.failures)

    @property
    def ok(self) -> bool:
        """True when at least one case was graded and none failed."""
        return self.total > 0 and not self.failures

    def lines(self) -> list[str]:
        """The report, line by line."""
        extra = f" ({self.not_asked} more use options your function does not take)"
        extra = extra if self.not_asked else ""
        if self.ok:
            return [f"✓ {self.title}: all {self.total} cases pass{extra}"]
        if self.total == 0:
            return [f"✗ {self.title}: no case could be graded{extra}"]
        # A stub fails every case the same way: one example is enough.
        stub_only = all(f.got == _STUB for f in self.failures)
        shown = self.failures[: 1 if stub_only else self.show]
        out = [
            f"✗ {self.title}: {len(self.failures)} of {self.total} cases fail"
            f" (showing {len(shown)}){extra}"
        ]
        for n, f in enumerate(shown, 1):
            out += [
                f"  {n}. {f.comment}",
                f"     inputs:   {f.inputs}",
                f"     expected: {f.expected}",
                f"     got:      {f.got}",
            ]
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        colour = "#2a7a2a" if self.ok else "#b22222"
        head, *rest = self.lines()
        body = escape("\n".join(rest))
        return f"<pre><b style='color:{colour}'>{escape(head)}</b>\n{body}</pre>"


class _NotWritten(AdapterError):
    """The learner's function still raises NotImplementedError (judge lets it through)."""


class LearnerFunction(PythonImplementation):
    """One learner function as the implementation of one operation (for :func:`grade`).

    Options the function does not take are dropped when they are at their default
    (:data:`DEFAULTS`) and make the case *not asked* (skipped) otherwise.
    """

    def __init__(self, op: str, func: Callable[..., Any], *, name: str | None = None) -> None:
        # PythonImplementation loads functions by name; a notebook hands one over directly.
        self.functions = {op: func}
        self.name = str(name or getattr(func, "__name__", "your function"))
        self.description = f"a learner's {op} function"
        params = inspect.signature(func).parameters.values()
        self._takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        self._takes = {p.name for p in params}

    def version(self) -> str:
        return ""

    def arguments(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """The case's inputs this function receives (``Unsupported`` if one is missing)."""
        kept = {}
        for name, value in args.items():
            if self._takes_all or name in self._takes:
                kept[name] = value
                continue
            default = DEFAULTS.get(name, _MISSING)
            if type(value) is not type(default) or value != default:
                raise Unsupported(f"{name}={value!r}")
        return kept

    def run(self, op: str, args: Mapping[str, Any]) -> Any:
        try:
            return super().run(op, self.arguments(args))
        except Unsupported as err:
            if isinstance(err.__cause__, NotImplementedError):
                raise _NotWritten from err
            raise


_MISSING: Final = object()
_STUB = "your function raises NotImplementedError: replace the stub with your code"


def _shown(value: object) -> str:
    text = show_value(value) if isinstance(value, bytes) else repr(value)
    return text if len(text) <= 80 else f"{text[:64]}... ({len(text)} characters)"


def _inputs(impl: LearnerFunction, case: SuiteCase) -> str:
    return ", ".join(f"{k}={_shown(v)}" for k, v in impl.arguments(case.args()).items())


def grade(
    op: str,
    func: Callable[..., Any],
    *,
    groups: Sequence[str] = (),
    cases: Iterable[SuiteCase] | None = None,
    valid_only: bool = False,
    title: str | None = None,
    show: int = 5,
) -> Grade:
    """Grade ``func`` as the ``op`` operation against vector groups (or given cases).

    Args:
        op: The conformance operation the function implements.
        func: The learner's function, called like the operation (see
            :class:`~rfc6238.conformance.PythonImplementation`).
        groups: Vector groups, as :func:`~rfc6238.conformance.select_cases` names them
            (``"rfc4226"``, ``"totp_edges"``, ``"verify:verify_totp"``); all of ``op`` if empty.
        cases: The cases to use instead of ``groups``.
        valid_only: Grade only cases with an expected answer (not inputs to refuse).
        title: The report's first words (default: the function's name and the groups).
        show: At most this many failures are printed.
    """
    chosen = list(cases) if cases is not None else select_cases(groups=groups or [op])
    chosen = [c for c in chosen if c.op == op and (c.case.result == "valid" or not valid_only)]
    impl = LearnerFunction(op, func)
    failures, not_asked, total = [], 0, 0
    for case in chosen:
        try:
            result = judge(impl, case)
        except _NotWritten:
            total += 1
            failures.append(Failure(case.case.comment, _inputs(impl, case), case.expected(), _STUB))
            continue
        if result.status == "skipped":
            not_asked += 1
            continue
        total += 1
        if result.status == "pass":
            continue
        if result.result == "invalid":
            got = f"your function accepted it ({result.got.removeprefix('accepted: ')})"
            expected = f"a refusal (any exception; rfc6238 raises {case.case.error})"
        elif result.status == "refused":
            got = f"your function raised {result.got.removeprefix('refused: ')}"
            expected = result.expected
        else:
            got, expected = f"your function returned {result.got}", result.expected
        failures.append(Failure(result.comment, _inputs(impl, case), expected, got))
    name: str = title or f"{impl.name} on {', '.join(groups) or op}"
    return Grade(name, total, tuple(failures), not_asked, show)


def grade_against(
    func: Callable[..., Any],
    inputs: Iterable[tuple[str, Sequence[Any]]],
    *,
    reference: Callable[..., Any] | None = None,
    expected: Sequence[Any] | None = None,
    same: Callable[[Any, Any], bool] | None = None,
    title: str | None = None,
    show: int = 5,
) -> Grade:
    """Grade ``func`` on ``(comment, args)`` pairs against a reference or expected values.

    When ``reference`` raises for some arguments, ``func`` must raise too (any exception).
    ``same(got, expected)`` decides equality (default ``==``).

    >>> grade_against(abs, [("minus two", (-2,)), ("three", (3,))], reference=lambda x: x * x).ok
    False
    """
    pairs = list(inputs)
    if (reference is None) == (expected is None):
        raise ValueError("give exactly one of reference= and expected=")
    failures = []
    for n, (comment, args) in enumerate(pairs):
        want_error: str | None = None
        want: Any = None
        if reference is not None:
            try:
                want = reference(*args)
            except Exception as err:
                want_error = type(err).__name__
        else:
            assert expected is not None  # exactly one of the two was given
            want = expected[n]
        shown_in = ", ".join(_shown(a) for a in args)
        try:
            got = func(*args)
        except NotImplementedError:
            failures.append(Failure(comment, shown_in, show_value(want), _STUB))
            continue
        except Exception as err:
            if want_error is None:
                why = f"your function raised {type(err).__name__}: {err}"
                failures.append(Failure(comment, shown_in, show_value(want), why))
            continue
        if want_error is not None:
            refuse = f"a refusal (any exception; the library raises {want_error})"
            failures.append(Failure(comment, shown_in, refuse, f"returned {show_value(got)}"))
        elif not (same(got, want) if same else got == want):
            failures.append(
                Failure(comment, shown_in, show_value(want), f"returned {show_value(got)}")
            )
    name = str(title or getattr(func, "__name__", "your function"))
    return Grade(name, len(pairs), tuple(failures), 0, show)
