"""One merged raw store -> its adapter -> its validated, typed spec, or its problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._contract import internal_call
from .datajoint_rules import blank_required_keys
from .errors import (
    DataJointError,
    InvalidValueError,
    MissingKeysError,
    StoreConfigError,
    UnknownProtocolError,
)
from .redaction import Scrubber, mask_mapping, register_secrets, secret_keys_of, secret_strings
from .registry import failure_for, get_storage_adapter, registered_adapters
from .spec import StoreSpec, dump_spec, suggest, validate_store
from .storage_adapter import StorageAdapter

if TYPE_CHECKING:
    from .settings.merge import RawEntry

DEFAULT_SOURCE = "default"
_NOTHING: frozenset[str] = frozenset()  # shared: most stores have no secret at all
#: A valid store's problems; shared and immutable (one list per store stays alive else).
NO_PROBLEMS: tuple[StoreConfigError, ...] = ()


@dataclass(frozen=True)
class ResolvedStore:
    """A validated store: adapter, typed spec, plain spec, and each value's source."""

    name: str
    adapter: Any
    spec: StoreSpec
    origins: dict[str, str]
    from_secrets: frozenset[str]
    secret_values: frozenset[str] = field(repr=False)
    #: ``plain()``'s dict, built once (the spec is frozen), and its keys holding lists.
    _plain_spec: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _plain_lists: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def plain(self) -> dict[str, Any]:
        """The spec as the adapter receives it: plain values, secrets unwrapped."""
        spec = self._plain_spec
        if spec is None:
            spec = self._keep_plain(dump_spec(self.spec, reveal=True))
        out = dict(spec)  # the caller's own copy, lists (``subfolding``) included
        for key in self._plain_lists:
            out[key] = list(out[key])
        return out

    def _keep_plain(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Cache ``spec`` as what :meth:`plain` copies (a cache, not a change)."""
        lists = tuple(key for key, value in spec.items() if isinstance(value, list))
        object.__setattr__(self, "_plain_lists", lists)
        object.__setattr__(self, "_plain_spec", spec)
        return spec

    def redacted(self) -> dict[str, Any]:
        """The spec for display: secret fields and anything from a secret file masked."""
        shown = dump_spec(self.spec, reveal=False)
        return mask_mapping(shown, secret_keys_of(self.adapter), filled=self.from_secrets)

    def __repr__(self) -> str:
        return f"ResolvedStore(name={self.name!r}, spec={self.redacted()!r})"


def _type_name(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def secret_values_of(entry: RawEntry, adapter: Any = None) -> frozenset[str]:
    """Every value of ``entry`` that must never be shown: secret keys, secret files."""
    if not isinstance(entry.value, dict):
        return frozenset()
    values = secret_strings(entry.value, secret_keys_of(adapter), entry.filled)
    return frozenset(values) if values else _NOTHING


def redacted_raw(entry: RawEntry) -> Any:
    """The raw entry for display, with secret keys and secret-file values masked.

    A deep copy: mutating a list in what is returned never reaches the merged state.
    """
    if not isinstance(entry.value, dict):
        return copy_tree(entry.value)
    shown = mask_mapping(entry.value, _secret_keys_for(entry.value), filled=entry.filled)
    return copy_tree(shown)


def copy_tree(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts and lists), at any depth.

    A loop, not recursion: ``copy.deepcopy`` runs out of stack on a value nested a few
    hundred levels deep, which a configuration file may hold (and ``show`` must print).
    """
    if not isinstance(value, (dict, list)):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, (dict, list)):
                copied: Any = {} if isinstance(item, dict) else []
                stack.append((item, copied))
            else:
                copied = item
            if isinstance(target, dict):
                target[key] = copied
            else:
                target.append(copied)
    return root


def resolve_entry(
    name: str, entry: RawEntry
) -> tuple[ResolvedStore | None, Sequence[StoreConfigError]]:
    """Validate one merged store; never raises for bad input, returns its problems."""
    value = entry.value
    if not isinstance(value, dict):
        return None, [
            InvalidValueError(
                f"Store {name!r} must be an object with a 'protocol', not a JSON "
                f"{_type_name(value)} (from {entry.source})",
                store=name,
                source=entry.source,
            )
        ]
    protocol = value.get("protocol")
    if protocol is None:
        where = ", ".join(dict.fromkeys(entry.origin(k) for k in value)) or entry.source
        return None, [
            MissingKeysError(
                f"Store {name!r} is missing: protocol (from {where})",
                store=name,
                key="protocol",
                source=where,
            )
        ]
    source = entry.origin("protocol")
    if not isinstance(protocol, str):
        return None, [
            InvalidValueError(
                f"Invalid value for protocol: must be a string, not a JSON {_type_name(protocol)} "
                f"(store {name!r}, from {source})",
                store=name,
                key="protocol",
                source=source,
            )
        ]
    if protocol != protocol.lower():  # DataJoint matches protocols case-insensitively
        protocol = protocol.lower()
        value = {**value, "protocol": protocol}
    adapter = get_storage_adapter(protocol)
    if adapter is None:
        return None, [_unknown_protocol(name, protocol, source)]
    secrets = secret_values_of(entry, adapter)
    register_secrets(secrets)  # SDK log records mask them from now on
    blank = blank_required_keys(adapter.protocol, value)
    if blank:  # "" for a key DataJoint's backend needs: missing, in the spec's words
        value = {k: v for k, v in value.items() if k not in blank}
    spec, problems = validate_store(name, adapter, value, entry.origin)
    if spec is None:
        return None, problems
    plain = dump_spec(spec, reveal=True)
    origin_of, entry_source = entry.origins.get, entry.source
    origins = {
        key: origin_of(key, entry_source if key in value else DEFAULT_SOURCE) for key in plain
    }
    filled = frozenset(entry.filled) if entry.filled else _NOTHING
    resolved = ResolvedStore(name, adapter, spec, origins, filled, secrets)
    resolved._keep_plain(plain)
    extra = _adapter_rules(resolved)
    return (None, extra) if extra else (resolved, NO_PROBLEMS)


def _adapter_rules(resolved: ResolvedStore) -> list[StoreConfigError]:
    """Run an adapter's own ``validate_spec`` when it adds rules beyond our model."""
    adapter = resolved.adapter
    check = getattr(adapter, "validate_spec", None)
    if (
        check is None
        or getattr(type(adapter), "validate_spec", None) is StorageAdapter.validate_spec
    ):
        return []
    try:
        with internal_call():  # foreign exceptions are reported below, with the store
            check(resolved.plain())
    except Exception as exc:  # a plugin's rule may raise anything; report, never echo secrets
        text = _plugin_text(exc, Scrubber(resolved.secret_values))
        if not isinstance(exc, DataJointError):
            text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        # A plugin that names the key keeps it, and the source is that key's.
        key = getattr(exc, "key", None) if isinstance(exc, DataJointError) else None
        key = key if isinstance(key, str) else None
        source = resolved.origins.get(key or "protocol")
        return [
            InvalidValueError(
                f"{text} (store {resolved.name!r}, from {source})",
                store=resolved.name,
                key=key,
                source=source,
            )
        ]
    return []


def _unknown_protocol(name: str, protocol: str, source: str) -> UnknownProtocolError:
    failure = failure_for(protocol)
    if failure is not None:
        hint = f"; the adapter that provides it failed to load: {failure}"
    else:
        hint = suggest(protocol, registered_adapters()) + (
            "; pip install the adapter package that provides it"
        )
    return UnknownProtocolError(
        f"Unknown protocol: {protocol} (store {name!r}, from {source}){hint}",
        store=name,
        key="protocol",
        source=source,
    )


def _plugin_text(exc: BaseException, scrubber: Scrubber) -> str:
    """A plugin's message, secrets masked; withheld whole if a secret is too short to mask."""
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not hide the failure
        return ""
    shown = scrubber.free_text(text)
    return (
        "validate_spec failed (its message is withheld: a secret is too short to mask)"
        if shown is None
        else shown
    )


def _secret_keys_for(mapping: dict[Any, Any]) -> frozenset[str]:
    protocol = mapping.get("protocol")
    adapter = get_storage_adapter(protocol.lower()) if isinstance(protocol, str) else None
    return secret_keys_of(adapter)


def redact_mapping(mapping: Any) -> Any:
    """A store-like mapping for display, secret-bearing keys masked (by key only).

    The keys of ``SECRET_KEYS`` in any case or spelling and those the store's adapter
    declares in ``secret_keys``; credentials in a ``proxy_server`` URL.
    """
    if not isinstance(mapping, dict):
        return mapping
    return mask_mapping(mapping, _secret_keys_for(mapping))
