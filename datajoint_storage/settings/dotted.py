"""Dotted keys (``dj.config["stores.main.location"]``) and DataJoint's other settings.

DataJoint's ``Config`` reads, sets and deletes settings by dotted key. Here only the
``stores`` block exists; a key outside it is a clear error that says so, and names
DataJoint's own settings so that ``database.host`` is not mistaken for a typo.
"""

from __future__ import annotations

from typing import Any

from ..errors import NotAStoreSettingError, SettingKeyError

#: DataJoint 2.3.5's top-level settings besides ``stores`` (``Config.model_fields``).
DATAJOINT_SETTINGS = frozenset(
    {
        "database",
        "connection",
        "display",
        "jobs",
        "provenance",
        "loglevel",
        "safemode",
        "ignore_config_file",
        "query_cache",
        "download_path",
    }
)

STORES = "stores"


def split_key(key: Any) -> list[str]:
    """``"stores.main.location"`` -> its parts; refuses keys outside ``stores``."""
    if not isinstance(key, str):
        raise SettingKeyError(
            f"Setting keys are strings such as 'stores.main.location', not {type(key).__name__}",
        )
    parts = key.split(".")
    if parts[0] != STORES:
        raise outside_stores(key)
    return parts


def outside_stores(key: str) -> SettingKeyError:
    """The error for a key outside ``stores``: DataJoint's settings, or nothing known."""
    head = key.split(".", 1)[0].split("__", 1)[0]
    if head in DATAJOINT_SETTINGS:
        return NotAStoreSettingError(
            f"{key!r} is a DataJoint setting: datajoint-storage configures stores only "
            "(dj.config.stores, 'stores.<name>.<key>'); set it in DataJoint's own dj.config",
            key=key,
        )
    return SettingKeyError(
        f"Setting {key!r} not found: datajoint-storage configures stores only "
        "(dj.config.stores, 'stores.<name>.<key>')",
        key=key,
    )


def not_found(key: str) -> SettingKeyError:
    return SettingKeyError(f"Setting {key!r} not found", key=key)


def walk(root: Any, key: str, parts: list[str]) -> Any:
    """Follow ``parts`` down nested mappings from ``root``; a clear error when absent."""
    value = root
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            raise not_found(key)
        value = value[part]
    return value
