"""The package layout holds: a flat core, one folder per surface (see CONTRIBUTING.md).

Every module of ``rfc6238/`` is parsed (``ast``, nothing is imported) and its imports,
module-level and function-level alike, are checked against the layering rules:

* no import cycles among rfc6238 modules (imports under ``if TYPE_CHECKING:`` excepted);
* no top-level module imports a subpackage (``__main__`` is the entry point to the CLI);
* ``service/`` imports only the core and itself;
* the surfaces ``cli/``, ``conformance/`` and ``teaching/`` use the core's public modules
  and names only (never ``_checks``, ``prepared``, ``verify``'s engine helpers) and
  never another folder's private modules or names;
* the core imports only the standard library at module level (it has no dependencies:
  everything else is an optional extra, imported when used).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rfc6238"
SUBPACKAGES = ("cli", "conformance", "service", "teaching")
SURFACES = ("cli", "conformance", "teaching")

# The modules each folder has today (new modules may join; none of these may go missing).
EXPECTED = {
    "": (
        "__init__ __main__ _version errors _checks prepared core verify otp secret base32 "
        "trace bruteforce uri _uri_parse _labels qr migration _protobuf _optional"
    ),
    "cli": "__init__ main common codes provision demo",
    "conformance": (
        "__init__ __main__ cases runner vectors adapters builtins process options report "
        "pytest_plugin"
    ),
    "service": (
        "__init__ twofactor _attempts policy results backup audit envelope keyring rotation "
        "store sqlite_store _sqlite_conn _sqlite_schema"
    ),
    "teaching": "__init__ cells plots plots_extra diagrams",
}

# Core internals no surface may use: the surfaces go through the public API.
CORE_INTERNALS = {"rfc6238._checks", "rfc6238.prepared"}
INTERNAL_NAMES = {
    "rfc6238.verify": {"check_after", "hotp_window", "match_window", "scan", "settle"}
}
# Private by name (not API), shared on purpose by every folder: the version string's one
# home (setuptools reads it without importing the package; ``rfc6238.__version__``
# re-exports it) and the one helper that imports an optional dependency.
SHARED_PRIVATE = {"rfc6238._version", "rfc6238._optional"}
# The optional extras' packages; named so a failure reads well (any non-stdlib import fails).
OPTIONAL = "cryptography qrcode PIL matplotlib zxingcpp pyotp oath psycopg google numpy pytest"
# Modules that may import a third-party package at module level: the pytest plugin only
# ever runs inside pytest.
THIRD_PARTY_AT_TOP = {"rfc6238.conformance.pytest_plugin": {"pytest"}}

# Known violations that other branches are removing right now: (importer, imported).
# Each entry is temporary; the test fails when an entry is no longer needed.
ALLOWED_FOR_NOW: set[tuple[str, str]] = set()  # no known violation left


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module (or one name from it) as written in one module."""

    importer: str
    target: str  # the module imported, resolved to its full dotted name
    name: str | None  # the name taken from it (``from target import name``), if any
    line: int
    in_function: bool
    type_checking: bool

    def where(self) -> str:
        what = f"{self.target}:{self.name}" if self.name else self.target
        return f"{self.importer} (line {self.line}) imports {what}"


def module_name(path: Path) -> str:
    parts = ("rfc6238", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def is_type_checking(test: ast.expr) -> bool:
    return ast.unparse(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.package = module if is_package(module) else module.rpartition(".")[0]
        self.depth = 0
        self.type_checking = 0
        self.found: list[Import] = []

    def _add(self, target: str, name: str | None, node: ast.stmt) -> None:
        # ``from pkg import sub`` imports the submodule pkg.sub when one exists.
        if name is not None and f"{target}.{name}" in MODULES:
            target, name = f"{target}.{name}", None
        self.found.append(
            Import(self.module, target, name, node.lineno, self.depth > 0, self.type_checking > 0)
        )

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_FunctionDef(node)

    def visit_If(self, node: ast.If) -> None:
        if not is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.type_checking += 1
        for child in node.body:
            self.visit(child)
        self.type_checking -= 1
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, None, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")[: len(self.package.split(".")) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        for alias in node.names:
            self._add(target, alias.name, node)


def imports_of(module: str) -> list[Import]:
    collector = _Collector(module)
    collector.visit(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    return collector.found


IMPORTS = [imp for module in MODULES for imp in imports_of(module)]


def folder(module: str) -> str:
    """The subpackage a module belongs to ('' for the flat core)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in SUBPACKAGES else ""


def is_core(module: str) -> bool:
    return module.startswith("rfc6238") and folder(module) == "" and module != "rfc6238.__main__"


def own(imp: Import) -> bool:
    return imp.target == "rfc6238" or imp.target.startswith("rfc6238.")


def allowed(imp: Import) -> bool:
    return (imp.importer, imp.target) in ALLOWED_FOR_NOW or (
        imp.name is not None and (imp.importer, f"{imp.target}:{imp.name}") in ALLOWED_FOR_NOW
    )


def violations(rule: object, found: Iterator[Import]) -> list[str]:
    return [f"{imp.where()}: {rule}" for imp in found if not allowed(imp)]


def test_the_parser_sees_every_kind_of_import() -> None:
    """The collector resolves relative imports, submodules, functions and TYPE_CHECKING."""
    by_target = {(i.importer, i.target, i.name): i for i in IMPORTS}
    secret_base32 = by_target["rfc6238.secret", "rfc6238.base32", None]  # from . import base32
    assert not secret_base32.in_function
    assert not secret_base32.type_checking
    uri_qr = [i for i in IMPORTS if (i.importer, i.target) == ("rfc6238.uri", "rfc6238.qr")]
    assert {(i.in_function, i.type_checking) for i in uri_qr} == {(True, False), (False, True)}
    assert by_target["rfc6238.__main__", "rfc6238.cli.main", "main"].line > 0
    assert len(MODULES) >= 50


@pytest.mark.parametrize("where", sorted(EXPECTED))
def test_the_folders_hold_their_modules(where: str) -> None:
    directory = PACKAGE / where if where else PACKAGE
    present = {p.stem for p in directory.glob("*.py")}
    missing = set(EXPECTED[where].split()) - present
    assert not missing, f"rfc6238/{where} lacks {sorted(missing)}"


def test_the_package_has_exactly_the_four_folders() -> None:
    folders = {p.parent.relative_to(PACKAGE).parts[0] for p in PACKAGE.glob("*/*.py")}
    assert folders == set(SUBPACKAGES)
    assert all((PACKAGE / name / "__init__.py").is_file() for name in SUBPACKAGES)


def test_tests_mirror_the_folders() -> None:
    tests = Path(__file__).resolve().parent
    assert all(any((tests / name).glob("test_*.py")) for name in SUBPACKAGES)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_find_cycle_finds_a_cycle_and_only_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"b"}}) == ["b", "c", "b"]


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for imp in IMPORTS:
        if own(imp) and not imp.type_checking and imp.target != imp.importer:
            edges.setdefault(imp.importer, set()).add(imp.target)
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges) or [])


def test_no_top_level_module_imports_a_subpackage() -> None:
    found = (
        imp for imp in IMPORTS if is_core(imp.importer) and own(imp) and folder(imp.target) != ""
    )
    assert violations("the core may not depend on a subpackage", found) == []


def test_service_imports_only_the_core() -> None:
    found = (
        imp
        for imp in IMPORTS
        if folder(imp.importer) == "service"
        and own(imp)
        and folder(imp.target) != "service"
        and not is_core(imp.target)
    )
    assert violations("service/ may import only the core and itself", found) == []


def private(module: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in module.split(".")[1:])


def surface_breach(imp: Import) -> str | None:
    if not own(imp) or folder(imp.target) == folder(imp.importer):
        return None
    if imp.target in CORE_INTERNALS or imp.name in INTERNAL_NAMES.get(imp.target, ()):
        return "core internals: use the public API"
    if private(imp.target) and imp.target not in SHARED_PRIVATE:
        return "a private module of another folder"
    if imp.name is not None and imp.name.startswith("_") and not imp.name.startswith("__"):
        return "a private name of another folder"
    return None


def test_surfaces_use_public_names_only() -> None:
    found = [
        f"{imp.where()}: {reason}"
        for imp in IMPORTS
        if folder(imp.importer) in SURFACES
        and (reason := surface_breach(imp)) is not None
        and not allowed(imp)
    ]
    assert found == []


def test_the_surface_rule_catches_what_it_should() -> None:
    def imp(importer: str, target: str, name: str | None = None) -> Import:
        return Import(importer, target, name, 1, in_function=False, type_checking=False)

    assert surface_breach(imp("rfc6238.teaching.x", "rfc6238._checks", "check_int"))
    assert surface_breach(imp("rfc6238.teaching.x", "rfc6238.verify", "scan"))
    assert surface_breach(imp("rfc6238.cli.x", "rfc6238.service._attempts", "Attempts"))
    assert surface_breach(imp("rfc6238.cli.x", "rfc6238.conformance.adapters", "_private"))
    assert surface_breach(imp("rfc6238.cli.x", "rfc6238.verify", "verify_totp")) is None
    assert surface_breach(imp("rfc6238.cli.x", "rfc6238.cli.common", "_mine")) is None
    assert surface_breach(imp("rfc6238.cli.x", "rfc6238._version", "__version__")) is None


def stdlib(target: str) -> bool:
    return target.partition(".")[0] in sys.stdlib_module_names


def test_the_core_imports_only_the_standard_library_at_module_level() -> None:
    found = [
        imp.where()
        for imp in IMPORTS
        if is_core(imp.importer)
        and not (imp.in_function or imp.type_checking or own(imp) or stdlib(imp.target))
    ]
    assert found == [], f"optional packages ({OPTIONAL}) load only when used"


def test_optional_packages_load_only_when_used_anywhere() -> None:
    found = [
        imp.where()
        for imp in IMPORTS
        if not (imp.in_function or imp.type_checking or own(imp) or stdlib(imp.target))
        and imp.target.partition(".")[0] not in THIRD_PARTY_AT_TOP.get(imp.importer, set())
    ]
    assert found == []


def test_every_temporary_allowance_is_still_needed() -> None:
    used = {
        key
        for imp in IMPORTS
        for key in [(imp.importer, imp.target), (imp.importer, f"{imp.target}:{imp.name}")]
        if key in ALLOWED_FOR_NOW
    }
    assert ALLOWED_FOR_NOW - used == set(), "delete these entries from ALLOWED_FOR_NOW"
