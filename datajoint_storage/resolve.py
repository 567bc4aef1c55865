"""One merged raw store -> its adapter -> its validated, typed spec, or its problems."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._contract import internal_call
from .compiled_spec import Layout, compiled_spec
from .datajoint_rules import blank_required_keys, truthy_required_keys
from .errors import (
    DataJointError,
    InvalidValueError,
    MissingKeysError,
    StoreConfigError,
    UnknownProtocolError,
)
from .redaction import (
    Scrubber,
    key_kind,
    mask_mapping,
    register_secrets,
    secret_keys_of,
    secret_strings,
)
from .registry import failure_for, get_storage_adapter, registered_adapters
from .spec import StoreSpec, dump_spec, hidden_keys, spec_model_for, suggest, validate_store
from .storage_adapter import StorageAdapter

if TYPE_CHECKING:
    from .settings.merge import RawEntry

DEFAULT_SOURCE = "default"
_NOTHING: frozenset[str] = frozenset()  # shared: most stores have no secret at all
_NO_KEYS: tuple[str, ...] = ()
#: A valid store's problems; shared and immutable (one list per store stays alive else).
NO_PROBLEMS: tuple[StoreConfigError, ...] = ()


class ResolvedStore:
    """A validated store: adapter, plain spec, and (built on first use) the typed spec
    and each value's source.

    Only the plain dict is made when a store resolves; the model instance, the origins
    and the redacted view cost nothing until asked for (most stores never are).
    """

    __slots__ = ("_entry", "_lists", "_origins", "_plain", "_raw", "_spec", "adapter", "name")
    __slots__ += ("secret_values",)

    def __init__(
        self,
        name: str,
        adapter: Any,
        plain: dict[str, Any],
        raw: dict[str, Any],
        entry: RawEntry,
        secret_values: frozenset[str],
        spec: StoreSpec | None = None,
        lists: list[str] | None = None,
    ) -> None:
        self.name = name
        self.adapter = adapter
        self._plain = plain
        #: Keys of ``plain`` holding lists: copied for every caller (``subfolding``).
        if lists is None:
            lists = [k for k, v in plain.items() if v.__class__ is list]
        self._lists = tuple(lists) if lists else _NO_KEYS
        #: What was validated, when not the merged value itself (protocol lower-cased).
        self._raw = None if raw is entry.value else raw
        self._entry = entry
        self._spec = spec
        self._origins: dict[str, str] | None = None
        self.secret_values = secret_values

    @property
    def spec(self) -> StoreSpec:
        """The typed spec (the adapter's model instance)."""
        spec = self._spec
        if spec is None:
            spec = self._spec = spec_model_for(self.adapter).model_validate(self.raw)
        return spec

    @property
    def origins(self) -> dict[str, str]:
        """For every key of the spec, the source that set it (``default`` for defaults)."""
        origins = self._origins
        if origins is None:
            entry, raw = self._entry, self.raw
            origin_of, source = entry.origins.get, entry.source
            origins = self._origins = {
                key: origin_of(key, source if key in raw else DEFAULT_SOURCE) for key in self._plain
            }
        return origins

    @property
    def raw(self) -> dict[str, Any]:
        """The merged value that was validated."""
        raw = self._raw
        return self._entry.value if raw is None else raw

    @property
    def from_secrets(self) -> frozenset[str]:
        """Keys a secret file supplied."""
        filled = self._entry.filled
        return frozenset(filled) if filled else _NOTHING

    def plain(self) -> dict[str, Any]:
        """The spec as the adapter receives it: plain values, secrets unwrapped."""
        out = self._plain.copy()  # the caller's own copy, lists (``subfolding``) included
        for key in self._lists:
            out[key] = list(out[key])
        return out

    def peek(self) -> Mapping[str, Any]:
        """The plain spec itself, not a copy: for reading only (no secret masked)."""
        return self._plain

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


#: A valid store resolved on the fast path: its plain spec; or, when some values are
#: lists (callers get copies of them), the spec with None in their place, their keys,
#: and their items as tuples. Nothing else is kept per store (``ResolvedStore`` is
#: built from it when code asks for more): a dict of plain values is never tracked by
#: the garbage collector, and a store with a list adds only the one tuple holding it.
Plain = dict[str, Any] | tuple[dict[str, Any], tuple[str, ...], tuple[tuple[Any, ...], ...]]


def _kept(out: tuple[dict[str, Any], tuple[str, ...]]) -> Plain:
    values, lists = out
    if not lists:
        return values
    items = tuple([tuple(values[key]) for key in lists])
    for key in lists:
        values[key] = None
    # A new dict, built item by item (a copy of a tracked dict stays tracked): made of
    # plain values, the garbage collector never tracks it.
    return dict(values.items()), lists, items


def unpack(resolved: Plain) -> dict[str, Any]:
    """A new plain spec from a kept one, with lists of its own (what callers get)."""
    if resolved.__class__ is dict:
        return resolved.copy()  # type: ignore[union-attr]
    plain, lists, items = resolved  # type: ignore[misc]
    spec: dict[str, Any] = plain.copy()
    for key, item in zip(lists, items, strict=True):
        spec[key] = list(item)
    return spec


def resolve_plain(value: Any, filled: frozenset[str]) -> Plain | None:
    """The plain spec of a valid store that holds no secret, or None: anything else
    (an error, a secret to register, a plugin's own rules) takes :func:`resolve_entry`.

    The usual store costs one validation and no object beyond its spec.
    """
    if value.__class__ is not dict or filled:
        return None
    layout = _layout_of(value.get("protocol"), tuple(value))
    if layout is None or (layout.screened and _refused(value, layout)):
        return None
    out = layout.fast.plain(value, layout)
    return None if out is None else _kept(out)


def _refused(value: dict[str, Any], layout: Layout) -> bool:
    """What the slow path must see: a URL with ``user:password@`` (a secret to register),
    a required key given as ``""`` (``blank_required_keys``)."""
    for key in layout.urls:
        url = value[key]
        if url.__class__ is str and "@" in url:
            return True
    for key in layout.truthy:  # noqa: SIM110  (a loop: no generator made per store)
        if value[key] == "":
            return True
    return False


def resolve_many(values: Sequence[Any], *, keep: bool = True) -> list[Plain | None]:
    """:func:`resolve_plain` of each store's value (anything but a dict: None), the
    adapter and layout lookups shared: what ``validate()`` of many stores costs each.

    ``keep=False``: each valid store's plain dict as validated, to read and drop (not
    packed to be kept).
    """
    layouts: dict[tuple[Any, tuple[Any, ...]], Layout | None] = {}
    out: list[Plain | None] = []
    append = out.append
    for value in values:
        if value.__class__ is not dict:
            append(None)
            continue
        protocol = value.get("protocol")
        keys = tuple(value)
        try:
            layout = layouts[protocol, keys]
        except KeyError:
            layout = layouts[protocol, keys] = _layout_of(protocol, keys)
        except TypeError:  # an unhashable protocol: the slow path explains
            layout = None
        if layout is None:
            append(None)
            continue
        if layout.screened and _refused(value, layout):
            append(None)
        elif keep:
            plain = layout.fast.plain(value, layout)
            append(None if plain is None else _kept(plain))
        else:  # read and dropped: validated and the rules run, nothing unpacked
            append(layout.fast.check(value, layout))
    return out


def _layout_of(protocol: Any, keys: tuple[Any, ...]) -> Layout | None:
    if protocol.__class__ is not str:
        return None
    adapter = get_storage_adapter(protocol)
    if adapter is None:
        return None
    known = _layouts.get((protocol, keys))
    if known is not None and known[0] is adapter and known[1].current(adapter):
        return known[2]  # the same adapter, planned for the same keys: the same layout
    plan = _plans.get(id(adapter))
    if plan is None or not plan.current(adapter):
        plan = _plan_for(adapter)
    layout = plan.layouts.get(keys)  # type: ignore[arg-type]
    if layout is None:
        layout = plan.layout(keys)  # type: ignore[arg-type]
    if layout is not None:
        if len(_layouts) >= _MAX_LAYOUTS:
            _layouts.clear()
        _layouts[protocol, keys] = (adapter, plan, layout)
    return layout


#: (protocol, keys) -> (adapter, plan, layout): what ``resolve_many`` found last time.
_layouts: dict[tuple[str, tuple[Any, ...]], tuple[Any, _Plan, Layout]] = {}


def rebuild(name: str, resolved: Plain, entry: RawEntry) -> ResolvedStore:
    """The :class:`ResolvedStore` of a store :func:`resolve_plain` resolved."""
    plain = unpack(resolved)
    lists = [] if resolved.__class__ is dict else list(resolved[1])
    adapter = get_storage_adapter(plain["protocol"])
    return ResolvedStore(name, adapter, plain, entry.value, entry, _NOTHING, None, lists)


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
    plan = _plan_for(adapter)
    filled = entry.filled
    if not filled and value.keys() <= plan.known_keys and plan.no_credentials(value):
        secrets = _NOTHING  # no key that can hold a secret: the usual store
    else:
        found = secret_strings(value, plan.secret, filled)
        secrets = frozenset(found) if found else _NOTHING
        if found:
            register_secrets(found)  # SDK log records mask them from now on
        plan.learn(value)
    for key in plan.truthy:
        if value.get(key) == "":  # "" for a key DataJoint's backend needs: missing
            blank = blank_required_keys(adapter.protocol, value)
            value = {k: v for k, v in value.items() if k not in blank}
            break
    fast = None
    if plan.fast is not None:  # secrets and all: the compiled path still validates
        fast = plan.fast.plain(value, plan.fast.layout(tuple(value), (), ()))
    if fast is not None:
        plain, lists = fast
        resolved = ResolvedStore(name, adapter, plain, value, entry, secrets, None, lists)
    else:  # invalid, or a model the fast path does not reproduce
        spec, problems = validate_store(name, adapter, value, entry.origin)
        if spec is None:
            return None, problems
        resolved = ResolvedStore(
            name, adapter, dump_spec(spec, reveal=True), value, entry, secrets, spec
        )
    if plan.own_rules:
        extra = _adapter_rules(resolved)
        if extra:
            return None, extra
    return resolved, NO_PROBLEMS


class _Plan:
    """What resolving a store of one adapter needs, worked out once per adapter."""

    __slots__ = ("adapter", "allowed", "fast", "keys", "known_keys", "layouts", "own_rules")
    __slots__ += ("required", "secret", "truthy", "url_keys")

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter
        self.required = adapter.required_keys
        self.allowed = adapter.allowed_keys
        self.keys = getattr(adapter, "secret_keys", None)
        self.secret = secret_keys_of(adapter)
        #: Key names seen that hold no secret for this adapter, URL keys included (their
        #: value is checked for a password): grows as stores are seen, bounded.
        self.known_keys: set[str] = set()
        self.url_keys: list[str] = []
        #: The keys a store gives, in its order -> how it takes the fast path (the
        #: stores of one configuration mostly share a few).
        self.layouts: dict[tuple[str, ...], Layout] = {}
        self.fast = compiled_spec(spec_model_for(adapter), hidden_keys)
        #: Required keys DataJoint's backend refuses when "" (``blank_required_keys``).
        self.truthy = truthy_required_keys(adapter.protocol)
        check = getattr(type(adapter), "validate_spec", None)
        self.own_rules = (
            getattr(adapter, "validate_spec", None) is not None
            and check is not StorageAdapter.validate_spec
        )

    def layout(self, keys: tuple[str, ...]) -> Layout | None:
        """How a store giving exactly ``keys`` takes the fast path; None when it cannot
        (an unknown or secret key, a plugin's own rules, a model not compiled)."""
        fast = self.fast
        if fast is None or self.own_rules:
            return None
        if not self.known_keys.issuperset(keys):
            self.learn(keys)
            if not self.known_keys.issuperset(keys):
                return None  # a key that may hold a secret: the slow path registers it
        layout = fast.layout(keys, self.url_keys, self.truthy)
        if len(self.layouts) >= _MAX_LAYOUTS:
            self.layouts.clear()
        self.layouts[keys] = layout
        return layout

    def learn(self, value: Iterable[Any]) -> None:
        """Remember which keys of ``value`` hold no secret (URL keys: unless with one)."""
        if len(self.known_keys) >= _MAX_KNOWN_KEYS:
            return
        for key in value:
            if key.__class__ is not str or key in self.known_keys:
                continue
            kind = key_kind(key, self.secret)
            if kind == "url":
                self.url_keys.append(key)
            if kind != "secret":
                self.known_keys.add(key)

    def no_credentials(self, value: dict[str, Any]) -> bool:
        """No URL of ``value`` carries a ``user:password@`` part."""
        for key in self.url_keys:
            url = value.get(key)
            if url.__class__ is str and "@" in url:
                return False
        return True

    def current(self, adapter: Any) -> bool:
        """Still this adapter, with the keys it was planned for."""
        return (
            self.adapter is adapter
            and self.required is adapter.required_keys
            and self.allowed is adapter.allowed_keys
            and self.keys is getattr(adapter, "secret_keys", None)
        )


_plans: dict[int, _Plan] = {}
_MAX_KNOWN_KEYS = 1024
_MAX_LAYOUTS = 256


def _plan_for(adapter: Any) -> _Plan:
    plan = _plans.get(id(adapter))
    if plan is None or not plan.current(adapter):
        plan = _plans[id(adapter)] = _Plan(adapter)
    return plan


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
