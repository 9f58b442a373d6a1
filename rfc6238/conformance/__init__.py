"""The conformance suite (layer 5): ``vectors/*.json`` checked against any implementation.

:mod:`~rfc6238.conformance.vectors` loads the language-neutral vector files,
:mod:`~rfc6238.conformance.adapters`, :mod:`~rfc6238.conformance.builtins` and
:mod:`~rfc6238.conformance.process` speak to implementations (Python objects, other
libraries, shell commands, JSON-lines adapters), :mod:`~rfc6238.conformance.runner` judges
each case, :mod:`~rfc6238.conformance.report` writes the matrix and
:mod:`~rfc6238.conformance.pytest_plugin` runs the suite inside another project's pytest.
Run it as ``rfc6238 conformance`` or ``python -m rfc6238.conformance``.
"""

from __future__ import annotations

from .adapters import (
    AdapterError,
    Implementation,
    PythonImplementation,
    Rejected,
    Rfc6238Implementation,
    Unsupported,
)
from .cases import CaseResult, SuiteCase
from .process import CommandImplementation, JsonLinesImplementation
from .runner import judge, main, run_from_args, run_suite, select_cases

__all__ = [
    "AdapterError",
    "CaseResult",
    "CommandImplementation",
    "Implementation",
    "JsonLinesImplementation",
    "PythonImplementation",
    "Rejected",
    "Rfc6238Implementation",
    "SuiteCase",
    "Unsupported",
    "judge",
    "main",
    "run_from_args",
    "run_suite",
    "select_cases",
]
