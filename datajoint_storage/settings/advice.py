"""Warnings about configurations that load but are almost certainly not what was meant.

Each rule looks at the merged stores and the files in force and yields
:class:`~..errors.ConfigWarning` objects with ``store``, ``key``, ``source`` and ``rule``,
the same objects ``datajoint_rules.py`` yields; ``Config.warnings()`` returns both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from difflib import get_close_matches
from typing import Any

from ..errors import ConfigWarning
from .layer import NAME_ENTRIES
from .merge import RawEntry

#: Strings that are booleans in quotes: DataJoint 2.3.5 reads any non-empty one as true.
QUOTED_BOOLEANS = {"true": "true", "false": "false", "True": "true", "False": "false"}


def advice(
    merged: Mapping[str, RawEntry], files: Any, environ: Mapping[str, str]
) -> list[ConfigWarning]:
    """Every warning of every rule below, in order."""
    return [
        *no_config_file(files, environ),
        *dj_stores_wrapped(merged),
        *secrets_without_store(merged),
        *quoted_booleans(merged),
    ]


def no_config_file(files: Any, environ: Mapping[str, str]) -> Iterator[ConfigWarning]:
    """Nothing found by the upward search, and nothing else configures the stores."""
    if files.config_file is not None or files.ignored or files.searched is None:
        return
    if environ.get("DJ_STORES"):
        return  # DJ_STORES replaces the file's block anyway
    start, stop = files.searched
    yield ConfigWarning(
        f"No datajoint.json found: searched from {start} up to {stop} (the search stops "
        "at a directory holding .git or .hg, or at the filesystem root); create one with "
        "`datajoint-storage init`, or name one with DJ_CONFIG_FILE",
        source="datajoint.json",
        rule="no-config-file",
    )


def dj_stores_wrapped(merged: Mapping[str, RawEntry]) -> Iterator[ConfigWarning]:
    """``DJ_STORES='{"stores": {...}}'``: a store named ``stores`` that holds stores."""
    entry = merged.get("stores")
    if entry is None or not isinstance(entry.value, dict) or "protocol" in entry.value:
        return
    if "DJ_STORES" not in entry.source and not entry.source.endswith(".env"):
        return
    yield ConfigWarning(
        'DJ_STORES holds {"stores": {...}}, but DJ_STORES is the stores block itself: '
        'drop the outer "stores" key (DJ_STORES=\'{"main": {"protocol": ...}}\')',
        store="stores",
        source=entry.source,
        rule="dj-stores-wrapped",
    )


def secrets_without_store(merged: Mapping[str, RawEntry]) -> Iterator[ConfigWarning]:
    """Secret files for a store nothing else configures (a typo in the file name?)."""
    configured = [
        name
        for name, entry in merged.items()
        if name not in NAME_ENTRIES and not _secrets_only(entry)
    ]
    for name, entry in merged.items():
        if name in NAME_ENTRIES or not _secrets_only(entry):
            continue
        match = get_close_matches(name, configured, n=1, cutoff=0.5)
        hint = f"; did you mean {match[0]!r}?" if match else ""
        for key in entry.value:
            yield ConfigWarning(
                f"Secret file {entry.origin(key)} is for store {name!r}, which is not "
                f"configured{hint}",
                store=name,
                key=key,
                source=entry.origin(key),
                rule="secret-without-store",
            )


def quoted_booleans(merged: Mapping[str, RawEntry]) -> Iterator[ConfigWarning]:
    """``"secure": "false"``: a string, which DataJoint 2.3.5 reads as true."""
    for name, entry in merged.items():
        if not isinstance(entry.value, dict):
            continue
        for key, value in entry.value.items():
            if key in entry.filled or not isinstance(value, str) or value not in QUOTED_BOOLEANS:
                continue
            bare = QUOTED_BOOLEANS[value]
            yield ConfigWarning(
                f'{key} of store {name!r} is the string "{value}" (DataJoint 2.3.5 reads '
                f"any non-empty string as true): write {bare} without quotes",
                store=name,
                key=key,
                source=entry.origin(key),
                rule="quoted-boolean",
            )


def _secrets_only(entry: RawEntry) -> bool:
    value = entry.value
    return isinstance(value, dict) and bool(value) and set(value) == set(entry.filled)
