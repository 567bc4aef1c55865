"""``memory``: fsspec's in-process filesystem, for tests, examples and dry runs."""

from __future__ import annotations

from typing import Any

from ..storage_adapter import StorageAdapter


class MemoryAdapter(StorageAdapter):
    """In-memory store shared by the whole process; nothing survives it."""

    protocol = "memory"
    required_keys = ()
    allowed_keys = ()

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()
