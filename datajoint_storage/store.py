"""The factory: a resolved store, its adapter's filesystem (cached), paths and URLs.

This is the only module that calls ``create_filesystem``. A filesystem is cached per
store and rebuilt when the store's resolved spec changes, so rotated credentials
never meet a filesystem built with the old ones.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import settings as _settings
from ._contract import internal_call
from .backend_errors import BackendGuard, guard_filesystem
from .datajoint_rules import inaccessible_location
from .redaction import fingerprint, install_log_filter
from .resolve import ResolvedStore
from .settings import Config, get_config

if TYPE_CHECKING:
    import fsspec

__all__ = ["Store", "get_filesystem", "get_store"]


class Store:
    """One configured store bound to its adapter; the spec stays private."""

    def __init__(self, resolved: ResolvedStore, *, cwd: Path | None = None) -> None:
        self._resolved = resolved
        self._cwd = cwd  # relative file locations are taken from here (None: the process's)
        self._spec = resolved.plain()
        self._fs: fsspec.AbstractFileSystem | None = None
        self._lock = threading.Lock()

    name = property(lambda self: self._resolved.name, doc="The store's name.")
    protocol = property(lambda self: self._resolved.adapter.protocol, doc="The store's protocol.")
    adapter = property(lambda self: self._resolved.adapter, doc="The adapter serving the store.")

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything the adapter would see changes (credentials too).

        Keyed with a per-process random secret (HMAC), so it cannot be used to test
        guessed credentials offline; compare fingerprints within one process only.
        """
        return fingerprint([self.protocol, self._spec])

    @property
    def filesystem(self) -> fsspec.AbstractFileSystem:
        """The adapter's fsspec filesystem, created on first use."""
        fs = self._fs
        if fs is None:
            with self._lock:
                fs = self._fs
                if fs is None:
                    fs = self._fs = self._create_filesystem()
        return fs

    def _create_filesystem(self) -> fsspec.AbstractFileSystem:
        # Every failure, at creation or in any later call, names the store and hides its
        # secrets (backend_errors.py); raised outside the except, it has no hidden context.
        refused = inaccessible_location(self._resolved, self._cwd)
        if refused is not None:  # as DataJoint's StorageBackend: never create the directory
            raise refused
        guard = BackendGuard(self.name, self.protocol, self._resolved.secret_values)
        install_log_filter()  # the SDK is about to log: its records mask every secret
        try:
            with internal_call():  # one filesystem per store, guarded here: not the adapter's cache
                fs = self.adapter.create_filesystem(dict(self._spec))
        except Exception as exc:  # any SDK error: name the store, never a secret
            failure = guard.error(exc, "could not create its filesystem")
        else:
            guarded: fsspec.AbstractFileSystem = guard_filesystem(fs, guard)
            return guarded
        raise failure

    def full_path(self, relpath: str) -> str:
        """Where ``relpath`` lives in the backend.

        The escape check runs here too, so a plugin that overrides ``full_path`` is
        held to the same rule as the built-ins (no ``..``, absolute paths or NUL).
        """
        from .paths import check_relpath

        check_relpath(relpath)
        with internal_call():
            return self.adapter.full_path(dict(self._spec), relpath)

    def get_url(self, relpath: str) -> str:
        """Display URL of the object at ``relpath``."""
        path = self.full_path(relpath)
        with internal_call():
            return self.adapter.get_url(dict(self._spec), path)

    def __repr__(self) -> str:
        return f"Store(name={self.name!r}, spec={self._resolved.redacted()!r})"


# (id(config), name) -> (generation, store, weakref to config): an id can be reused by a
# new Config once the old one is gone, so a hit must also be the same live object.
_stores: dict[tuple[int, str | None], tuple[int, Store, Any]] = {}
_lock = threading.Lock()


def get_store(name: str | None = None, *, config: Config | None = None) -> Store:
    """The :class:`Store` named ``name`` (the default store when None), cached."""
    config = config or get_config()
    key = (id(config), name)
    hit = _stores.get(key)
    if hit is not None and hit[0] == config._generation and hit[2]() is config:
        return hit[1]
    with _lock:
        generation = config._generation
        store = Store(config.resolve(name), cwd=config.cwd)
        previous = _stores.get(key)
        if previous is not None and previous[1].fingerprint == store.fingerprint:
            store = previous[1]  # same spec: keep its filesystem
        _stores[key] = (generation, store, weakref.ref(config))
        return store


def get_filesystem(
    name: str | None = None, *, config: Config | None = None
) -> fsspec.AbstractFileSystem:
    """The fsspec filesystem of store ``name`` (the default store when None), cached.

    A hit is one lookup in the config's ``_filesystems``, which every change empties;
    after a change, a store whose resolved spec is unchanged keeps its filesystem.
    """
    try:  # the hit: one subscript (the process-wide config without a call, if made)
        return (config or _settings._config)._filesystems[name]  # type: ignore[union-attr]
    except (KeyError, AttributeError, TypeError):  # not cached, no config yet, a bad name
        pass
    config = config or get_config()
    generation = config._generation
    fs = get_store(name, config=config).filesystem
    with config._lock:
        if config._generation == generation:  # not changed meanwhile: safe to remember
            config._filesystems[name] = fs
    return fs
