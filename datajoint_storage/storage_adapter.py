"""The storage adapter contract, and the public face of the adapter registry.

An adapter maps a protocol name to an fsspec filesystem, says which keys a store of
that protocol takes, and builds paths and display URLs. Third-party adapters subclass
:class:`StorageAdapter` and register in the ``datajoint.storage`` entry-point group,
which DataJoint reads too: the contract methods of every subclass are wrapped
(``_contract.py``) so they hold when DataJoint calls them directly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ._contract import wrap_contract
from .datajoint_bridge import link_base_class
from .errors import DataJointError
from .registry import (
    _discover_adapters,
    adapter_failures,
    describe_adapters,
    get_storage_adapter,
    register_adapter,
    registered_adapters,
    unregister_adapter,
)
from .spec import spec_model_for, validate_store

if TYPE_CHECKING:
    import fsspec

    from .spec import StoreSpec

__all__ = [
    "StorageAdapter",
    "_discover_adapters",
    "adapter_failures",
    "describe_adapters",
    "get_storage_adapter",
    "register_adapter",
    "registered_adapters",
    "unregister_adapter",
]


class _SpecModel:
    """``Adapter.spec_model``: the adapter's pydantic model, built on first access."""

    def __get__(self, instance: Any, owner: type) -> type[StoreSpec]:
        return spec_model_for(owner)


class StorageAdapter(ABC):
    """Base class for storage protocol adapters.

    Subclasses set ``protocol``, ``required_keys`` and ``allowed_keys`` and implement
    :meth:`create_filesystem`. ``key_fields`` may give a key a richer type than "any
    JSON value" (``{"secure": (bool, Field(default=True))}``), and ``secret_keys``
    marks more keys as credentials beyond the common ones (``token``, ``secret_key``...).
    ``spec_base`` is a :class:`StoreSpec` subclass for rules across keys.
    ``cache_filesystems`` makes ``create_filesystem`` answer from a cache keyed by the
    whole spec (DataJoint calls it once per stored attribute of every row).

    Whoever calls them, the contract methods take DataJoint's spec shape too (protocol
    in any case, ``subfolding`` a tuple, no adapter defaults), ``full_path`` refuses a
    relpath that would leave the store, and every error they raise is a
    :class:`DataJointError` (DataJoint's as well, when DataJoint is imported).
    """

    protocol: ClassVar[str]
    required_keys: ClassVar[tuple[str, ...]] = ()
    allowed_keys: ClassVar[tuple[str, ...]] = ()
    secret_keys: ClassVar[tuple[str, ...]] = ()
    key_fields: ClassVar[Mapping[str, Any]] = {}
    spec_base: ClassVar[type[StoreSpec] | None] = None
    cache_filesystems: ClassVar[bool] = False

    spec_model = _SpecModel()

    @abstractmethod
    def create_filesystem(self, spec: dict[str, Any]) -> fsspec.AbstractFileSystem:
        """Return an fsspec filesystem instance for this protocol."""

    def validate_spec(self, spec: dict[str, Any]) -> None:
        """Check ``spec`` against the adapter's keys and types; raise in the spec's words.

        Every missing key is named in one message, every invalid key in another.
        Override to add protocol-specific rules, and call ``super().validate_spec``.
        """
        _, problems = validate_store(None, self, spec)
        if problems:
            first = problems[0]
            raise type(first)(
                "; ".join(str(p) for p in problems),
                store=first.store,
                key=first.key,
                source=first.source,
            )

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        """Absolute storage path of ``relpath``; ``relpath`` itself when location is empty.

        A ``relpath`` that would leave the location is refused before this (or any
        override) runs: see ``paths.py``.
        """
        location = (spec.get("location") or "").rstrip("/")
        return f"{location}/{relpath}" if location else relpath

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        """Display URL of a stored object."""
        return f"{self.protocol}://{path}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} protocol={getattr(self, 'protocol', None)!r}>"

    def __new__(cls, *args: Any, **kwargs: Any) -> StorageAdapter:
        link_base_class(StorageAdapter)  # DataJoint instantiates plugins after its import
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        link_base_class(StorageAdapter)
        wrap_contract(cls, StorageAdapter)
        for attr in ("required_keys", "allowed_keys", "secret_keys"):
            value = getattr(cls, attr)
            if isinstance(value, str) or not all(isinstance(k, str) for k in value):
                raise DataJointError(
                    f"{cls.__name__}.{attr} must be a tuple of key names, got {value!r}"
                )


wrap_contract(StorageAdapter, StorageAdapter)
