"""What plugins may do to a command: hang on import, or print into its stdout.

A plugin is third-party code that runs inside our process. Its import is bounded by
the command's timeout (:func:`load_plugins`), and while a ``--json`` command runs, its
stdout (``print``, and writes to descriptor 1) goes to stderr (:func:`stdout_to_stderr`),
so the one JSON document on stdout is all a script reads there.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator

#: Seconds plugins may take to import, for commands without a ``--timeout`` of their own.
PLUGIN_TIMEOUT_VARIABLE = "DATAJOINT_STORAGE_PLUGIN_TIMEOUT"
DEFAULT_PLUGIN_TIMEOUT = 30.0


def plugin_timeout() -> float:
    """The plugin import bound: ``$DATAJOINT_STORAGE_PLUGIN_TIMEOUT``, else the default."""
    try:
        seconds = float(os.environ.get(PLUGIN_TIMEOUT_VARIABLE, DEFAULT_PLUGIN_TIMEOUT))
    except ValueError:
        return DEFAULT_PLUGIN_TIMEOUT
    return seconds if math.isfinite(seconds) and seconds > 0 else DEFAULT_PLUGIN_TIMEOUT


def load_plugins(timeout: float | None = None) -> None:
    """Import every plugin within ``timeout`` (or :func:`plugin_timeout`) seconds.

    Raises :class:`~datajoint_storage.errors.AdapterLoadError` naming the plugin that
    did not finish; its import runs on in a daemon thread, so the process still exits.
    """
    from ..registry import load_plugins_within

    load_plugins_within(plugin_timeout() if timeout is None else timeout)


@contextlib.contextmanager
def stdout_to_stderr(active: bool) -> Iterator[None]:
    """While active, ``sys.stdout`` and descriptor 1 both write to stderr."""
    if not active:
        yield
        return
    saved = _redirect_descriptor()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        if saved is not None:
            with contextlib.suppress(OSError, ValueError):
                for stream in (sys.__stdout__, sys.stderr):  # what a plugin left buffered
                    if stream is not None:
                        stream.flush()
            with contextlib.suppress(OSError):
                os.dup2(saved, 1)
            os.close(saved)


def _redirect_descriptor() -> int | None:
    """Point descriptor 1 at stderr when ``sys.stdout`` is it; the saved copy, or None."""
    try:
        if sys.stdout.fileno() != 1 or sys.stderr.fileno() != 2:
            return None
        sys.stdout.flush()
        saved = os.dup(1)
    except (AttributeError, ValueError, OSError):  # a test runner's buffer, a closed stream
        return None
    try:
        os.dup2(2, 1)
    except OSError:
        os.close(saved)
        return None
    return saved
