"""``.secrets/stores.<name>.<attr>``: one value per file, filling keys left unset.

We read the directory ourselves. pydantic-settings' ``NestedSecretsSettingsSource``
checks a link when it lists the directory and reads the file later (a link flipped in
between was read as a secret; a FIFO swapped in hung the read), refuses directories of
over 10,000 entries (DataJoint reads them) and costs several times a direct read. Here
each file is opened once and judged on its descriptor (:mod:`.read_once`). The rules
are the reference's: UTF-8, stripped, hidden files skipped, names exactly
``stores.<name>.<attr>``, links that stay inside the directory (Kubernetes' ``..data``)
followed; an empty file is a present empty value.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

from ...datajoint_rules import secret_file_text, skipped_file_warning
from ...errors import ConfigSourceError
from ..layer import Layer
from .read_once import FileRefused, read_bytes

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
        directory = self.directory
        try:
            names = sorted(os.listdir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise ConfigSourceError(
                f"Secrets directory {directory} was not read: {exc.strerror or type(exc).__name__}",
                source=str(directory),
            ) from None
        entries: dict[str, dict[str, str]] = {}
        skipped: list[tuple[Path, str]] = []
        for name in names:
            match = SECRET_NAME.fullmatch(name)
            if name.startswith(".") or match is None:
                if _empty_part(name) and (directory / name).is_file():
                    # "stores..x", "stores.x.": DataJoint reads a store or key named "".
                    skipped.append((directory / name, "a part of its name is empty"))
                continue
            value = _read_one(directory / name, directory, skipped)
            if value is not None:
                entries.setdefault(match[1], {})[match[2]] = value
        # An empty file is a present empty value, as in DataJoint (datajoint_rules).
        return Layer(
            str(directory),
            "fill",
            entries,
            origin_of=lambda store, key: str(directory / f"stores.{store}.{key}"),
            notes=tuple(skipped_file_warning(path, why) for path, why in skipped),
        )

    def describe(self) -> dict[str, Any]:
        """This source as data."""
        return {"kind": "secrets", "name": ".secrets", "path": str(self.directory)}

    def __repr__(self) -> str:
        return f"SecretsDirSource(directory={str(self.directory)!r})"


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


def _empty_part(name: str) -> bool:
    parts = name.split(".")
    return not name.startswith(".") and len(parts) == 3 and parts[0] == "stores"


def _skip(path: Path, why: str, skipped: list[tuple[Path, str]]) -> None:
    warnings.warn(f"Secret file {path} skipped: {why}", SecretsWarning, stacklevel=3)
    if why.startswith(_NOTED):  # a note only where DataJoint would read the file
        skipped.append((path, why))
    return None
