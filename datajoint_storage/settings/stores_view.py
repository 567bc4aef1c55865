"""``config["stores"]``: the stores block as a mapping whose writes go to the runtime layer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config


class StoreDict(dict):  # type: ignore[type-arg]
    """A copy of one store; changing it writes the whole store to the runtime layer.

    So ``config["stores"]["main"]["location"] = "/new"`` works as DataJoint users
    expect, whichever source the store came from. (Nested values such as the
    ``subfolding`` list are copies: assign them, do not mutate them in place.)
    """

    def __init__(self, data: dict[str, Any], commit: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(data)
        self._commit = commit

    def _changed(self) -> None:
        self._commit(dict(self))

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._changed()

    def pop(self, *args: Any) -> Any:
        value = super().pop(*args)
        self._changed()
        return value

    def setdefault(self, key: str, default: Any = None) -> Any:
        value = super().setdefault(key, default)
        self._changed()
        return value

    def clear(self) -> None:
        super().clear()
        self._changed()

    def __repr__(self) -> str:
        from ..resolve import redact_mapping

        return repr(redact_mapping(self))


class StoresView(MutableMapping[str, Any]):
    """The merged stores block; reads show every source, writes are runtime settings."""

    def __init__(self, config: Config) -> None:
        self._config = config

    def __getitem__(self, name: str) -> Any:
        value = self._config._raw_value(name)  # KeyError when not configured
        if isinstance(value, dict):
            return StoreDict(
                value, lambda data: self._config._set_runtime_store(name, data, keep_secrets=True)
            )
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        self._config._set_runtime_store(name, value)

    def __delitem__(self, name: str) -> None:
        self._config._delete_runtime_store(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._config._entry_names())

    def __len__(self) -> int:
        return len(self._config._entry_names())

    def __repr__(self) -> str:
        return f"StoresView({self._config._redacted_block()!r})"
