"""``file``: a directory on a local or mounted filesystem."""

from __future__ import annotations

import os
from typing import Any

from pydantic import Field, StrictStr

from ..storage_adapter import StorageAdapter


class FileAdapter(StorageAdapter):
    """Local directory store; parent directories are created on write."""

    protocol = "file"
    required_keys = ("location",)
    allowed_keys = ()
    cache_filesystems = True  # DataJoint-style callers ask once per object
    key_fields = {
        "location": (
            StrictStr,
            Field(description="Directory that holds the store.", examples=["/data/project"]),
        )
    }

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem(auto_mkdir=True)

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        return super().full_path(spec, relpath).replace(os.sep, "/")

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        return "file://" + os.path.abspath(path).replace(os.sep, "/")
