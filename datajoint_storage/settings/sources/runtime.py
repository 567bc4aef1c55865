"""Runtime assignments: ``config["stores"]["uc"] = {...}``, the highest layer."""

from __future__ import annotations

from typing import Any

from ..layer import Layer

LABEL = "runtime"

#: entries, deleted names, whether the whole block was assigned, carried secrets, labels.
Snapshot = tuple[
    dict[str, Any], set[str], bool, dict[str, dict[str, str]], dict[str, dict[str, str]]
]


class RuntimeSource:
    """Stores set in code. A store set here replaces that store from every file and env
    layer; ``replace_block`` (``config["stores"] = {...}``) drops their blocks entirely.

    ``labels`` keeps, per store and key, where a value really came from when it was
    set here unchanged: ``config.load(path)`` (the file), or an in-place edit of a store
    from another source (its other keys keep their source). Provenance says that.
    """

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.deleted: set[str] = set()
        self.replace_block = False
        #: Store -> {key: secret file} for secrets a runtime edit of the store kept.
        self.carried: dict[str, dict[str, str]] = {}
        #: Store -> {key: where the value really came from} (``load(path)``, edits in place).
        self.labels: dict[str, dict[str, str]] = {}

    def __call__(self) -> Layer:
        if not (self.entries or self.deleted or self.replace_block or self.carried):
            return _NOTHING_SET  # the usual case, asked on every merge
        mode = "block" if self.replace_block else "store"
        labels = dict(self.labels)
        origin_of = (lambda store, key: labels.get(store, {}).get(key, LABEL)) if labels else None
        return Layer(
            LABEL,
            mode,
            dict(self.entries),
            frozenset(self.deleted),
            origin_of,
            sealed=True,
            carried=dict(self.carried),
        )

    def snapshot(self) -> Snapshot:
        # Shallow is enough: entries are replaced whole, never changed in place (and a
        # deep copy fails on values it cannot copy, or nested a few hundred deep).
        return (
            dict(self.entries),
            set(self.deleted),
            self.replace_block,
            dict(self.carried),
            dict(self.labels),
        )

    def restore(self, state: Snapshot) -> None:
        self.entries, self.deleted, self.replace_block, self.carried, self.labels = state

    def undo(self, before: Snapshot, mine: Snapshot, names: set[str]) -> None:
        """Put back ``before`` for each of ``names`` still as ``mine`` left it.

        ``override()`` ends with this instead of :meth:`restore`: a store another thread
        wrote during the block (or one the block never touched) keeps that write.
        """
        for name in names:
            if self._state(name) != _state_in(mine, name):
                continue  # changed since the override set it: someone else's write
            entries, deleted, _, carried, labels = before
            _put(self.entries, name, entries)
            _put(self.carried, name, carried)
            _put(self.labels, name, labels)
            if name in deleted:
                self.deleted.add(name)
            else:
                self.deleted.discard(name)
        if self.replace_block == mine[2]:
            self.replace_block = before[2]

    def _state(self, name: str) -> tuple[Any, ...]:
        return _state_in(
            (self.entries, self.deleted, self.replace_block, self.carried, self.labels), name
        )

    def describe(self) -> dict[str, Any]:
        """This source as data: the stores set in code."""
        return {"kind": "runtime", "name": LABEL, "stores": sorted(self.entries)}

    def __repr__(self) -> str:
        return f"RuntimeSource(stores={sorted(self.entries)!r})"


_MISSING = object()


def _state_in(state: Snapshot, name: str) -> tuple[Any, ...]:
    entries, deleted, _, carried, labels = state
    # The entry by identity: an equal value written again by another thread is a write.
    return (id(entries.get(name, _MISSING)), name in deleted, carried.get(name), labels.get(name))


def _put(target: dict[str, Any], name: str, source: dict[str, Any]) -> None:
    if name in source:
        target[name] = source[name]
    else:
        target.pop(name, None)


#: The runtime layer when no store is set at runtime (labels only name set stores).
_NOTHING_SET = Layer(LABEL, "store", {}, frozenset(), None, sealed=True)
