"""gcsfs's JSON-API filesystem with a bounded number of attempts per request.

Imported by the ``gcs`` adapter on first use only (it imports gcsfs). Two gcsfs
behaviours would make a failure take minutes, not seconds:

- its request methods retry 6 times with up to ~30 s of backoff, a count baked into
  them by a decorator when gcsfs is imported; :class:`BoundedGCSFileSystem` rebuilds
  them with its own ``max_attempts``;
- ``gcsfs.GCSFileSystem`` is by default an experimental subclass that first asks a gRPC
  control API for each bucket's layout (30 s per RPC, retried) and does not cache a
  failed answer: every call against an endpoint that does not serve that API (an
  emulator, a private gateway, a proxy-only network) waits for it. The classic
  ``gcsfs.core.GCSFileSystem`` used here talks the JSON API only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from gcsfs.core import GCSFileSystem
from gcsfs.retry import retry_request

#: gcsfs's methods that carry its retry decorator.
_RETRYING = ("_request", "_get_file_request", "_get_file_concurrent")


@functools.lru_cache(maxsize=64)
def _with_attempts(name: str, attempts: int) -> Callable[..., Any]:
    method = getattr(GCSFileSystem, name)
    undecorated = getattr(method, "__wrapped__", None)
    if undecorated is None:  # gcsfs changed how it retries: keep its own behaviour
        return method
    return retry_request(retries=attempts)(undecorated)


def _bounded(name: str) -> Callable[..., Any]:
    async def method(self: BoundedGCSFileSystem, *args: Any, **kwargs: Any) -> Any:
        return await _with_attempts(name, self.max_attempts)(self, *args, **kwargs)

    method.__name__ = name
    method.__qualname__ = f"BoundedGCSFileSystem.{name}"
    return method


class BoundedGCSFileSystem(GCSFileSystem):
    """``GCSFileSystem`` whose requests make at most ``max_attempts`` attempts in all."""

    def __init__(self, *args: Any, max_attempts: int = GCSFileSystem.retries, **kwargs: Any):
        self.max_attempts = max(1, int(max_attempts))
        super().__init__(*args, **kwargs)


for _name in _RETRYING:
    if hasattr(GCSFileSystem, _name):
        setattr(BoundedGCSFileSystem, _name, _bounded(_name))
