"""Protocol -> adapter registry: our built-ins from our own group, plugins as DataJoint sees them.

Two entry-point groups, one loader and one contract:

- ``datajoint_storage.adapters`` holds our built-ins (``file``, ``s3``, ``gcs``,
  ``azure``, ``memory``). DataJoint never reads it, so installing us changes nothing
  in DataJoint: ``dj.get_storage_adapter(p)`` answers as before, and DataJoint has no
  ``memory``.
- ``datajoint.storage`` is the shared group for third-party adapters. It is loaded the
  way DataJoint 2.3.5 loads it (every entry point, in ``entry_points()`` order, one
  whose name is already a registered protocol skipped, a later one claiming a protocol
  replacing the earlier), so a protocol two distributions claim goes to the adapter
  DataJoint uses, with a warning naming both. DataJoint serves ``file``/``s3``/``gcs``/
  ``azure`` itself whatever a plugin claims, so for those ours stay.

Entry points stay unloaded strings until a protocol is asked for: a built-in protocol
loads only our group; any other protocol loads the plugins, all at once, as DataJoint
does. Each plugin loads inside its own ``try``: a broken plugin is a warning (through
``warnings`` and, as DataJoint reports it, ``logging``) and a remembered reason, never an
exception for the caller.

A plugin may raise anything on import, ``BaseException`` subclasses included: each is
isolated. ``KeyboardInterrupt`` still stops the caller, but the interrupted plugin is
remembered as failed, so the next lookup loads the others instead of asking it again.
:func:`load_plugins_within` bounds the plugin imports by a deadline (the CLI uses it, so
a plugin whose import hangs cannot hang a command); a plugin that did not finish is
named, and from then on the registry answers from what it has instead of waiting.

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
OWN_GROUP = "datajoint_storage.adapters"
OWN_DISTRIBUTION = "datajoint-storage"
#: Protocols DataJoint 2.3.5 hard-codes in ``StorageBackend``: it never asks a plugin.
DATAJOINT_BUILTINS = frozenset({"file", "s3", "gcs", "azure"})
#: Our distribution's entry points (``pyproject.toml``, group ``OWN_GROUP``) for
#: DataJoint's own protocols, as written there (a test checks they agree).
BUILTIN_ENTRY_POINTS = {
    "file": "datajoint_storage.adapters.file:FileAdapter",
    "s3": "datajoint_storage.adapters.s3:S3Adapter",
    "gcs": "datajoint_storage.adapters.gcs:GCSAdapter",
    "azure": "datajoint_storage.adapters.azure:AzureAdapter",
}
#: Every entry point our distribution declares (the same test checks these).
OWN_ENTRY_POINTS = {
    **BUILTIN_ENTRY_POINTS,
    "memory": "datajoint_storage.adapters.memory:MemoryAdapter",
}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterInfo:
    """Where an adapter came from, for ``datajoint-storage adapters``."""

    protocol: str
    adapter: Any
    entry_point: str | None = None
    distribution: str | None = None
    version: str | None = None
    group: str | None = None


_lock = threading.RLock()
_adapters: dict[str, AdapterInfo] = {}
_runtime: set[str] = set()  # protocols registered in code, kept across re-discovery
_pending: list[metadata.EntryPoint] | None = None  # our group, not yet loaded; None: unlisted
_failures: dict[str, AdapterLoadError] = {}  # entry-point name -> why it did not load
_datajoint: dict[str, AdapterInfo] | None = None  # DataJoint's plugin registry; None: unloaded
_loading: tuple[str, str | None] | None = None  # the entry point being imported right now
_stalled: AdapterLoadError | None = None  # a plugin import that missed its deadline


class _Locked:
    """The registry lock, refused (not waited for) once a plugin import has stalled.

    The stalled import runs on in a daemon thread holding the lock; waiting for it
    would hang the caller exactly as the plugin does.
    """

    def __enter__(self) -> None:
        while not _lock.acquire(timeout=0.05):
            if _stalled is not None:
                raise _stalled

    def __exit__(self, *exc: object) -> None:
        _lock.release()


_locked = _Locked()


def get_storage_adapter(protocol: str) -> StorageAdapter | None:
    """The adapter serving ``protocol``, or ``None`` when none is installed.

    Typed as :class:`StorageAdapter`; an adapter written for DataJoint (or duck-typed)
    has the same attributes and methods, which is all callers use.
    """
    info = _adapters.get(protocol)
    if info is not None:
        adapter: StorageAdapter = info.adapter
        return adapter
    with _locked:
        try:
            if _load_builtin(protocol):
                return _adapters[protocol].adapter  # type: ignore[no-any-return]
            _load_own(lambda ep: ep.name == protocol)
            if protocol not in _adapters:
                _load_own(lambda ep: True)
            if protocol not in DATAJOINT_BUILTINS or protocol not in _adapters:
                _load_plugins()
            info = _adapters.get(protocol)
        finally:
            _end_listing()
    return info.adapter if info else None  # type: ignore[no-any-return]


def datajoint_adapter(protocol: str) -> AdapterInfo | None:
    """The plugin DataJoint 2.3.5 uses for ``protocol`` in this environment, if any.

    ``None`` when DataJoint serves the protocol itself (``DATAJOINT_BUILTINS``) or has
    no adapter for it (our own built-ins, ``memory`` included, are invisible to it).
    """
    if protocol in DATAJOINT_BUILTINS:
        return None
    with _locked:
        try:
            _load_plugins()
        finally:
            _end_listing()
        assert _datajoint is not None
        return _datajoint.get(protocol)


def registered_adapters() -> Mapping[str, AdapterInfo]:
    """Every adapter, after loading every entry point; a read-only view."""
    with _locked:
        try:
            _load_own(lambda ep: True)
            _load_plugins()
        finally:
            _end_listing()
    return MappingProxyType(_adapters)


def adapter_failures() -> Mapping[str, AdapterLoadError]:
    """Entry points that failed to load, by entry-point name, with the reason."""
    registered_adapters()
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

    Refuses to replace an existing protocol unless ``clobber`` is true. DataJoint does
    not see adapters registered this way.
    """
    instance = _check_contract(adapter() if isinstance(adapter, type) else adapter)
    with _locked:
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
    with _locked:
        _runtime.discard(protocol)
        info = _adapters.pop(protocol, None)
    return info.adapter if info else None  # type: ignore[no-any-return]


def load_plugins_within(seconds: float) -> None:
    """Load every entry point, giving the plugins ``seconds`` to import.

    Ours load here; the plugins load in a daemon thread. When they miss the deadline,
    raises :class:`AdapterLoadError` naming the plugin still importing, and every later
    call that would wait for it raises the same error instead (the process can still
    exit: the thread is a daemon).
    """
    global _stalled
    with _locked:
        try:
            _load_own(lambda ep: True)
        except BaseException:
            _end_listing()
            raise
        if _datajoint is not None:
            _end_listing()
            return
    done = threading.Event()

    def work() -> None:
        try:
            with _lock:
                try:
                    _load_plugins()  # the listing ``_load_own`` made, if nothing reset it
                finally:
                    _end_listing()
        except BaseException:  # reported again by the lookups that retry it
            pass
        finally:
            done.set()

    threading.Thread(target=work, name="datajoint-storage-plugins", daemon=True).start()
    if done.wait(seconds):
        return
    name, dist = _loading or ("?", None)
    where = f" from distribution {dist!r}" if dist else ""
    _stalled = AdapterLoadError(
        f"Storage adapter plugin {name!r}{where} did not finish importing within {seconds:g} s",
        name=name,
        distribution=dist,
    )
    raise _stalled


def stalled_plugin() -> AdapterLoadError | None:
    """The plugin import that missed :func:`load_plugins_within`'s deadline, if any."""
    return _stalled


def _discover_adapters() -> int:
    """Forget what entry points provided, list them again and load them all.

    For tests and for plugins installed while the process runs. Adapters registered
    in code stay. Returns how many adapters the entry points provided.
    """
    with _locked:
        global _pending, _datajoint
        for protocol in [p for p in _adapters if p not in _runtime]:
            del _adapters[protocol]
        _failures.clear()
        _pending = None
        _datajoint = None
        importlib.invalidate_caches()
        _end_listing()  # list again: that is the point
        try:
            _load_own(lambda ep: True)
            _load_plugins()
        finally:
            _end_listing()
        return sum(1 for p in _adapters if p not in _runtime)


def _entry_points(group: str) -> list[metadata.EntryPoint]:
    """The group's entry points in ``entry_points()`` order (DataJoint's), each once."""
    seen: set[tuple[str | None, str, str | None]] = set()
    unique = []
    for ep in _listed(group):
        key = (_dist_key(ep), ep.name, getattr(ep, "value", None))
        if key not in seen:  # one distribution found twice on sys.path
            seen.add(key)
            unique.append(ep)
    return unique


#: One listing of every installed distribution's entry points, shared by the groups one
#: lookup reads (each listing reads every ``entry_points.txt``), dropped when it ends.
_scan: Any = None


def _listed(group: str) -> Any:
    global _scan
    if _scan is None:
        _scan = metadata.entry_points()
    select = getattr(_scan, "select", None)
    if select is None:  # a stand-in for ``entry_points`` without ``select``: ask it
        return metadata.entry_points(group=group)
    return select(group=group)


def _end_listing() -> None:
    global _scan
    _scan = None


def _dist_key(ep: metadata.EntryPoint) -> str | None:
    """The distribution's name for telling copies apart, from its folder when it can
    be (reading ``METADATA`` parses e-mail headers): the same ``name`` either way."""
    dist = getattr(ep, "dist", None)
    normalized = getattr(dist, "_normalized_name", None)
    return normalized if isinstance(normalized, str) and normalized else _dist_name(ep)


def _load_builtin(protocol: str) -> bool:
    """Load one of DataJoint's own protocols from our own entry points alone.

    Listing a group reads every installed distribution (20 ms in a venv of 150); one of
    ``file``, ``s3``, ``gcs``, ``azure`` is served by our own built-in whatever else is
    installed (DataJoint never asks a plugin for them), so its first store need not pay
    that: the entry points come from :data:`BUILTIN_ENTRY_POINTS` and load through the
    same loader. Anything else, and every listing, goes through :func:`_load_own`.
    """
    if protocol not in DATAJOINT_BUILTINS or _pending is not None or protocol in _adapters:
        return protocol in _adapters
    ep = metadata.EntryPoint(protocol, BUILTIN_ENTRY_POINTS[protocol], OWN_GROUP)
    info = _load_one(ep, OWN_GROUP, dist=OWN_DISTRIBUTION, version=_own_version())
    if info is not None and info.protocol not in _adapters:
        _adapters[info.protocol] = info
    return protocol in _adapters


def _own_version() -> str:
    from . import __version__

    return __version__


def _loaded_builtin(ep: metadata.EntryPoint) -> bool:
    """Whether :func:`_load_builtin` already loaded this entry point of our group."""
    info = _adapters.get(ep.name)
    return (
        info is not None
        and info.group == OWN_GROUP
        and info.entry_point == ep.name
        and BUILTIN_ENTRY_POINTS.get(ep.name) == getattr(ep, "value", None)
    )


def _load_own(select: Any) -> None:
    """Load the not-yet-loaded entry points of our group that ``select`` picks."""
    global _pending
    if _pending is None:
        _pending = [ep for ep in _entry_points(OWN_GROUP) if not _loaded_builtin(ep)]
    for ep in [ep for ep in _pending if select(ep)]:
        own = OWN_ENTRY_POINTS.get(ep.name) == getattr(ep, "value", None)
        known = {"dist": OWN_DISTRIBUTION, "version": _own_version()} if own else {}
        info = _load_one(ep, OWN_GROUP, **known)  # one at a time: an interrupt loses none
        _pending = [other for other in _pending if other is not ep]
        if info is not None and info.protocol not in _adapters:
            _adapters[info.protocol] = info


def _load_plugins() -> None:
    """Load ``datajoint.storage`` once, as DataJoint 2.3.5 does, and adopt its choices."""
    global _datajoint
    if _datajoint is not None:
        return
    chosen: dict[str, AdapterInfo] = {}
    for ep in _entry_points(GROUP):
        if ep.name in chosen:  # DataJoint skips it unloaded: its name is a known protocol
            winner = chosen[ep.name]
            dist = _dist_name(ep)
            if dist is not None and (dist, ep.name) == (winner.distribution, winner.entry_point):
                continue  # the same distribution listed twice (two sys.path entries)
            _collision(ep.name, winner, ep.name, dist, "it skips the other one unloaded")
            continue
        info = _load_one(ep, GROUP)
        if info is None:
            continue
        previous = chosen.get(info.protocol)
        if previous is not None:  # DataJoint keeps the later one
            why = "it keeps the later entry point"
            _collision(info.protocol, info, previous.entry_point, previous.distribution, why)
        chosen[info.protocol] = info
    _datajoint = chosen
    _load_own(lambda ep: True)
    for protocol, info in chosen.items():
        current = _adapters.get(protocol)
        if protocol in _runtime:
            continue  # registered in code: deliberately chosen, keep it quietly
        if protocol in DATAJOINT_BUILTINS and current is not None:
            _warn(
                info.entry_point or protocol,
                info.distribution,
                f"Protocol {protocol!r} is registered by {info.distribution!r}, but DataJoint "
                f"2.3.5 serves {protocol!r} itself and never uses it; using the one from "
                f"{current.distribution!r}",
            )
            continue
        if current is not None:
            why = f"it never reads {OWN_GROUP!r}"
            _collision(protocol, info, current.entry_point, current.distribution, why)
        _adapters[protocol] = info


def _collision(
    protocol: str,
    winner: AdapterInfo,
    other_name: str | None,
    other_dist: str | None,
    why: str,
) -> None:
    message = (
        f"Protocol {protocol!r} is registered by both {winner.distribution!r} and "
        f"{other_dist!r}; using the one from {winner.distribution!r}, the one DataJoint "
        f"2.3.5 uses ({why})"
    )
    if winner.distribution == other_dist:
        message = message.replace(
            f"both {winner.distribution!r} and {other_dist!r}",
            f"two entry points of {other_dist!r} ({winner.entry_point!r}, {other_name!r})",
        )
    _warn(other_name or protocol, other_dist, message)


def _warn(name: str, dist: str | None, message: str) -> None:
    # Listed with the failures too, so `datajoint-storage adapters` shows the loser and why.
    _failures[f"{name} ({dist})"] = AdapterLoadError(message, name=name, distribution=dist)
    _report(message)


def _load_one(
    ep: metadata.EntryPoint, group: str, *, dist: str | None = None, version: str | None = None
) -> AdapterInfo | None:
    """Load one entry point; ``dist``/``version``: already known (not read from METADATA)."""
    global _loading
    known = dist is not None
    dist = dist if known else _dist_name(ep)
    if group == GROUP and getattr(_failures.get(ep.name), "interrupted", False):
        return None  # interrupted once: asking it again would interrupt every lookup
    _loading = (ep.name, dist)
    try:
        loaded = ep.load()
        instance = _check_contract(loaded() if isinstance(loaded, type) else loaded)
    except BaseException as exc:  # a plugin may raise anything, exit too; isolate it
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        message = f"Failed to load storage adapter {ep.name!r}" + (
            f" from distribution {dist!r}" if dist else ""
        )
        error = AdapterLoadError(f"{message}: {reason}", name=ep.name, distribution=dist)
        _failures[ep.name] = error
        if isinstance(exc, KeyboardInterrupt):  # the user's Ctrl-C: stop, but remember
            error.interrupted = True  # type: ignore[attr-defined]
            raise
        _report(str(error))
        return None
    finally:
        _loading = None
    version = version if known else _dist_version(ep)
    return AdapterInfo(instance.protocol, instance, ep.name, dist, version, group)


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
