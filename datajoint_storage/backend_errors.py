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
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote

from ._redact import MASK
from .errors import DataJointError, StorageBackendError

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

#: Members of a JSON key document (service-account or OAuth) that are credentials.
_JSON_SECRET_MEMBERS = frozenset(
    {"private_key", "private_key_id", "client_secret", "refresh_token", "access_token", "token"}
)
#: Parts of an Azure-style connection string that are credentials.
_CONNECTION_STRING_SECRETS = frozenset(
    {"accountkey", "sharedaccesssignature", "sharedaccesskey", "password"}
)
#: A secret's inner part shorter than this is not masked on its own (it would mask noise).
_MIN_PART = 8
#: How much of a path argument an error message quotes.
_QUOTE = 200
#: File methods that talk to the backend (buffered writes upload on flush and close).
_FILE_METHODS = ("read", "readinto", "readline", "readlines", "write", "flush", "close", "commit")

_calls = threading.local()


def secret_forms(values: Iterable[str]) -> tuple[str, ...]:
    """Every spelling of every secret in ``values`` that a library may print, longest first.

    Besides the value itself: its URL-encoded forms (secrets travel in query strings),
    its JSON- and repr-escaped forms (multi-line keys appear with ``\\n``), and the
    credential parts of structured secrets (a service-account document's private key
    and each line of it, a connection string's ``AccountKey``).
    """
    forms: set[str] = set()
    for value in values:
        if isinstance(value, str) and value:
            _add_forms(value, forms)
            for part in _inner_secrets(value):
                if len(part) >= _MIN_PART:
                    _add_forms(part, forms)
    return tuple(sorted(forms, key=len, reverse=True))


def _add_forms(value: str, forms: set[str]) -> None:
    spellings = (
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
    )
    forms.update(form for form in spellings if form)


def _inner_secrets(value: str) -> list[str]:
    parts: list[str] = []
    text = value.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            for key, member in document.items():
                if key in _JSON_SECRET_MEMBERS and isinstance(member, str):
                    parts.append(member)
                    # A PEM key: each base64 line on its own, for libraries that quote one.
                    parts.extend(line for line in member.splitlines() if "-----" not in line)
    elif "=" in text:
        for item in text.split(";"):
            key, _, part = item.partition("=")
            if key.strip().lower() in _CONNECTION_STRING_SECRETS and part:
                parts.append(part)
                # A SAS token's signature on its own: a client may reorder the parameters.
                for name, _, signature in (p.partition("=") for p in part.split("&")):
                    if name == "sig":
                        parts += [signature, unquote(signature)]
    return parts


class BackendGuard:
    """Turns a library's exception into an error that names the store and hides its secrets."""

    __slots__ = ("_forms", "protocol", "store")

    def __init__(self, store: str, protocol: str, secrets: Iterable[str]) -> None:
        self.store = store
        self.protocol = protocol
        self._forms = secret_forms(secrets)

    def scrub(self, text: str) -> str:
        """``text`` with every form of every secret masked."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def carries_secret(self, error: BaseException) -> bool:
        """Whether a secret shows in ``error`` or anything chained to it (text, args, URLs)."""
        if not self._forms:
            return False
        try:
            for link in _chain(error):
                text = "\n".join(_texts(link))
                if any(form in text for form in self._forms):
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
        detail = self.scrub(" ".join(_str(exc).split()))
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
            args: tuple[Any, ...] = (exc.errno, self.scrub(str(exc.strerror)))
            if exc.filename is not None:
                args += (self.scrub(str(exc.filename)),)
        else:
            args = (self.scrub(_str(exc)),)
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
        return f"{name}({self.scrub(repr(subject))}) failed"


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
