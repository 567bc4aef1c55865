"""Path rules shared by every built-in adapter: joining, and never leaving the store.

A ``relpath`` is joined under the store's ``location``, so it must not be able to
climb out of it. :func:`check_relpath` refuses, with a :class:`DataJointError`,
anything that could: ``..`` segments (with ``/`` or ``\\`` as separator, since a
backslash is a separator on Windows and for some object-store gateways), absolute
paths (``/x``, ``\\x``, ``C:\\x``, ``C:/x``) and NUL characters (which truncate a path
in C libraries). ``StorageAdapter.full_path`` and :func:`bucket_path` call it, so the
``file``, ``memory``, ``s3``, ``gcs`` and ``azure`` adapters all share one rule.

:func:`check_filepath` is the stricter rule for ``<filepath@store>`` paths: when the
store sets ``filepath_prefix``, the path must also lie inside that prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import DataJointError

__all__ = ["bucket_path", "check_filepath", "check_relpath", "join"]

_SEPARATORS = re.compile(r"[\\/]")
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")
#: How much of an offending path a message quotes (paths are not secrets, but may be huge).
_QUOTE = 120


def _quoted(path: str) -> str:
    return repr(path if len(path) <= _QUOTE else path[:_QUOTE] + "...")


def check_relpath(relpath: Any, *, what: str = "relpath") -> str:
    """Return ``relpath`` unchanged when it stays inside the location it is joined to.

    Raises:
        DataJointError: ``relpath`` is not a string, holds a NUL character, is
            absolute, or has a ``..`` segment.
    """
    if not isinstance(relpath, str):
        raise DataJointError(f"{what} must be a string, not {type(relpath).__name__}")
    if "\x00" in relpath:
        raise DataJointError(f"{what} {_quoted(relpath)} contains a NUL character")
    if relpath.startswith(("/", "\\")) or _DRIVE.match(relpath):
        raise DataJointError(
            f"{what} {_quoted(relpath)} is absolute; paths in a store are relative to its location"
        )
    if ".." in _SEPARATORS.split(relpath):
        raise DataJointError(
            f"{what} {_quoted(relpath)} has a '..' segment; it would leave the store's location"
        )
    return relpath


def _segments(path: str) -> list[str]:
    return [part for part in _SEPARATORS.split(path) if part not in ("", ".")]


def check_filepath(spec: Mapping[str, Any], relpath: Any) -> str:
    """Return ``relpath`` when it is a safe ``<filepath@>`` path for the store ``spec``.

    Besides :func:`check_relpath`, a store with ``filepath_prefix`` set only takes
    paths strictly inside that prefix (``recordings/a.dat`` for ``recordings``, not
    ``recordings2/a.dat`` nor ``recordings`` itself). A prefix that would itself leave
    the location is refused too.

    Raises:
        DataJointError: the path, or the configured prefix, breaks one of these rules.
    """
    check_relpath(relpath)
    prefix = spec.get("filepath_prefix")
    if prefix is None:
        return relpath
    check_relpath(prefix, what="filepath_prefix")
    wanted = _segments(prefix)
    parts = _segments(relpath)
    if len(parts) <= len(wanted) or parts[: len(wanted)] != wanted:
        raise DataJointError(
            f"<filepath@> path {_quoted(relpath)} is outside the store's filepath_prefix "
            f"{_quoted(prefix)}"
        )
    return relpath


def join(*parts: str) -> str:
    """Join path parts with single slashes, skipping empty ones."""
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def bucket_path(spec: Mapping[str, Any], root_key: str, relpath: str) -> str:
    """``{bucket or container}/{location}/{relpath}``, refusing a relpath that climbs out."""
    check_relpath(relpath)
    return join(spec[root_key], spec.get("location") or "", relpath)
