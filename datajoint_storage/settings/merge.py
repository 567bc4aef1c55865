"""Combine layers into one raw stores block, remembering where every value came from.

pydantic-settings' ``deep_update`` merges nested dicts key by key. The store rules
are different (DJ_STORES replaces the file's block wholesale, a runtime store replaces
that store whole, secrets only fill what is unset), so the combination is spelled out
here, in one pass over the layers from highest to lowest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..datajoint_rules import secret_fills
from .layer import NAME_ENTRIES, Layer


@dataclass(slots=True)
class RawEntry:
    """One entry of the merged block: its value and the source of each of its keys.

    ``value`` is the source's own object (never changed in place: a secret fill
    replaces it with a copy), so the merge holds one copy of each store.
    """

    value: Any = field(repr=False)  # may hold secrets: never in a repr
    source: str
    origins: dict[str, str] = field(default_factory=dict)
    #: Keys a secrets layer supplied. Rebound, never changed in place: most entries
    #: share the one empty frozenset (a set each would be kept alive per store).
    filled: frozenset[str] = frozenset()
    #: Set at runtime: secret files fill none of its keys (DataJoint reads them at load).
    sealed: bool = False

    def origin(self, key: str) -> str:
        return self.origins.get(key, self.source)


_NO_HIDDEN: frozenset[str] = frozenset()
#: What :meth:`MergedBlock.values_of` gives for an entry the fast path must not take.
NOT_PLAIN: Any = object()


def _plain_value(entry: RawEntry) -> Any:
    return NOT_PLAIN if entry.filled else entry.value


class MergedBlock(Mapping[str, RawEntry]):
    """The merged stores block, each entry made the first time it is asked for.

    Asking for one store of a block of 100,000 costs that store, not the block: the
    layers stay as the sources read them, and an entry is built from the highest layer
    that has it. Secret files are applied at once (they are few, and a file that cannot
    apply must fail the whole configuration, as it does DataJoint's).
    """

    __slots__ = ("_created", "_entries", "_layers", "_on_entry", "_order")

    def __init__(
        self,
        layers: list[tuple[Layer, frozenset[str]]],
        on_entry: Callable[[RawEntry], None] | None,
    ) -> None:
        #: The layers that supply entries, highest first, each with the names that the
        #: layers above it deleted (hidden from it and every layer below).
        self._layers = layers
        self._on_entry = on_entry
        self._entries: dict[str, RawEntry] = {}
        self._created: dict[str, None] = {}  # entries only a secret file made, in order
        self._order: Mapping[str, Any] | None = None

    def _find(self, name: Any) -> Layer | None:
        for layer, hidden in self._layers:
            if name in hidden:
                return None
            if name in layer.entries:
                return layer
        return None

    def _make(self, name: str, layer: Layer) -> RawEntry:
        value = layer.entries[name]
        # A key's origin defaults to the entry's source: record only the exceptions.
        origins = (
            {k: layer.origin_of(name, k) for k in value}
            if layer.origin_of is not None and isinstance(value, dict)
            else {}
        )
        entry = RawEntry(value, layer.source, origins, sealed=layer.sealed)
        carried = layer.carried.get(name) if layer.carried else None
        if carried and isinstance(value, dict):
            entry.origins.update(carried)
            entry.filled = frozenset(carried)
        if self._on_entry is not None:
            self._on_entry(entry)
        return self._entries.setdefault(name, entry)  # two threads: the first one stays

    def get(self, name: Any, default: Any = None) -> Any:
        try:
            entry = self._entries.get(name)
        except TypeError:  # an unhashable name is no store
            return default
        if entry is not None:
            return entry
        layer = self._find(name)
        return default if layer is None else self._make(name, layer)

    def value_of(self, name: str) -> tuple[Any, frozenset[str]] | None:
        """``(value, filled)`` of entry ``name`` without making the entry when it comes
        straight from a source (no per-key origins, no carried secrets), or None."""
        entry = self._entries.get(name)
        if entry is None:
            for layer, hidden in self._layers:  # ``_find``, inlined: once per store
                if name in hidden:
                    return None
                entries = layer.entries
                if name in entries:
                    if layer.origin_of is None and not layer.carried and not layer.sealed:
                        return entries[name], _NO_HIDDEN
                    entry = self._make(name, layer)
                    break
            else:
                return None
        return entry.value, entry.filled

    def values_of(self, names: Iterable[str]) -> list[Any]:
        """The value of each entry as :meth:`value_of` finds it, or :data:`NOT_PLAIN`
        where that says None or gives filled keys (one block as read: list lookups).

        A flat list, no tuple per store: ``validate()`` of 100,000 stores leaves the
        garbage collector nothing new to walk.
        """
        if len(self._layers) == 1:
            layer, hidden = self._layers[0]
            if not hidden and layer.origin_of is None and not layer.carried and not layer.sealed:
                made, entries = self._entries, layer.entries
                if not made:
                    return [entries.get(n, NOT_PLAIN) for n in names]
                return [
                    _plain_value(made[n]) if n in made else entries.get(n, NOT_PLAIN) for n in names
                ]
        out = []
        for name in names:
            found = self.value_of(name)
            out.append(NOT_PLAIN if found is None or found[1] else found[0])
        return out

    def whole(self, skip: tuple[str, ...]) -> tuple[list[str], list[Any]] | None:
        """Every name (but ``skip``) and its value in order, read straight off the one
        block as the source read it; None when entries were made or layers combine.

        No lookup per store: 100,000 stores are read in the order they lie in memory.
        """
        if len(self._layers) != 1 or self._entries or self._created:
            return None
        layer, hidden = self._layers[0]
        if hidden or layer.origin_of is not None or layer.carried or layer.sealed:
            return None
        names: list[str] = []
        values: list[Any] = []
        for name, value in layer.entries.items():
            if name not in skip:
                names.append(name)
                values.append(value)
        return names, values

    def __getitem__(self, name: str) -> RawEntry:
        entry = self.get(name)
        if entry is None:
            raise KeyError(name)
        return entry  # type: ignore[no-any-return]

    def __contains__(self, name: object) -> bool:
        try:
            return name in self._entries or self._find(name) is not None
        except TypeError:
            return False

    def _names(self) -> Mapping[str, Any]:
        order = self._order
        if order is None:
            if len(self._layers) == 1 and not self._layers[0][1] and not self._created:
                order = self._layers[0][0].entries  # the usual case: one block, as read
            else:
                names: dict[str, None] = {}
                for layer, hidden in self._layers:
                    for name in layer.entries:
                        if name not in hidden:
                            names.setdefault(name, None)
                names.update(self._created)
                order = names
            self._order = order
        return order

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:  # names only: a value may be a secret
        return f"MergedBlock(stores={list(self)!r})"


def merge_layers(
    layers: Sequence[Layer | None], on_entry: Callable[[RawEntry], None] | None = None
) -> MergedBlock:
    """Merge ``layers`` (highest precedence first, ``None`` for absent sources).

    ``on_entry`` sees every entry as it is made (once per entry).
    """
    supplying: list[tuple[Layer, frozenset[str]]] = []
    fills: list[Layer] = []
    deleted: frozenset[str] = _NO_HIDDEN
    block_taken = False
    sealed_block = False
    #: The block as loaded from env and files, before runtime (what secrets met at load).
    loaded: Mapping[str, Any] = {}
    loaded_taken = False
    for layer in layers:
        if layer is None:
            continue
        if layer.mode == "fill":
            _check_loaded(loaded, layer)
            if not sealed_block:
                fills.append(layer)
            continue
        if fills:
            raise ValueError("a secrets (fill) layer must come below every other layer")
        if layer.mode == "store" and not layer.entries and not layer.deleted:
            continue  # no runtime store set: nothing to look through for every store
        if layer.mode == "block" and not layer.sealed and not loaded_taken:
            loaded_taken = True
            loaded = layer.entries
        if layer.mode == "block":
            if block_taken:
                continue
            block_taken = True
            sealed_block = layer.sealed
        supplying.append((layer, deleted))
        if layer.deleted:
            deleted = deleted | layer.deleted
    merged = MergedBlock(supplying, on_entry)
    for layer in fills:
        _fill(merged, deleted, layer)
    return merged


def _check_loaded(loaded: Mapping[str, Any], layer: Layer) -> None:
    """Secret files meet the block as loaded, whatever runtime assigned later (a file for
    an entry that is not an object fails there, as DataJoint's config does)."""
    for name, attrs in layer.entries.items():
        value = loaded.get(name)
        if name in loaded and not isinstance(value, dict):
            for attr in attrs:
                secret_fills(name, value, attr, label=layer.origin(name, attr))


def _fill(merged: MergedBlock, deleted: frozenset[str], layer: Layer) -> None:
    for name, attrs in layer.entries.items():
        if name in deleted:
            continue
        entry = merged.get(name)
        if entry is None:
            if name in NAME_ENTRIES:
                continue  # a name entry never becomes a store (datajoint_rules lists it)
            entry = merged._entries[name] = RawEntry({}, layer.origin(name, next(iter(attrs))))
            merged._created[name] = None
            merged._order = None
        if entry.sealed:
            continue
        copied = False
        for attr, value in attrs.items():
            if secret_fills(name, entry.value, attr, label=layer.origin(name, attr)):
                if not copied and name not in merged._created:
                    entry.value = dict(entry.value)  # the source's dict stays as it was read
                    copied = True
                entry.value[attr] = value
                entry.origins[attr] = layer.origin(name, attr)
                entry.filled = entry.filled | {attr}
