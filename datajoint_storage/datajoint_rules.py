"""Every place DataJoint 2.3.5 reads a configuration differently from our typed models.

One rule per behaviour, each docstring naming what DataJoint 2.3.5 does (measured
against the installed package: ``datajoint/settings.py``, ``datajoint/storage.py``).
Three kinds:

- **follow**: we do what DataJoint does (how sources are read); the sources call these;
- **refuse**: DataJoint accepts but fails or misreads later; our answer is a problem;
- **warn**: we accept what DataJoint refuses, misreads or ignores; our answer is a
  :class:`~.errors.ConfigWarning` saying what DataJoint will do and how to write it
  portably.

``WARNING_RULES`` and ``REFUSAL_RULES`` are the table the README's compatibility
section lists; the next DataJoint release is this one file to revisit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

from annotated_types import Ge, Le
from pydantic import Json

from .errors import (
    ConfigSourceError,
    ConfigWarning,
    InvalidValueError,
    StoreConfigError,
    StoreNotFoundError,
)
from .secret_rules import short_secrets
from .spec import SECRET_KEYS

if TYPE_CHECKING:
    from .settings.merge import RawEntry


# -- follow: how the sources are read ---------------------------------------------------

IGNORE_CONFIG_FILE = "DJ_IGNORE_CONFIG_FILE"


def ignore_config_file(environ: Mapping[str, str]) -> bool:
    """``DJ_IGNORE_CONFIG_FILE``, read exactly as DataJoint 2.3.5 reads it.

    DataJoint: a pydantic-settings ``bool`` field with ``case_sensitive=False``, so the
    variable's name may be in any case (when several spellings are set, the last one in
    the environment wins) and the value is one of pydantic's boolean words (``1/0``,
    ``true/false``, ``t/f``, ``yes/no``, ``y/n``, ``on/off``, any case, no surrounding
    spaces); any other value, the empty string included, makes ``import datajoint`` fail.
    Ours: the same words; anything else is a ``ConfigSourceError`` naming the variable.
    """
    value = None
    for name, text in environ.items():
        if name.upper() == IGNORE_CONFIG_FILE:
            value, spelling = text, name
    if value is None:
        return False
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(bool).validate_python(value)
    except ValidationError:
        if spelling in getattr(environ, "from_dotenv", ()):  # DataJoint never reads .env
            where, then = f"{spelling} (from .env)", "DataJoint 2.3.5 does not read .env"
        else:
            where, then = spelling, "DataJoint 2.3.5 fails to import with this value"
        raise ConfigSourceError(
            f"{where} must be a boolean (true/false, 1/0, yes/no, on/off, t/f, y/n); {then}",
            source=where,
        ) from None


def dj_stores_is_unset(text: str | None) -> bool:
    """``DJ_STORES`` counts as unset only when absent or exactly empty.

    DataJoint 2.3.5 skips ``DJ_STORES`` when ``not os.environ.get("DJ_STORES")``; a blank
    value (spaces, a newline) goes to ``json.loads`` and its config fails to build.
    """
    return not text


def secret_fills(name: str, store: Any, attr: str, *, label: str) -> bool:
    """Whether a secret file ``stores.<store>.<attr>`` sets ``attr`` on this store.

    DataJoint 2.3.5 sets the value only when ``attr not in stores[<store>]``: a key that
    is present, even as ``""`` or ``null``, is kept; an empty file sets ``""``. For an
    entry that is not an object (``"default": "main"``) the same ``in`` test runs on the
    string or list, and when the key is "not in" it, the assignment fails and DataJoint's
    config cannot be built; we raise a ``ConfigSourceError`` naming the file instead.
    """
    if isinstance(store, dict):
        return attr not in store
    try:
        absent = attr not in store
    except TypeError:
        absent = True
    if absent:
        raise ConfigSourceError(
            f"Secret file {label} sets {attr!r} of stores.{name}, which is not an object "
            "(it names a store, or is malformed); DataJoint 2.3.5 cannot build its "
            "configuration with it: remove the file or make the entry a store",
            source=label,
        )
    return False


def secret_file_text(raw: str) -> str:
    """A secret file's value as DataJoint 2.3.5 reads it: ``read_text().strip()``.

    ``read_text`` translates CRLF and CR line ends to LF (universal newlines).
    """
    return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def skipped_file_warning(path: Path, why: str) -> ConfigWarning:
    """A file named like a store secret that we did not read (too large, not UTF-8, a
    link out of the directory, unreadable).

    DataJoint 2.3.5 reads every regular file (links followed) named ``stores.<n>.<a>``
    with ``read_text()``: a large file or an outside link is read, a file that is not
    text makes its config fail to build. Either way it sees a different store than we
    do; we say so, naming the file, never its content.
    """
    parts = path.name.split(".")
    # A file DataJoint cannot decode or open fails its whole config, not just one store;
    # so may one with an empty name part (it is read into whatever the entry is).
    whole = "UTF-8" in why or "cannot be read" in why or "" in parts[1:]
    return ConfigWarning(
        f"Secret file {path} skipped: {why}; DataJoint 2.3.5 would "
        + ("fail to build its configuration on it" if whole else "read it"),
        store=None if whole or len(parts) != 3 else parts[1],
        key=parts[2] if len(parts) == 3 else None,
        source=str(path),
        rule="secret-file-skipped",
    )


def file_turns_off_secrets(document: Mapping[str, Any] | None, environ: Mapping[str, str]) -> bool:
    """``"ignore_config_file": true`` in ``datajoint.json`` itself.

    DataJoint 2.3.5 applies it while loading the file (its own setting, documented as
    "skip loading datajoint.json and the secrets directory"), then skips ``.secrets/``
    and ``/run/secrets/datajoint/``; the file itself was already read. We do the same.
    """
    if not document or "ignore_config_file" not in document:
        return False
    return read_like_datajoint(document, environ).ignores_secrets


# -- refuse: where DataJoint 2.3.5 accepts and fails or misreads later -----------------

#: Keys DataJoint 2.3.5's ``StorageBackend`` requires to be truthy, per protocol.
_TRUTHY_REQUIRED = {"s3": ("endpoint", "bucket")}


def blank_required_keys(protocol: str, raw: Mapping[str, Any]) -> tuple[str, ...]:
    """Required keys given as ``""``, which count as missing.

    DataJoint 2.3.5's ``get_store_spec`` only checks that s3 ``endpoint`` and ``bucket``
    are present, but ``StorageBackend`` refuses them when empty (``Missing S3
    configuration``); we say "s3 store is missing" at once.
    """
    return tuple(k for k in _TRUTHY_REQUIRED.get(protocol, ()) if raw.get(k) == "")


def truthy_required_keys(protocol: str) -> tuple[str, ...]:
    """The keys :func:`blank_required_keys` looks at for ``protocol`` (often none)."""
    return _TRUTHY_REQUIRED.get(protocol, ())


def inaccessible_location(resolved: Any, cwd: Path | None = None) -> StoreConfigError | None:
    """A ``file`` store whose ``location`` is not an existing directory.

    DataJoint 2.3.5: ``get_store_spec`` returns the spec, then ``StorageBackend`` refuses
    it (``Inaccessible local directory <location>``) before any use; a relative location
    is taken from the working directory, and an empty one is not checked. Ours: the same
    check in ``validate()`` and before a filesystem is made (so ``check`` never creates
    the directory); ``get_store_spec`` still returns the spec. Checked each time: the
    directory may appear later.
    """
    if resolved.adapter.protocol != "file":
        return None
    location = resolved.peek().get("location")
    if not DirectoryCheck(cwd).missing(location):
        return None
    source = resolved.origins.get("location")
    shown = location if len(location) <= 200 else location[:200] + "..."
    return InvalidValueError(
        f"Inaccessible local directory {shown} (store {resolved.name!r}, from {source}): "
        "create it, or point location at an existing directory",
        store=resolved.name,
        key="location",
        source=source,
    )


class DirectoryCheck:
    """Whether a ``file`` store's location is missing, each distinct location checked
    once, and the locations of a directory holding many read with one listing of it
    (``validate()`` of 25,000 stores under ``/data/lab/`` lists it, not 25,000 stats).

    Only a directory's presence in the listing is trusted; anything not found there
    (a name in another case on a case-insensitive disk, one created meanwhile) is asked
    of the filesystem itself.
    """

    def __init__(self, cwd: Path | None) -> None:
        self._cwd = None if cwd is None else os.fspath(cwd)
        self._seen: dict[str, bool] = {}
        self._asked: dict[str, int] = {}  # parent directory -> locations asked under it
        self._listings: dict[str, dict[str, os.DirEntry[str]] | None] = {}

    def missing(self, location: Any) -> bool:
        """True when ``location`` is set and is not an existing directory."""
        if not location or location.__class__ is not str:
            return False
        missing = self._seen.get(location)
        if missing is None:
            path = location
            if self._cwd is not None and not os.path.isabs(path):
                path = os.path.join(self._cwd, path)
            missing = self._seen[location] = not (self._listed(path) or _is_dir(path))
        return missing

    def _listed(self, path: str) -> bool:
        """Whether the listing of ``path``'s parent shows it as a directory."""
        parent, _, name = path.rpartition(os.sep)
        if name in ("", ".", "..") or not parent or (os.altsep and os.altsep in name):
            return False
        listing = self._listings.get(parent)
        if listing is None:
            if parent in self._listings:
                return False  # the parent could not be listed
            asked = self._asked[parent] = self._asked.get(parent, 0) + 1
            if asked < _LIST_AFTER:
                return False
            listing = self._listings[parent] = _listing(parent)
            if listing is None:
                return False
        entry = listing.get(name)
        try:
            return entry is not None and entry.is_dir()  # a link: followed, as isdir does
        except OSError:
            return False


#: Locations under one directory from which :class:`DirectoryCheck` lists it.
_LIST_AFTER = 8


def _listing(directory: str) -> dict[str, os.DirEntry[str]] | None:
    try:
        with os.scandir(directory) as entries:
            return {entry.name: entry for entry in entries}
    except (OSError, ValueError):
        return None


def _is_dir(path: str) -> bool:
    """``os.path.isdir``, without its wrapper."""
    try:
        return S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):  # missing, too long, NUL inside: not a directory
        return False


@dataclass(frozen=True)
class Sources:
    """What the rules look at: the merged stores and what each source held."""

    merged: Mapping[str, RawEntry]
    config_file: Path | None = None
    document: Mapping[str, Any] | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[ConfigWarning, ...] = ()
    #: ``config["stores"] = {...}`` was assigned: no file or env block is in force.
    sealed_block: bool = False


Rule = Callable[[Sources], Iterator[ConfigWarning]]


def _adapter_of(value: Any) -> Any:
    from .registry import get_storage_adapter

    protocol = value.get("protocol") if isinstance(value, dict) else None
    return get_storage_adapter(protocol.lower()) if isinstance(protocol, str) else None


def secret_in_config_file(sources: Sources) -> Iterator[ConfigWarning]:
    """A credential written in ``datajoint.json``, a file people commit.

    DataJoint 2.3.5 reads it like any key (and its ``save_template`` tells users not to
    put credentials there); we read it too and say where it belongs. Never the value.
    """
    label = str(sources.config_file) if sources.config_file else None
    if label is None:
        return
    for name, entry in sources.merged.items():
        if not isinstance(entry.value, dict):
            continue
        extra = getattr(_adapter_of(entry.value), "secret_keys", ()) or ()
        secret = SECRET_KEYS.union(extra)
        for key, value in entry.value.items():
            if key in secret and value not in (None, "") and entry.origin(key) == label:
                yield ConfigWarning(
                    f"{key} of store {name!r} is written in {label}, a file meant to be "
                    f"committed: move it to .secrets/stores.{name}.{key} (or DJ_STORES)",
                    store=name,
                    key=key,
                    source=label,
                    rule="secret-in-config-file",
                )


# -- how DataJoint 2.3.5 reads datajoint.json ------------------------------------------

#: DataJoint 2.3.5's own settings and their types, as its pydantic models declare them
#: (``datajoint/settings.py``); a file value its model refuses stops the file's loading.
_DJ_TOP: dict[str, Any] = {
    "loglevel": Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
    "safemode": bool,
    "ignore_config_file": bool,
    "query_cache": Optional[str],  # noqa: UP045  (a value, not an annotation)
    "download_path": str,
    "stores": dict,
}
_DJ_GROUPS: dict[str, dict[str, Any]] = {
    "database": {
        "host": str,
        "user": Optional[str],  # noqa: UP045
        "password": Optional[str],  # noqa: UP045
        "backend": Literal["mysql", "postgresql"],
        "port": Optional[int],  # noqa: UP045
        "name": Optional[str],  # noqa: UP045
        "reconnect": bool,
        "use_tls": Optional[bool],  # noqa: UP045
        "database_prefix": str,
        "create_tables": bool,
    },
    "connection": {"charset": str},
    "display": {
        "limit": int,
        "width": int,
        "show_tuple_count": bool,
        "diagram_direction": Literal["TB", "LR"],
        "diagram_theme": Literal["light", "dark", "auto"],
    },
    "jobs": {
        "auto_refresh": bool,
        "keep_completed": bool,
        "stale_timeout": Annotated[int, Ge(0)],
        "default_priority": Annotated[int, Ge(0), Le(255)],
        "version_method": Optional[Literal["git", "none"]],  # noqa: UP045
        "allow_new_pk_fields_in_computed_tables": bool,
        "add_job_metadata": bool,
    },
    "provenance": {"capture": bool, "source": dict},
}
#: Settings a set environment variable protects from the file (DataJoint skips them).
_DJ_ENV_OVERRIDES = {
    "database.host": "DJ_HOST",
    "database.user": "DJ_USER",
    "database.password": "DJ_PASS",
    "database.backend": "DJ_BACKEND",
    "database.port": "DJ_PORT",
    "database.name": "DJ_DATABASE_NAME",
    "database.database_prefix": "DJ_DATABASE_PREFIX",
    "database.create_tables": "DJ_CREATE_TABLES",
    "loglevel": "DJ_LOG_LEVEL",
    "display.diagram_direction": "DJ_DIAGRAM_DIRECTION",
    "display.diagram_theme": "DJ_DIAGRAM_THEME",
}
#: Methods of DataJoint's ``Config`` beyond pydantic-settings' own attributes.
_DJ_CONFIG_METHODS = frozenset(
    {"convert_path", "get", "get_store_spec", "load", "override", "save_template"}
    | {"set_logger_level"}
)
#: The value each plain top-level setting holds while the file loads.
_SAMPLES: dict[str, Any] = {
    "loglevel": "INFO",
    "safemode": True,
    "ignore_config_file": False,
    "query_cache": None,
    "download_path": ".",
}
_adapters: dict[Any, Any] = {}


def _dj_accepts(kind: Any, value: Any) -> bool:
    """Whether DataJoint's (lax) pydantic field of this type takes ``value``."""
    from pydantic import TypeAdapter, ValidationError

    adapter = _adapters.get(kind)
    if adapter is None:
        adapter = _adapters[kind] = TypeAdapter(kind)
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _dj_config_attr(name: str) -> bool:
    """``hasattr(datajoint.config, name)`` for a name that is not a field."""
    return name in _DJ_CONFIG_METHODS or _settings_attr(name)


#: What ``BaseSettings`` (pydantic-settings 2.x, DataJoint's base) has beyond
#: ``BaseModel``: known without importing pydantic-settings (a test checks the pin).
_SETTINGS_ONLY = frozenset(
    {"__class_vars__", "__private_attributes__", "__pydantic_computed_fields__"}
    | {"__pydantic_custom_init__", "__pydantic_extra_info__", "__pydantic_fields__"}
    | {"__pydantic_generic_metadata__", "__pydantic_post_init__", "__signature__"}
    | {"__pydantic_setattr_handlers__", "__weakref__", "_settings_build_values"}
    | {"_settings_init_sources", "_settings_log_debug", "_settings_warn_unused_config_keys"}
    | {"_settings_restore_init_kwarg_names", "settings_cached", "settings_clear_cache"}
    | {"settings_customise_sources"}
)


def _settings_attr(name: str) -> bool:
    """``hasattr(BaseSettings, name)``: a key of the file that names one of its attributes."""
    from pydantic import BaseModel

    return name in _SETTINGS_ONLY or hasattr(BaseModel, name)


def _assign_stops(group: str | None, attr: str, value: Any, environ: Mapping[str, str]) -> str:
    """Why DataJoint's ``setattr`` of ``group.attr`` (or top-level ``attr``) raises, or
    ``""`` when it is applied, skipped (an environment variable wins) or ignored."""
    dotted = f"{group}.{attr}" if group else attr
    protected = _DJ_ENV_OVERRIDES.get(dotted)
    if protected and environ.get(protected):
        return ""
    if group is None:
        if attr in _DJ_GROUPS:
            return f"its setting {attr!r} must be an object"
        if attr in _DJ_TOP:
            ok = _dj_accepts(_DJ_TOP[attr], value)
            return "" if ok else f"its settings refuse the value of {attr!r}"
        return f"{attr!r} names a method of its Config" if _dj_config_attr(attr) else ""
    fields = _DJ_GROUPS.get(group)
    if fields is None:  # "loglevel.upper": an attribute of a plain value cannot be set
        found = group in _SAMPLES and hasattr(_SAMPLES[group], attr)
        return f"{dotted!r} is not a setting" if found else ""
    if attr in fields:
        ok = _dj_accepts(fields[attr], value)
        return "" if ok else f"its settings refuse the value of {dotted!r}"
    return f"{dotted!r} names a method of its settings" if _settings_attr(attr) else ""


@dataclass
class DataJointFileReading:
    """What DataJoint 2.3.5 makes of one ``datajoint.json``'s stores."""

    stores: dict[str, Any]
    #: The key at which the load stopped (everything after it is lost), and why.
    stopped_at: str | None = None
    why: str = ""
    #: ``"ignore_config_file": true`` in the file: DataJoint then skips ``.secrets/``.
    ignores_secrets: bool = False
    #: Store name -> what DataJoint did with its keys that we read otherwise.
    notes: dict[str | None, list[tuple[str, str]]] = field(default_factory=dict)


def read_like_datajoint(
    document: Mapping[str, Any], environ: Mapping[str, str]
) -> DataJointFileReading:
    """The file's stores block as DataJoint 2.3.5 reads it.

    DataJoint (``Config._update_from_flat_dict``) applies the keys in file order: the
    nested ``"stores"`` object replaces each store it names whole; ``"stores.<n>.<a>"``
    sets one key (a 2-part ``"stores.<n>"`` and keys of 4 or more parts are ignored);
    other keys are its own settings, assigned with validation. The first assignment
    that raises ends the load (a warning, ``Failed to load config``): later keys,
    stores included, are lost. Keys it does not know are ignored.
    """
    reading = DataJointFileReading(stores={})
    stores = reading.stores

    def note(name: str | None, key: str, why: str) -> None:
        reading.notes.setdefault(name, []).append((key, why))

    for key, value in document.items():
        why = ""
        parts = key.split(".")
        if key == "stores" and isinstance(value, dict):
            for name, store in value.items():
                stores[name] = dict(store) if isinstance(store, dict) else store
        elif isinstance(value, dict) and len(parts) == 1 and key in _DJ_GROUPS:
            for attr, item in value.items():
                why = why or _assign_stops(key, attr, item, environ)
        elif isinstance(value, dict) and len(parts) == 1 and key in _SAMPLES:
            found = [a for a in value if hasattr(_SAMPLES[key], a)]
            why = f"'{key}.{found[0]}' is not a setting" if found else ""
        elif len(parts) == 1:
            why = _assign_stops(None, key, value, environ)
            if not why and key == "ignore_config_file":
                from pydantic import TypeAdapter

                reading.ignores_secrets = TypeAdapter(bool).validate_python(value)
        elif len(parts) == 2 and parts[0] == "stores":
            if hasattr({}, parts[1]):
                why = f"'stores.{parts[1]}' names a method of dict"
            else:
                name = None if parts[1] in ("default", "filepath_default") else parts[1]
                note(name, key, f"DataJoint 2.3.5 ignores the 2-part key {key!r}")
        elif len(parts) == 2:
            why = _assign_stops(parts[0], parts[1], value, environ)
        elif len(parts) == 3 and parts[0] == "stores":
            target = stores.setdefault(parts[1], {})
            if isinstance(target, dict):
                target[parts[2]] = value
            else:
                why = f"{key!r} sets a key of an entry that is not an object"
        elif len(parts) > 3 and parts[0] == "stores":
            note(parts[1], key, f"DataJoint 2.3.5 and we ignore {key!r} (more than 3 parts)")
        if why:
            reading.stopped_at, reading.why = key, why
            break
    return reading


# -- warn: what we accept and DataJoint 2.3.5 reads otherwise ---------------------------

#: Keys DataJoint 2.3.5 allows for its built-in protocols beyond the common keys.
DATAJOINT_BUILTIN_KEYS: dict[str, frozenset[str]] = {
    "file": frozenset(),
    "s3": frozenset({"endpoint", "bucket", "access_key", "secret_key", "secure", "proxy_server"}),
    "gcs": frozenset({"bucket", "token", "project"}),
    "azure": frozenset({"container", "account_name", "account_key", "connection_string"}),
}
_COMMON = frozenset(
    {"protocol", "location", "subfolding", "partition_pattern", "token_length"}
    | {"hash_prefix", "schema_prefix", "filepath_prefix", "stage"}
)


def _file_block_in_force(sources: Sources) -> bool:
    """DJ_STORES (for DataJoint as for us) or ``config["stores"] = ...`` replace it."""
    return not sources.sealed_block and not sources.environ.get("DJ_STORES")


def _store_of(name: str) -> tuple[str | None, str | None]:
    """``(store, key)`` of a warning about entry ``name``: name entries have no store."""
    return (None, name) if name in ("default", "filepath_default") else (name, None)


def file_store_differences(sources: Sources) -> Iterator[ConfigWarning]:
    """Stores of ``datajoint.json`` that DataJoint 2.3.5 reads otherwise than we do.

    DataJoint applies the file's keys in order (see :func:`read_like_datajoint`): flat
    keys written before the ``"stores"`` block are dropped for every store the block
    names; ``"stores.default"``, ``"stores.<name>"`` and keys of 4 or more parts are
    ignored; a setting its own models refuse (``"loglevel": "LOUD"``) ends the load and
    every store key after it is lost. We read every store key wherever it stands; each
    store we read differently gets a warning, with how to write it portably.
    """
    from .settings.sources.json_file import stores_block

    document, label = sources.document, str(sources.config_file)
    if document is None or not _file_block_in_force(sources):
        return
    reading = read_like_datajoint(document, sources.environ)
    ours = stores_block(dict(document), label)
    if reading.stopped_at is not None:
        yield ConfigWarning(
            f"DataJoint 2.3.5 stops reading {label} at {reading.stopped_at!r} "
            f"({reading.why}); every key after it is lost there: fix that setting",
            key=reading.stopped_at,
            source=label,
            rule="datajoint-stops-reading",
        )
    keys = list(document)
    stop = keys.index(reading.stopped_at) if reading.stopped_at is not None else len(keys)
    for name in dict.fromkeys([*ours, *reading.stores, *(n for n in reading.notes if n)]):
        store, key = _store_of(name)
        for flat, why in reading.notes.get(store, []):
            if store is not None or flat == f"stores.{name}":
                yield ConfigWarning(
                    f'{why} in {label}: write it inside the "stores" object',
                    store=store,
                    key=key or flat.split(".", 2)[-1],
                    source=label,
                    rule="datajoint-ignores-flat-key",
                )
        if ours.get(name, _MISSING) == reading.stores.get(name, _MISSING):
            continue
        touching = [
            i
            for i, k in enumerate(keys)
            if (k == "stores" and isinstance(document[k], dict) and name in document[k])
            or k == f"stores.{name}"
            or k.startswith(f"stores.{name}.")
        ]
        flat_first = (
            [i for i in touching if keys[i].count(".") == 2 and i < keys.index("stores")]
            if "stores" in keys
            else []
        )
        if any(i >= stop for i in touching):
            why, rule = (
                f"DataJoint 2.3.5 stops reading the file at {reading.stopped_at!r} first",
                "datajoint-stops-reading",
            )
        elif flat_first:
            why, rule = (
                f'DataJoint 2.3.5 drops the flat "stores.{name}.*" keys written before the '
                '"stores" object, which replaces the store whole: write them after it, or inside',
                "datajoint-drops-flat-key",
            )
        elif f"stores.{name}" in document:
            continue  # the ignored 2-part key, warned about above
        else:
            why, rule = "DataJoint 2.3.5 reads this entry otherwise", "datajoint-reads-otherwise"
        yield ConfigWarning(
            f"{why} (stores.{name} in {label})", store=store, key=key, source=label, rule=rule
        )


_MISSING = object()


def protocol_case(sources: Sources) -> Iterator[ConfigWarning]:
    """A protocol not in lower case (``"S3"``).

    DataJoint 2.3.5's ``get_store_spec`` lower-cases it to pick its checks but returns it
    as written; ``StorageBackend`` compares case-sensitively, so the store skips its
    checks and fails at first use (``Unsupported storage protocol: S3``). We match any case.
    """
    for name, entry in sources.merged.items():
        value = entry.value
        protocol = value.get("protocol") if isinstance(value, dict) else None
        if isinstance(protocol, str) and protocol != protocol.lower():
            yield ConfigWarning(
                f"protocol {protocol!r} of store {name!r}: DataJoint 2.3.5 fails at first use "
                f"(Unsupported storage protocol: {protocol}); write {protocol.lower()!r}",
                store=name,
                key="protocol",
                source=entry.origin("protocol"),
                rule="protocol-case",
            )


def protocols_datajoint_lacks(sources: Sources) -> Iterator[ConfigWarning]:
    """A protocol only this library serves (``memory``).

    DataJoint 2.3.5 knows ``file``, ``s3``, ``gcs``, ``azure`` and the adapters of the
    ``datajoint.storage`` entry-point group; our own extra built-ins are not in that
    group, so DataJoint refuses the store (``Unknown protocol``).
    """
    from .registry import OWN_DISTRIBUTION, registered_adapters

    for name, entry in sources.merged.items():
        value = entry.value
        protocol = value.get("protocol") if isinstance(value, dict) else None
        if not isinstance(protocol, str) or protocol.lower() in DATAJOINT_BUILTIN_KEYS:
            continue
        info = registered_adapters().get(protocol.lower())
        if info is not None and info.distribution == OWN_DISTRIBUTION:
            yield ConfigWarning(
                f"protocol {protocol!r} of store {name!r} is served by datajoint-storage only: "
                "DataJoint 2.3.5 refuses the store (Unknown protocol)",
                store=name,
                key="protocol",
                source=entry.origin("protocol"),
                rule="protocol-unknown-to-datajoint",
            )


def keys_datajoint_refuses(sources: Sources) -> Iterator[ConfigWarning]:
    """A key our built-in adapter takes and DataJoint 2.3.5's table does not
    (azure ``account_url``): DataJoint refuses the store, ``Invalid key(s)``."""
    for name, entry in sources.merged.items():
        value = entry.value
        protocol = value.get("protocol") if isinstance(value, dict) else None
        allowed = (
            DATAJOINT_BUILTIN_KEYS.get(protocol.lower()) if isinstance(protocol, str) else None
        )
        if allowed is None:
            continue
        from .registry import get_storage_adapter

        adapter = get_storage_adapter(protocol.lower())
        ours = set(getattr(adapter, "required_keys", ())) | set(
            getattr(adapter, "allowed_keys", ())
        )
        for key in value:
            if key in ours and key not in allowed and key not in _COMMON:
                yield ConfigWarning(
                    f"{key} of store {name!r}: DataJoint 2.3.5 refuses it "
                    f"(Invalid key(s) for {protocol.lower()}); only datajoint-storage reads it",
                    store=name,
                    key=key,
                    source=entry.origin(key),
                    rule="key-unknown-to-datajoint",
                )


def s3_options_datajoint_misreads(sources: Sources) -> Iterator[ConfigWarning]:
    """s3 keys DataJoint 2.3.5 accepts but does not use as we do.

    ``proxy_server`` passes its checks and is never handed to s3fs (its requests go
    direct); an ``endpoint`` whose scheme is not exactly ``http://`` or ``https://``
    (``HTTP://host``) gets ``https://`` put in front of it.
    """
    for name, entry in sources.merged.items():
        value = entry.value
        if not isinstance(value, dict) or str(value.get("protocol", "")).lower() != "s3":
            continue
        if value.get("proxy_server"):
            yield ConfigWarning(
                f"proxy_server of store {name!r}: DataJoint 2.3.5 accepts it but never uses "
                "it; its requests to the endpoint go direct",
                store=name,
                key="proxy_server",
                source=entry.origin("proxy_server"),
                rule="s3-option-datajoint-ignores",
            )
        endpoint = value.get("endpoint")
        if (
            isinstance(endpoint, str)
            and "://" in endpoint
            and not endpoint.startswith(("http://", "https://"))
        ):
            yield ConfigWarning(
                f"endpoint of store {name!r}: DataJoint 2.3.5 puts https:// in front of a "
                "scheme other than http:// or https:// (lower case)",
                store=name,
                key="endpoint",
                source=entry.origin("endpoint"),
                rule="s3-option-datajoint-ignores",
            )


def values_datajoint_uses_otherwise(sources: Sources) -> Iterator[ConfigWarning]:
    """Values DataJoint 2.3.5 accepts and then uses otherwise than written.

    ``generate_token`` clamps ``token_length`` to 4..16 (``20`` gives 16-character
    tokens); ``build_object_path`` takes partition attributes only from ``{name}``
    placeholders, so a ``partition_pattern`` without any partitions nothing.
    """
    import re

    for name, entry in sources.merged.items():
        value = entry.value
        if not isinstance(value, dict):
            continue
        length = value.get("token_length")
        if type(length) is int and length > 0 and not 4 <= length <= 16:
            used = max(4, min(16, length))
            yield ConfigWarning(
                f"token_length {length} of store {name!r}: DataJoint 2.3.5 clamps it to "
                f"4..16 and makes {used}-character tokens; write {used}",
                store=name,
                key="token_length",
                source=entry.origin("token_length"),
                rule="value-datajoint-uses-otherwise",
            )
        pattern = value.get("partition_pattern")
        if isinstance(pattern, str) and pattern and not re.search(r"\{\w+\}", pattern):
            yield ConfigWarning(
                f"partition_pattern of store {name!r} has no {{attribute}} placeholder: "
                "DataJoint 2.3.5 partitions only by placeholders such as "
                "'{subject_id}/{session_date}', so this one partitions nothing",
                store=name,
                key="partition_pattern",
                source=entry.origin("partition_pattern"),
                rule="value-datajoint-uses-otherwise",
            )


def sources_datajoint_lacks(sources: Sources) -> Iterator[ConfigWarning]:
    """``DJ_CONFIG_FILE`` and ``.env``: our extensions.

    DataJoint 2.3.5 has neither: it always searches ``datajoint.json`` upward from the
    working directory, and reads only the real environment.
    """
    environ = sources.environ
    if environ.get("DJ_CONFIG_FILE") and not _ignored(environ):
        yield ConfigWarning(
            "DJ_CONFIG_FILE names the configuration file: DataJoint 2.3.5 ignores it and "
            "searches datajoint.json upward from the working directory",
            key="DJ_CONFIG_FILE",
            source="DJ_CONFIG_FILE",
            rule="dj-config-file",
        )
    for name in sorted(getattr(environ, "from_dotenv", ())):
        if name in ("DJ_STORES", "DJ_CONFIG_FILE") or name.upper() == IGNORE_CONFIG_FILE:
            yield ConfigWarning(
                f"{name} is set in .env: DataJoint 2.3.5 does not read .env; "
                "export it in the environment instead",
                key=name,
                source=".env",
                rule="dotenv",
            )


def _ignored(environ: Mapping[str, str]) -> bool:
    try:
        return ignore_config_file(environ)
    except ConfigSourceError:
        return False


#: DataJoint 2.3.5's settings read from the environment at ``import datajoint``; a value
#: its model refuses makes the import fail (pydantic-settings, names in any case).
_DJ_ENVIRONMENT: dict[str, Any] = {
    "DJ_PORT": Optional[int],  # noqa: UP045
    "DJ_BACKEND": Literal["mysql", "postgresql"],
    "DJ_USE_TLS": Optional[bool],  # noqa: UP045
    "DJ_CREATE_TABLES": bool,
    "DJ_LOG_LEVEL": Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
    "DJ_SAFEMODE": bool,
    "DJ_DIAGRAM_DIRECTION": Literal["TB", "LR"],
    "DJ_DIAGRAM_THEME": Literal["light", "dark", "auto"],
    "DJ_JOBS_AUTO_REFRESH": bool,
    "DJ_JOBS_KEEP_COMPLETED": bool,
    "DJ_JOBS_STALE_TIMEOUT": Annotated[int, Ge(0)],
    "DJ_JOBS_DEFAULT_PRIORITY": Annotated[int, Ge(0), Le(255)],
    "DJ_PROVENANCE_CAPTURE": bool,
    "DJ_RECONNECT": bool,
    "DJ_JOBS_VERSION_METHOD": Optional[Literal["git", "none"]],  # noqa: UP045
    # Nested settings and dict fields are read from the environment as JSON objects.
    "DJ_DATABASE": Json[dict],
    "DJ_CONNECTION": Json[dict],
    "DJ_DISPLAY": Json[dict],
    "DJ_JOBS": Json[dict],
    "DJ_PROVENANCE": Json[dict],
    "DJ_PROVENANCE_SOURCE": Json[dict],
}


def environment_datajoint_refuses(sources: Sources) -> Iterator[ConfigWarning]:
    """A ``DJ_*`` variable DataJoint 2.3.5's own settings refuse (``DJ_LOG_LEVEL=LOUD``).

    We do not read these; DataJoint reads them when it is imported, and the import fails.
    """
    for name, value in sources.environ.items():
        kind = _DJ_ENVIRONMENT.get(name.upper())
        if kind is not None and not _dj_accepts(kind, value):
            yield ConfigWarning(
                f"{name}: DataJoint 2.3.5 refuses this value and fails to import",
                key=name,
                source=name,
                rule="environment-datajoint-refuses",
            )


#: Warnings that mean "DataJoint 2.3.5 reads other input for this store (or for the
#: whole configuration)": any difference in its verdict on the store follows from them.
READS_OTHERWISE = frozenset(
    {"dotenv", "dj-config-file", "environment-datajoint-refuses", "secret-file-skipped"}
    | {"datajoint-stops-reading", "datajoint-drops-flat-key", "datajoint-ignores-flat-key"}
    | {"datajoint-reads-otherwise"}
)

#: Every warning rule, in the order their warnings are listed.
WARNING_RULES: tuple[Rule, ...] = (
    environment_datajoint_refuses,
    sources_datajoint_lacks,
    file_store_differences,
    protocol_case,
    protocols_datajoint_lacks,
    keys_datajoint_refuses,
    s3_options_datajoint_misreads,
    values_datajoint_uses_otherwise,
    secret_in_config_file,
    short_secrets,  # secret_rules.py: from redaction's limits, not from DataJoint
)


def config_warnings(sources: Sources) -> list[ConfigWarning]:
    """Every warning of every rule, the sources' own notes first, without duplicates."""
    found = dict.fromkeys(sources.notes)
    for rule in WARNING_RULES:
        found.update(dict.fromkeys(rule(sources)))
    found.update(dict.fromkeys(default_store_warnings(sources, list(found))))
    return list(found)


def default_store_warnings(sources: Sources, found: list[ConfigWarning]) -> Iterator[ConfigWarning]:
    """``default`` / ``filepath_default`` naming a store DataJoint reads otherwise.

    ``get_store_spec()`` without a name is that store, so what DataJoint 2.3.5 does with
    it is said under the entry's own key too.
    """
    for entry_name in ("default", "filepath_default"):
        entry = sources.merged.get(entry_name)
        target = entry.value if entry is not None else None
        if not isinstance(target, str):
            continue
        for warning in found:
            if warning.store == target and warning.rule != "secret-in-config-file":
                yield ConfigWarning(
                    f"stores.{entry_name} names {target!r}: {warning}",
                    key=entry_name,
                    source=entry.source,
                    rule=warning.rule,
                )
                break


# -- the refusal table: our problems where DataJoint 2.3.5 accepts ----------------------

#: Keys whose values we type; DataJoint 2.3.5 takes any JSON value for them.
TYPED_KEYS = frozenset(
    {"location", "subfolding", "partition_pattern", "token_length", "hash_prefix"}
    | {"schema_prefix", "filepath_prefix", "endpoint", "bucket", "container", "secure"}
    | {"proxy_server", "project", "account_name", "account_url"}
    | SECRET_KEYS
)


@dataclass(frozen=True)
class RefusalRule:
    """One kind of problem we report where DataJoint 2.3.5 accepts the store."""

    name: str
    datajoint: str  # what DataJoint 2.3.5 does instead
    matches: Callable[[Exception], bool]


def _is_typed_value(problem: Exception) -> bool:
    key = getattr(problem, "key", None)
    return (
        isinstance(problem, InvalidValueError)
        and key in TYPED_KEYS
        and (str(problem).startswith(f"Invalid value for {key}"))
    )


REFUSAL_RULES: tuple[RefusalRule, ...] = (
    RefusalRule(
        "typed-value",
        'takes any JSON value and fails or misreads it later: token_length "12" fails in '
        "generate_token at the first insert, 0 or true is silently clamped to 4; "
        'subfolding "2,2" fails building hash paths, [0] makes empty folder names; '
        'secure "false" is truthy (https); a non-string endpoint fails when the '
        'filesystem is made; null prefixes or locations end up as "None" or no prefix',
        _is_typed_value,
    ),
    RefusalRule(
        "store-not-an-object",
        "passes the entry to dict(): a list of [key, value] pairs works by accident, "
        "anything else fails with a TypeError or ValueError instead of a DataJointError",
        lambda p: isinstance(p, InvalidValueError) and "must be an object" in str(p),
    ),
    RefusalRule(
        "stores-not-an-object",
        'stops reading datajoint.json at a "stores" that is not an object (keeping the '
        "keys before it); we refuse the file",
        lambda p: isinstance(p, ConfigSourceError) and "'stores' in" in str(p),
    ),
)


REFUSAL_RULES += (
    RefusalRule(
        "name-entry-as-store",
        'lets "default" or "filepath_default" hold a store object (then its default '
        "store is refused); we keep those two names for naming a store",
        lambda p: (
            isinstance(p, StoreNotFoundError)
            and getattr(p, "store", None) in ("default", "filepath_default")
            and getattr(p, "key", None) is None
        ),
    ),
    RefusalRule(
        "unreadable-config-file",
        "warns 'Failed to load config' for a datajoint.json that is not JSON or not an "
        "object, and carries on without it (its .secrets/ still read); we refuse the file",
        lambda p: (
            isinstance(p, ConfigSourceError)
            and str(p.source or "").endswith("datajoint.json")
            and ("is not valid JSON" in str(p) or "must be a JSON object" in str(p))
        ),
    ),
    RefusalRule(
        "secret-for-an-entry-that-is-not-a-store",
        "cannot build its config (TypeError) for a secret file of an entry that is not an "
        'object; it builds when that entry was a flat "stores.default" key it ignores',
        lambda p: isinstance(p, ConfigSourceError) and str(p).startswith("Secret file "),
    ),
)


REFUSAL_RULES += (
    RefusalRule(
        "dotenv-value",
        "does not read .env at all; a bad DJ_STORES or DJ_IGNORE_CONFIG_FILE there is "
        "nothing to it, while we read .env and refuse the value",
        lambda p: isinstance(p, ConfigSourceError) and ".env" in str(p.source or ""),
    ),
)


def refusal_rule(problem: Exception) -> RefusalRule | None:
    """The listed rule a problem falls under, when DataJoint accepts the store."""
    return next((rule for rule in REFUSAL_RULES if rule.matches(problem)), None)
