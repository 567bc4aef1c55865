"""``.secrets/stores.<name>.<attr>``: one value per file, filling keys left unset.

The directory walk is pydantic-settings' ``NestedSecretsSettingsSource``: it follows
Kubernetes' ``..data`` links that stay inside the directory, skips links that escape,
skips hidden files and caps the directory's size. We only add the per-file rules.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...datajoint_rules import secret_file_text, skipped_file_warning
from ...errors import ConfigSourceError
from ..layer import Layer

#: A store secret's file name: exactly ``stores.<name>.<attr>``.
SECRET_NAME = re.compile(r"stores\.([^./]+)\.([^./]+)")
#: Larger files are not credentials; they are skipped with a warning.
MAX_SECRET_BYTES = 64 * 1024


class SecretsWarning(UserWarning):
    """A secret file was skipped; the message names the file, never its content."""


class SecretsDirSource:
    """Reads the store secrets of one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __call__(self) -> Layer | None:
        if not self.directory.is_dir():
            return None
        from pydantic_settings import SettingsError

        try:
            source = _store_secrets_source()(
                _shape(),
                secrets_dir=self.directory,
                secrets_nested_delimiter=".",
                secrets_case_sensitive=True,
                secrets_dir_missing="ok",
            )
            entries = source().get("stores", {})
        except SettingsError as exc:
            raise ConfigSourceError(
                f"Secrets directory {self.directory} was not read: {exc}",
                source=str(self.directory),
            ) from None
        directory = self.directory
        # An empty file is a present empty value, as in DataJoint (datajoint_rules).
        return Layer(
            str(directory),
            "fill",
            {store: attrs for store, attrs in entries.items() if attrs},
            origin_of=lambda store, key: str(directory / f"stores.{store}.{key}"),
            notes=tuple(skipped_file_warning(path, why) for path, why in source.skipped),
        )

    def describe(self) -> dict[str, Any]:
        """This source as data."""
        return {"kind": "secrets", "name": ".secrets", "path": str(self.directory)}

    def __repr__(self) -> str:
        return f"SecretsDirSource(directory={str(self.directory)!r})"


def _read_one(path: Path, skipped: list[tuple[Path, str]]) -> str | None:
    """The stripped UTF-8 text of one secret file, or None (with a warning) if unusable."""
    try:
        if path.stat().st_size > MAX_SECRET_BYTES:
            return _skip(path, f"it is larger than {MAX_SECRET_BYTES} bytes", skipped)
        raw = path.read_bytes()
    except OSError as exc:
        why = f"it cannot be read ({exc.strerror or type(exc).__name__})"
        return _skip(path, why, skipped)
    try:
        # Explicit UTF-8, and strip: editors add a trailing newline, Windows editors CRLF.
        return secret_file_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _skip(path, "it is not UTF-8 text", skipped)


def _empty_part(name: str) -> bool:
    parts = name.split(".")
    return not name.startswith(".") and len(parts) == 3 and parts[0] == "stores"


def _why_not_walked(entry: Path, directory: Path) -> str:
    """Why the walk left out a file named like a secret (never opened: a FIFO would block)."""
    if not entry.exists():
        return "it is a broken link"
    resolved = entry.resolve()
    if entry.is_symlink() and resolved != directory and directory not in resolved.parents:
        return "it links outside the secrets directory"
    if entry.is_dir():
        return "it is a directory, not a file"
    return "it is not a regular file"


def _skip(path: Path, why: str, skipped: list[tuple[Path, str]]) -> None:
    warnings.warn(f"Secret file {path} skipped: {why}", SecretsWarning, stacklevel=2)
    skipped.append((path, why))
    return None


@functools.cache
def _shape() -> type:
    """The settings class the nested source explodes ``stores.<name>.<attr>`` into."""
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class StoreSecrets(BaseSettings):
        model_config = SettingsConfigDict(extra="ignore")
        stores: dict[str, dict[str, str]] = {}

    return StoreSecrets


@functools.cache
def _store_secrets_source() -> type:
    """pydantic-settings' nested secrets source, reading only store-secret files."""
    from pydantic_settings import NestedSecretsSettingsSource

    class StoreSecretsSource(NestedSecretsSettingsSource):
        def _iter_secret_files(self, path: Path) -> Iterator[Path]:  # type: ignore[override]
            # pydantic-settings walks once for the size cap and once to load; one read of
            # the directory serves both (the walk resolves every entry: it is not cheap).
            walks = self.__dict__.setdefault("_walks", {})
            if path not in walks:
                walks[path] = list(NestedSecretsSettingsSource._iter_secret_files(path))
            return iter(walks[path])

        @property
        def skipped(self) -> list[tuple[Path, str]]:
            """Files named like store secrets that were not read, and why."""
            return self.__dict__.setdefault("_skipped", [])

        def load_secrets(self, path: Path) -> dict[str, str]:  # type: ignore[override]
            # The walk is pydantic-settings': links escaping ``path`` never come back.
            walked = {p.name: p for p in self._iter_secret_files(path) if p.parent == path}
            values: dict[str, str] = {}
            for name in sorted(os.listdir(path)):  # names sort like the paths, and faster
                if name.startswith(".") or not SECRET_NAME.fullmatch(name):
                    # "stores..x", "stores.x.": DataJoint reads a store or key named "".
                    if _empty_part(name) and (path / name).is_file():
                        self.skipped.append((path / name, "a part of its name is empty"))
                    continue
                entry = path / name
                if name not in walked:
                    # A note only where DataJoint would read it: a link to a file outside.
                    noted = self.skipped if entry.is_file() else []
                    _skip(entry, _why_not_walked(entry, path), noted)
                    continue
                value = _read_one(walked[name], self.skipped)
                if value is not None:
                    values[name] = value
            return values

    return StoreSecretsSource
