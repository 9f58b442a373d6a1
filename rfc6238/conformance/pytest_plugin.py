"""Run the rfc6238 conformance vectors inside another project's pytest suite.

Two ways, each one line:

* a test module line (no plugin)::

      test_otp_conformance = conformance_tests("mylib.otp")

  with ``from rfc6238.conformance.pytest_plugin import conformance_tests`` above it;
* the plugin, from the command line or ``addopts``::

      pytest -p rfc6238.conformance.pytest_plugin --rfc6238-impl mylib.otp

Every vector case becomes one test named ``FILE:TCID``. A wrong answer or an accepted
invalid input fails the test with expected vs got; a valid case the implementation refuses,
or cannot express, is skipped with the reason (``strict=True`` / ``--rfc6238-strict`` makes
a refusal fail). The implementation spec is a built-in name (``rfc6238``, ``pyotp``,
``cryptography``, ``oath``, ``oathtool``), ``jsonl:COMMAND``, ``command:TEMPLATE``, or a
Python ``MODULE[:OBJECT]`` with functions named after the operations
(:class:`~rfc6238.conformance.adapters.PythonImplementation`).

>>> implementation_from_spec("rfc6238").name
'rfc6238'
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pytest

from .adapters import (
    Implementation,
    PythonImplementation,
)
from .cases import CaseResult, SuiteCase
from .process import CommandImplementation, JsonLinesImplementation
from .runner import judge, select_cases

__all__ = [
    "ConformanceItem",
    "conformance_tests",
    "implementation_from_spec",
    "pytest_addoption",
    "pytest_collection_modifyitems",
]

_CACHE: dict[str, Implementation] = {}


def implementation_from_spec(spec: str) -> Implementation:
    """Build (once per process) the implementation a spec names; closed at exit."""
    if spec not in _CACHE:
        from .builtins import BUILTINS, builtin

        impl: Implementation
        if spec in BUILTINS:
            impl = builtin(spec)
        elif spec.startswith("jsonl:"):
            impl = JsonLinesImplementation(spec[6:])
        elif spec.startswith("command:"):
            impl = CommandImplementation([spec[8:]])
        else:
            impl = PythonImplementation([spec])
        _CACHE[spec] = impl
        atexit.register(impl.close)
    return _CACHE[spec]


def _check(result: CaseResult, strict: bool) -> None:
    if result.status == "fail":
        pytest.fail(
            f"{result.case_id} {result.comment}\n  expected {result.expected}\n  got      "
            f"{result.got}",
            pytrace=False,
        )
    if result.status == "skipped" or (result.status == "refused" and not strict):
        pytest.skip(f"{result.status}: {result.got}")
    if result.status == "refused":
        pytest.fail(f"{result.case_id} refused a valid case: {result.got}", pytrace=False)


def conformance_tests(
    implementation: str | Callable[[], Implementation] = "rfc6238",
    *,
    vectors: str | None = None,
    groups: Sequence[str] = (),
    only: Sequence[str] = (),
    flags: Sequence[str] = (),
    xfail: Iterable[str] = (),
    strict: bool = False,
) -> Callable[[SuiteCase], None]:
    """A test function, parametrized over the selected vector cases.

    Args:
        implementation: A spec (see the module docstring) or a factory returning an
            :class:`~rfc6238.conformance.adapters.Implementation`.
        vectors: The vector directory (default: rfc6238's ``vectors/`` checkout).
        groups, only, flags: The filters of ``rfc6238 conformance --group/--only/--flag``.
        xfail: Case ids (``FILE:TCID``) known to fail, marked ``xfail(strict=True)``.
        strict: A refused valid case fails instead of being skipped.
    """
    known = set(xfail)
    cases = select_cases(directory=vectors, groups=groups, only=only, flags=flags)
    params = [
        pytest.param(
            case,
            id=case.case_id,
            marks=[pytest.mark.xfail(strict=True)] if case.case_id in known else [],
        )
        for case in cases
    ]

    def get() -> Implementation:
        if callable(implementation):
            key = f"factory:{id(implementation)}"
            if key not in _CACHE:
                _CACHE[key] = implementation()
                atexit.register(_CACHE[key].close)
            return _CACHE[key]
        return implementation_from_spec(implementation)

    @pytest.mark.parametrize("rfc6238_case", params)
    def test_rfc6238_conformance(rfc6238_case: SuiteCase) -> None:
        _check(judge(get(), rfc6238_case), strict)

    return test_rfc6238_conformance


# --------------------------------------------------------------------- plugin mode


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--rfc6238-impl SPEC`` (repeatable), ``--rfc6238-vectors``, ``--rfc6238-group``."""
    group = parser.getgroup("rfc6238", "rfc6238 conformance vectors")
    group.addoption("--rfc6238-impl", action="append", default=[], metavar="SPEC")
    group.addoption("--rfc6238-vectors", metavar="DIR")
    group.addoption("--rfc6238-group", action="append", default=[], metavar="GROUP")
    group.addoption("--rfc6238-strict", action="store_true")


class ConformanceItem(pytest.Item):
    """One vector case run against one implementation (plugin mode)."""

    def __init__(self, *, spec: str, case: SuiteCase, strict: bool, **kw: Any) -> None:
        super().__init__(**kw)
        self.spec, self.case, self.strict = spec, case, strict

    def runtest(self) -> None:
        _check(judge(implementation_from_spec(self.spec), self.case), self.strict)

    def reportinfo(self) -> tuple[str, int, str]:
        return "rfc6238-conformance", 0, f"{self.spec} {self.case.case_id}"


def _items(session: pytest.Session, config: pytest.Config) -> Iterator[ConformanceItem]:
    cases = select_cases(
        directory=config.getoption("rfc6238_vectors"), groups=config.getoption("rfc6238_group")
    )
    for spec in config.getoption("rfc6238_impl"):
        for case in cases:
            yield ConformanceItem.from_parent(
                session,
                name=f"rfc6238-conformance[{spec}-{case.case_id}]",
                spec=spec,
                case=case,
                strict=config.getoption("rfc6238_strict"),
            )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append one item per (implementation, case) when ``--rfc6238-impl`` is given."""
    if config.getoption("rfc6238_impl"):
        items.extend(_items(session, config))
