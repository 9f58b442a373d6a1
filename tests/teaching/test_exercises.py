"""Every exercise grader fails on the notebook's stub and passes with the worked solution.

The cells are found by their tags (``exercise``, then the ``check`` cell after it) and run in
order in one namespace per notebook: first as committed (each check must report failures
without raising), then with the functions of ``notebooks/solutions/exNN_*.py`` put in place of
the stub's (each check must pass).
"""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from rfc6238.teaching.grading import Grade

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
WITH_EXERCISES = ["01", "02", "03", "04", "05", "07", "08", "09", "10"]


def _pairs(number: str) -> list[tuple[str, str]]:
    """(exercise source, check source) for each exercise of the notebook, in order."""
    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    cells = json.loads(path.read_text())["cells"]
    pairs, pending = [], None
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        source = "".join(cell["source"])
        if "exercise" in tags:
            assert pending is None, f"{path.name}: two exercise cells without a check between"
            pending = source
        elif "check" in tags and pending is not None:
            pairs.append((pending, source))
            pending = None
    assert pending is None, f"{path.name}: an exercise without a check cell"
    return pairs


def _solution(number: str) -> ModuleType:
    (path,) = (NOTEBOOKS / "solutions").glob(f"ex{number}_*.py")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(source: str, namespace: dict[str, Any]) -> Any:
    """Execute a cell like IPython: the value of a final expression is returned."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        tree.body.pop()
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 (a notebook cell)
    if not isinstance(last, ast.Expr):
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)  # noqa: S307


def _defined(source: str) -> list[str]:
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]


@pytest.mark.parametrize("number", WITH_EXERCISES)
def test_each_notebook_has_two_to_four_exercises(number: str) -> None:
    pairs = _pairs(number)
    assert 2 <= len(pairs) <= 4
    for exercise, _ in pairs:
        assert _defined(exercise), "an exercise cell defines the function to write"


@pytest.mark.parametrize("number", WITH_EXERCISES)
def test_graders_fail_on_the_stubs(number: str) -> None:
    namespace: dict[str, Any] = {}
    for exercise, check in _pairs(number):
        _run(exercise, namespace)
        grade = _run(check, namespace)
        assert isinstance(grade, Grade)
        assert not grade.ok, f"the stub of {_defined(exercise)} passed"
        assert grade.failures
        assert "✗" in repr(grade)
        assert "expected:" in repr(grade)


@pytest.mark.parametrize("number", WITH_EXERCISES)
def test_graders_pass_with_the_solutions(number: str) -> None:
    solution = _solution(number)
    namespace: dict[str, Any] = {}
    for exercise, check in _pairs(number):
        _run(exercise, namespace)
        for name in _defined(exercise):
            namespace[name] = getattr(solution, name)
        grade = _run(check, namespace)
        assert isinstance(grade, Grade)
        assert grade.ok, repr(grade)
        assert repr(grade).startswith("✓")
        assert f"all {grade.total} cases pass" in repr(grade)
