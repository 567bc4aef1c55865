"""Every error the library raises, in one place.

The tree::

    DataJointError                      base of everything raised here
     ├── ConfigSourceError              a source could not be read (DJ_STORES, datajoint.json);
     │                                  also a ValueError, as DataJoint's is
     ├── ConfigFileNotFoundError        ``config.load(path)`` of a missing file; a FileNotFoundError
     ├── SettingKeyError                a ``config[key]`` that is not set; also a KeyError
     │    └── NotAStoreSettingError     a DataJoint setting outside ``stores`` (``database.host``)
     ├── StoreConfigError               one problem with one store (has store, key, source)
     │    ├── UnknownProtocolError      "Unknown protocol: <name>"
     │    ├── MissingKeysError          "<protocol> store is missing: <fields>"
     │    ├── InvalidKeysError          "Invalid key(s) for <protocol>: <fields>"
     │    ├── InvalidValueError         a key holds a value of the wrong type or shape
     │    └── StoreNotFoundError        a store name that is not configured
     ├── ValidationReport               every problem of every store, at once (``problems``)
     ├── AdapterLoadError               "Failed to load storage adapter '<name>'"
     ├── MissingDependencyError         an optional SDK is not installed (with the pip hint)
     └── StorageBackendError            the backend refused or did not answer

Warnings are results, not exceptions raised::

    ConfigWarning                       accepted, but DataJoint 2.3.5 will do something else
                                        (has store, key, source; ``config.warnings()``)

``AdapterLoadWarning`` is the warning category for a plugin that failed to load;
``ConfigFileWarning`` the one for "No datajoint.json found".

Messages start with the spec's words and are built from key names, store names and
sources only. A secret's value is never formatted into a message.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AdapterLoadError",
    "AdapterLoadWarning",
    "ConfigFileNotFoundError",
    "ConfigFileWarning",
    "ConfigSourceError",
    "ConfigWarning",
    "DataJointError",
    "InvalidKeysError",
    "InvalidValueError",
    "MissingDependencyError",
    "MissingKeysError",
    "NotAStoreSettingError",
    "SettingKeyError",
    "StorageBackendError",
    "StoreConfigError",
    "StoreNotFoundError",
    "UnknownProtocolError",
    "ValidationReport",
]


class DataJointError(Exception):
    """Base class of every error this library raises.

    Survives ``pickle`` with its attributes (multiprocessing re-raises errors in the
    parent): keyword-only constructors cannot be replayed from ``args``, so the error
    is rebuilt from its message and its ``__dict__`` (which never holds a secret).
    """

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(cls: type[DataJointError], args: tuple[object, ...], state: dict) -> DataJointError:  # type: ignore[type-arg]
    error = cls.__new__(cls, *args)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigSourceError(DataJointError, ValueError):
    """A configuration source (DJ_STORES, datajoint.json, ...) is unreadable as a whole.

    A ``ValueError`` too: DataJoint raises ``ValueError`` for a malformed ``DJ_STORES``
    and ``json.JSONDecodeError`` for a malformed file, and callers catch those.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class ConfigFileNotFoundError(DataJointError, FileNotFoundError):
    """``config.load(path)`` names a file that does not exist (DataJoint raises
    ``FileNotFoundError`` there)."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source

    def __str__(self) -> str:  # OSError's own str() would want errno and filename
        return str(self.args[0])


class SettingKeyError(DataJointError, KeyError):
    """``config[key]`` names nothing that is set; a ``KeyError``, so ``get`` and
    ``except KeyError`` work as with DataJoint's config."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key

    def __str__(self) -> str:  # KeyError's str() is the repr of its argument
        return str(self.args[0])


class NotAStoreSettingError(SettingKeyError, AttributeError):
    """A DataJoint setting outside ``stores`` (``database.host``, ``safemode``...):
    this package configures stores only. An ``AttributeError`` too, for
    ``config.safemode`` and ``hasattr``."""


class StoreConfigError(DataJointError):
    """One problem with one store; ``store``, ``key`` and ``source`` say where."""

    def __init__(
        self,
        message: str,
        *,
        store: str | None = None,
        key: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.store = store
        self.key = key
        self.source = source


class UnknownProtocolError(StoreConfigError):
    """No adapter is registered for the store's protocol."""


class MissingKeysError(StoreConfigError):
    """A required key is absent from the store spec."""


class InvalidKeysError(StoreConfigError):
    """The spec holds a key that is neither common nor allowed by the adapter."""


class InvalidValueError(StoreConfigError):
    """A key holds a value of the wrong type or shape, or keys conflict."""


class StoreNotFoundError(StoreConfigError):
    """The asked-for store (or the default store) is not configured."""


class ValidationReport(DataJointError):
    """Every problem found in every store, raised once by ``config.validate()``."""

    def __init__(self, problems: Sequence[StoreConfigError]) -> None:
        self.problems: tuple[StoreConfigError, ...] = tuple(problems)
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the store configuration:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class ConfigWarning(UserWarning):
    """A configuration we accept but DataJoint 2.3.5 refuses, misreads or ignores.

    Returned by ``config.warnings()`` (never raised by it), with ``store``, ``key`` and
    ``source`` as problems have, and ``rule``: the name of the rule in
    ``datajoint_rules.py`` that found it. ``store`` is ``None`` for the configuration as
    a whole. A subclass of ``UserWarning``, so callers may also ``warnings.warn`` it.
    """

    def __init__(
        self,
        message: str,
        *,
        store: str | None = None,
        key: str | None = None,
        source: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.store = store
        self.key = key
        self.source = source
        self.rule = rule

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ConfigWarning({self.message!r}, store={self.store!r}, key={self.key!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConfigWarning):
            return NotImplemented
        return (self.message, self.store, self.key, self.source, self.rule) == (
            other.message,
            other.store,
            other.key,
            other.source,
            other.rule,
        )

    def __hash__(self) -> int:
        return hash((self.message, self.store, self.key, self.source, self.rule))


class AdapterLoadError(DataJointError):
    """A plugin adapter raised on import or instantiation, or broke the contract."""

    def __init__(self, message: str, *, name: str, distribution: str | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.distribution = distribution


class AdapterLoadWarning(UserWarning):
    """Warned when a plugin adapter cannot be loaded; the other adapters keep working."""


class ConfigFileWarning(UserWarning):
    """Warned, in DataJoint's words, when no ``datajoint.json`` is found."""


class MissingDependencyError(DataJointError, ImportError):
    """An optional dependency of a built-in adapter is not installed."""


class StorageBackendError(DataJointError, OSError):
    """The storage backend failed; the message names the store, never a secret."""

    def __init__(self, message: str, *, store: str | None = None) -> None:
        super().__init__(message)
        self.store = store
