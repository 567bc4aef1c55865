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

    def origin(self, key: str) -> str:
        return self.origins.get(key, self.source)


def _unset(value: Any) -> bool:
    return value is None or value == ""


def merge_layers(layers: Sequence[Layer | None]) -> dict[str, RawEntry]:
    """Merge ``layers`` (highest precedence first, ``None`` for absent sources)."""
    merged: dict[str, RawEntry] = {}
    deleted: set[str] = set()
    block_taken = False
    for layer in layers:
        if layer is None:
            continue
        if layer.mode == "fill":
            _fill(merged, deleted, layer)
            continue
        if layer.mode == "block":
            if block_taken:
                continue
            block_taken = True
        for name, value in layer.entries.items():
            if name in merged or name in deleted:
                continue
            # A key's origin defaults to the entry's source: record only the exceptions.
            origins = (
                {k: layer.origin_of(name, k) for k in value}
                if layer.origin_of is not None and isinstance(value, dict)
                else {}
            )
            merged[name] = RawEntry(_copy(value), layer.source, origins)
        deleted |= layer.deleted
    return merged


def _fill(merged: dict[str, RawEntry], deleted: set[str], layer: Layer) -> None:
    for name, attrs in layer.entries.items():
        if name in deleted or name in NAME_ENTRIES:
            continue
        entry = merged.get(name)
        if entry is None:
            entry = merged[name] = RawEntry({}, layer.origin(name, next(iter(attrs))))
        if not isinstance(entry.value, dict):
            continue  # a malformed store stays malformed; validation says so
        for attr, value in attrs.items():
            if _unset(entry.value.get(attr)):
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
