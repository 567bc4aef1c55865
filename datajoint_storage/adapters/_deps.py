"""Import an optional SDK, or say in one line which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import MissingDependencyError


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``; raise :class:`MissingDependencyError` with the pip hint if absent."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"The {extra} adapter needs {module!r}, which is not installed: "
            f"pip install {module} (the '{extra}' extra of datajoint-storage)"
        ) from None
