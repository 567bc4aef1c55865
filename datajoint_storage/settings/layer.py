"""What every configuration source hands to the merge: one ``Layer``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: How a layer combines with the layers below it.
#: ``store``: each store it names replaces that store whole (runtime assignments);
#: ``block``: the highest ``block`` layer present supplies the whole stores block
#: (DJ_STORES over datajoint.json); ``fill``: fills only keys left unset (secrets).
Mode = Literal["store", "block", "fill"]

#: Entries of a stores block that name a store rather than configure one.
NAME_ENTRIES = ("default", "filepath_default")


@dataclass(frozen=True)
class Layer:
    """The stores block one source contributed, and where each value came from."""

    source: str
    mode: Mode
    entries: Mapping[str, Any]
    deleted: frozenset[str] = frozenset()
    origin_of: Callable[[str, str], str] | None = field(default=None, compare=False)
    #: Stores set here are final: a secrets layer below fills none of their keys, and
    #: (for a ``block`` layer) creates no store of its own (runtime assignments).
    sealed: bool = False
    #: Store -> keys of its value that came from secret files earlier (a runtime edit of
    #: a store keeps its secrets, as editing DataJoint's dict in place does), with origins.
    carried: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False)
    #: Warnings the source found while reading (skipped files, keys it ignored).
    notes: tuple[Any, ...] = field(default=(), compare=False)

    def origin(self, store: str, key: str) -> str:
        """The source label of ``stores.<store>.<key>`` in this layer."""
        return self.origin_of(store, key) if self.origin_of else self.source
