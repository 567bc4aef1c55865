"""Protocol -> adapter registry, filled lazily from the ``datajoint.storage`` entry points.

Entry points stay unloaded strings until a protocol is asked for. A lookup first loads
the entry points named like the protocol (the convention), and only if that does not
answer, all the others. Each plugin loads inside its own ``try``: a broken plugin is a
warning (through ``warnings`` and, as DataJoint reports it, ``logging``) and a remembered
reason, never an exception for the caller.

Entry points are read duck-typed: tests and tools hand in objects with only ``name`` and
``load()`` (no ``value``, no ``dist``), and one distribution can be listed twice when
it is installed twice on ``sys.path``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata as metadata
import logging
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import AdapterLoadError, AdapterLoadWarning, DataJointError

if TYPE_CHECKING:
    from .storage_adapter import StorageAdapter

GROUP = "datajoint.storage"
OWN_DISTRIBUTION = "datajoint-storage"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterInfo:
    """Where an adapter came from, for ``datajoint-storage adapters``."""

    protocol: str
    adapter: Any
    entry_point: str | None = None
    distribution: str | None = None
    version: str | None = None


_lock = threading.RLock()
_adapters: dict[str, AdapterInfo] = {}
_runtime: set[str] = set()  # protocols registered in code, kept across re-discovery
_pending: list[metadata.EntryPoint] | None = None  # None: entry points not yet listed
_failures: dict[str, AdapterLoadError] = {}  # entry-point name -> why it did not load


def get_storage_adapter(protocol: str) -> StorageAdapter | None:
    """The adapter serving ``protocol``, or ``None`` when none is installed.

    Typed as :class:`StorageAdapter`; an adapter written for DataJoint (or duck-typed)
    has the same attributes and methods, which is all callers use.
    """
    info = _adapters.get(protocol)
    if info is not None:
        adapter: StorageAdapter = info.adapter
        return adapter
    with _lock:
        _load_pending(lambda ep: ep.name == protocol)
        if protocol not in _adapters:
            _load_pending(lambda ep: True)
        info = _adapters.get(protocol)
    return info.adapter if info else None  # type: ignore[no-any-return]


def registered_adapters() -> Mapping[str, AdapterInfo]:
    """Every adapter, after loading every entry point; a read-only view."""
    with _lock:
        _load_pending(lambda ep: True)
    return MappingProxyType(_adapters)


def adapter_failures() -> Mapping[str, AdapterLoadError]:
    """Entry points that failed to load, by entry-point name, with the reason."""
    with _lock:
        _load_pending(lambda ep: True)
    return MappingProxyType(_failures)


def failure_for(protocol: str) -> AdapterLoadError | None:
    """Why the plugin conventionally named ``protocol`` is unavailable, if it failed."""
    return _failures.get(protocol)


def describe_adapters() -> tuple[list[AdapterInfo], list[AdapterLoadError]]:
    """Loaded adapters sorted by protocol, and failed plugins sorted by name."""
    loaded = registered_adapters()
    failed = adapter_failures()
    return [loaded[p] for p in sorted(loaded)], [failed[n] for n in sorted(failed)]


def register_adapter(adapter: Any, *, clobber: bool = False) -> StorageAdapter:
    """Register an adapter (class or instance) from code that is not packaged.

    Refuses to replace an existing protocol unless ``clobber`` is true.
    """
    instance = _check_contract(adapter() if isinstance(adapter, type) else adapter)
    with _lock:
        if instance.protocol in _adapters and not clobber:
            raise DataJointError(
                f"Protocol {instance.protocol!r} is already served by "
                f"{_adapters[instance.protocol].adapter!r}; pass clobber=True to replace it"
            )
        _adapters[instance.protocol] = AdapterInfo(instance.protocol, instance)
        _runtime.add(instance.protocol)
    registered: StorageAdapter = instance
    return registered


def unregister_adapter(protocol: str) -> StorageAdapter | None:
    """Remove ``protocol`` from the registry; returns the adapter that served it."""
    with _lock:
        _runtime.discard(protocol)
        info = _adapters.pop(protocol, None)
    return info.adapter if info else None  # type: ignore[no-any-return]


def _discover_adapters() -> int:
    """Forget what entry points provided, list them again and load them all.

    For tests and for plugins installed while the process runs. Adapters registered
    in code stay. Returns how many adapters the entry points provided.
    """
    with _lock:
        global _pending
        for protocol in [p for p in _adapters if p not in _runtime]:
            del _adapters[protocol]
        _failures.clear()
        _pending = None
        importlib.invalidate_caches()
        _load_pending(lambda ep: True)
        return sum(1 for p in _adapters if p not in _runtime)


def _list_entry_points() -> list[metadata.EntryPoint]:
    seen: set[tuple[str | None, str, str | None]] = set()
    unique = []
    for ep in metadata.entry_points(group=GROUP):
        key = (_dist_name(ep), ep.name, getattr(ep, "value", None))
        if key not in seen:  # one distribution found twice on sys.path
            seen.add(key)
            unique.append(ep)
    # Deterministic order: our own built-ins first, then by distribution name.
    unique.sort(key=lambda ep: (_dist_name(ep) != OWN_DISTRIBUTION, _dist_name(ep) or "", ep.name))
    return unique


def _load_pending(select: Any) -> None:
    """Load the not-yet-loaded entry points that ``select`` picks (caller holds the lock)."""
    global _pending
    if _pending is None:
        _pending = _list_entry_points()
    chosen = [ep for ep in _pending if select(ep)]
    if not chosen:
        return
    _pending = [ep for ep in _pending if not select(ep)]
    for ep in chosen:
        _load_one(ep)


def _load_one(ep: metadata.EntryPoint) -> None:
    dist = _dist_name(ep)
    try:
        loaded = ep.load()
        instance = _check_contract(loaded() if isinstance(loaded, type) else loaded)
    except (Exception, SystemExit) as exc:  # a plugin may raise anything, exit too; isolate it
        reason = f"{type(exc).__name__}: {exc}"
        message = f"Failed to load storage adapter {ep.name!r}" + (
            f" from distribution {dist!r}" if dist else ""
        )
        error = AdapterLoadError(f"{message}: {reason}", name=ep.name, distribution=dist)
        _failures[ep.name] = error
        _report(str(error))
        return
    info = AdapterInfo(instance.protocol, instance, ep.name, dist, _dist_version(ep))
    current = _adapters.get(instance.protocol)
    if current is None:
        _adapters[instance.protocol] = info
        return
    if instance.protocol in _runtime:
        return  # registered in code: deliberately chosen, keep it quietly
    if dist is not None and current.distribution == dist:
        return  # the same distribution listed twice (two sys.path entries): first one wins
    message = (
        f"Protocol {instance.protocol!r} is registered by both {current.distribution!r} "
        f"and {dist!r}; using the one from {current.distribution!r}"
    )
    # Listed with the failures too, so `datajoint-storage adapters` shows the loser and why.
    _failures[f"{ep.name} ({dist})"] = AdapterLoadError(message, name=ep.name, distribution=dist)
    _report(message)


def _report(message: str) -> None:
    """A plugin problem: a warning for scripts, a log record as DataJoint emits one."""
    logger.warning("%s", message)
    warnings.warn(message, AdapterLoadWarning, stacklevel=5)


def _check_contract(adapter: Any) -> Any:
    """Accept any object with the contract's attributes: ours, DataJoint's, duck-typed."""
    protocol = getattr(adapter, "protocol", None)
    if not isinstance(protocol, str) or not protocol:
        raise DataJointError(f"{adapter!r} has no 'protocol' string")
    if protocol != protocol.lower():  # stores name protocols in any case; DataJoint lowercases
        raise DataJointError(f"{adapter!r}: protocol {protocol!r} must be lower case")
    if not callable(getattr(adapter, "create_filesystem", None)):
        raise DataJointError(f"{adapter!r} has no create_filesystem method")
    for attr in ("required_keys", "allowed_keys"):
        keys = getattr(adapter, attr, ())
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            raise DataJointError(f"{adapter!r}.{attr} must be a tuple of key names")
    return adapter


def _dist_name(ep: metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return _name_of(dist) if dist is not None else None


def _dist_version(ep: metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return _version_of(dist) if dist is not None else None


def _name_of(dist: Any) -> str | None:
    try:
        return _cached_name(dist)
    except TypeError:  # an unhashable stand-in for a distribution
        return getattr(dist, "name", None)


def _version_of(dist: Any) -> str | None:
    try:
        return _cached_version(dist)
    except TypeError:
        return getattr(dist, "version", None)


# ``dist.name`` and ``dist.version`` parse the METADATA file on every access; the entry
# points of one distribution share one ``dist``, so each is read once per listing.
@functools.lru_cache(maxsize=64)
def _cached_name(dist: Any) -> str | None:
    return getattr(dist, "name", None)


@functools.lru_cache(maxsize=64)
def _cached_version(dist: Any) -> str | None:
    return getattr(dist, "version", None)
