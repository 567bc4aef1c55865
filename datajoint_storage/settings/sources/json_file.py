"""``datajoint.json``: found upward from the working directory, or named by DJ_CONFIG_FILE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...errors import ConfigSourceError
from ..layer import Layer
from .read_once import read_text

FILENAME = "datajoint.json"
#: A configuration file larger than this is refused (no real one comes near it).
MAX_CONFIG_BYTES = 16 * 2**20
_REPO_MARKERS = (".git", ".hg")


def find_config_file(start: Path) -> Path | None:
    """The nearest ``datajoint.json`` from ``start`` upward, stopping at a repository root."""
    directory = start.resolve()
    while True:
        candidate = directory / FILENAME
        if candidate.is_file():
            return candidate
        if any((directory / marker).exists() for marker in _REPO_MARKERS):
            return None
        if directory.parent == directory:
            return None
        directory = directory.parent


def search_bounds(start: Path) -> tuple[Path, Path]:
    """Where the search for ``datajoint.json`` starts and the directory it stops at."""
    directory = start.resolve()
    first = directory
    while not any((directory / marker).exists() for marker in _REPO_MARKERS):
        if directory.parent == directory:
            break
        directory = directory.parent
    return first, directory


class JsonFileSource:
    """The ``stores`` block of one ``datajoint.json``, nested and flat dot keys merged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: The whole document once read (the DataJoint rules look at its other keys).
        self.document: dict[str, Any] | None = None

    def __call__(self) -> Layer:
        label = str(self.path)
        # One descriptor, non-blocking: a FIFO, /dev/zero or a directory is refused, not read.
        text = read_text(self.path, limit=MAX_CONFIG_BYTES, label=label)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigSourceError(
                f"{label} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                source=label,
            ) from None
        except RecursionError:
            raise ConfigSourceError(f"{label} is nested too deeply", source=label) from None
        except ValueError:  # an integer past the interpreter's digit limit
            raise ConfigSourceError(
                f"{label} is not valid JSON: a number has too many digits", source=label
            ) from None
        except MemoryError:
            raise ConfigSourceError(f"{label} is too large to parse", source=label) from None
        if not isinstance(document, dict):
            raise ConfigSourceError(f"{label} must be a JSON object", source=label)
        self.document = document
        return Layer(label, "block", stores_block(document, label))

    def describe(self) -> dict[str, Any]:
        """This source as data: what ``validate`` and ``doctor`` print."""
        return {"kind": "file", "name": FILENAME, "path": str(self.path)}

    def __repr__(self) -> str:
        return f"JsonFileSource(path={str(self.path)!r})"


def stores_block(document: dict[str, Any], label: str) -> dict[str, Any]:
    """Merge ``"stores": {...}`` with flat ``"stores.<name>.<key>"`` entries.

    Wherever it stands in the file, a flat key completes the nested block; a 2-part key
    (``"stores.default"``) sets a whole entry; a key of more parts, or one onto an entry
    that is not an object, is left out. DataJoint 2.3.5 reads some of these differently:
    ``datajoint_rules.file_store_differences`` says which, as warnings.
    """
    nested = document.get("stores", {})
    if nested is None:
        nested = {}
    if not isinstance(nested, dict):
        raise ConfigSourceError(f"'stores' in {label} must be a JSON object", source=label)
    flat = [key for key in document if key.startswith("stores.")]
    if not flat:
        return nested  # the document's own block: read, never changed (one copy in memory)
    block: dict[str, Any] = dict(nested)
    copied: set[str] = set()  # stores copied before a flat key changes them
    for flat_key in flat:
        value = document[flat_key]
        parts = flat_key.split(".")
        if len(parts) == 2:
            block[parts[1]] = value  # "stores.default": "main", or a whole store
            copied.discard(parts[1])
        elif len(parts) == 3:
            store = block.setdefault(parts[1], {})
            if isinstance(store, dict):
                if parts[1] not in copied:
                    store = block[parts[1]] = dict(store)
                    copied.add(parts[1])
                store[parts[2]] = value
    return block
