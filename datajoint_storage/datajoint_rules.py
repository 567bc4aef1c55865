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

from .errors import ConfigWarning
from .spec import SECRET_KEYS

if TYPE_CHECKING:
    from .settings.merge import RawEntry


@dataclass(frozen=True)
class Sources:
    """What the rules look at: the merged stores and what each source held."""

    merged: Mapping[str, RawEntry]
    config_file: Path | None = None
    document: Mapping[str, Any] | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[ConfigWarning, ...] = ()


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
