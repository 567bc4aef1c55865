"""The settings layer: sources, precedence, the runtime layer, resolved specs.

``config`` is created on first access, so importing the package reads nothing.
"""

from __future__ import annotations

import threading
from typing import Any

from .config import Config

__all__ = ["Config", "get_config"]

_config: Config | None = None
_lock = threading.Lock()


def get_config() -> Config:
    """The process-wide :class:`Config`, created on first use."""
    global _config
    if _config is None:
        with _lock:
            if _config is None:
                config = Config()
                config._warn_without_file = True
                _config = config
    return _config


def __getattr__(name: str) -> Any:
    if name == "config":
        return get_config()
    raise AttributeError(name)
