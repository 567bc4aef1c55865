"""Runtime assignments: ``config["stores"]["uc"] = {...}``, the highest layer."""

from __future__ import annotations

from typing import Any

from ..layer import Layer

LABEL = "runtime"


class RuntimeSource:
    """Stores set in code. A store set here replaces that store from every file and env
    layer; ``replace_block`` (``config["stores"] = {...}``) drops their blocks entirely."""

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.deleted: set[str] = set()
        self.replace_block = False

    def __call__(self) -> Layer:
        mode = "block" if self.replace_block else "store"
        return Layer(LABEL, mode, dict(self.entries), frozenset(self.deleted))

    def snapshot(self) -> tuple[dict[str, Any], set[str], bool]:
        # Shallow is enough: entries are replaced whole, never changed in place (and a
        # deep copy fails on values it cannot copy, or nested a few hundred deep).
        return dict(self.entries), set(self.deleted), self.replace_block

    def restore(self, state: tuple[dict[str, Any], set[str], bool]) -> None:
        self.entries, self.deleted, self.replace_block = state

    def describe(self) -> dict[str, Any]:
        """This source as data: the stores set in code."""
        return {"kind": "runtime", "name": LABEL, "stores": sorted(self.entries)}

    def __repr__(self) -> str:
        return f"RuntimeSource(stores={sorted(self.entries)!r})"
