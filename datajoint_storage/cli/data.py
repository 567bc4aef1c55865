"""Library objects turned into the plain, JSON-ready data the reporters print."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigWarning, DataJointError, StoreConfigError, ValidationReport
from ..settings import Config


def problem_data(error: StoreConfigError) -> dict[str, Any]:
    """One problem: where it is (store, key, source), its kind and its message."""
    return {
        "store": error.store,
        "key": error.key,
        "source": error.source,
        "error": type(error).__name__,
        "message": str(error),
    }


def warning_data(warning: ConfigWarning) -> dict[str, Any]:
    """One warning, with the fields of a problem (``error`` names the warning's class)."""
    return {
        "store": warning.store,
        "key": warning.key,
        "source": warning.source,
        "error": type(warning).__name__,
        "rule": warning.rule,
        "message": str(warning),
    }


def problems_of(error: DataJointError) -> list[StoreConfigError]:
    """The problems an error stands for; any other error is raised again."""
    if isinstance(error, ValidationReport):
        return list(error.problems)
    if isinstance(error, StoreConfigError):
        return [error]
    raise error


def name_entries(config: Config) -> dict[str, Any]:
    """The ``default`` and ``filepath_default`` entries, as configured."""
    stores = config["stores"]
    return {entry: stores.get(entry) for entry in ("default", "filepath_default")}
