"""Every file the project's text points at is in the repository (and nothing outside it).

Docs, notebooks, docstrings, tests and data name files such as ``SECURITY.md`` or
``tests/service/test_concurrency.py``; a move or a rename must not leave them pointing at
nothing, and no file may point at notes outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("rfc6238", "tests", "docs", "scripts", "vectors", "notebooks", "benchmarks", "examples")
SUFFIXES = {".py", ".md", ".json", ".ipynb", ".sh", ".toml", ".mjs"}
# An upper-case document name (SECURITY.md), or a path inside one of the folders above.
DOCUMENT = re.compile(r"(?<![\w/.-])[A-Z][A-Z_]*\.md\b")
IN_FOLDER = "|".join(FOLDERS)
PATH = re.compile(rf"(?<![\w/.-])(?:{IN_FOLDER})/[\w./-]*\w\.(?:py|md|json|ipynb|sh|mjs)\b")
OUTSIDE = re.compile(r"\.\./shared|/work/shared|team notes")
# Paths inside the built wheel, which maps vectors/ to the package rfc6238.vectors_data.
WHEEL_PATHS = {"rfc6238/vectors_data/": "vectors/"}


def project_files() -> list[Path]:
    found = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    for folder in FOLDERS:
        found += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.suffix in SUFFIXES and p.is_file() and "node_modules" not in p.parts
        ]
    found += ROOT.glob("*.md")
    return sorted(set(found) - {Path(__file__).resolve()})  # its own examples name no files


FILES = project_files()


def in_checkout(ref: str) -> str:
    for wheel, checkout in WHEEL_PATHS.items():
        if ref.startswith(wheel):
            return checkout + ref.removeprefix(wheel)
    return ref


def test_the_scan_reads_the_project() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"README.md", "SECURITY.md", "docs/service.md", "notebooks/00_tour.ipynb"} <= names
    assert DOCUMENT.findall("see SECURITY.md and (DESIGN.md)") == ["SECURITY.md", "DESIGN.md"]
    assert PATH.findall("in tests/service/test_store.py, not x/tests/a.py") == [
        "tests/service/test_store.py"
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_references_point_at_files_that_exist(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    assert not OUTSIDE.findall(text), "points at material outside the repository"
    missing = sorted(
        {name for name in DOCUMENT.findall(text) if not (ROOT / name).is_file()}
        | {ref for ref in PATH.findall(text) if not (ROOT / in_checkout(ref)).exists()}
    )
    assert missing == []
