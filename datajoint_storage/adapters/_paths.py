"""Path joining shared by the built-in adapters; the escape rule itself is ``paths.py``.

``bucket_path`` builds ``{bucket or container}/{location}/{relpath}`` for s3, gcs and
azure. ``check_relpath`` and ``check_filepath`` are re-exported from
:mod:`datajoint_storage.paths`, the one place that decides what a relpath may be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..paths import check_filepath, check_relpath

__all__ = ["bucket_path", "check_filepath", "check_relpath", "join"]


def join(*parts: str) -> str:
    """Join path parts with single slashes, skipping empty ones."""
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def bucket_path(spec: Mapping[str, Any], root_key: str, relpath: str) -> str:
    """``{bucket or container}/{location}/{relpath}``, refusing a relpath that climbs out."""
    check_relpath(relpath)
    return join(spec[root_key], spec.get("location") or "", relpath)
