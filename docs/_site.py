"""Helpers of the documentation build (docs/conf.py): API pages and "open this notebook" links.

The API reference is generated from the code, so that every public name appears without a
list to keep in step: one page per package listing its ``__all__``, then, per public module,
the public names that no package exports (``rfc6238.qr.QRCode``, ``rfc6238.teaching.plots``...).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import shutil
from html import escape
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

PACKAGES = ("rfc6238", "rfc6238.service", "rfc6238.conformance", "rfc6238.teaching", "rfc6238.cli")
TITLES = {
    "rfc6238": "The core: codes, verification, secrets, URIs, traces",
    "rfc6238.service": "The two-factor service",
    "rfc6238.conformance": "The conformance suite",
    "rfc6238.teaching": "Teaching helpers for the notebooks",
    "rfc6238.cli": "The command line",
}
# Entry points, not libraries: running them is documented in docs/cli.md and conformance.md.
SKIP_MODULES = frozenset({"rfc6238.__main__", "rfc6238.conformance.__main__"})


def _public_modules(package: ModuleType) -> list[str]:
    """Public (no ``_`` in any part) plain modules directly inside ``package``."""
    return [
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.ispkg
        and not info.name.startswith("_")
        and f"{package.__name__}.{info.name}" not in SKIP_MODULES
    ]


def _defined_here(module: ModuleType, name: str) -> bool:
    value = getattr(module, name)
    return isinstance(value, ModuleType) or getattr(value, "__module__", None) == module.__name__


def _autosummary(module: str, names: list[str]) -> list[str]:
    lines = ["```{eval-rst}", f".. currentmodule:: {module}", ""]
    lines += [".. autosummary::", "   :toctree: generated", ""]
    lines += [f"   {name}" for name in names]
    return [*lines, "```", ""]


def _exported_ids(module: ModuleType, names: list[str]) -> set[int]:
    """Ids of the objects named, and of the members of any module among them."""
    ids = set()
    for name in names:
        value = getattr(module, name)
        ids.add(id(value))
        if isinstance(value, ModuleType):
            ids.update(id(getattr(value, n)) for n in getattr(value, "__all__", ()))
    return ids


def write_api_pages(folder: Path) -> list[str]:
    """Write one MyST page per package into ``folder``; return the page names (toctree order)."""
    shutil.rmtree(folder / "generated", ignore_errors=True)  # autosummary writes it anew
    folder.mkdir(parents=True, exist_ok=True)
    exported: set[int] = set()
    packages = [importlib.import_module(name) for name in PACKAGES]
    for package in packages:
        exported |= _exported_ids(package, list(package.__all__))
    pages = []
    for package in packages:
        lines = [f"# `{package.__name__}`: {TITLES[package.__name__]}", ""]
        lines += [
            "```{eval-rst}",
            f".. automodule:: {package.__name__}",
            "   :no-members:",
            "```",
            "",
            f"## Exported by `{package.__name__}`",
            "",
        ]
        names = [n for n in package.__all__ if not n.startswith("_")]
        lines += _autosummary(package.__name__, names)
        for modname in _public_modules(package):
            module = importlib.import_module(modname)
            more = [
                n
                for n in getattr(module, "__all__", ())
                if _defined_here(module, n) and id(getattr(module, n)) not in exported
            ]
            if more:
                exported |= _exported_ids(module, more)
                lines += [f"## More in `{modname}`", ""]
                lines += _autosummary(modname, more)
        page = package.__name__
        text = "\n".join(lines)
        target = folder / f"{page}.md"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        pages.append(page)
    return pages


def copy_notebooks(source: Path, target: Path, *, collapse: str | None = None) -> None:
    """Mirror the numbered notebooks into ``target`` (unchanged files keep their time).

    With ``collapse``, cells tagged so (the notebooks' ``check`` cells) also get myst-nb's
    ``hide-input`` tag in the copy: the page shows them folded, a click away.
    """
    target.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for p in source.glob("[0-9][0-9]_*.ipynb")}
    for stale in target.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    for name, notebook in wanted.items():
        data = notebook.read_bytes()
        if collapse is not None:
            data = _collapsed(data, collapse)
        copy = target / name
        if not copy.exists() or copy.read_bytes() != data:
            copy.write_bytes(data)


def _collapsed(data: bytes, tag: str) -> bytes:
    notebook = json.loads(data)
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if tag in tags and "hide-input" not in tags:
            cell["metadata"]["tags"] = [*tags, "hide-input"]
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode()


_OUTSIDE = re.compile(r"\[([^\]]+)\]\(\.\./([^)#\s]+)(#[^)\s]*)?\)")


def outside_links(text: str, repository: str, branch: str) -> str:
    """Rewrite the guides' links to repository files outside docs/ (``../SECURITY.md``).

    The site holds only docs/ and the notebooks, so such a link points into the repository
    when one is configured, and otherwise names the file as plain text, saying where it is.
    """

    def replace(match: re.Match[str]) -> str:
        label, path, fragment = match.group(1), match.group(2), match.group(3) or ""
        if repository:
            owner, name = github_parts(repository)
            return f"[{label}](https://github.com/{owner}/{name}/blob/{branch}/{path}{fragment})"
        if label.strip("`") == path:
            return f"`{path}` (in the repository)"
        return f"{label} (`{path}` in the repository)"

    return _OUTSIDE.sub(replace, text)


def github_parts(repository: str) -> tuple[str, str]:
    """``("owner", "name")`` of a ``https://github.com/owner/name`` URL, else ValueError."""
    parts = urlsplit(repository.strip())
    path = [p for p in parts.path.split("/") if p]
    if parts.scheme != "https" or parts.netloc != "github.com" or len(path) != 2:
        raise ValueError(
            f"RFC6238_DOCS_REPO must look like https://github.com/OWNER/NAME, not {repository!r}"
        )
    return path[0], path[1].removesuffix(".git")


def notebook_banner(filename: str, repository: str, branch: str) -> str:
    """The HTML box above each notebook page: download it, run it, open it elsewhere."""
    name = escape(filename)
    links = [f'<a class="nb-download" href="{name}" download>download {name}</a>']
    if repository:
        owner, name = github_parts(repository)
        where = f"{owner}/{name}/blob/{branch}/notebooks/{filename}"
        links.append(
            f'<a class="nb-nbviewer" href="https://nbviewer.org/github/{escape(where)}">'
            "open in nbviewer</a>"
        )
        links.append(
            f'<a class="nb-colab" href="https://colab.research.google.com/github/'
            f'{escape(where)}">open in Colab</a>'
        )
        elsewhere = ""
    else:
        elsewhere = (
            "<p>No public repository was configured for this build, so there are no nbviewer"
            " or Colab links: build with <code>RFC6238_DOCS_REPO=https://github.com/OWNER/NAME"
            " bash scripts/docs.sh</code> to add them.</p>"
        )
    return (
        '<div class="admonition tip nb-open"><p class="admonition-title">Run this notebook</p>'
        "<p>This page is the notebook as executed when the site was built. To change it and"
        " run it yourself: <code>bash scripts/walkthrough.sh</code> in a checkout, or "
        + " · ".join(links)
        + ".</p>"
        + elsewhere
        + "</div>"
    )
