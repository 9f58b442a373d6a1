"""The one way rfc6238 imports an optional dependency: by name, with the extra to install.

The core has no dependencies; QR codes, encrypted storage, plots and the oracle adapters
each need an extra. :func:`require` imports the module when the feature is used and, when it
is missing, raises :class:`~rfc6238.errors.MissingDependency` (an ``ImportError``) naming the
extra, so every missing piece reads the same way.

>>> require("hashlib", "qr").__name__
'hashlib'
>>> try:
...     require("no_such_module_here", "qr", feature="QR code output")
... except MissingDependency as err:
...     print(err.name, err.extra, isinstance(err, ImportError))
...     print(str(err).partition(" (")[0])
no_such_module_here qr True
QR code output needs the optional 'qr' extra: pip install 'rfc6238[qr]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependency

__all__ = ["require"]


def require(module: str, extra: str, *, feature: str = "this feature") -> ModuleType:
    """Import ``module``, or raise :class:`MissingDependency` naming ``extra``.

    Args:
        module: The dotted module name, e.g. ``"matplotlib.pyplot"``.
        extra: The rfc6238 extra that installs it, e.g. ``"notebooks"``.
        feature: What needs it, for the message: ``"<feature> needs the optional ..."``.

    Returns:
        The imported module.

    Raises:
        MissingDependency: ``module`` (or something it imports) cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependency(
            f"{feature} needs the optional {extra!r} extra: pip install 'rfc6238[{extra}]' ({err})",
            name=module,
            extra=extra,
        ) from err
