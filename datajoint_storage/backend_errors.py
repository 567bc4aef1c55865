"""Backend failures as errors that name the store and never carry one of its secrets.

Cloud client libraries put their inputs into exception text: a raw access token in a
token-info URL, a connection string in a parse error, a key in a request URL. Their
errors reach the user from ``create_filesystem`` and from every filesystem call, so
:class:`BackendGuard` turns each one into a :class:`StorageBackendError` that names
the store, with every form of every secret of the store masked, and chains the
original only when no secret can be found anywhere in it.

:func:`guard_filesystem` puts the guard around the public methods of one filesystem
instance (and of the files its ``open`` returns), so the object keeps its own class:
``isinstance`` and ``type`` see what the adapter built. Only the outermost guarded call
of a thread translates, so a filesystem calling its own public methods still sees the
exceptions it expects. Errors that answer a question (``FileNotFoundError`` and its
kin, see :data:`PASS_THROUGH`) keep their type, since callers catch them by type; they
are rebuilt with the secrets masked only if they carry one.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable
from typing import Any

from .errors import DataJointError, StorageBackendError
from .redaction import Scrubber, secret_forms

__all__ = ["PASS_THROUGH", "BackendGuard", "guard_filesystem", "secret_forms"]

#: Errors that answer a question about an object, or steer the caller (end of
#: iteration, an operation this filesystem lacks); they keep their type.
PASS_THROUGH: tuple[type[BaseException], ...] = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    NotImplementedError,
    StopIteration,
    StopAsyncIteration,
)

#: How much of a path argument an error message quotes.
_QUOTE = 200
#: File methods that talk to the backend (buffered writes upload on flush and close).
_FILE_METHODS = ("read", "readinto", "readline", "readlines", "write", "flush", "close", "commit")
_WITHHELD = "(message withheld: the store holds a secret too short to mask in free text)"

_calls = threading.local()


class BackendGuard:
    """Turns a library's exception into an error that names the store and hides its secrets."""

    __slots__ = ("_scrubber", "protocol", "store")

    def __init__(self, store: str, protocol: str, secrets: Iterable[str]) -> None:
        self.store = store
        self.protocol = protocol
        self._scrubber = Scrubber(secrets)

    def scrub(self, text: str) -> str:
        """``text`` with every form of every secret masked (never the mask in a word)."""
        return self._scrubber.scrub(text)

    def free_text(self, text: str) -> str:
        """``text`` masked, or a placeholder if a secret is too short to mask safely."""
        shown = self._scrubber.free_text(text)
        return _WITHHELD if shown is None else shown

    def carries_secret(self, error: BaseException) -> bool:
        """Whether a secret shows in ``error`` or anything chained to it (text, args, URLs)."""
        if not self._scrubber:
            return False
        if self._scrubber.unsafe:  # a short secret cannot be looked for: assume it is there
            return True
        try:
            for link in _chain(error):
                text = "\n".join(_texts(link))
                if self._scrubber.found_in(text):
                    return True
        except Exception:  # an error that cannot even be read: assume the worst
            return True
        return False

    def error(self, exc: BaseException, what: str) -> BaseException:
        """The error to raise for ``exc``; raise it outside the ``except`` block.

        Raised outside the handler, it has no implicit ``__context__``; the original
        is attached as ``__cause__`` only when it carries no secret.
        """
        if isinstance(exc, DataJointError):
            return exc
        leaks = self.carries_secret(exc)
        if isinstance(exc, PASS_THROUGH):
            if not leaks:
                return exc
            clean = self._masked_copy(exc)
            clean.__suppress_context__ = True
            return clean
        # Mask first, then collapse whitespace: a secret with inner blanks stays whole.
        detail = " ".join(self.free_text(_str(exc)).split())
        reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        translated = StorageBackendError(
            f"Store {self.store!r} ({self.protocol}): {what}: {reason}", store=self.store
        )
        translated.__cause__ = None if leaks else exc
        translated.__suppress_context__ = True
        return translated

    def _masked_copy(self, exc: BaseException) -> BaseException:
        """An error of the type of ``exc`` (or its built-in base), text masked, nothing chained."""
        if isinstance(exc, OSError) and exc.errno is not None:
            args: tuple[Any, ...] = (exc.errno, self.free_text(str(exc.strerror)))
            if exc.filename is not None:
                args += (self.free_text(str(exc.filename)),)
        else:
            args = (self.free_text(_str(exc)),)
        builtin = next(kind for kind in PASS_THROUGH if isinstance(exc, kind))
        try:
            return type(exc)(*args)
        except Exception:  # a subclass with another signature: its built-in base will do
            return builtin(*args)

    def call(
        self,
        method: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        name: str,
        subject: str | None = None,
    ) -> Any:
        """``method(*args, **kwargs)``; a failure of the outermost guarded call is translated.

        ``name`` and ``subject`` (the path; by default a string first argument) say in
        the message what failed.
        """
        if getattr(_calls, "depth", 0):  # a guarded method calling another: the outer translates
            return method(*args, **kwargs)
        _calls.depth = 1
        try:
            return method(*args, **kwargs)
        except Exception as exc:  # any library error: name the store, never a secret
            if subject is None and args and isinstance(args[0], str):
                subject = args[0]
            failure = self.error(exc, self._describe(name, subject))
        finally:
            _calls.depth = 0
        raise failure

    def _describe(self, name: str, subject: str | None) -> str:
        if subject is None:
            return f"{name} failed"
        if len(subject) > _QUOTE:
            subject = subject[:_QUOTE] + "..."
        shown = self._scrubber.free_text(repr(subject))
        return f"{name} failed" if shown is None else f"{name}({shown}) failed"


def guard_filesystem(fs: Any, guard: BackendGuard) -> Any:
    """Put ``guard`` around every public method of ``fs`` (this instance only); return ``fs``.

    Files returned by ``fs.open`` get their I/O methods guarded as well. A filesystem
    that several stores share (fsspec's instance cache) names the store guarded last.
    An object without instance attributes is returned as it is.
    """
    attributes = getattr(fs, "__dict__", None)
    if not isinstance(attributes, dict):
        return fs
    holder = attributes.get("_datajoint_guard")
    if isinstance(holder, list):  # already guarded: only the store it names changes
        holder[0] = guard
        return fs
    holder = [guard]
    for name in _public_methods(fs):
        method = getattr(fs, name)
        attributes[name] = (
            _open_wrapper(method, holder) if name == "open" else _wrapper(method, name, holder)
        )
    attributes["_datajoint_guard"] = holder
    return fs


def _public_methods(obj: Any) -> list[str]:
    """Public routines of ``obj``, found without running any property."""
    names = []
    for name in dir(type(obj)):
        if not name.startswith("_"):
            static = inspect.getattr_static(obj, name, None)
            if isinstance(static, (staticmethod, classmethod)) or inspect.isroutine(static):
                names.append(name)
    return names


def _wrapper(
    method: Callable[..., Any], name: str, holder: list[BackendGuard], subject: str | None = None
) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        return holder[0].call(method, args, kwargs, name, subject)

    guarded.__name__ = name
    guarded.__doc__ = getattr(method, "__doc__", None)
    guarded.__wrapped__ = method  # type: ignore[attr-defined]
    return guarded


def _open_wrapper(method: Callable[..., Any], holder: list[BackendGuard]) -> Callable[..., Any]:
    def open_guarded(*args: Any, **kwargs: Any) -> Any:
        file = holder[0].call(method, args, kwargs, "open")
        attributes = getattr(file, "__dict__", None)
        if isinstance(attributes, dict):
            # The path names the object in messages; file arguments are data, never quoted.
            path = str(args[0] if args else kwargs.get("path", ""))
            for name in _FILE_METHODS:
                inner = getattr(file, name, None)
                if inner is not None and inspect.isroutine(inner):
                    attributes[name] = _wrapper(inner, name, holder, subject=path)
        return file

    open_guarded.__name__ = "open"
    open_guarded.__doc__ = getattr(method, "__doc__", None)
    open_guarded.__wrapped__ = method  # type: ignore[attr-defined]
    return open_guarded


def _str(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # a broken __str__ must not hide the failure it describes
        return ""


def _chain(error: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        link = pending.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        pending.extend((link.__cause__, link.__context__))
        pending.extend(e for e in getattr(link, "exceptions", ()) if isinstance(e, BaseException))


def _texts(error: BaseException) -> Iterable[str]:
    yield str(error)
    yield repr(error)
    yield repr(error.args)
    yield from (str(note) for note in getattr(error, "__notes__", ()))
    # Errors keep their inputs in attributes (JSONDecodeError.doc, a request's URL...).
    for value in getattr(error, "__dict__", {}).values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, bytes):
            yield value.decode("utf-8", "replace")
    # HTTP client errors keep the request and the response (the URL, query string included).
    response = getattr(error, "response", None)
    holders = (
        error,
        getattr(error, "request", None),
        getattr(error, "request_info", None),
        response,
        getattr(response, "request", None),
    )
    for holder in holders:
        for attr in ("url", "real_url"):
            value = getattr(holder, attr, None)
            if value is not None:
                yield str(value)
