"""Edits of a parsed ``datajoint.json``: only the ``stores`` entries they name change.

Every other key, and the order of all keys, is kept. A store written as flat dot keys
(``"stores.main.location": ...``) is edited in that form, since the file reader lets
flat keys win over the nested block.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import ConfigSourceError
from .outcome import CommandFailed

PREFIX = "stores."
#: Entries of the stores block that name a store rather than configure one.
NAME_KEYS = ("default", "filepath_default")


def parse_value(text: str) -> Any:
    """``false`` -> False, ``[2, 2]`` -> a list, ``"12"`` -> "12"; anything else as written."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def load(text: str, label: str) -> dict[str, Any]:
    """The document, which must be a JSON object (its key order is kept)."""
    try:
        document = json.loads(text)
    except ValueError as exc:  # unreadable, as for every other command: exit 2
        raise ConfigSourceError(
            f"{label} is not valid JSON; fix it by hand first ({exc})", source=label
        ) from None
    if not isinstance(document, dict):
        raise ConfigSourceError(f"{label} must be a JSON object; nothing was written", source=label)
    return document


def render(document: dict[str, Any], original: str) -> str:
    """The document as text, indented as the original file was, so a diff shows the edit.

    Lists of plain values stay on one line (``[2, 2]``) when the original wrote them so.
    """
    match = re.search(r"\n([ \t]+)\S", original)
    if match:
        text = _dump(document, match.group(1), "", _INLINE_LIST.search(original) is not None)
    elif "\n" not in original.strip() and original.strip():
        text = json.dumps(document, ensure_ascii=False)  # a one-line file stays one line
    else:
        text = _dump(document, "  ", "", True)
    return text + "\n" if original.endswith("\n") or not original else text


#: A non-empty list of plain values written on one line, as people write ``[2, 2]``.
_INLINE_LIST = re.compile(r"\[[^\[\]{}\n]+\]")


def _dump(value: Any, indent: str, pad: str, inline_lists: bool) -> str:
    inner = pad + indent
    if isinstance(value, dict) and value:
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, indent, inner, inline_lists)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        if inline_lists and not any(isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        items = [f"{inner}{_dump(v, indent, inner, inline_lists)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def _block(document: dict[str, Any], create: bool) -> dict[str, Any] | None:
    block = document.get("stores")
    if block is None and create:
        block = document["stores"] = {}
    if block is not None and not isinstance(block, dict):
        raise CommandFailed("'stores' in the file is not a JSON object; fix it by hand first")
    return block


def _flat(document: dict[str, Any], store: str) -> list[str]:
    """The flat keys of ``store`` (``stores.<store>.<key>`` and ``stores.<store>``)."""
    whole = PREFIX + store
    return [k for k in document if k == whole or k.startswith(whole + ".")]


def store_names(document: dict[str, Any]) -> list[str]:
    """Every name the file configures (nested or flat), ``default`` entries included."""
    names = list(_block(document, create=False) or {})
    for key in document:
        if key.startswith(PREFIX):
            names.append(key[len(PREFIX) :].partition(".")[0])
    return list(dict.fromkeys(names))


def has_store(document: dict[str, Any], store: str) -> bool:
    return store in store_names(document)


def add_store(document: dict[str, Any], store: str, spec: dict[str, Any]) -> None:
    block = _block(document, create=True)
    assert block is not None
    block[store] = spec


def set_key(document: dict[str, Any], store: str, key: str, value: Any) -> None:
    flat = f"{PREFIX}{store}.{key}"
    if flat in document:
        document[flat] = value
        return
    block = _block(document, create=False) or {}
    if store in block:
        entry = block[store]
        if not isinstance(entry, dict):
            raise CommandFailed(f"store {store!r} is not a JSON object; fix it by hand first")
        entry[key] = value
    elif _flat(document, store):
        document[flat] = value  # keep the file's flat style for this store
    else:
        raise CommandFailed(f"store {store!r} is not configured in this file")


def unset_key(document: dict[str, Any], store: str, key: str) -> bool:
    """Remove ``key`` of ``store`` wherever the file sets it; False if it did not."""
    removed = document.pop(f"{PREFIX}{store}.{key}", _MISSING) is not _MISSING
    entry = (_block(document, create=False) or {}).get(store)
    if isinstance(entry, dict) and key in entry:
        del entry[key]
        removed = True
    return removed


def remove_store(document: dict[str, Any], store: str) -> bool:
    """Remove ``store`` (nested entry and flat keys); False if the file had none."""
    removed = False
    for key in _flat(document, store):
        del document[key]
        removed = True
    block = _block(document, create=False)
    if block is not None and store in block:
        del block[store]
        removed = True
    return removed


def set_name_entry(document: dict[str, Any], entry: str, store: str) -> None:
    """``stores.default`` / ``stores.filepath_default`` = ``store``, where the file has it."""
    flat = PREFIX + entry
    if flat in document:
        document[flat] = store
        return
    block = _block(document, create=True)
    assert block is not None
    block[entry] = store


_MISSING = object()
