"""Flat dotted keys of ``datajoint.json``: ``"stores.main.location"``, ``"database.host"``.

Both the library and DataJoint read them as the nested form, so the schema types
them with the nested keys' own schemas. Store keys need patterns (the store name
varies); settings keys are a fixed list.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ._schema_words import annotate, any_case, escape
from .settings.layer import NAME_ENTRIES
from .spec import StoreSpec

_NAME = r"[^.]+"  # the library splits "stores.<name>.<key>" at the first two dots
_ANY_CASE_NOTE = " Letter case is ignored."
_ANNOTATIONS = ("title", "description", "examples", "default", "markdownDescription")


def flat_settings(defs: dict[str, Any], groups: dict[str, str]) -> dict[str, Any]:
    """``"group.key"`` properties, each the schema of ``key`` in its group's model."""
    flat = {}
    for group, def_name in groups.items():
        for key, prop in defs[def_name]["properties"].items():
            flat[f"{group}.{key}"] = copy.deepcopy(prop)
    return flat


def flat_store_patterns(
    branches: list[dict[str, Any]], store_ref: dict[str, Any]
) -> dict[str, Any]:
    """Schemas for flat store keys: a whole store, or one key of a store."""
    entries = "|".join(NAME_ENTRIES)
    patterns: dict[str, Any] = {
        rf"^stores\.(?!(?:{entries})$){_NAME}$": store_ref,
        rf"^stores\.(?:{entries})\.": False,  # a store name, not a store
    }
    by_key: dict[str, list[dict[str, Any]]] = {}
    for branch in branches:
        for key, prop in branch.get("properties", {}).items():
            by_key.setdefault(key, []).append(prop)
    protocols = sorted(protocol_of(branch) for branch in branches)
    for key, props in by_key.items():
        schema = protocol_key(protocols) if key == "protocol" else _shared_key(key, props)
        patterns[rf"^stores\.{_NAME}\.{escape(key)}$"] = schema
    if all(branch.get("additionalProperties") is False for branch in branches):
        known = "|".join(escape(key) for key in by_key)
        patterns[rf"^stores\.{_NAME}\.(?!(?:{known})$)"] = False  # no adapter takes it
    else:  # an open branch takes any key, so no flat store key can be refused
        patterns[rf"^stores\.{_NAME}\."] = True
    return patterns


def protocol_of(branch: dict[str, Any]) -> str:
    prop = branch["properties"]["protocol"]
    return prop["const"] if "const" in prop else prop["examples"][0]


def protocol_key(protocols: list[str]) -> dict[str, Any]:
    """A store's ``protocol``: any registered one, in any letter case."""
    names = ", ".join(protocols)
    schema = {
        "description": f"{StoreSpec.model_fields['protocol'].description}{_ANY_CASE_NOTE}",
        "examples": protocols,
        "pattern": f"^(?:{'|'.join(protocol_pattern(p) for p in protocols)})$",
        "type": "string",
    }
    annotate(schema, "protocol", required=True, kind=f"one of {names}")
    schema["errorMessage"] = f"Unknown protocol: the registered protocols are {names}."
    return schema


def protocol_pattern(protocol: str) -> str:
    """A protocol registered in lowercase matches in any case; one with capitals exactly."""
    return any_case(protocol) if protocol == protocol.lower() else escape(protocol)


def _shared_key(key: str, props: list[dict[str, Any]]) -> dict[str, Any]:
    """One key across every protocol that has it: its type when they all agree."""
    shapes = {json.dumps(_shape(p), sort_keys=True) for p in props}
    merged: dict[str, Any] = _shape(props[0]) if len(shapes) == 1 else {}
    for word in ("description", "examples", "default"):
        values = [json.dumps(p[word], sort_keys=True) if word in p else None for p in props]
        if values[0] is not None and len(set(values)) == 1:
            merged[word] = props[0][word]
    if "description" not in merged:
        common = StoreSpec.model_fields.get(key)
        merged["description"] = (
            common.description
            if common is not None and common.description
            else f"Key {key!r}; its meaning and type depend on the store's protocol."
        )
    annotate(merged, f"stores.<name>.{key}", required=False)
    return merged


def _shape(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in prop.items() if k not in _ANNOTATIONS and k != "errorMessage"}
