"""``.secrets/stores.<name>.<attr>``: one value per file, filling keys left unset.

We read the directory ourselves. pydantic-settings' ``NestedSecretsSettingsSource``
checks a link when it lists the directory and reads the file later (a link flipped in
between was read as a secret; a FIFO swapped in hung the read), refuses directories of
over 10,000 entries (DataJoint reads them) and costs several times a direct read. Here
each file is opened once and judged on its descriptor (:mod:`.read_once`). The rules
are the reference's: UTF-8, stripped, hidden files skipped, names exactly
``stores.<name>.<attr>``, links that stay inside the directory (Kubernetes' ``..data``)
followed; an empty file is a present empty value.

The directory is opened once and listed through its descriptor; each candidate is
opened relative to it without following a link (:class:`.read_once.DirectoryReader`),
so a plain file needs no check of where it lives and no path is built for it. A link is
resolved one name at a time the same way, or else followed and verified against the
directory's real path, computed once per read. Entries the listing says are neither
files nor links (FIFOs, devices, directories) are not opened at all; any other is still
judged on its own descriptor, so an entry swapped after the listing is refused the same.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from pathlib import Path
from typing import Any

from ...datajoint_rules import secret_file_text, skipped_file_warning
from ...errors import ConfigSourceError
from ..layer import Layer
from .read_once import AT_READS, DirectoryReader, FileRefused, read_bytes

#: A store secret's file name: exactly ``stores.<name>.<attr>``.
SECRET_NAME = re.compile(r"stores\.([^./]+)\.([^./]+)")
#: Larger files are not credentials; they are skipped with a warning.
MAX_SECRET_BYTES = 64 * 1024
#: Refusals DataJoint 2.3.5 would not make (it reads the file): also a config warning.
_NOTED = ("it links outside", "it is larger", "it is not UTF-8", "it cannot be read", "it was")


class SecretsWarning(UserWarning):
    """A secret file was skipped; the message names the file, never its content."""


class SecretsDirSource:
    """Reads the store secrets of one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __call__(self) -> Layer | None:
        if not AT_READS:  # no descriptor-relative opens here: read by path
            return self._read_by_path()
        directory = self.directory
        try:
            reader = DirectoryReader(directory)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise _unlisted(directory, exc) from None
        with reader:
            return self._read_with(reader)

    def _read_with(self, reader: DirectoryReader) -> Layer:
        directory = self.directory
        try:
            with os.scandir(reader.fd) as listing:
                # Every name we read or warn about starts so (hidden ones cannot).
                found = [entry for entry in listing if entry.name.startswith("stores.")]
        except OSError as exc:
            raise _unlisted(directory, exc) from None
        found.sort(key=_name)
        prefix = _prefix(directory)
        entries: dict[str, dict[str, str]] = {}
        skipped: list[tuple[Path, str]] = []
        fullmatch = SECRET_NAME.fullmatch
        for entry in found:
            name = entry.name
            match = fullmatch(name)
            if match is None:
                if _empty_part(name) and _is_file(entry):
                    # "stores..x", "stores.x.": DataJoint reads a store or key named "".
                    skipped.append((directory / name, "a part of its name is empty"))
                continue
            value = _read_entry(reader, entry, prefix, directory, skipped)
            if value is not None:
                entries.setdefault(match[1], {})[match[2]] = value
        return _layer(directory, prefix, entries, skipped)

    def _read_by_path(self) -> Layer | None:
        directory = self.directory
        try:
            names = sorted(os.listdir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise _unlisted(directory, exc) from None
        entries: dict[str, dict[str, str]] = {}
        skipped: list[tuple[Path, str]] = []
        for name in names:
            match = SECRET_NAME.fullmatch(name)
            if name.startswith(".") or match is None:
                if _empty_part(name) and (directory / name).is_file():
                    skipped.append((directory / name, "a part of its name is empty"))
                continue
            value = _read_one(directory / name, directory, skipped)
            if value is not None:
                entries.setdefault(match[1], {})[match[2]] = value
        return _layer(directory, _prefix(directory), entries, skipped)

    def describe(self) -> dict[str, Any]:
        """This source as data."""
        return {"kind": "secrets", "name": ".secrets", "path": str(self.directory)}

    def __repr__(self) -> str:
        return f"SecretsDirSource(directory={str(self.directory)!r})"


def _layer(
    directory: Path,
    prefix: str,
    entries: dict[str, dict[str, str]],
    skipped: list[tuple[Path, str]],
) -> Layer:
    # An empty file is a present empty value, as in DataJoint (datajoint_rules).
    return Layer(
        str(directory),
        "fill",
        entries,
        # str(directory / f"stores.{store}.{key}"), without a Path per key
        origin_of=lambda store, key: f"{prefix}stores.{store}.{key}",
        notes=tuple(skipped_file_warning(path, why) for path, why in skipped),
    )


def _prefix(directory: Path) -> str:
    """What ``str(directory / name)`` puts before ``name`` (``""`` for ``Path(".")``)."""
    return str(Path(directory) / "x")[:-1]


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_file(entry: os.DirEntry[str]) -> bool:
    """``Path.is_file()`` of a listed entry (links followed, errors are False)."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _read_entry(
    reader: DirectoryReader,
    entry: os.DirEntry[str],
    prefix: str,
    directory: Path,
    skipped: list[tuple[Path, str]],
) -> str | None:
    """The stripped UTF-8 text of one listed secret file, or None (with a warning)."""
    name = entry.name
    link = False
    try:
        if not entry.is_file(follow_symlinks=False):  # the listing's type, no stat
            link = entry.is_symlink()
            if not link:
                _refuse_unopened(entry)
        raw = reader.read(name, prefix + name, limit=MAX_SECRET_BYTES, link=link)
    except FileRefused as refused:
        return _skip(directory / name, refused.why, skipped)
    try:
        # Explicit UTF-8, and strip: editors add a trailing newline, Windows editors CRLF.
        return secret_file_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _skip(directory / name, "it is not UTF-8 text", skipped)


def _refuse_unopened(entry: os.DirEntry[str]) -> None:
    """Refuse, without opening it, an entry that is neither a file nor a link.

    A FIFO, a device, a socket or a directory is never opened (opening a device can do
    something). When its type cannot be told here, the descriptor decides.
    """
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return  # gone, or unknown: the open says which, in its own words
    if stat.S_ISDIR(mode):
        raise FileRefused("it is a directory, not a file")
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise FileRefused("it is not a regular file")


def _read_one(path: Path, directory: Path, skipped: list[tuple[Path, str]]) -> str | None:
    """The stripped UTF-8 text of one secret file, or None (with a warning) if unusable."""
    try:
        raw = read_bytes(path, limit=MAX_SECRET_BYTES, inside=directory)
    except FileRefused as refused:
        return _skip(path, refused.why, skipped)
    try:
        # Explicit UTF-8, and strip: editors add a trailing newline, Windows editors CRLF.
        return secret_file_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _skip(path, "it is not UTF-8 text", skipped)


def _unlisted(directory: Path, exc: OSError) -> ConfigSourceError:
    return ConfigSourceError(
        f"Secrets directory {directory} was not read: {exc.strerror or type(exc).__name__}",
        source=str(directory),
    )


def _empty_part(name: str) -> bool:
    parts = name.split(".")
    return not name.startswith(".") and len(parts) == 3 and parts[0] == "stores"


def _skip(path: Path, why: str, skipped: list[tuple[Path, str]]) -> None:
    warnings.warn(f"Secret file {path} skipped: {why}", SecretsWarning, stacklevel=3)
    if why.startswith(_NOTED):  # a note only where DataJoint would read the file
        skipped.append((path, why))
    return None
