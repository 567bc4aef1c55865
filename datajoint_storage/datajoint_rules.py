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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigSourceError, ConfigWarning
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
        raise ConfigSourceError(
            f"{spelling} must be a boolean (true/false, 1/0, yes/no, on/off, t/f, y/n); "
            "DataJoint 2.3.5 fails to import with this value",
            source=spelling,
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
    return ConfigWarning(
        f"Secret file {path} skipped: {why}; DataJoint 2.3.5 would read it "
        "(or fail to load its configuration on it)",
        store=parts[1] if len(parts) == 3 else None,
        key=parts[2] if len(parts) == 3 else None,
        source=str(path),
        rule="secret-file-skipped",
    )


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


#: Every warning rule, in the order their warnings are listed.
WARNING_RULES: tuple[Rule, ...] = (secret_in_config_file,)


def config_warnings(sources: Sources) -> list[ConfigWarning]:
    """Every warning of every rule, the sources' own notes first, without duplicates."""
    found = dict.fromkeys(sources.notes)
    for rule in WARNING_RULES:
        found.update(dict.fromkeys(rule(sources)))
    return list(found)
