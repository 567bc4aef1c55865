"""Combine layers into one raw stores block, remembering where every value came from.

pydantic-settings' ``deep_update`` merges nested dicts key by key. The store rules
are different (DJ_STORES replaces the file's block wholesale, a runtime store replaces
that store whole, secrets only fill what is unset), so the combination is spelled out
here, in one pass over the layers from highest to lowest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..datajoint_rules import secret_fills
from .layer import NAME_ENTRIES, Layer


@dataclass
class RawEntry:
    """One entry of the merged block: its value and the source of each of its keys."""

    value: Any
    source: str
    origins: dict[str, str] = field(default_factory=dict)
    #: Keys a secrets layer supplied. Rebound, never changed in place: most entries
    #: share the one empty frozenset (a set each would be kept alive per store).
    filled: frozenset[str] = frozenset()
    #: Set at runtime: secret files fill none of its keys (DataJoint reads them at load).
    sealed: bool = False

    def origin(self, key: str) -> str:
        return self.origins.get(key, self.source)


def merge_layers(layers: Sequence[Layer | None]) -> dict[str, RawEntry]:
    """Merge ``layers`` (highest precedence first, ``None`` for absent sources)."""
    merged: dict[str, RawEntry] = {}
    deleted: set[str] = set()
    block_taken = False
    sealed_block = False
    #: The block as loaded from env and files, before runtime (what secrets met at load).
    loaded: dict[str, Any] = {}
    loaded_taken = False
    for layer in layers:
        if layer is None:
            continue
        if layer.mode == "fill":
            _check_loaded(loaded, layer)
            if not sealed_block:
                _fill(merged, deleted, layer)
            continue
        if layer.mode == "block" and not layer.sealed and not loaded_taken:
            loaded_taken = True
            loaded = dict(layer.entries)
        if layer.mode == "block":
            if block_taken:
                continue
            block_taken = True
            sealed_block = layer.sealed
        for name, value in layer.entries.items():
            if name in merged or name in deleted:
                continue
            # A key's origin defaults to the entry's source: record only the exceptions.
            origins = (
                {k: layer.origin_of(name, k) for k in value}
                if layer.origin_of is not None and isinstance(value, dict)
                else {}
            )
            entry = merged[name] = RawEntry(_copy(value), layer.source, origins)
            entry.sealed = layer.sealed
            carried = layer.carried.get(name)
            if carried and isinstance(value, dict):
                entry.origins.update(carried)
                entry.filled = frozenset(carried)
        deleted |= layer.deleted
    return merged


def _check_loaded(loaded: dict[str, Any], layer: Layer) -> None:
    """Secret files meet the block as loaded, whatever runtime assigned later (a file for
    an entry that is not an object fails there, as DataJoint's config does)."""
    for name, attrs in layer.entries.items():
        value = loaded.get(name)
        if name in loaded and not isinstance(value, dict):
            for attr in attrs:
                secret_fills(name, value, attr, label=layer.origin(name, attr))


def _fill(merged: dict[str, RawEntry], deleted: set[str], layer: Layer) -> None:
    for name, attrs in layer.entries.items():
        if name in deleted:
            continue
        entry = merged.get(name)
        if entry is None:
            if name in NAME_ENTRIES:
                continue  # a name entry never becomes a store (datajoint_rules lists it)
            entry = merged[name] = RawEntry({}, layer.origin(name, next(iter(attrs))))
        if entry.sealed:
            continue
        for attr, value in attrs.items():
            if secret_fills(name, entry.value, attr, label=layer.origin(name, attr)):
                entry.value[attr] = value
                entry.origins[attr] = layer.origin(name, attr)
                entry.filled = entry.filled | {attr}


def _copy(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    copy = dict(value)
    for key, item in copy.items():  # replacing values while iterating is allowed
        if isinstance(item, list):
            copy[key] = list(item)
    return copy
