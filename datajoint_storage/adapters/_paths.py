"""Path rules shared by the bucket-style built-ins (s3, gcs, azure)."""

from __future__ import annotations

from typing import Any


def join(*parts: str) -> str:
    """Join path parts with single slashes, skipping empty ones."""
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def bucket_path(spec: dict[str, Any], root_key: str, relpath: str) -> str:
    """``{bucket or container}/{location}/{relpath}``."""
    return join(spec[root_key], spec.get("location") or "", relpath)
