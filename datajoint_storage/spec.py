"""The store spec as a pydantic model: common keys, defaults, the prefix rule, secrets.

Every adapter gets one model, built once from its ``required_keys`` and
``allowed_keys`` on top of :class:`StoreSpec`. pydantic's errors are translated here
into the spec's messages, built from key names only, so a value (and in particular a
secret) can never reach the text.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Callable, Mapping
from copy import copy
from typing import Annotated, Any, Literal

from annotated_types import Gt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Secret,
    SecretStr,
    Strict,
    StrictStr,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .compiled_spec import across_keys
from .errors import (
    InvalidKeysError,
    InvalidValueError,
    MissingKeysError,
    StoreConfigError,
)
from .redaction import SECRET_KEYS, secret_keys_of

__all__ = [
    "COMMON_KEYS",
    "SECRET_KEYS",
    "StoreSpec",
    "dump_spec",
    "hidden_keys",
    "spec_model_for",
    "validate_store",
]

PositiveInt = Annotated[int, Strict(), Gt(0)]

#: Keys every store accepts, whatever its protocol (reference: "Common keys").
COMMON_KEYS: tuple[str, ...] = (
    "protocol",
    "location",
    "subfolding",
    "partition_pattern",
    "token_length",
    "hash_prefix",
    "schema_prefix",
    "filepath_prefix",
    "stage",
)

#: Keys whose values are credentials, for every protocol (adapters may add more).

_PREFIX_KEYS = ("hash_prefix", "schema_prefix", "filepath_prefix")
_DEFAULT_PREFIXES = ("_hash", "_schema", None)


def _check_prefixes(values: Mapping[str, Any]) -> None:
    """Hash, schema and filepath sections must not contain one another."""
    get = values.get
    prefixes = (get("hash_prefix"), get("schema_prefix"), get("filepath_prefix"))
    if prefixes == _DEFAULT_PREFIXES:
        return  # most stores keep the defaults, which never overlap
    pairs = overlapping_prefixes(dict(zip(_PREFIX_KEYS, prefixes, strict=True)))
    if pairs:
        raise ValueError(overlap_message(*pairs[0]))


class StoreSpec(BaseModel):
    """Keys and defaults shared by every store; adapters' models extend it."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True, strict=True)

    protocol: StrictStr = Field(
        description="Storage adapter that serves this store.", examples=["file", "s3"]
    )
    location: StrictStr = Field(
        default="",
        description="Base path or prefix inside the backend.",
        examples=["/data/project", "experiments/2026"],
    )
    subfolding: list[PositiveInt] | None = Field(
        default=None,
        description="Fan-out of hash-addressed paths: lengths of nested directory names.",
        examples=[[2, 2]],
    )
    partition_pattern: StrictStr | None = Field(
        default=None,
        description="Primary-key attributes, as {name} placeholders, that partition "
        "schema-addressed paths.",
        examples=["{subject_id}/{session_date}"],
    )
    token_length: PositiveInt = Field(
        default=8,
        description="Length of the random token in schema-addressed paths.",
        examples=[8, 12],
    )
    hash_prefix: StrictStr = Field(
        default="_hash",
        description="Section of the store that holds hash-addressed objects.",
        examples=["_hash", "objects/hash"],
    )
    schema_prefix: StrictStr = Field(
        default="_schema",
        description="Section of the store that holds schema-addressed objects.",
        examples=["_schema", "objects/schema"],
    )
    filepath_prefix: StrictStr | None = Field(
        default=None,
        description="Namespace that <filepath@> paths must stay in; unrestricted when null.",
        examples=["recordings"],
    )
    stage: Any = Field(default=None, description="Reserved; accepted and not interpreted.")

    _prefixes_do_not_overlap = across_keys(_check_prefixes, keys=_PREFIX_KEYS)


#: How every prefix-overlap message ends (``validate_store`` reports each pair itself).
OVERLAP_RULE = "the three prefixes must be mutually exclusive"


def overlapping_prefixes(values: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """Every pair of prefixes in ``values`` that overlap, as ``(key, value, key, value)``.

    Missing prefixes take their defaults; non-string values are left to type checks.
    An empty prefix means "unset" (as DataJoint treats it); whole segments are compared.
    """
    defaults = dict(zip(_PREFIX_KEYS, _DEFAULT_PREFIXES, strict=True))
    named = [(key, values.get(key, defaults[key])) for key in _PREFIX_KEYS]
    parts = [(k, v, v.strip("/") + "/") for k, v in named if isinstance(v, str) and v]
    return [
        (key_a, raw_a, key_b, raw_b)
        for i, (key_a, raw_a, a) in enumerate(parts)
        for key_b, raw_b, b in parts[i + 1 :]
        if a.startswith(b) or b.startswith(a)
    ]


def overlap_message(key_a: str, raw_a: str, key_b: str, raw_b: str) -> str:
    return f"{key_a} {raw_a!r} and {key_b} {raw_b!r} overlap; {OVERLAP_RULE}"


def _secret_field(key: str, required: bool) -> tuple[Any, FieldInfo]:
    description = (
        f"Credential. Keep it out of datajoint.json: put it in .secrets/stores.<name>.{key} "
        "or in DJ_STORES."
    )
    if required:
        return SecretStr, Field(description=description, json_schema_extra={"writeOnly": True})
    return SecretStr | None, Field(
        default=None, description=description, json_schema_extra={"writeOnly": True}
    )


def _plain_field(key: str, required: bool) -> tuple[Any, FieldInfo]:
    description = f"Adapter-defined key {key!r}."
    if required:
        return Any, Field(description=description)
    return Any, Field(default=None, description=description)


def _declared_field(declared: Any, required: bool) -> tuple[Any, Any]:
    """An adapter's own ``(annotation, Field(...))`` or bare annotation for a key.

    Constraints and documentation of the ``Field`` are kept; only its default is
    decided here (required keys have none, optional keys default to ``None``).
    """
    annotation, info = declared if isinstance(declared, tuple) else (declared, Field())
    if required:
        default: Any = ...
    elif info.default is not PydanticUndefined:
        default = info.default
    else:
        default = None
    metadata = copy(info)
    metadata.default = PydanticUndefined
    metadata.default_factory = None
    return Annotated[annotation, metadata], default


_models: dict[tuple[Any, ...], type[StoreSpec]] = {}
_models_lock = threading.Lock()


def spec_model_for(adapter: Any) -> type[StoreSpec]:
    """The pydantic model of ``adapter``'s store spec, built once and cached."""
    cls = adapter if isinstance(adapter, type) else type(adapter)
    protocol = adapter.protocol
    required = tuple(adapter.required_keys)
    allowed = tuple(adapter.allowed_keys)
    cache_key = (cls, protocol, required, allowed)
    model = _models.get(cache_key)
    if model is None:
        with _models_lock:
            model = _models.get(cache_key)
            if model is None:
                model = _build_model(adapter, protocol, required, allowed)
                _models[cache_key] = model
    return model


def _build_model(
    adapter: Any, protocol: str, required: tuple[str, ...], allowed: tuple[str, ...]
) -> type[StoreSpec]:
    declared: Mapping[str, Any] = getattr(adapter, "key_fields", None) or {}
    secrets = secret_keys_of(adapter)
    fields: dict[str, Any] = {
        "protocol": (
            Literal[protocol],  # type: ignore[valid-type]
            Field(description="Storage adapter that serves this store."),
        )
    }
    for key in dict.fromkeys((*required, *allowed)):
        if key == "protocol":
            continue
        is_required = key in required
        if key in declared:
            fields[key] = _declared_field(declared[key], is_required)
        elif key in StoreSpec.model_fields:
            fields[key] = _declared_field(
                (StoreSpec.model_fields[key].annotation, StoreSpec.model_fields[key]),
                is_required,
            )
        elif key in secrets:
            fields[key] = _secret_field(key, is_required)
        else:
            fields[key] = _plain_field(key, is_required)
    name = f"{getattr(adapter, '__name__', type(adapter).__name__)}Spec"
    base = getattr(adapter, "spec_base", None) or StoreSpec
    model = create_model(name, __base__=base, **fields)
    model.__doc__ = f"Store spec for protocol {protocol!r}."
    return model


_dump_plans: dict[type, tuple[tuple[str, bool], ...]] = {}


def _dump_plan(model: type[StoreSpec]) -> tuple[tuple[str, bool], ...]:
    """``(key, always shown)`` per field of ``model``, worked out once per model.

    Reading ``model_fields`` costs more than validating a store, so it is not done
    per spec.
    """
    plan = _dump_plans.get(model)
    if plan is None:
        common = StoreSpec.model_fields
        plan = _dump_plans[model] = tuple(
            (key, (key in common and key != "stage") or info.default is not None)
            for key, info in model.model_fields.items()
        )
    return plan


def hidden_keys(model: type[StoreSpec]) -> tuple[str, ...]:
    """Keys of ``model`` left out of the plain spec unless configured."""
    return tuple(key for key, always in _dump_plan(model) if not always)


def dump_spec(spec: StoreSpec, *, reveal: bool) -> dict[str, Any]:
    """The plain dict callers get: common keys always, adapter keys when set or defaulted.

    ``stage`` and adapter keys with a ``None`` default appear only when configured,
    as DataJoint does. ``reveal`` unwraps secrets; otherwise they stay masked.
    """
    out: dict[str, Any] = {}
    fields_set = spec.model_fields_set
    values = spec.__dict__
    for key, always in _dump_plan(type(spec)):
        if not always and key not in fields_set:
            continue
        value = values[key]
        if isinstance(value, (SecretStr, Secret)):
            value = value.get_secret_value() if reveal else str(value)
        elif isinstance(value, list):
            value = list(value)
        out[key] = value
    return out


def suggest(word: str, choices: Any) -> str:
    """A ``did you mean`` suffix, or an empty string when nothing is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"; did you mean {match[0]!r}?" if match else ""


def closest(word: str, choices: Any) -> str | None:
    """The known name closest to ``word``, if any is close enough to be a typo."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return match[0] if match else None


def key_hints(keys: list[str], known: Any) -> str:
    """``; did you mean 'bucket' for 'bukcet'?`` for every key with a close match."""
    pairs = [(key, closest(key, known)) for key in keys]
    pairs = [(key, match) for key, match in pairs if match]
    if not pairs:
        return ""
    if len(keys) == 1:
        return f"; did you mean {pairs[0][1]!r}?"
    return "; did you mean " + ", ".join(f"{m!r} for {k!r}" for k, m in pairs) + "?"


def validate_store(
    name: str | None,
    adapter: Any,
    raw: Mapping[str, Any],
    origin: Callable[[str], str | None] = lambda key: None,
) -> tuple[StoreSpec | None, list[StoreConfigError]]:
    """Validate one raw store with its adapter's model; problems in the spec's words.

    Returns the typed spec (or ``None``) and every problem found, each naming the
    store, the key and the source ``origin(key)`` reports for it.
    """
    model = spec_model_for(adapter)
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
    protocol = adapter.protocol
    missing: list[str] = []
    invalid: list[str] = []
    problems: list[StoreConfigError] = []
    for error in errors:
        loc = error["loc"]
        key = str(loc[0]) if loc else None
        if error["type"] == "missing" and key is not None:
            missing.append(key)
        elif error["type"] == "extra_forbidden" and key is not None:
            invalid.append(key)
        elif not loc and error["msg"].endswith(OVERLAP_RULE):
            continue  # the model names the first pair; every pair is reported below
        else:
            problems.append(_value_problem(name, protocol, loc, error["msg"], origin, raw))
    # Checked on the raw values, so an overlap is reported even next to a type error.
    for a, raw_a, b, raw_b in overlapping_prefixes(raw):
        sources = [origin(a), origin(b)]
        problems.append(
            InvalidValueError(
                f"{overlap_message(a, raw_a, b, raw_b)}{_where(name, sources)}",
                store=name,
                key=a if a in raw else b,
                source=_first(sources),
            )
        )
    where = _where(name, [origin(k) for k in raw])
    head: list[StoreConfigError] = []
    if missing:
        order = {key: i for i, key in enumerate(adapter.required_keys)}
        missing.sort(key=lambda key: order.get(key, len(order)))
        head.append(
            MissingKeysError(
                f"{protocol} store is missing: {', '.join(missing)}{where}",
                store=name,
                key=missing[0],
                source=_first([origin(k) for k in raw]),
            )
        )
    if invalid:
        known = tuple(model.model_fields)
        hints = key_hints(invalid, known)
        sources = [origin(k) for k in invalid]
        head.append(
            InvalidKeysError(
                f"Invalid key(s) for {protocol}: {', '.join(invalid)}"
                f"{_where(name, sources)}{hints}",
                store=name,
                key=invalid[0],
                source=_first(sources),
            )
        )
    return None, head + problems


def _value_problem(
    name: str | None,
    protocol: str,
    loc: tuple[Any, ...],
    msg: str,
    origin: Callable[[str], str | None],
    raw: Mapping[str, Any],
) -> InvalidValueError:
    msg = msg.removeprefix("Value error, ")
    if not loc:  # a rule across keys (credential pairing...): the keys its message names
        involved = [k for k in raw if re.search(rf"(?<![\w.]){re.escape(str(k))}(?![\w.])", msg)]
        sources = [origin(k) for k in involved or raw]
        return InvalidValueError(
            f"{msg}{_where(name, sources)}",
            store=name,
            key=involved[0] if involved else None,
            source=_first(sources),
        )
    key = str(loc[0])
    path = ".".join(str(part) for part in loc)
    source = origin(key)
    quoted = raw.get(key)
    if len(loc) == 1 and quoted in ("true", "false", "True", "False"):
        msg += f"; write {str(quoted).lower()} without quotes"  # a boolean, quoted
    return InvalidValueError(
        f"Invalid value for {path}: {msg}{_where(name, [source])}",
        store=name,
        key=key,
        source=source,
    )


def _first(values: list[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _where(name: str | None, sources: list[str | None]) -> str:
    """`` (store 'x', from <source>)`` context appended after the spec's words."""
    parts = [f"store {name!r}"] if name is not None else []
    unique = list(dict.fromkeys(s for s in sources if s))
    if unique:
        parts.append("from " + ", ".join(unique))
    return f" ({', '.join(parts)})" if parts else ""
