"""Typed, validated and pluggable object-store configuration for DataJoint.

``import datajoint_storage as dj`` gives the names of DataJoint's storage adapter
API; ``dj.config`` is created on first access, so importing reads nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AdapterLoadError,
    AdapterLoadWarning,
    ConfigFileNotFoundError,
    ConfigFileWarning,
    ConfigSourceError,
    ConfigWarning,
    DataJointError,
    InvalidKeysError,
    InvalidValueError,
    MissingDependencyError,
    MissingKeysError,
    NotAStoreSettingError,
    SettingKeyError,
    StorageBackendError,
    StoreConfigError,
    StoreNotFoundError,
    UnknownProtocolError,
    ValidationReport,
)
from .spec import StoreSpec
from .storage_adapter import (
    StorageAdapter,
    get_storage_adapter,
    register_adapter,
    unregister_adapter,
)

if TYPE_CHECKING:
    from .settings import Config
    from .store import Store, get_filesystem, get_store

    config: Config

#: Loaded on first use: validating stores (the CLI) never needs the factory module.
_FROM_STORE = ("Store", "get_filesystem", "get_store")

__version__ = "0.1.0"

__all__ = [
    "AdapterLoadError",
    "AdapterLoadWarning",
    "ConfigFileNotFoundError",
    "ConfigFileWarning",
    "ConfigSourceError",
    "ConfigWarning",
    "DataJointError",
    "InvalidKeysError",
    "InvalidValueError",
    "MissingDependencyError",
    "MissingKeysError",
    "NotAStoreSettingError",
    "SettingKeyError",
    "StorageAdapter",
    "StorageBackendError",
    "Store",
    "StoreConfigError",
    "StoreNotFoundError",
    "StoreSpec",
    "UnknownProtocolError",
    "ValidationReport",
    "__version__",
    "config",
    "get_filesystem",
    "get_storage_adapter",
    "get_store",
    "register_adapter",
    "unregister_adapter",
]


# The settings machinery is ours and light (no file is read, nothing heavy imported):
# imported now, as DataJoint imports its own, so the first ``dj.config`` read pays only
# for the files it reads.
from . import settings as _settings  # noqa: E402, F401


def __getattr__(name: str) -> Any:
    if name == "config":
        from .settings import get_config

        return get_config()
    if name in _FROM_STORE:
        from . import store

        value = globals()[name] = getattr(store, name)
        return value
    raise AttributeError(f"module 'datajoint_storage' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
