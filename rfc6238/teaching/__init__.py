"""Notebook helpers (layer 5): cell helpers, plots and diagrams for the walkthrough.

:mod:`~rfc6238.teaching.cells` (``expect``, ``table``) is standard library only;
:mod:`~rfc6238.teaching.plots` and :mod:`~rfc6238.teaching.plots_extra` need matplotlib
(the ``notebooks`` extra) and import it only when a figure is drawn;
:mod:`~rfc6238.teaching.diagrams` draws SVG without dependencies.
"""

from __future__ import annotations

from .cells import Caught, Table, expect, table

__all__ = ["Caught", "Table", "expect", "table"]
