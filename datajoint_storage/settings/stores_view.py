"""``dj.config.stores``: the merged stores block as a real ``dict``, writes to the runtime layer.

DataJoint's ``config.stores`` is a plain ``dict`` and its users treat it as one:
``.copy()`` then assign it back, ``json.dumps``, ``==`` with a literal, ``|``, in-place
edits of a nested value. :class:`StoresView` is a ``dict`` subclass whose storage is a
private copy of the merged block (refreshed whenever the configuration changes), so
every ``dict`` consumer, C code included, sees the real content; every mutation,
at any depth, becomes a runtime setting. (``dj.config.stores`` re-syncs on access, every
Python-level read re-syncs, and writes through the view update the storage in place;
only C code reading a view held across a change made elsewhere, e.g. ``reload()``,
could see the previous block.)

Secrets read back as DataJoint reads them (the secret's value), wrapped by
:func:`~..redaction.masked` (a ``str`` subclass for a string) so that no ``repr`` of a
store shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..redaction import MASK, is_masked, masked
from .sources.runtime import LABEL as RUNTIME
from .tracked import TrackedDict, plain_copy, tracked_copy

if TYPE_CHECKING:
    from .config import Config
    from .merge import RawEntry

__all__ = ["StoreDict", "StoresView", "mark_masked", "read_entry"]

#: One store as read back: a dict whose changes (at any depth) commit the whole store.
StoreDict = TrackedDict

_KEEP = object()  # ``_write``: the storage already holds the new value


def read_entry(entry: RawEntry) -> Any:
    """The value code reads back for one merged entry: secrets as :class:`MaskedStr`."""
    value = entry.value
    if not isinstance(value, dict):
        return value
    from ..resolve import redact_mapping  # the one rule for which keys hold secrets

    shown = redact_mapping(value)
    out = dict(value)
    for key, item in value.items():
        # Masked by key, or a URL whose credentials were masked: read back as a secret.
        if key in entry.filled or (item is not MASK and shown.get(key, item) is not item):
            out[key] = masked(item)
    return out


def mark_masked(entry: RawEntry) -> None:
    """Treat values that were read back as secrets (and assigned again) as secrets.

    ``original = dj.config.stores.copy()`` ... ``dj.config.stores = original`` puts a
    secret file's value into the runtime layer; it stays masked everywhere after that.
    Called for every merged entry as it is made.
    """
    # Only code puts read-back values back: runtime entries (``load`` labels its keys).
    if entry.source == RUNTIME and isinstance(entry.value, dict):
        secret = {k for k, v in entry.value.items() if is_masked(v)}
        if secret and not secret <= entry.filled:
            entry.filled = entry.filled | secret


def _track_store(value: Any, commit: Callable[[Any, dict[str, str]], None], origins: Any) -> Any:
    """A tracked copy of one store whose changes commit the whole store.

    ``origins`` (key -> source, as read) lets keys left unchanged keep their source.
    """
    holder: list[Any] = []
    before = dict(value) if isinstance(value, dict) else {}

    def changed() -> None:
        data = plain_copy(holder[0])
        kept = (
            {
                k: origins[k]
                for k, v in data.items()
                if origins.get(k, RUNTIME) != RUNTIME and k in before and before[k] == v
            }
            if isinstance(data, dict) and origins
            else {}
        )
        commit(data, kept)

    holder.append(tracked_copy(value, changed))
    return holder[0]


class StoresView(dict[str, Any]):
    """The merged stores block; reads show every source, writes are runtime settings."""

    __slots__ = ("_config", "_dirty", "_seen")

    def __init__(self, config: Config) -> None:
        super().__init__()
        self._config = config
        self._seen = -1  # the configuration generation the storage was copied at
        #: Stores this view itself changed since: their storage is what was written,
        #: refreshed from the merged block (secrets, masking) on the next read.
        self._dirty: set[str] = set()

    # -- keeping the storage current ----------------------------------------------

    def _sync(self, *, refresh: bool = True) -> StoresView:
        """Copy the merged block into the storage if the configuration changed.

        Changes made through this view keep the storage current themselves (a loop of
        assignments costs no merge each); ``refresh`` re-reads the stores they touched.
        """
        config = self._config
        if self._seen == config._generation and not (refresh and self._dirty):
            return self
        with config._lock:
            generation = config._generation
            merged = config._merged_entries()
            if self._seen != generation:
                dict.clear(self)
                names: Iterable[str] = merged
            else:
                names = self._dirty
            for name in list(names):
                entry = merged.get(name)
                if entry is None:
                    dict.pop(self, name, None)
                else:
                    dict.__setitem__(self, name, self._read(name, entry))
            self._dirty = set()
            self._seen = generation
        return self

    def _read(self, name: str, entry: RawEntry) -> Any:
        value = read_entry(entry)
        origins = {k: entry.origin(k) for k in value} if isinstance(value, dict) else {}
        return self._tracked(name, value, origins)

    def _tracked(self, name: str, value: Any, origins: dict[str, str] | None = None) -> Any:
        def commit(data: Any, kept: dict[str, str]) -> None:
            self._write(name, lambda: self._config._set_runtime_store(name, data, kept))

        return _track_store(value, commit, origins)

    def _write(self, name: str, change: Callable[[], None], stored: Any = _KEEP) -> None:
        """Apply ``change`` (one store) and keep the storage current without a merge."""
        config = self._config
        with config._lock:
            current = self._seen == config._generation
            change()
            if stored is None:
                dict.pop(self, name, None)
            elif stored is not _KEEP:
                dict.__setitem__(self, name, stored)
            if current:
                self._seen = config._generation
                if stored is not None:
                    self._dirty.add(name)

    # -- reads --------------------------------------------------------------------

    def __getitem__(self, name: Any) -> Any:
        return dict.__getitem__(self._sync(), name)

    def get(self, name: Any, default: Any = None) -> Any:
        return dict.get(self._sync(), name, default)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self._sync(), name)

    def __iter__(self) -> Iterator[str]:
        with self._config._lock:
            return iter(list(dict.keys(self._sync())))

    def __reversed__(self) -> Iterator[str]:
        with self._config._lock:
            return iter(list(reversed(dict.keys(self._sync()))))

    def __len__(self) -> int:
        return dict.__len__(self._sync())

    def _contents(self) -> dict[str, Any]:
        """The storage as a plain dict of the same (tracked) values, synced first."""
        with self._config._lock:
            return dict(dict.items(self._sync()))

    def keys(self) -> Any:
        return self._contents().keys()

    def values(self) -> Any:
        return self._contents().values()

    def items(self) -> Any:
        return self._contents().items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoresView):
            other._sync()
        return dict.__eq__(self._sync(), other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> dict[str, Any]:
        """A plain, independent copy: ``dj.config.stores = saved`` restores it exactly."""
        copied: dict[str, Any] = plain_copy(self._contents())
        return copied

    def __copy__(self) -> dict[str, Any]:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return self.copy()

    def __reduce__(self) -> Any:  # pickles as the plain dict it stands for
        return (dict, (self.copy(),))

    def __or__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**self.copy(), **other}

    def __ror__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**other, **self.copy()}

    @classmethod
    def fromkeys(cls, *args: Any) -> dict[Any, Any]:  # type: ignore[override]
        return dict.fromkeys(*args)

    # -- writes: runtime settings -------------------------------------------------

    def __setitem__(self, name: str, value: Any) -> None:
        value = plain_copy(value)
        self._write(
            name,
            lambda: self._config._set_runtime_store(name, value),
            self._tracked(name, plain_copy(value)),
        )

    def __delitem__(self, name: str) -> None:
        self._write(name, lambda: self._config._delete_runtime_store(name), None)

    def update(self, *args: Any, **kwargs: Any) -> None:
        with self._config._lock:
            for name, value in dict(*args, **kwargs).items():
                self[name] = value

    def __ior__(self, other: Any) -> StoresView:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, name: str, default: Any = None) -> Any:
        with self._config._lock:
            if name not in self:
                self[name] = default
            return self[name]

    def pop(self, name: str, *default: Any) -> Any:
        with self._config._lock:
            if name not in self:
                if default:
                    return default[0]
                raise KeyError(name)
            value = plain_copy(self[name])
            del self[name]
            return value

    def popitem(self) -> tuple[str, Any]:
        with self._config._lock:
            names = list(self)
            if not names:
                raise KeyError("popitem(): the stores block is empty")
            return names[-1], self.pop(names[-1])

    def clear(self) -> None:
        """Empty the block, as ``dj.config.stores = {}`` does."""
        self._config._replace_block({})
        dict.clear(self)

    def __repr__(self) -> str:
        try:
            self._sync()
        except Exception as exc:  # a repr never raises; the error names no secret
            return f"<stores: unreadable: {exc}>"
        return dict.__repr__(self)

    def __str__(self) -> str:
        return self.__repr__()
