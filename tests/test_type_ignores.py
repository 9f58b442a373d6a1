"""Every ``# type: ignore[code]`` names its error code and says why (CONTRIBUTING.md "Style")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("rfc6238", "tests", "scripts", "benchmarks", "examples")
# Temporary: the conformance branch rewrites this file as scripts/vectors/; drop it then.
NOT_YET = {ROOT / "scripts" / "make_vectors.py"}
SELF = Path(__file__).resolve()  # its examples are bare on purpose
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<code>\[[^\]]*\])?(?P<rest>.*)$")


def unexplained(text: str) -> list[int]:
    """Line numbers of type-ignores without an error code or without a reason after them."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = IGNORE.search(line)
        if found and not (found["code"] and re.match(r"\s+#\s*\S", found["rest"])):
            lines.append(number)
    return lines


def test_the_check_tells_reasons_from_bare_ignores() -> None:
    text = "\n".join(
        [
            "a = 1  # type: ignore[misc]  # frozen",
            "b = 2  # type: ignore[misc]",
            "c = 3  # type: ignore",
        ]
    )
    assert unexplained(text) == [2, 3]


def test_every_type_ignore_has_a_code_and_a_reason() -> None:
    files = [
        p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py") if p not in NOT_YET | {SELF}
    ]
    assert len(files) > 50
    bare = {
        p.relative_to(ROOT).as_posix(): lines
        for p in files
        if (lines := unexplained(p.read_text(encoding="utf-8")))
    }
    assert bare == {}
