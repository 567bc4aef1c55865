"""JSON Schema of the whole ``datajoint.json``, generated from pydantic models.

Editors check ``datajoint.json`` against this schema, so it must say what the library
says. Nothing here describes a key by hand: each store branch is an adapter's cached
model (:func:`~datajoint_storage.spec.spec_model_for`), DataJoint's other settings are
the models of :mod:`~datajoint_storage.datajoint_settings`, and pydantic writes the
schema. Added afterwards is what pydantic has no words for: the 2020-12 ``$schema``,
the flat dotted keys (``"stores.<name>.<key>"``, ``"database.host"``), protocols in
any letter case (the library lowercases them), and the editor's words
(:mod:`._schema_words`).

Stores are told apart by ``if``/``then`` on ``protocol``, not by pydantic's
``oneOf`` + OpenAPI ``discriminator``: JSON Schema tools ignore the discriminator, and
the VS Code language service then reports the first branch's missing keys for every
store and offers every protocol's keys. With ``if``/``then`` only the branch of the
store's own protocol applies.

Rules across keys (prefix overlap, S3 credential pairs, ``default`` naming a configured
store) are beyond JSON Schema; ``dj.config.validate()`` checks them.

``python -m datajoint_storage.schema`` regenerates the committed
``datajoint_storage/schemas/datajoint.schema.json`` (built-in adapters only), shipped
inside the package so an installed copy has it too.
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
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from ._schema_flat import (
    flat_settings,
    flat_store_patterns,
    protocol_key,
    protocol_of,
    protocol_pattern,
)
from ._schema_words import annotate, store_snippet
from .datajoint_settings import GROUPS, DataJointSettings
from .errors import AdapterLoadWarning, DataJointError
from .registry import OWN_DISTRIBUTION, OWN_GROUP, registered_adapters
from .settings.layer import NAME_ENTRIES
from .spec import spec_model_for

__all__ = [
    "COMMITTED_PATH",
    "DRAFT",
    "REGENERATE_COMMAND",
    "builtin_adapters",
    "builtin_schema",
    "datajoint_json_schema",
    "main",
    "render",
    "write_schema",
]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
REGENERATE_COMMAND = "python -m datajoint_storage.schema"
#: The committed schema, relative to the repository root.
COMMITTED_PATH = Path("datajoint_storage") / "schemas" / "datajoint.schema.json"


def datajoint_json_schema(adapters: Iterable[Any] | None = None) -> dict[str, Any]:
    """The schema for ``adapters``; by default every registered one, plugins included."""
    if adapters is None:
        adapters = [info.adapter for info in registered_adapters().values()]
    chosen = sorted(adapters, key=lambda adapter: adapter.protocol)
    if not chosen:
        raise DataJointError("No storage adapter is registered; there is no store to describe")
    document = _document_model([_branch_model(adapter) for adapter in chosen])
    return _finish(document.model_json_schema(schema_generator=_EditorSchema))


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


def write_schema(schema: dict[str, Any], output: str | Path) -> Path | None:
    """Write ``schema`` to ``output``; ``"-"`` means standard output (returns ``None``)."""
    text = render(schema)
    if str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


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

    class Document(DataJointSettings):
        """DataJoint configuration: object stores, database, display, jobs and the rest.
        Flat dotted keys ("stores.main.location", "database.host") are read as the
        nested form. DataJoint ignores unknown keys without a word; the schema flags
        them."""

        model_config = ConfigDict(extra="forbid", title="datajoint.json")

        schema_location: Any = Field(
            None,
            alias="$schema",
            title="$schema",
            description="Where editors find this JSON Schema: a URL, or a path relative to "
            "this file. The library ignores it.",
            examples=["./datajoint.schema.json"],
            json_schema_extra=_drop_default,
        )
        comment: Any = Field(
            None,
            alias="$comment",
            title="$comment",
            description="Notes for people reading this file (`datajoint-storage init` writes "
            "some). DataJoint and the library ignore it.",
            examples=["Stores of the imaging pipeline."],
            json_schema_extra=_drop_default,
        )
        stores: Stores | None = Field(
            {},
            description="Object stores: one store spec per name, plus `default` and "
            "`filepath_default`, which name one of them.",
            examples=[{"default": "main", "main": {"protocol": "file", "location": "/data"}}],
        )

    return Document


class _EditorSchema(GenerateJsonSchema):
    """pydantic's generator, writing the store union as ``if``/``then`` on ``protocol``."""

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        union = super().tagged_union_schema(schema)
        mapping = union.get("discriminator", {}).get("mapping")
        if union["discriminator"]["propertyName"] != "protocol" or not mapping:
            return union
        return {
            "type": "object",
            "required": ["protocol"],
            "properties": {"protocol": {}},  # filled in by _finish, once protocols are known
            "allOf": [
                {
                    "if": {
                        "properties": {
                            "protocol": {"type": "string", "pattern": f"^{protocol_pattern(tag)}$"}
                        },
                        "required": ["protocol"],
                    },
                    "then": {"$ref": ref},
                }
                for tag, ref in mapping.items()
            ],
        }


# -- what pydantic has no words for ---------------------------------------------------


def _finish(document: dict[str, Any]) -> dict[str, Any]:
    """Add the draft, flat keys, any-case protocols and the editor's words."""
    defs = document["$defs"]
    stores = defs[_def_name(_non_null(document["properties"]["stores"]))]
    store_ref = stores["additionalProperties"]
    store = defs[_def_name(store_ref)]
    branches = _branches(defs, store)
    for branch in branches:
        _protocol_in_any_case(branch["properties"]["protocol"])
    patterns = flat_store_patterns(branches, store_ref)
    groups = {group: _def_name(document["properties"][group]) for group in GROUPS}
    flat = {f"stores.{name}": stores["properties"][name] for name in NAME_ENTRIES}
    body = {k: v for k, v in document.items() if k not in ("$defs", "properties")}
    finished = {
        "$schema": DRAFT,
        "$comment": "Generated from the pydantic models of the storage adapters and of "
        "DataJoint's settings by datajoint_storage.schema; do not edit by hand.",
        **body,
        "properties": {**document["properties"], **flat, **flat_settings(defs, groups)},
        "patternProperties": patterns,
        "$defs": defs,
    }
    # A JSON round trip leaves no object shared between two places of the tree.
    finished = json.loads(json.dumps(finished))
    _annotate_keys(finished)
    _describe_store(finished["$defs"][_def_name(store_ref)], finished["$defs"])
    return finished


def _annotate_keys(schema: dict[str, Any]) -> None:
    """Hover text and key-naming messages for every property of every object schema."""
    for model in (schema, *schema["$defs"].values()):
        required = set(model.get("required", ()))
        for key, prop in model.get("properties", {}).items():
            if not isinstance(prop, dict) or (key == "protocol" and "pattern" in prop):
                continue
            annotate(prop, key, required=key in required)


def _describe_store(store: dict[str, Any], defs: dict[str, Any]) -> None:
    """The store's own ``protocol`` (every registered one) and a snippet per protocol."""
    branches = _branches(defs, store)
    protocols = sorted(protocol_of(branch) for branch in branches)
    if "allOf" in store:
        store["properties"]["protocol"] = protocol_key(protocols)
    store["defaultSnippets"] = [
        store_snippet(protocol_of(branch), branch) for branch in sorted(branches, key=protocol_of)
    ]


def _protocol_in_any_case(prop: dict[str, Any]) -> None:
    """The library lowercases a store's protocol before lookup; so does the schema.

    pydantic's ``const`` becomes a pattern that every letter case matches. A protocol
    registered with capitals is unreachable that way, so it keeps its exact ``const``.
    """
    protocol = prop["const"]
    if protocol != protocol.lower():
        return
    del prop["const"]
    prop["pattern"] = f"^{protocol_pattern(protocol)}$"
    prop["examples"] = [protocol]
    prop["description"] = f"{prop.get('description', '')} Letter case is ignored.".strip()
    annotate(prop, "protocol", required=True, kind=f'"{protocol}" in any letter case')


def _branches(defs: dict[str, Any], store: dict[str, Any]) -> list[dict[str, Any]]:
    """The store-spec branches: the ``then`` of each protocol, or the only one."""
    if "allOf" in store:
        refs = [item["then"]["$ref"] for item in store["allOf"]]
    elif "oneOf" in store:
        refs = [item["$ref"] for item in store["oneOf"]]
    else:
        refs = [store["$ref"]]
    return [defs[_def_name({"$ref": ref})] for ref in refs]


def _def_name(schema: dict[str, Any]) -> str:
    return schema["$ref"].rsplit("/", 1)[1]


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    options = schema.get("anyOf", [schema])
    return next(option for option in options if option.get("type") != "null")


# -- python -m datajoint_storage.schema -----------------------------------------------


def _default_output() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    return root / COMMITTED_PATH if (root / "pyproject.toml").is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    """Write the schema: by default the built-in one, to this source tree's copy."""
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
    schema = datajoint_json_schema() if args.installed else builtin_schema()
    output = args.output or _default_output()
    if output is None:
        parser.error("not running from a source tree: pass -o FILE")
    path = write_schema(schema, output)
    if path is not None:
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
