"""JSON Schema of ``datajoint.json``, generated from the adapters' pydantic models.

Editors check ``datajoint.json`` against this schema, so it must say what the library
says. Nothing here describes a store by hand: every adapter's cached model
(:func:`~datajoint_storage.spec.spec_model_for`) is one branch of a union discriminated
on ``protocol``, and pydantic writes the schema. Added afterwards is only what pydantic
has no words for: the 2020-12 ``$schema`` and the flat ``"stores.<name>.<key>"``
spelling of the same block, typed with the branches' own property schemas, and
protocols matched in any letter case (the library lowercases them before lookup).

Rules across keys (prefix overlap, S3 credential pairs, ``default`` naming a configured
store) are beyond JSON Schema; ``dj.config.validate()`` checks them.

``python -m datajoint_storage.schema`` regenerates the committed
``schemas/datajoint.schema.json`` (built-in adapters only).
"""

import argparse
import importlib.metadata as metadata
import json
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictStr, create_model

from .errors import AdapterLoadWarning, DataJointError
from .registry import OWN_DISTRIBUTION, OWN_GROUP, registered_adapters
from .settings.layer import NAME_ENTRIES
from .spec import StoreSpec, spec_model_for

__all__ = [
    "COMMITTED_PATH",
    "DRAFT",
    "REGENERATE_COMMAND",
    "builtin_adapters",
    "builtin_schema",
    "datajoint_json_schema",
    "main",
    "render",
]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
REGENERATE_COMMAND = "python -m datajoint_storage.schema"
#: The committed schema, relative to the repository root.
COMMITTED_PATH = Path("schemas") / "datajoint.schema.json"

_NAME = r"[^.]+"  # the library splits "stores.<name>.<key>" at the first two dots


def datajoint_json_schema(adapters: Iterable[Any] | None = None) -> dict[str, Any]:
    """The schema for ``adapters``; by default every registered one, plugins included."""
    if adapters is None:
        adapters = [info.adapter for info in registered_adapters().values()]
    chosen = sorted(adapters, key=lambda adapter: adapter.protocol)
    if not chosen:
        raise DataJointError("No storage adapter is registered; there is no store to describe")
    document = _document_model([_branch_model(adapter) for adapter in chosen])
    return _finish(document.model_json_schema())


def builtin_schema() -> dict[str, Any]:
    """The schema for this distribution's own adapters: the committed file's content."""
    return datajoint_json_schema(builtin_adapters())


def builtin_adapters() -> list[Any]:
    """Our own entry points' adapter classes, whatever the registry holds right now."""
    found: dict[str, Any] = {}
    for ep in metadata.entry_points(group=OWN_GROUP):
        dist = getattr(ep, "dist", None)
        if dist is not None and dist.name == OWN_DISTRIBUTION:
            adapter = ep.load()
            found[adapter.protocol] = adapter
    return list(found.values())


def render(schema: dict[str, Any]) -> str:
    """The schema as the committed file spells it (stable, diff-friendly)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# -- pydantic models of the document ------------------------------------------------


def _branch_model(adapter: Any) -> type[BaseModel]:
    """The adapter's spec model, or an open model when a plugin's cannot be exported.

    An open branch accepts any keys for that protocol, so the schema never refuses a
    store the library might accept.
    """
    try:
        model = spec_model_for(adapter)
        model.model_json_schema()
    except Exception as exc:  # a plugin's key_fields may hold any type at all
        protocol = adapter.protocol
        warnings.warn(
            f"Storage adapter {protocol!r}: its store spec cannot be written as JSON Schema "
            f"({type(exc).__name__}); the schema accepts any keys for it",
            AdapterLoadWarning,
            stacklevel=3,
        )
        return create_model(
            f"Open{protocol.title()}Spec",
            __config__=ConfigDict(extra="allow", title=f"{protocol} store (keys not described)"),
            __doc__=f"Store spec for protocol {protocol!r}; its keys are not described.",
            protocol=(
                Literal[protocol],
                Field(description="Storage adapter that serves this store."),
            ),
        )
    return model


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional(description: str, example: Any) -> Any:
    """A key that may be absent but has no default value to advertise."""
    return Field(None, description=description, examples=[example], json_schema_extra=_drop_default)


def _document_model(branches: Sequence[type[BaseModel]]) -> type[BaseModel]:
    """``datajoint.json`` as pydantic models, the stores' values being ``branches``."""
    if len(branches) == 1:
        store_type: Any = branches[0]
    else:
        store_type = Annotated[Union[tuple(branches)], Field(discriminator="protocol")]  # noqa: UP007

    class Store(RootModel[store_type]):  # type: ignore[valid-type]
        """One store: its `protocol` names the adapter, which decides every other key."""

    class Stores(BaseModel):
        """The object stores by name, and the names of the default stores."""

        model_config = ConfigDict(extra="allow")
        __pydantic_extra__: dict[str, Store] = Field(init=False)  # type: ignore[assignment]

        default: StrictStr = _optional(
            "Name of the store used when a table names none; must be a configured store.",
            "main",
        )
        filepath_default: StrictStr = _optional(
            "Name of the store <filepath> attributes use when they name none; must be a "
            "configured store.",
            "raw",
        )

    class Document(BaseModel):
        """DataJoint configuration. Only the object stores are described; every other
        top-level key is allowed and left alone. Flat dot keys ("stores.main.location")
        merge into the nested "stores" block."""

        model_config = ConfigDict(extra="allow", title="datajoint.json")

        schema_location: Any = Field(
            None,
            alias="$schema",
            title="$schema",
            description="Where editors find this JSON Schema: a URL, or a path relative to "
            "this file. The library ignores it.",
            examples=["./schemas/datajoint.schema.json"],
            json_schema_extra=_drop_default,
        )
        stores: Stores | None = Field(
            {},
            description="Object stores: one store spec per name, plus `default` and "
            "`filepath_default`, which name one of them.",
            examples=[{"default": "main", "main": {"protocol": "file", "location": "/data"}}],
        )

    return Document


# -- what pydantic has no words for ---------------------------------------------------


def _finish(document: dict[str, Any]) -> dict[str, Any]:
    """Add the draft, and the flat ``"stores.<name>[.<key>]"`` keys, to pydantic's output."""
    defs = document["$defs"]
    stores = defs[_def_name(_non_null(document["properties"]["stores"]))]
    store_ref = stores["additionalProperties"]
    flat = {f"stores.{name}": stores["properties"][name] for name in NAME_ENTRIES}
    body = {k: v for k, v in document.items() if k not in ("$defs", "properties")}
    finished = {
        "$schema": DRAFT,
        "$comment": "Generated from the storage adapters' pydantic models by "
        "datajoint_storage.schema; do not edit by hand.",
        **body,
        "properties": {**document["properties"], **flat},
        "patternProperties": _flat_patterns(defs, store_ref),
        "$defs": defs,
    }
    for branch in _branches(defs, defs[_def_name(store_ref)]):
        _protocol_in_any_case(branch["properties"]["protocol"])
    # A JSON round trip leaves no object shared between two places of the tree.
    return json.loads(json.dumps(finished))


def _flat_patterns(defs: dict[str, Any], store_ref: dict[str, Any]) -> dict[str, Any]:
    """Schemas for flat keys: a whole store, or one key of a store (typed when it can be)."""
    branches = _branches(defs, defs[_def_name(store_ref)])
    entries = "|".join(NAME_ENTRIES)
    patterns: dict[str, Any] = {
        rf"^stores\.(?!(?:{entries})$){_NAME}$": store_ref,
        rf"^stores\.(?:{entries})\.": False,  # a store name, not a store
    }
    by_key: dict[str, list[dict[str, Any]]] = {}
    for branch in branches:
        for key, prop in branch.get("properties", {}).items():
            by_key.setdefault(key, []).append(prop)
    protocols = sorted(p["properties"]["protocol"]["const"] for p in branches)
    for key, props in by_key.items():
        schema = _protocol_key(protocols) if key == "protocol" else _shared_key(key, props)
        patterns[rf"^stores\.{_NAME}\.{_escape(key)}$"] = schema
    if all(branch.get("additionalProperties") is False for branch in branches):
        known = "|".join(_escape(key) for key in by_key)
        patterns[rf"^stores\.{_NAME}\.(?!(?:{known})$)"] = False  # no adapter takes it
    return patterns


_ANY_CASE_NOTE = " Letter case is ignored, as DataJoint does."


def _protocol_key(protocols: list[str]) -> dict[str, Any]:
    return {
        "description": f"{StoreSpec.model_fields['protocol'].description}{_ANY_CASE_NOTE}",
        "examples": protocols,
        "pattern": f"^(?:{'|'.join(_any_case(p) for p in protocols)})$",
        "type": "string",
    }


def _protocol_in_any_case(prop: dict[str, Any]) -> None:
    """The library lowercases a store's protocol before lookup; so does the schema.

    pydantic's ``const`` becomes a pattern that every letter case matches. A protocol
    registered with capitals is unreachable that way, so it keeps its exact ``const``.
    """
    protocol = prop["const"]
    if protocol != protocol.lower():
        return
    del prop["const"]
    prop["pattern"] = f"^{_any_case(protocol)}$"
    prop["examples"] = [protocol]
    prop["description"] = f"{prop.get('description', '')}{_ANY_CASE_NOTE}".strip()


def _any_case(word: str) -> str:
    """A regex for every spelling of lowercase ``word`` that lowercases back to it."""
    return "".join(
        f"[{c}{c.upper()}]" if len(c.upper()) == 1 and c.upper() != c else _escape(c) for c in word
    )


_ANNOTATIONS = ("title", "description", "examples", "default")


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
    return merged


def _shape(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in prop.items() if k not in _ANNOTATIONS}


def _branches(defs: dict[str, Any], store: dict[str, Any]) -> list[dict[str, Any]]:
    refs = [item["$ref"] for item in store["oneOf"]] if "oneOf" in store else [store["$ref"]]
    return [defs[_def_name({"$ref": ref})] for ref in refs]


def _def_name(schema: dict[str, Any]) -> str:
    return schema["$ref"].rsplit("/", 1)[1]


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    options = schema.get("anyOf", [schema])
    return next(option for option in options if option.get("type") != "null")


def _escape(key: str) -> str:
    """Escape regex syntax only: ECMA-262 (editors) rejects needless escapes."""
    return "".join("\\" + c if c in "\\^$.*+?()[]{}|/" else c for c in key)


# -- python -m datajoint_storage.schema -----------------------------------------------


def _default_output() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    return root / COMMITTED_PATH if (root / "pyproject.toml").is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    """Write the schema: by default the built-in one, to this source tree's schemas/."""
    parser = argparse.ArgumentParser(
        prog=REGENERATE_COMMAND,
        description="Write the JSON Schema of datajoint.json.",
    )
    parser.add_argument(
        "-o",
        "--output",
        help="file to write, '-' for standard output "
        f"(default: {COMMITTED_PATH} of the source tree this package runs from)",
    )
    parser.add_argument(
        "--installed",
        action="store_true",
        help="describe every installed adapter, plugins included, not only the built-ins",
    )
    args = parser.parse_args(argv)
    text = render(datajoint_json_schema() if args.installed else builtin_schema())
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.output) if args.output else _default_output()
    if path is None:
        parser.error("not running from a source tree: pass -o FILE")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
