"""The contract, enforced around every adapter method, whoever calls it.

DataJoint calls ``validate_spec``, ``create_filesystem``, ``full_path`` and ``get_url``
on the adapter itself, with its own spec shape, once per stored attribute. So
``StorageAdapter.__init_subclass__`` wraps each of these methods a class defines
(the base class's own too) with :func:`wrap_contract`:

- the spec is taken in DataJoint's shape: protocol in any case, ``subfolding`` a
  tuple, adapter defaults missing; the adapter receives a copy in ours;
- ``full_path`` checks the relpath (``paths.py``) before any override runs;
- an error leaving the method is a ``DataJointError`` (ours, and DataJoint's when it
  is loaded, see ``datajoint_bridge.py``), with the spec's secrets masked;
- ``create_filesystem`` answers from a per-adapter cache keyed by the whole spec
  when the class sets ``cache_filesystems``: a lookup for an unchanged spec, a new
  filesystem for a rotated credential.

Our own callers (``Store``, resolving a store) run inside :func:`internal_call`:
they name the store in errors and cache per store themselves, so the wrapper leaves
foreign exceptions and caching to them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic_core import PydanticUndefined

from .backend_errors import BackendGuard
from .datajoint_bridge import as_datajoint_error, link_base_class
from .errors import DataJointError, InvalidValueError, StorageBackendError
from .paths import check_relpath

__all__ = ["CONTRACT_METHODS", "contract_spec", "internal_call", "wrap_contract"]

CONTRACT_METHODS = ("validate_spec", "create_filesystem", "full_path", "get_url")
#: Filesystems kept per adapter; rotated credentials push the old ones out.
CACHE_SIZE = 16
_KEY = os.urandom(32)  # per process: a cache key seen somewhere reveals nothing offline
_calls = threading.local()
_defaults: dict[type, tuple[tuple[str, Any], ...]] = {}


@contextlib.contextmanager
def internal_call() -> Iterator[None]:
    """Calls from our own code: errors and caching are the caller's business."""
    _calls.depth = getattr(_calls, "depth", 0) + 1
    try:
        yield
    finally:
        _calls.depth -= 1


def _internal() -> bool:
    return getattr(_calls, "depth", 0) > 0


def _adapter_defaults(adapter: Any) -> tuple[tuple[str, Any], ...]:
    """``(key, default)`` for every key of the adapter's model that has a real default."""
    from .spec import spec_model_for

    model = spec_model_for(adapter)  # cached per class and keys
    found = _defaults.get(model)
    if found is None:
        found = _defaults[model] = tuple(
            (key, info.default)
            for key, info in model.model_fields.items()
            if info.default is not PydanticUndefined and info.default is not None
        )
    return found


def contract_spec(adapter: Any, spec: Any) -> dict[str, Any]:
    """A copy of ``spec`` in our shape, the adapter's own defaults applied."""
    if not isinstance(spec, Mapping):
        raise DataJointError(
            f"{adapter.protocol} adapter: spec must be a mapping, not {type(spec).__name__}"
        )
    out = dict(spec)
    protocol = out.get("protocol")
    if isinstance(protocol, str) and protocol != protocol.lower():
        out["protocol"] = protocol.lower()  # DataJoint keeps the user's case
    if isinstance(out.get("subfolding"), tuple):
        out["subfolding"] = list(out["subfolding"])
    for key, default in _adapter_defaults(adapter):
        if key not in out:
            out[key] = list(default) if isinstance(default, list) else default
    return out


def _secrets_of(adapter: Any, spec: Mapping[str, Any]) -> list[str]:
    from .spec import SECRET_KEYS

    keys = SECRET_KEYS.union(getattr(adapter, "secret_keys", ()) or ())
    return [v for k, v in spec.items() if k in keys and isinstance(v, str) and v]


#: What a foreign exception becomes, per method.
_TRANSLATED: dict[str, type[DataJointError]] = {
    "validate_spec": InvalidValueError,
    "create_filesystem": StorageBackendError,
}


def _translate(adapter: Any, method: str, spec: Mapping[str, Any], exc: Exception) -> Exception:
    guard = BackendGuard("", adapter.protocol, _secrets_of(adapter, spec))
    text = guard.scrub(" ".join(str(exc).split()))
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    error = _TRANSLATED.get(method, DataJointError)(
        f"{adapter.protocol} adapter: {method} failed: {reason}"
    )
    error.__cause__ = None if guard.carries_secret(exc) else exc
    error.__suppress_context__ = True
    return error


def _contract_method(name: str, method: Callable[..., Any], base: type) -> Callable[..., Any]:
    @functools.wraps(method)
    def contract(self: Any, spec: Any, *args: Any, **kwargs: Any) -> Any:
        link_base_class(base)
        internal = _internal()
        try:
            spec = contract_spec(self, spec)
            if name == "full_path":
                check_relpath(args[0] if args else kwargs.get("relpath"))
            if name == "create_filesystem" and not internal and self.cache_filesystems:
                return _cached_filesystem(self, method, spec)
            return method(self, spec, *args, **kwargs)
        except DataJointError as exc:
            as_datajoint_error(exc)  # the same object, now DataJoint's error class too
            raise
        except Exception as exc:
            if internal:
                raise  # our caller names the store and masks the secrets
            failure = _translate(self, name, spec if isinstance(spec, dict) else {}, exc)
        raise as_datajoint_error(failure)

    contract.__contract__ = True  # type: ignore[attr-defined]
    return contract


def wrap_contract(cls: type, base: type) -> None:
    """Wrap the contract methods ``cls`` itself defines (not inherited ones).

    ``base`` is our ``StorageAdapter``, registered with DataJoint's on first call.
    """
    for name in CONTRACT_METHODS:
        method = cls.__dict__.get(name)
        if method is None or not callable(method) or getattr(method, "__contract__", False):
            continue
        if getattr(method, "__isabstractmethod__", False):
            continue
        setattr(cls, name, _contract_method(name, method, base))


def _spec_key(spec: Mapping[str, Any]) -> bytes:
    text = json.dumps(spec, sort_keys=True, default=repr, ensure_ascii=False)
    return hmac.new(_KEY, text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def _cached_filesystem(adapter: Any, build: Callable[..., Any], spec: dict[str, Any]) -> Any:
    """The adapter's filesystem for ``spec``: built once per distinct spec, LRU-bounded."""
    state = adapter.__dict__.get("_contract_fs_cache")
    if state is None:
        state = adapter.__dict__.setdefault("_contract_fs_cache", (threading.Lock(), OrderedDict()))
    lock, cache = state
    key = _spec_key(spec)
    with lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    fs = build(adapter, dict(spec))
    with lock:
        fs = cache.setdefault(key, fs)
        cache.move_to_end(key)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return fs
