"""``import rfc6238`` loads the pure core and the standard library only.

CONTRIBUTING.md "Layout rules"; ``tests/test_layout.py`` checks the imports as written.

Optional helpers (QR codes, encrypted storage, plots) are imported lazily, so a fresh
interpreter that imports the package, and uses the core, has none of them in ``sys.modules``.
The package ``__init__`` is lazy itself: ``import rfc6238`` alone loads no other module of
the package, and every public name still imports by name.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import rfc6238

OPTIONAL = ["cryptography", "qrcode", "PIL", "matplotlib", "numpy", "zxingcpp", "google.protobuf"]

SCRIPT = """
import json, sys
import rfc6238
key = rfc6238.generate_secret()
otp = rfc6238.TOTP(key=key)
rfc6238.verify_totp(key, otp.at(1_700_000_000), 1_700_000_000)
rfc6238.trace_totp(key, 59)._repr_html_()
rfc6238.Secret.from_base32(key.reveal_base32(), strict=True)
names = sorted(sys.modules)
print(json.dumps(names))
"""


@pytest.fixture(scope="module")
def loaded_modules() -> list[str]:
    result = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT],  # -I: no user site, no PYTHON* variables
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    names: list[str] = json.loads(result.stdout)
    return names


@pytest.mark.parametrize("name", OPTIONAL)
def test_core_import_loads_no_optional_dependency(loaded_modules: list[str], name: str) -> None:
    loaded = [m for m in loaded_modules if m == name or m.startswith(name + ".")]
    assert loaded == [], f"import rfc6238 loaded {loaded}"


def test_the_subprocess_really_imported_the_core(loaded_modules: list[str]) -> None:
    assert {"rfc6238", "rfc6238.core", "rfc6238.otp", "hmac", "hashlib"} <= set(loaded_modules)


# ---- the lazy package __init__ (PEP 562): `import rfc6238` alone imports nothing else ----

#: Never loaded by a bare ``import rfc6238``: optional dependencies, the subpackages, and the
#: standard-library machinery only some modules need (dataclasses pulls in inspect and ast).
NOT_AFTER_BARE_IMPORT = [
    *OPTIONAL,
    "rfc6238.service",
    "rfc6238.conformance",
    "rfc6238.teaching",
    "rfc6238.cli",
    "rfc6238.core",
    "dataclasses",
    "typing",
    "hmac",
    "argparse",
]


def _modules_after(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-I", "-c", code + "\nimport json, sys\nprint(json.dumps(NAMES))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    names: list[str] = json.loads(result.stdout)
    return names


@pytest.fixture(scope="module")
def bare_modules() -> list[str]:
    return _modules_after("import sys\nimport rfc6238\nNAMES = sorted(sys.modules)")


@pytest.mark.parametrize("name", NOT_AFTER_BARE_IMPORT)
def test_bare_import_loads_nothing_it_does_not_use(bare_modules: list[str], name: str) -> None:
    loaded = [m for m in bare_modules if m == name or m.startswith(name + ".")]
    assert loaded == [], f"import rfc6238 loaded {loaded}"


def test_bare_import_loads_only_the_package_and_its_version(bare_modules: list[str]) -> None:
    ours = [m for m in bare_modules if m.split(".")[0] == "rfc6238"]
    assert ours == ["rfc6238", "rfc6238._version"]


def test_every_public_name_imports_by_name_in_a_fresh_process() -> None:
    # One `from rfc6238 import X` per name, each the first touch of its module in turn.
    code = (
        "import sys, rfc6238\n"
        "NAMES = []\n"
        "for name in rfc6238.__all__:\n"
        "    scope = {}\n"
        "    exec(f'from rfc6238 import {name}', scope)\n"
        "    assert scope[name] is getattr(rfc6238, name), name\n"
        "    NAMES.append(name)\n"
    )
    assert _modules_after(code) == rfc6238.__all__


def test_star_import_and_dir_give_every_public_name() -> None:
    scope: dict[str, object] = {}
    exec("from rfc6238 import *", scope)  # noqa: S102 - the statement under test
    assert set(rfc6238.__all__) <= set(scope)
    assert set(rfc6238.__all__) <= set(dir(rfc6238))
    assert rfc6238.hotp is rfc6238.core.hotp
    assert rfc6238.base32 is sys.modules["rfc6238.base32"]
    assert rfc6238.HOTPTrace.__module__ == "rfc6238.trace"


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'rfc6238' has no attribute 'nope'"):
        rfc6238.nope  # type: ignore[attr-defined]  # the error under test  # noqa: B018
    assert not hasattr(rfc6238, "_checks_not_a_name")


def test_lazy_table_type_checking_imports_and_all_agree() -> None:
    # The three lists of names in __init__.py: _EXPORTS (run time), the TYPE_CHECKING imports
    # (mypy, IDEs) and __all__ must name the same things from the same modules.
    tree = ast.parse(Path(rfc6238.__file__).read_text(encoding="utf-8"))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    imported = {
        alias.name: "." + (node.module or alias.name)
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    exports = rfc6238._EXPORTS
    assert imported == exports
    assert set(rfc6238.__all__) == {*exports, "__version__"}
    assert len(rfc6238.__all__) == len(set(rfc6238.__all__))
