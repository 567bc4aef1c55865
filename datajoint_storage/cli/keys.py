"""Every key a protocol takes, read from its adapter's pydantic model (one source of truth)."""

from __future__ import annotations

from typing import Any

from ..spec import COMMON_KEYS, SECRET_KEYS, spec_model_for


def key_reference(adapter: Any) -> list[dict[str, Any]]:
    """One row per key: required, type, default, secret, description, common or not."""
    schema = spec_model_for(adapter).model_json_schema()
    required = set(schema.get("required", ()))
    secret = secret_keys(adapter)
    rows = []
    for key, prop in schema.get("properties", {}).items():
        rows.append(
            {
                "key": key,
                "required": key in required,
                "type": _type_of(prop),
                "default": prop.get("default"),
                "secret": key in secret,
                "common": key in COMMON_KEYS,
                "description": prop.get("description", ""),
            }
        )
    return rows


def secret_keys(adapter: Any) -> frozenset[str]:
    """Keys of ``adapter``'s stores that hold credentials (never written to datajoint.json)."""
    extra = frozenset(getattr(adapter, "secret_keys", ()) or ())
    if adapter is None:
        return SECRET_KEYS
    props = spec_model_for(adapter).model_json_schema().get("properties", {})
    write_only = {k for k, p in props.items() if p.get("writeOnly")}
    return SECRET_KEYS | extra | write_only


def _type_of(prop: dict[str, Any]) -> str:
    """A JSON Schema property's type as a short text: ``string``, ``integer | null``..."""
    if "const" in prop:
        return f"const {prop['const']!r}"
    if "anyOf" in prop:
        return " | ".join(dict.fromkeys(_type_of(p) for p in prop["anyOf"]))
    kind = prop.get("type")
    if kind == "array":
        return f"array of {_type_of(prop.get('items', {}))}"
    if isinstance(kind, list):
        return " | ".join(kind)
    return str(kind) if kind else "any"
