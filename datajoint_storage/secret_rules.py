"""Warnings about secrets themselves (not about DataJoint): a sibling of the rule table.

Kept out of ``datajoint_rules.py``, whose rules each mirror a DataJoint behaviour; these
come from :mod:`.redaction`'s limits. Each rule takes the same :class:`Sources`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .errors import ConfigWarning
from .redaction import MIN_FREE_TEXT, is_secret_key, secret_keys_of, secret_strings

if TYPE_CHECKING:
    from .datajoint_rules import Sources

__all__ = ["short_secrets"]


def _adapter_of(value: dict[str, Any]) -> Any:
    from .registry import get_storage_adapter

    protocol = value.get("protocol")
    return get_storage_adapter(protocol.lower()) if isinstance(protocol, str) else None


def short_secrets(sources: Sources) -> Iterator[ConfigWarning]:
    """A secret shorter than ``MIN_FREE_TEXT``: it cannot be masked in an SDK's words.

    Its store's backend errors lose their free text (the exception class and what was
    being done stay). The message names store, key and source, never the value.
    """
    for name, entry in sources.merged.items():
        value = entry.value
        if not isinstance(value, dict):
            continue
        secret = secret_keys_of(_adapter_of(value))
        for key, item in value.items():
            if key not in entry.filled and not is_secret_key(key, secret):
                continue
            found = secret_strings({key: item}, {key})
            if any(len(s.strip()) < MIN_FREE_TEXT for s in found):
                source = entry.origin(key)
                yield ConfigWarning(
                    f"{key} of store {name!r} is shorter than {MIN_FREE_TEXT} characters "
                    f"(from {source}): too short to mask in a backend's error text, so "
                    "that text is withheld from this store's errors; use a longer secret",
                    store=name,
                    key=key,
                    source=source,
                    rule="short-secret",
                )
