"""``Config``: the sources in precedence order, the runtime layer, resolved store specs."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..datajoint_rules import (
    DirectoryCheck,
    file_turns_off_secrets,
    ignore_config_file,
    inaccessible_location,
)
from ..errors import (
    ConfigFileNotFoundError,
    ConfigFileWarning,
    ConfigSourceError,
    ConfigWarning,
    InvalidValueError,
    NotAStoreSettingError,
    SettingKeyError,
    StoreConfigError,
    StoreNotFoundError,
    ValidationReport,
)
from ..resolve import (
    NO_PROBLEMS,
    Plain,
    ResolvedStore,
    rebuild,
    redact_mapping,
    redacted_raw,
    resolve_entry,
    resolve_many,
    resolve_plain,
    unpack,
)
from ..spec import suggest
from . import dotted
from .layer import NAME_ENTRIES, Layer
from .merge import MergedBlock, merge_layers
from .sources import (
    DjStoresSource,
    JsonFileSource,
    RuntimeSource,
    SecretsDirSource,
    dotenv_file,
    find_config_file,
    read_environment,
    search_bounds,
)
from .sources.json_file import FILENAME
from .sources.read_once import reading_errors
from .stores_view import StoresView, mark_masked
from .tracked import plain_copy

if TYPE_CHECKING:
    import fsspec

#: What ``Config`` keeps per store: a plain spec (fast path), the resolved store, or
#: its problems (a list).
Resolved = Plain | ResolvedStore | list[StoreConfigError]
_PLAIN = (dict, tuple)  # the classes of a ``Plain`` outcome
_CHUNK = 256  # stores ``problems`` checks at a time

#: Docker and Kubernetes secret mounts, used when no project ``.secrets/`` exists.
SYSTEM_SECRETS_DIR = Path("/run/secrets/datajoint")

#: DataJoint's words when no datajoint.json is found (it warns them at import).
NO_CONFIG_FILE = (
    f"No {FILENAME} found. Using defaults and environment variables. "
    "Run `datajoint-storage init` to create a template configuration."
)


class Config:
    """Store configuration merged from every source, read lazily and cached.

    Nothing is read until a store is asked for. ``reload()`` reads the files and the
    environment again; runtime settings survive it. ``environ`` stands in for
    ``os.environ``, without writing the process environment. ``config_file`` names the
    ``datajoint.json`` to read (the CLI's ``--config``), as if it had been found; unlike
    ``DJ_CONFIG_FILE``, it is the caller's own choice, so no warning says DataJoint
    ignores it.
    """

    def __init__(
        self,
        *,
        cwd: Path | str | None = None,
        environ: Mapping[str, str] | None = None,
        config_file: Path | str | None = None,
    ) -> None:
        self._cwd = Path(cwd) if cwd is not None else None
        self._config_file = Path(config_file) if config_file is not None else None
        self._environ = dict(environ) if environ is not None else None
        self._lock = threading.RLock()
        self._runtime = RuntimeSource()
        self._sources: tuple[Any, ...] | None = None
        self._files: ConfigFiles
        self._environ_in_force: dict[str, str] = {}
        self._lower: tuple[Layer | None, ...] | None = None  # every layer but runtime
        self._merged: MergedBlock | None = None
        #: Store name -> its resolved store, or its problems: no tuple around either, one
        #: object fewer per store for the garbage collector to walk.
        self._resolved: dict[str, Resolved] = {}
        #: Bumped on every change; caches compare it to know they are current.
        self._generation = 0
        #: Store name -> filesystem, filled by ``store.get_filesystem``, emptied on change:
        #: the cache-hit path is one dict lookup.
        self._filesystems: dict[str | None, fsspec.AbstractFileSystem] = {}
        self._stores_view: StoresView | None = None
        #: DataJoint warns when its process-wide config finds no datajoint.json; so does
        #: ``dj.config`` (``get_config`` sets this), not every ``Config`` built in code.
        self._warn_without_file = False

    # -- sources -----------------------------------------------------------------

    @reading_errors  # a deleted working directory, a path we may not enter: DataJointError
    def _build_sources(self) -> tuple[Any, ...]:
        cwd = self._cwd or Path.cwd()
        real = os.environ if self._environ is None else self._environ
        environ = read_environment(cwd, self._environ)
        self._environ_in_force = environ
        dotenv = dotenv_file(cwd, {k: real[k] for k in real if k[:3].upper() == "DJ_"})
        config_file = secrets_dir = None
        ignored = self._config_file is None and ignore_config_file(environ)
        named = self._config_file or (None if ignored else environ.get("DJ_CONFIG_FILE"))
        if not ignored:
            config_file = Path(named).expanduser() if named else find_config_file(cwd)
            if config_file is None and self._warn_without_file:
                warnings.warn(NO_CONFIG_FILE, ConfigFileWarning, stacklevel=5)
            project_secrets = config_file.parent / ".secrets" if config_file else None
            if project_secrets is not None and project_secrets.is_dir():
                secrets_dir = project_secrets
            elif SYSTEM_SECRETS_DIR.is_dir():
                secrets_dir = SYSTEM_SECRETS_DIR
        searched = None if ignored or named else search_bounds(cwd)
        stores_from_dotenv = "DJ_STORES" in environ.from_dotenv
        self._files = ConfigFiles(
            config_file, searched, ignored, secrets_dir, dotenv, sorted(environ)
        )
        # Highest precedence first; this tuple is the whole precedence story.
        # (5. defaults are applied by each adapter's model.)
        return (
            self._runtime,  # 1. config["stores"][name] = {...}
            DjStoresSource(environ, dotenv if stores_from_dotenv else None),  # 2. DJ_STORES
            JsonFileSource(config_file) if config_file else None,  # 3. datajoint.json
            SecretsDirSource(secrets_dir) if secrets_dir else None,  # 4. fills unset keys
        )

    def _merged_entries(self) -> MergedBlock:
        with self._lock:
            if self._merged is None:
                if self._lower is None:
                    self._sources = self._build_sources()
                    dj_stores, json_file, secrets = self._sources[1:]
                    file_layer = json_file() if json_file else None
                    if json_file and file_turns_off_secrets(
                        json_file.document, self._environ_in_force
                    ):
                        secrets = None  # as DataJoint 2.3.5 does (datajoint_rules)
                    self._lower = (
                        dj_stores(),
                        file_layer,
                        secrets() if secrets else None,
                    )
                # ``config.stores = {...}`` is the whole block, as in DataJoint (which merges
                # secret files once, at import): the merge lets secret files add nothing to
                # it, but still meets them with the block as loaded (``merge._check_loaded``).
                self._merged = merge_layers((self._runtime(), *self._lower), mark_masked)
            return self._merged

    def sources(self) -> list[str]:
        """The sources in force, highest precedence first, as readable labels
        (``datajoint.json: /path``); :meth:`describe_sources` gives them as data."""
        self._merged_entries()
        assert self._sources is not None
        return [_label(s.describe()) for s in self._sources if s is not None]

    def files(self) -> ConfigFiles:
        """The files in force: ``datajoint.json`` (or where it was searched for), the
        secrets directory, the ``.env`` read, and the ``DJ_*`` variable names set."""
        with self._lock:
            if self._sources is None or self._lower is None:
                self._sources = self._build_sources()
            return self._files

    def describe_sources(self) -> list[dict[str, Any]]:
        """Every source, highest precedence first, as data (``kind``, ``name``, ``path``,
        and ``label``: ``datajoint.json: /path``, ``DJ_STORES: not set``)."""
        self._merged_entries()
        assert self._sources is not None
        runtime, dj_stores, json_file, secrets = self._sources
        files = self._files
        out = [runtime.describe(), dj_stores.describe()]
        if json_file is not None:
            out.append(json_file.describe())
        else:
            out.append({"kind": "file", "name": FILENAME, "path": None, "ignored": files.ignored})
            if files.searched is not None:
                out[-1]["searched"] = {"from": str(files.searched[0]), "to": str(files.searched[1])}
        out.append(
            secrets.describe() if secrets else {"kind": "secrets", "name": ".secrets", "path": None}
        )
        for source in out:
            source["label"] = _label(source)
        return out

    def reload(self) -> None:
        """Read every file and environment variable again (runtime settings stay)."""
        with self._lock:
            self._lower = None
            self._changed()

    def _changed(self) -> None:
        with self._lock:
            self._merged = None
            self._resolved = {}
            self._filesystems = {}
            self._generation += 1

    # -- the stores block, as DataJoint users write it ------------------------------

    @property
    def stores(self) -> StoresView:
        """The merged stores block, a ``dict``; changing it is a runtime setting."""
        view = self._stores_view
        if view is None:
            view = self._stores_view = StoresView(self)
        # Current for C readers (json.dumps reads the storage). A broken source must not
        # block writes; every read raises it.
        with contextlib.suppress(ConfigSourceError):
            view._sync(refresh=False)
        return view

    @stores.setter
    def stores(self, value: Mapping[str, Any]) -> None:
        self._replace_block(value)

    def __getitem__(self, key: str) -> Any:
        """``config["stores"]``, ``config["stores.main.location"]``, ``config["stores.default"]``.

        Keys outside ``stores`` raise :class:`NotAStoreSettingError` (also a ``KeyError``).
        """
        parts = dotted.split_key(key)
        return dotted.walk(self.stores, key, parts[1:])

    def get(self, key: str, default: Any = None) -> Any:
        """``config[key]``, or ``default`` when it is not set.

        DataJoint settings outside ``stores`` still raise: their value is not ``default``.
        """
        try:
            return self[key]
        except SettingKeyError as exc:
            if isinstance(exc, NotAStoreSettingError):
                raise
            return default

    def __setitem__(self, key: str, value: Any) -> None:
        parts = dotted.split_key(key)
        if len(parts) == 1:
            self._replace_block(value)
        elif len(parts) == 2:
            self.stores[parts[1]] = value
        else:
            with self._lock:
                if len(parts) == 3 and parts[1] not in self.stores:
                    self.stores[parts[1]] = {parts[2]: value}  # as a flat key creates one
                    return
                parent = dotted.walk(self.stores, key, parts[1:-1])
                if not isinstance(parent, dict):
                    raise SettingKeyError(
                        f"Cannot set {key!r}: {'.'.join(parts[:-1])} is not an object", key=key
                    )
                parent[parts[-1]] = value

    def __delitem__(self, key: str) -> None:
        parts = dotted.split_key(key)
        if len(parts) == 1:
            self._replace_block({})  # DataJoint resets the setting: an empty block
            return
        with self._lock:
            parent = dotted.walk(self.stores, key, parts[1:-1])
            if not isinstance(parent, dict) or parts[-1] not in parent:
                raise dotted.not_found(key)
            del parent[parts[-1]]

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except SettingKeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        """The settings this config holds: ``stores``."""
        return iter((dotted.STORES,))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in dotted.DATAJOINT_SETTINGS:
            raise dotted.outside_stores(name)
        object.__setattr__(self, name, value)

    def _replace_block(self, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise InvalidValueError(
                "config['stores'] must be a mapping of store names", source="runtime"
            )
        for name in value:
            _check_name(name)
        with self._lock:
            self._runtime.entries = {name: plain_copy(v) for name, v in value.items()}
            self._runtime.deleted = set()
            self._runtime.carried = {}
            self._runtime.labels = {}
            self._runtime.replace_block = True
            self._changed()
            self._refresh_view()

    def _refresh_view(self) -> None:
        """After a change of many stores: the view held by code is current for C readers."""
        view = self._stores_view
        if view is not None:
            with contextlib.suppress(ConfigSourceError):
                view._sync()

    def load(self, filename: str | Path) -> None:
        """Read the stores of a named ``datajoint.json``, as DataJoint's ``load`` does.

        Each store the file defines replaces the store of that name (a runtime setting
        whose provenance is the file); stores it does not name stay. A missing file is a
        ``FileNotFoundError``.
        """
        path = Path(filename)
        label = str(path)
        try:  # Path.is_file() raises PermissionError in a directory we may not enter
            is_file = stat.S_ISREG(os.stat(path).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            is_file = False
        except OSError as exc:
            if exc.errno != errno.ELOOP:  # a link loop: missing, as Path.is_file() says
                why = exc.strerror or type(exc).__name__  # EACCES: not a raw PermissionError
                raise ConfigSourceError(f"{label} cannot be read ({why})", source=label) from None
            is_file = False
        except ValueError:  # a NUL in the name: no such file, as Path.is_file() says
            is_file = False
        if not is_file:
            raise ConfigFileNotFoundError(f"Config file not found: {label}", source=label)
        block = dict(JsonFileSource(path)().entries)
        for name in block:
            _check_name(name)
        with self._lock:
            for name, value in block.items():
                self._runtime.entries[name] = plain_copy(value)
                self._runtime.deleted.discard(name)
                keys = value if isinstance(value, dict) else ()
                self._runtime.labels[name] = {key: label for key in keys}
            self._changed()
            self._refresh_view()

    def _set_runtime_store(
        self, name: str, value: Any, origins: Mapping[str, str] | None = None
    ) -> None:
        """Set store ``name`` at runtime; ``origins``: keys set unchanged, and their source."""
        _check_name(name)
        with self._lock:
            self._runtime.entries[name] = plain_copy(value)
            self._runtime.carried.pop(name, None)
            self._runtime.deleted.discard(name)
            if origins:
                self._runtime.labels[name] = dict(origins)
            else:
                self._runtime.labels.pop(name, None)
            self._changed()

    def _delete_runtime_store(self, name: str) -> None:
        with self._lock:
            if name not in self._merged_entries():
                raise KeyError(name)
            self._runtime.entries.pop(name, None)
            self._runtime.carried.pop(name, None)
            self._runtime.labels.pop(name, None)
            self._runtime.deleted.add(name)
            self._changed()

    @contextmanager
    def override(
        self, *, stores: Mapping[str, Any] | None = None, **settings: Any
    ) -> Iterator[Config]:
        """Settings for the ``with`` block only, then what was there before.

        ``stores={...}`` is the whole stores block inside the block, as in DataJoint;
        ``stores__<name>={...}`` sets one store. Other DataJoint settings are refused.
        """
        one_store = {}
        for key, value in settings.items():  # refuse before changing anything
            head, _, name = key.partition("__")
            if head != dotted.STORES or not name or "__" in name:
                raise dotted.outside_stores(key)
            one_store[name] = value
        if stores is not None and not isinstance(stores, Mapping):
            raise InvalidValueError(
                "override(stores=...) takes a mapping of store names", source="runtime"
            )
        for name in [*(stores or ()), *one_store]:
            _check_name(name)
        with self._lock:
            saved = self._runtime.snapshot()
            if stores is not None:
                self._replace_block(stores)
            for name, value in one_store.items():
                self._set_runtime_store(name, value)
            mine = self._runtime.snapshot()
        # What this block changed; only that is undone (other threads' writes stay).
        touched = {*saved[0], *mine[0], *saved[1], *mine[1]} if stores is not None else set()
        touched |= set(one_store)
        self._refresh_view()
        try:
            yield self
        finally:
            with self._lock:
                self._runtime.undo(saved, mine, touched)
                self._changed()
                self._refresh_view()

    # -- resolution ----------------------------------------------------------------

    def store_names(self) -> list[str]:
        """Names of the configured stores (not ``default`` / ``filepath_default``)."""
        return [n for n in self._merged_entries() if n not in NAME_ENTRIES]

    def _names_in(self, merged: MergedBlock) -> list[str]:
        return [n for n in merged if n not in NAME_ENTRIES]

    def _default_name(
        self, entry_name: str, merged: MergedBlock | None = None
    ) -> tuple[str | None, StoreConfigError | None]:
        merged = merged if merged is not None else self._merged_entries()
        found = merged.value_of(entry_name)  # no entry made for the usual, valid name
        if found is not None and found[0].__class__ is str and not found[1]:
            name = found[0]
            if name in merged and name not in NAME_ENTRIES:
                return name, None
        entry = merged.get(entry_name)
        if entry is None:
            return None, StoreNotFoundError(
                f"stores.{entry_name} is not configured: set it to the name of a configured "
                "store, or name the store explicitly",
                key=f"stores.{entry_name}",
            )
        if not isinstance(entry.value, str):
            return None, InvalidValueError(
                f"Invalid value for stores.{entry_name}: must name a configured store "
                f"(from {entry.source})",
                key=f"stores.{entry_name}",
                source=entry.source,
            )
        if entry.value not in merged or entry.value in NAME_ENTRIES:
            return None, StoreNotFoundError(
                f"Storage {entry.value!r} is requested but not configured in stores "
                f"(stores.{entry_name} names it, from {entry.source})"
                f"{suggest(entry.value, self.store_names())}",
                # Under the key that is wrong, not as a key of a store that does not exist.
                key=f"stores.{entry_name}",
                source=entry.source,
            )
        return entry.value, None

    def _outcome(self, name: str) -> tuple[ResolvedStore | None, Sequence[StoreConfigError]]:
        outcome = self._resolved.get(name)  # a dict read needs no lock; a change swaps it
        if outcome is None:
            outcome = self._resolve_new(name)
        if outcome.__class__ in _PLAIN:  # resolved on the fast path: build the rest now
            with self._lock:
                outcome = self._resolved.get(name, outcome)
                if outcome.__class__ in _PLAIN:
                    entry = self._merged_entries()[name]
                    outcome = self._resolved[name] = rebuild(name, outcome, entry)  # type: ignore[arg-type]
        if outcome.__class__ is ResolvedStore:
            return outcome, NO_PROBLEMS  # type: ignore[return-value]
        return None, outcome  # type: ignore[return-value]

    def _resolve_new(self, name: str) -> Resolved:
        """Resolve ``name`` and keep the outcome: a valid store's plain spec (fast path),
        its :class:`ResolvedStore`, or its problems (a list; not kept when not found).

        The fast path takes no lock: it writes into the ``_resolved`` it read first, and
        ``_changed`` drops ``_merged`` before it swaps ``_resolved``, so a result computed
        from a configuration that changed meanwhile lands in a dict no one reads again.
        """
        resolved = self._resolved
        merged = self._merged
        if merged is not None and name not in NAME_ENTRIES:
            found = merged.value_of(name)
            if found is not None:
                fast = resolve_plain(found[0], found[1])
                if fast is not None:
                    resolved[name] = fast
                    return fast
        with self._lock:
            outcome = self._resolved.get(name)
            if outcome is not None:
                return outcome
            merged = self._merged_entries()
            if name in NAME_ENTRIES or name not in merged:
                configured = self.store_names()
                return [
                    StoreNotFoundError(
                        f"Storage {name!r} is requested but not configured in stores"
                        + (f"; configured stores: {', '.join(configured)}" if configured else "")
                        + suggest(name, configured),
                        store=name,
                    )
                ]
            found = merged.value_of(name)
            fast = resolve_plain(*found) if found is not None else None
            if fast is not None:
                self._resolved[name] = fast
                return fast
            result, problems = resolve_entry(name, merged[name])
            outcome = self._resolved[name] = list(problems) if result is None else result
            return outcome

    def resolve(
        self, name: str | None = None, *, use_filepath_default: bool = False
    ) -> ResolvedStore:
        """The validated store ``name`` (or the default store); raises its first problem."""
        if name is None:
            name, error = self._default_name(
                "filepath_default" if use_filepath_default else "default"
            )
            if error is not None:
                raise error
            assert name is not None
        elif not isinstance(name, str):
            raise StoreNotFoundError(f"Store names are strings, not {type(name).__name__}")
        resolved, problems = self._outcome(name)
        if problems:
            if len(problems) == 1:
                raise problems[0]
            raise ValidationReport(problems)
        assert resolved is not None
        return resolved

    def get_store_spec(
        self, name: str | None = None, *, use_filepath_default: bool = False, redact: bool = False
    ) -> dict[str, Any]:
        """The store's spec as a plain dict, defaults applied.

        Secrets are plain strings (callers hand the spec to fsspec) unless ``redact``.
        ``name=None`` means the ``default`` store, or ``filepath_default`` with the flag.
        """
        if name.__class__ is str and not redact:  # the usual call: one dict read, a copy
            outcome = self._resolved.get(name)  # type: ignore[arg-type]
            if outcome is None:
                outcome = self._resolve_new(name)  # type: ignore[arg-type]
            if outcome.__class__ is dict:
                return outcome.copy()  # type: ignore[union-attr]
            if outcome.__class__ is tuple:
                return unpack(outcome)  # type: ignore[arg-type]
            if outcome.__class__ is ResolvedStore:
                return outcome.plain()  # type: ignore[union-attr]
        resolved = self.resolve(name, use_filepath_default=use_filepath_default)
        return resolved.redacted() if redact else resolved.plain()

    def provenance(self, name: str | None = None) -> dict[str, str]:
        """For every key of the resolved spec, the source that set it.

        Sources are ``runtime``, ``DJ_STORES``, a ``datajoint.json`` path, a secret
        file path, or ``default``.
        """
        return dict(self.resolve(name).origins)

    def raw_store(self, name: str) -> dict[str, Any]:
        """The merged, unvalidated entry ``name`` for display: its values (secrets
        masked) and the source of each, even when the store is invalid."""
        entry = self._merged_entries().get(name)
        if entry is None:
            raise StoreNotFoundError(f"Store {name!r} is not configured", store=name)
        value = redacted_raw(entry)
        keys = value if isinstance(value, dict) else {}
        return {
            "value": value,
            "source": entry.source,
            "origins": {key: entry.origin(key) for key in keys},
        }

    def secret_values(self) -> frozenset[str]:
        """Every secret value the merged stores hold, valid or not: what output we did
        not write (a plugin's or an SDK's error text) is scrubbed of before printing."""
        from ..registry import get_storage_adapter
        from ..resolve import secret_values_of

        found: set[str] = set()
        for entry in self._merged_entries().values():
            protocol = entry.value.get("protocol") if isinstance(entry.value, dict) else None
            adapter = get_storage_adapter(protocol.lower()) if isinstance(protocol, str) else None
            found |= secret_values_of(entry, adapter)
        return frozenset(found)

    def problems(self) -> list[StoreConfigError]:
        """Every problem of every store, without raising (what ``validate`` reports)."""
        merged = self._merged_entries()
        found: list[StoreConfigError] = []
        for entry_name in NAME_ENTRIES:
            if entry_name in merged:
                found += [e for e in [self._default_name(entry_name, merged)[1]] if e is not None]
        directories = DirectoryCheck(self.cwd)  # one check per distinct location
        resolved = self._resolved
        whole = None if resolved else merged.whole(NAME_ENTRIES)
        names, values = whole if whole is not None else (self._names_in(merged), None)
        # Checked in chunks, each valid spec dropped once checked: a store's spec is kept
        # when code asks for it, and 100,000 stores cost each what 1,000 do.
        for start in range(0, len(names), _CHUNK):
            chunk = names[start : start + _CHUNK]
            todo = [name for name in chunk if name not in resolved] if resolved else chunk
            if values is not None:
                checked = resolve_many(values[start : start + _CHUNK], keep=False)
            else:
                checked = resolve_many(merged.values_of(todo), keep=False)
            if todo is not chunk:
                fresh = dict(zip(todo, checked, strict=True))
                checked = [resolved.get(name) or fresh.get(name) for name in chunk]
            for name, outcome in zip(chunk, checked, strict=True):
                if outcome is None:
                    outcome = self._resolve_new(name)
                kind = outcome.__class__
                if kind is list:
                    found += outcome  # type: ignore[arg-type]
                    continue
                if kind is dict:
                    plain = outcome
                elif kind is tuple:
                    plain = outcome[0]  # type: ignore[index]
                else:
                    plain = outcome.peek()  # type: ignore[union-attr]
                # What DataJoint's StorageBackend refuses before any use.
                if plain.get("protocol") == "file" and directories.missing(plain.get("location")):
                    refused = inaccessible_location(self.resolve(name), self.cwd)
                    found += [refused] if refused else []
        return found

    @property
    def cwd(self) -> Path | None:
        """The working directory this configuration stands for (None: the process's)."""
        return self._cwd

    def warnings(self) -> list[ConfigWarning]:
        """What we accept but DataJoint 2.3.5 would refuse, misread or ignore, and
        credentials in a committed file: every store's and the configuration's own.

        Never raises for a bad store (that is a problem); see ``datajoint_rules.py``.
        """
        from ..datajoint_rules import Sources, config_warnings
        from .advice import advice

        merged = self._merged_entries()
        assert self._sources is not None
        json_source = self._sources[2]
        found = config_warnings(
            Sources(
                merged=merged,
                config_file=json_source.path if json_source is not None else None,
                document=getattr(json_source, "document", None),
                environ=self._environ_in_force,
                notes=tuple(n for layer in self._lower or () if layer for n in layer.notes),
                sealed_block=self._runtime.replace_block,
            )
        )
        # Then what loads but is almost certainly not what was meant (see ``advice.py``).
        return found + advice(merged, self._files, self._environ_in_force)

    def validate(self) -> None:
        """Check every store; raise one :class:`ValidationReport` listing every problem."""
        problems = self.problems()
        if problems:
            raise ValidationReport(problems)

    def __repr__(self) -> str:
        try:
            self._merged_entries()
        except ConfigSourceError as exc:
            return f"Config(<unreadable: {exc}>)"
        return f"Config(stores={self.stores!r})"


def _outside_stores(name: str) -> property:
    def read(self: Config) -> Any:
        raise dotted.outside_stores(name)

    return property(read, doc=f"DataJoint's {name!r} setting: not one we hold.")


# ``dj.config.database`` says it is a DataJoint setting outside ``stores``. Properties,
# not ``__getattr__``: a class with ``__getattr__`` pays for it on every attribute read
# (the interpreter cannot specialise them), ``_resolved`` and ``_filesystems`` included.
for _name in dotted.DATAJOINT_SETTINGS:
    if not hasattr(Config, _name):
        setattr(Config, _name, _outside_stores(_name))
del _name


@dataclass(frozen=True)
class ConfigFiles:
    """Which files a :class:`Config` reads (``searched``: from, to; None when named)."""

    config_file: Path | None
    searched: tuple[Path, Path] | None
    ignored: bool
    secrets_dir: Path | None
    dotenv: Path | None
    variables: list[str]


def _label(source: dict[str, Any]) -> str:
    """One line of text for a described source."""
    name, kind = source["name"], source["kind"]
    if kind == "runtime":
        return f"runtime: {', '.join(source['stores']) or 'none set'}"
    if kind == "env":
        if not source["set"]:
            return f"{name}: not set"
        return f"{name}: set" + (f" in {source['path']}" if source["path"] else "")
    if source["path"] is not None:
        return f"{name}: {source['path']}"
    if source.get("ignored"):
        return f"{name}: not read (DJ_IGNORE_CONFIG_FILE)"
    searched = source.get("searched")
    if searched:
        return f"{name}: none found (searched {searched['from']} up to {searched['to']})"
    return f"{name}: none"


def _check_name(name: Any) -> None:
    """Store names are strings, as in every file and in DJ_STORES."""
    if not isinstance(name, str):
        raise InvalidValueError(
            f"Store names are strings, not {type(name).__name__}", source="runtime"
        )


__all__ = ["SYSTEM_SECRETS_DIR", "Config", "ConfigFiles", "redact_mapping"]
