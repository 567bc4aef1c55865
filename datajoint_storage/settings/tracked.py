"""Copies of configuration values whose in-place changes are reported, never lost.

``dj.config.stores["main"]["subfolding"].append(2)`` must be a runtime change, as it
is in DataJoint (where the stores block is a plain dict). Every value handed out is a
private copy, so a change is seen only by calling back: :class:`TrackedDict` and
:class:`TrackedList` call ``on_change`` after each mutation, at any depth.

Copies are made without recursion (values may be nested deeper than Python's recursion
limit) and keep objects they cannot copy (a lock, a generator) by reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..redaction import MaskedDict, MaskedList, _MaskedRepr, is_masked

OnChange = Callable[[], None]


def plain_copy(value: Any) -> Any:
    """A deep copy of ``value``'s dicts, lists and tuples (as lists); leaves are shared."""
    return _copy(value, None)


def tracked_copy(value: Any, on_change: OnChange) -> Any:
    """Like :func:`plain_copy`, with every container reporting its changes."""
    return _copy(value, on_change)


def _empty(value: Any, on_change: OnChange | None) -> Any:
    # A secret's container stays masked in every copy (``MaskedList``, ``MaskedDict``).
    secret = is_masked(value)
    if isinstance(value, dict):
        if on_change is None:
            return MaskedDict() if secret else {}
        return (MaskedTrackedDict if secret else TrackedDict)(on_change)
    if on_change is None:
        return MaskedList() if secret else []
    return (MaskedTrackedList if secret else TrackedList)(on_change)


def _copy(value: Any, on_change: OnChange | None) -> Any:
    if not isinstance(value, (dict, list, tuple)):
        return value
    memo: dict[int, Any] = {}  # shared and self-referencing containers are copied once
    root = memo[id(value)] = _empty(value, on_change)
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        # Read the storage itself: tracked containers may override their accessors.
        items: Iterable[tuple[Any, Any]] = (
            dict.items(source) if isinstance(source, dict) else enumerate(source)
        )
        for key, item in items:
            if isinstance(item, (dict, list, tuple)):
                copied = memo.get(id(item))
                if copied is None:
                    copied = memo[id(item)] = _empty(item, on_change)
                    stack.append((item, copied))
                item = copied
            if isinstance(target, dict):
                dict.__setitem__(target, key, item)
            else:
                list.append(target, item)
    return root


class TrackedDict(dict):  # type: ignore[type-arg]
    """A dict that calls ``on_change`` after every mutation."""

    __slots__ = ("_on_change",)

    def __init__(self, on_change: OnChange) -> None:
        super().__init__()
        self._on_change = on_change

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, tracked_copy(value, self._on_change))
        self._on_change()

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._on_change()

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            super().__setitem__(key, tracked_copy(value, self._on_change))
        self._on_change()

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: Any, *default: Any) -> Any:
        missing = key not in self
        value = super().pop(key, *default)
        if not missing:
            self._on_change()
        return value

    def popitem(self) -> tuple[Any, Any]:
        item = super().popitem()
        self._on_change()
        return item

    def clear(self) -> None:
        super().clear()
        self._on_change()

    def copy(self) -> dict[Any, Any]:
        """A plain, independent copy (DataJoint's ``.copy()`` idiom restores from it)."""
        copied: dict[Any, Any] = plain_copy(self)
        return copied

    def __copy__(self) -> dict[Any, Any]:
        return self.copy()

    def __or__(self, other: Any) -> dict[Any, Any]:  # type: ignore[override]
        return {**self.copy(), **other}

    def __ror__(self, other: Any) -> dict[Any, Any]:  # type: ignore[override]
        return {**other, **self.copy()}

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return self.copy()

    def __reduce__(self) -> Any:  # pickles as the plain dict it stands for
        return (dict, (self.copy(),))


def _list_mutator(name: str) -> Callable[..., Any]:
    base = getattr(list, name)

    def method(self: TrackedList, *args: Any, **kwargs: Any) -> Any:
        result = base(self, *args, **kwargs)
        self._on_change()
        return result

    method.__name__ = name
    return method


class TrackedList(list):  # type: ignore[type-arg]
    """A list that calls ``on_change`` after every mutation."""

    __slots__ = ("_on_change",)

    def __init__(self, on_change: OnChange) -> None:
        super().__init__()
        self._on_change = on_change

    def copy(self) -> list[Any]:
        copied: list[Any] = plain_copy(self)
        return copied

    def __copy__(self) -> list[Any]:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return self.copy()

    def __reduce__(self) -> Any:
        return (list, (self.copy(),))


class MaskedTrackedDict(_MaskedRepr, TrackedDict):
    """A tracked mapping under a secret key: printed as the mask."""

    __slots__ = ()


class MaskedTrackedList(_MaskedRepr, TrackedList):
    """A tracked list under a secret key: printed as the mask."""

    __slots__ = ()


for _name in (
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "sort",
    "reverse",
):
    setattr(TrackedList, _name, _list_mutator(_name))
del _name
