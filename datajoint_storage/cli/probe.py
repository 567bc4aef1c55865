"""``check``: a live round trip through each store, bounded by one timeout.

One small object is written under the store's location, read back, deleted, and any
directory the write created is removed again, so the store is left as it was found.
Each store is probed in its own daemon thread: a backend that never answers costs the
timeout, not the whole command, and the stores are probed side by side.

A probe that times out after its write began is swept: the command removes the object
itself (bounded by :data:`SWEEP_SECONDS`), and the probe thread, should its write still
return, removes it too instead of going on. A half-written object is removed like a
whole one; when the backend answers neither, the reason says the object may be left.
"""

from __future__ import annotations

import contextlib
import posixpath
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataJointError

#: Name of the probe object, under the store's location (dot: hidden in listings).
PROBE_PREFIX = ".datajoint-storage-check-"
#: Seconds the command spends, at most, removing what timed-out probes may have written.
SWEEP_SECONDS = 3.0
#: Steps after which the probe object may exist (whole or in part).
_WRITING = frozenset({"write", "read", "delete", "cleanup"})


@dataclass
class ProbeResult:
    """How one store answered: time taken, and the step and reason when it failed."""

    store: str
    ok: bool = False
    seconds: float = 0.0
    protocol: str | None = None
    url: str | None = None
    steps: dict[str, float] = field(default_factory=dict)
    failed_step: str | None = None
    reason: str | None = None
    error: BaseException | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "ok": self.ok,
            "seconds": round(self.seconds, 6),
            "protocol": self.protocol,
            "url": self.url,
            "steps": {k: round(v, 6) for k, v in self.steps.items()},
            "failed_step": self.failed_step,
            "reason": self.reason,
        }


class _Run:
    """A probe in progress; the thread publishes ``result`` only when it is done."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.step = "configure"
        self.started = time.perf_counter()
        self.result: ProbeResult | None = None
        self.fs: Any = None  # set before the write, for the sweep
        self.path: str | None = None
        self.url: str | None = None
        self.created: list[str] = []
        self.abandoned = threading.Event()  # the command gave up on this probe


def probe_stores(
    names: Sequence[str], open_store: Callable[[str], Any], timeout: float
) -> list[ProbeResult]:
    """Probe every store in ``names`` at once; none takes longer than ``timeout``."""
    runs = [_Run(name) for name in names]
    threads = [
        threading.Thread(
            target=_probe, args=(run, open_store), name=f"check-{run.name}", daemon=True
        )
        for run in runs
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    results = []
    late: list[tuple[_Run, ProbeResult]] = []
    for run, thread in zip(runs, threads, strict=True):
        thread.join(max(0.0, deadline - time.monotonic()))
        result = run.result
        if result is None:  # still running: report it and leave the daemon thread behind
            run.abandoned.set()
            result = ProbeResult(
                run.name,
                seconds=time.perf_counter() - run.started,
                failed_step=run.step,
                reason=f"{run.step} timed out after {timeout:g} s",
                url=run.url,
            )
            if run.step in _WRITING:
                late.append((run, result))
        results.append(result)
    _sweep(late)
    return results


def _sweep(late: list[tuple[_Run, ProbeResult]]) -> None:
    """Remove what timed-out probes may have written, each in a daemon thread, bounded."""
    outcomes: dict[str, bool] = {}

    def remove(run: _Run) -> None:
        _quietly(run.fs.rm_file, run.path)
        with contextlib.suppress(Exception):
            _leave_nothing(run.fs, run.path, run.created)
            outcomes[run.name] = True

    sweepers = [
        threading.Thread(target=remove, args=(run,), name=f"sweep-{run.name}", daemon=True)
        for run, _ in late
    ]
    for sweeper in sweepers:
        sweeper.start()
    deadline = time.monotonic() + SWEEP_SECONDS
    for sweeper in sweepers:
        sweeper.join(max(0.0, deadline - time.monotonic()))
    for run, result in late:
        if outcomes.get(run.name):
            result.reason = f"{result.reason}; the probe object was removed"
        else:
            result.reason = f"{result.reason}; the probe object may be left at {result.url}"


def _probe(run: _Run, open_store: Callable[[str], Any]) -> None:
    result = ProbeResult(run.name)
    payload = f"datajoint-storage check {uuid.uuid4().hex}\n".encode()

    def step(name: str, action: Callable[[], Any]) -> Any:
        run.step = name
        started = time.perf_counter()
        value = action()
        result.steps[name] = time.perf_counter() - started
        return value

    try:
        store = step("configure", lambda: open_store(run.name))
        result.protocol = store.protocol
        fs = step("connect", lambda: store.filesystem)
        relpath = PROBE_PREFIX + uuid.uuid4().hex
        path = store.full_path(relpath)
        result.url = run.url = store.get_url(relpath)
        created = step("inspect", lambda: _missing_parents(fs, path))
        run.fs, run.path, run.created = fs, path, created
        step("write", lambda: fs.pipe_file(path, payload))
        if run.abandoned.is_set():  # the write returned too late: take it back, stop here
            _quietly(fs.rm_file, path)
            _quietly(_leave_nothing, fs, path, created)
            return
        try:
            data = step("read", lambda: fs.cat_file(path))
            step("delete", lambda: fs.rm_file(path))
        except Exception:  # report the first error, but still leave nothing behind
            _quietly(fs.rm_file, path)
            _quietly(_leave_nothing, fs, path, created)
            raise
        step("cleanup", lambda: _leave_nothing(fs, path, created))
        if data != payload:
            run.step = "read"
            raise DataJointError(
                f"read back {len(data)} bytes that differ from the {len(payload)} written"
            )
        result.ok = True
    except Exception as exc:  # any backend error is this store's answer
        result.failed_step = run.step
        result.reason = f"{run.step} failed: {one_line(exc)}"
        result.error = exc
    result.seconds = time.perf_counter() - run.started
    run.result = result


def one_line(error: BaseException) -> str:
    """The error on one line: ours as written, anything else with its type name."""
    text = " ".join(str(error).split())
    if isinstance(error, DataJointError):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _missing_parents(fs: Any, path: str) -> list[str]:
    """Parent directories of ``path`` that do not exist yet, deepest first."""
    missing = []
    parent = posixpath.dirname(path.rstrip("/"))
    while parent not in ("", "/") and not fs.exists(parent):
        missing.append(parent)
        parent = posixpath.dirname(parent)
    return missing


def _leave_nothing(fs: Any, path: str, created: list[str]) -> None:
    """Check the object is gone and remove the (empty) directories its write created.

    Object stores have no directories to remove: an empty prefix does not exist. A
    top-level name (a bucket, a container) is never removed on a remote store.
    """
    if fs.exists(path):
        raise DataJointError("the probe object is still there after its deletion")
    local = bool(getattr(fs, "local_file", False))
    for directory in created:
        if not local and "/" not in directory.strip("/"):
            continue
        if fs.isdir(directory) and not fs.ls(directory, detail=False):
            fs.rmdir(directory)


def _quietly(action: Callable[..., Any], *args: Any) -> None:
    with contextlib.suppress(Exception):  # already failing: the first error is reported
        action(*args)
