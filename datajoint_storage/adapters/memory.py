"""``memory``: a filesystem in this process's RAM, for tests and examples only.

Nothing leaves the process and nothing survives it: another process (a DataJoint
worker, a second notebook) sees none of it. DataJoint 2.3.5 has no ``memory``
protocol, and since our built-ins live in our own entry-point group, installing us
does not give it one.
"""

from __future__ import annotations

from typing import Any

from ..storage_adapter import StorageAdapter


class MemoryAdapter(StorageAdapter):
    """In-memory store: one private namespace per store, gone when the process ends.

    Each store gets its own namespace (fsspec's ``MemoryFileSystem`` alone is one
    dict for the whole process, so two stores would see each other's objects).
    Callers outside ``Store`` get one namespace per distinct spec from the cache.
    """

    protocol = "memory"
    required_keys = ()
    allowed_keys = ()
    cache_filesystems = True

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        try:
            fs = MemoryFileSystem(global_store=False, skip_instance_cache=True)
        except TypeError:  # fsspec before global_store: make the namespace private by hand
            fs = MemoryFileSystem(skip_instance_cache=True)
        fs.store = {}
        fs.pseudo_dirs = [""]
        return fs
