"""Sphinx configuration of the rfc6238 documentation site: built by ``bash scripts/docs.sh``.

Sources: the guides (``docs/*.md``), the twelve notebooks (copied from ``../notebooks`` into
``docs/notebooks/`` at each build; myst-nb executes them), and an API reference generated from
the docstrings into ``docs/api/`` (see ``_site.py``); git ignores both. Read from the
environment:

* ``RFC6238_DOCS_REPO``: the public GitHub repository (``https://github.com/OWNER/NAME``)
  that the nbviewer and Colab links of the notebook pages point to; unset, the pages say so.
* ``RFC6238_DOCS_BRANCH``: the branch those links use (default ``main``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _site import (  # noqa: E402
    copy_notebooks,
    github_parts,
    notebook_banner,
    outside_links,
    write_api_pages,
)

import rfc6238  # noqa: E402

project = "rfc6238"
author = "rfc6238 developers"
project_copyright = "rfc6238 developers, MIT licence"
version = release = rfc6238.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
copy_notebooks(HERE.parent / "notebooks", HERE / "notebooks", collapse="check")
root_doc = "index"
language = "en"

# The notebooks are executed at every build, as a reader's kernel would run them.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_heading_anchors = 3
# Live controls (ipywidgets) need a kernel: the site loads no widget scripts from outside (a
# static site must work offline), and site.css says where a control would be.
nb_ipywidgets_js: dict[str, dict[str, str]] = {}

# API reference: Google-style docstrings; their doctests render as examples.
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False  # pytest's own docstrings (the plugin's hooks) are not ours
# Type hints such as ``type[BaseException]`` are looked up by name and also match documented
# attributes called ``type`` (KeyURI.type, Enrollment.type): an ambiguity, not a broken link.
suppress_warnings = ["ref.python"]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
API_PAGES = write_api_pages(HERE / "api")

html_theme = "furo"
html_title = f"rfc6238 {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["site.css"]
html_show_sourcelink = False
html_copy_source = False

REPOSITORY = os.environ.get("RFC6238_DOCS_REPO", "").strip()
BRANCH = os.environ.get("RFC6238_DOCS_BRANCH", "main").strip() or "main"
if REPOSITORY:
    github_parts(REPOSITORY)  # a malformed URL stops the build here, with the rule
html_context = {"rfc6238_repository": REPOSITORY}


# The guides, in reading order; a guide added to docs/ later joins the end of the list.
GUIDE_ORDER = ("service", "uri", "cli", "conformance", "protocol", "findings")
OWN_PAGES = frozenset({"index", "walkthrough", "api"})


def _guides() -> list[str]:
    found = {p.stem for p in HERE.glob("*.md")} - OWN_PAGES
    return [g for g in GUIDE_ORDER if g in found] + sorted(found - set(GUIDE_ORDER))


def _edit_sources(app: Sphinx, docname: str, source: list[str]) -> None:
    """The landing page's "Guides" table of contents lists every guide in docs/; the guides'
    links to files outside docs/ point into the repository (see ``outside_links``)."""
    if docname == "index":
        source[0] = source[0].replace("\nGUIDES\n", "\n" + "\n".join(_guides()) + "\n")
    elif "/" not in docname:
        source[0] = outside_links(source[0], REPOSITORY, BRANCH)


def _add_notebook_banner(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Put the "run this notebook" box under the title of each notebook page."""
    if pagename.startswith("notebooks/") and "</h1>" in context.get("body", ""):
        banner = notebook_banner(pagename.removeprefix("notebooks/") + ".ipynb", REPOSITORY, BRANCH)
        context["body"] = context["body"].replace("</h1>", "</h1>" + banner, 1)


def _copy_notebooks(app: Sphinx, exception: BaseException | None) -> None:
    """Ship each notebook (as committed: without outputs) beside its page, for download."""
    if exception is None and app.builder.format == "html":
        copy_notebooks(HERE.parent / "notebooks", Path(app.outdir) / "notebooks")


def setup(app: Sphinx) -> None:
    app.connect("source-read", _edit_sources)
    app.connect("html-page-context", _add_notebook_banner)
    app.connect("build-finished", _copy_notebooks)
