"""``import rfc6238`` loads the pure core and the standard library only.

CONTRIBUTING.md "Layout rules"; ``tests/test_layout.py`` checks the imports as written.

Optional helpers (QR codes, encrypted storage, plots) are imported lazily, so a fresh
interpreter that imports the package, and uses the core, has none of them in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
