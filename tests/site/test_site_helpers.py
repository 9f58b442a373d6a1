"""The documentation build's helpers (docs/_site.py), without building the site."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_site", DOCS / "_site.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_site", module)
    spec.loader.exec_module(module)
    return module


site = _load()


def _notebook(path: Path, tags: list[str]) -> None:
    cell: dict[str, object] = {"cell_type": "code", "metadata": {"tags": tags},
                               "source": "assert True", "outputs": [],
                               "execution_count": None}  # fmt: skip
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))  # fmt: skip


def test_check_cells_are_folded_in_the_copy_only(tmp_path: Path) -> None:
    source, target = tmp_path / "notebooks", tmp_path / "copy"
    source.mkdir()
    _notebook(source / "00_a.ipynb", ["check"])
    _notebook(source / "01_b.ipynb", ["exercise"])
    (source / "README.md").write_text("not a notebook")
    target.mkdir()
    (target / "99_gone.ipynb").write_text("{}")
    site.copy_notebooks(source, target, collapse="check")
    assert sorted(p.name for p in target.iterdir()) == ["00_a.ipynb", "01_b.ipynb"]
    tags = [json.loads((target / n).read_text())["cells"][0]["metadata"]["tags"]
            for n in ("00_a.ipynb", "01_b.ipynb")]  # fmt: skip
    assert tags == [["check", "hide-input"], ["exercise"]]
    assert "hide-input" not in (source / "00_a.ipynb").read_text()
    site.copy_notebooks(source, tmp_path / "plain")
    assert (tmp_path / "plain" / "00_a.ipynb").read_bytes() == (source / "00_a.ipynb").read_bytes()


def test_notebook_links_follow_the_configured_repository() -> None:
    banner = site.notebook_banner("06_uris_qr.ipynb", "https://github.com/acme/rfc6238", "dev")
    where = "acme/rfc6238/blob/dev/notebooks/06_uris_qr.ipynb"
    assert f"https://nbviewer.org/github/{where}" in banner
    assert f"https://colab.research.google.com/github/{where}" in banner
    assert 'href="06_uris_qr.ipynb" download' in banner
    unset = site.notebook_banner("06_uris_qr.ipynb", "", "main")
    assert "nbviewer.org" not in unset
    assert "No public repository was configured" in unset


@pytest.mark.parametrize(
    "url", ["http://github.com/a/b", "https://gitlab.com/a/b", "https://github.com/a", ""]
)
def test_a_repository_that_is_not_a_github_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=re.escape("https://github.com/OWNER/NAME")):
        site.github_parts(url)


def test_links_out_of_docs_point_into_the_repository_or_say_where() -> None:
    text = "see [SECURITY.md](../SECURITY.md) and [the schema](../vectors/schema.json#top)."
    linked = site.outside_links(text, "https://github.com/acme/rfc6238", "main")
    assert linked == (
        "see [SECURITY.md](https://github.com/acme/rfc6238/blob/main/SECURITY.md) and"
        " [the schema](https://github.com/acme/rfc6238/blob/main/vectors/schema.json#top)."
    )
    plain = site.outside_links(text, "", "main")
    assert plain == (
        "see `SECURITY.md` (in the repository) and the schema"
        " (`vectors/schema.json` in the repository)."
    )
    assert site.outside_links("[uri](uri.md)", "", "main") == "[uri](uri.md)"
