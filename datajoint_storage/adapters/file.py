"""``file``: a directory on a local or mounted filesystem."""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, ClassVar

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

    #: The platform's path rules (``ntpath`` on Windows); tests swap in ``ntpath`` on Linux.
    pathmod: ClassVar[ModuleType] = os.path

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        # Forward slashes on every platform, as fsspec's LocalFileSystem lists paths.
        return super().full_path(spec, relpath).replace(self.pathmod.sep, "/")

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        # Three slashes before a drive too (``file:///C:/data/x``), as DataJoint fixed it.
        absolute = self.pathmod.abspath(path).replace(self.pathmod.sep, "/")
        return "file:///" + absolute.lstrip("/")
