"""The corpus checks of the editor test, shared with ``python -m tests.editor.measure``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from datajoint_storage._schema_words import markdown, phrase
from datajoint_storage.schema import datajoint_json_schema
from datajoint_storage.settings.layer import NAME_ENTRIES
from tests.editor.driver import run_language_service
from tests.test_schema import branches, load_case

MISSING = re.compile(r'^Missing property "([^"]+)"\.$')
NOT_ALLOWED = re.compile(r"^Property (.+) is not allowed\.$")
#: Messages the schema cannot reword: the language service has no ``errorMessage`` for
#: numeric limits, rewrites the message of an ``enum`` inside ``anyOf`` (a nullable
#: choice) with the valid values, and an object's ``errorMessage`` would also replace its
#: "Property x is not allowed", hiding which key is unknown. These must underline the
#: offending key instead.
OWN_WORDS = re.compile(
    r"^(Value is (below|above) the (exclusive )?(minimum|maximum) of -?\d+"
    r"|Value is not accepted\. Valid values: .*"
    r'|Incorrect type\. Expected "object")\.$'
)


def text_of(document: Any) -> str:
    return json.dumps(document, indent=2)


def schema_for(case: dict[str, Any], committed: dict[str, Any]) -> dict[str, Any]:
    return datajoint_json_schema() if case.get("plugin") else committed


def stores_of(document: Any, protocols: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict]]:
    """``(name, protocol, store)`` for every nested store with a registered protocol."""
    if not isinstance(document, dict) or not isinstance(document.get("stores"), dict):
        return []
    found = []
    for name, store in document["stores"].items():
        if name in NAME_ENTRIES:  # they name a store; they are not one
            continue
        if isinstance(store, dict) and isinstance(store.get("protocol"), str):
            protocol = store["protocol"].lower()
            if protocol in protocols:
                found.append((name, protocol, store))
    return found


def hover_targets(
    document: Any, schema: dict[str, Any], protocols: dict[str, dict[str, Any]]
) -> list[tuple[list[str], dict[str, Any] | None]]:
    """Every key of every store, and every DataJoint setting, with the schema it has."""
    targets: list[tuple[list[str], dict[str, Any] | None]] = [
        (["stores", name, key], protocols[protocol]["properties"].get(key))
        for name, protocol, store in stores_of(document, protocols)
        for key in store
    ]
    if not isinstance(document, dict):
        return targets
    for key, value in document.items():
        prop = schema["properties"].get(key)
        if key == "stores" or key.startswith("stores.") or prop is None:
            continue
        if "$ref" not in prop:
            targets.append(([key], prop))
        elif isinstance(value, dict):  # a settings group: each of its keys
            group = schema["$defs"][prop["$ref"].rsplit("/", 1)[1]]["properties"]
            targets += [([key, inner], group.get(inner)) for inner in value]
    return targets


def requests(document: Any, schema: dict[str, Any], protocols: dict) -> dict[str, Any]:
    """Completions inside, and on the protocol of, each store; a hover on each key."""
    completions: list[dict[str, Any]] = []
    for name, _, _ in stores_of(document, protocols):
        completions.append({"path": ["stores", name], "at": "inside"})
        completions.append({"path": ["stores", name, "protocol"], "at": "value"})
    hovers = [{"path": path, "at": "key"} for path, _ in hover_targets(document, schema, protocols)]
    return {"text": text_of(document), "completions": completions, "hovers": hovers}


def check_diagnostics(case: dict[str, Any], found: list[dict[str, Any]], protocols: dict) -> str:
    """Check one document's diagnostics; returns how the editor answered it.

    ``clean`` (no mark), ``named`` (a message names the key), ``underlined`` (the
    language service's own words, on the key), or ``marked`` (no key to name).
    """
    messages = [d["message"] for d in found]
    schema_valid = case.get("schema_valid", True) if case.get("library_only") else case["valid"]
    if case.get("editor_valid", schema_valid):  # where the editor differs from jsonschema
        assert found == [], messages
        return "clean"
    assert found, "the editor marks nothing"
    key = case["key"]
    outcome = "marked"
    if key is not None:
        # A flat key ("stores.main.token_length") is named by its last part too.
        named = [d for d in found if key.rsplit(".", 1)[-1] in d["message"]]
        underlined = [d for d in found if OWN_WORDS.match(d["message"]) and key in d["path"]]
        assert named or underlined, f"no message names {key!r}: {messages}"
        outcome = "named" if named else "underlined"
    stores = {name: (p, store) for name, p, store in stores_of(case["document"], protocols)}
    for d in found:
        assert "does not match the pattern" not in d["message"], d
        path = d["path"]
        if len(path) < 2 or path[0] != "stores" or path[1] not in stores:
            continue
        protocol, store = stores[path[1]]
        branch = protocols[protocol]
        missing = MISSING.match(d["message"])
        if missing and len(path) == 2:  # reported at the store's name: its own required key
            assert missing.group(1) in branch["required"], (protocol, d)
        unknown = NOT_ALLOWED.match(d["message"])
        if unknown:  # an unknown key is one the store holds, and this protocol lacks
            assert unknown.group(1) in store and unknown.group(1) not in branch["properties"], d
    return outcome


def check_completions(document: Any, lists: list[list[dict]], protocols: dict) -> int:
    """Each store's key completions and protocol completions; returns how many checked."""
    checked = 0
    for (name, protocol, store), (inside, values) in zip(
        stores_of(document, protocols), zip(lists[::2], lists[1::2], strict=True), strict=True
    ):
        expected = set(protocols[protocol]["properties"]) - set(store)
        assert {item["label"] for item in inside} == expected, (name, protocol)
        assert {item["label"] for item in values} == {json.dumps(p) for p in protocols}, name
        checked += 2
    return checked


def check_hovers(
    document: Any, hovers: list[str | None], schema: dict[str, Any], protocols: dict
) -> int:
    """Each hover shows that key's description, type and default; returns how many."""
    checked = 0
    targets = hover_targets(document, schema, protocols)
    for (path, prop), hover in zip(targets, hovers, strict=True):
        if prop is None:  # an unknown key: nothing to describe
            continue
        key = path[-1]
        assert hover, path
        assert markdown(prop["description"]) in hover, (path, hover)
        assert markdown(phrase(prop)) in hover or key == "protocol", (path, hover)
        if "default" in prop:
            assert f"default `{json.dumps(prop['default'])}`" in hover, (path, hover)
        checked += 1
    return checked


def run_corpus(cases: list[Path], committed: dict[str, Any]) -> dict[str, int]:
    schema = schema_for(load_case(cases[0]), committed)
    protocols = branches(schema)
    loaded = [load_case(path) for path in cases]
    documents = [
        {"id": path.stem, **requests(case["document"], schema, protocols)}
        for path, case in zip(cases, loaded, strict=True)
    ]
    results = run_language_service(schema, documents)
    counts = dict.fromkeys(
        ("documents", "clean", "named", "underlined", "marked", "completions", "hovers"), 0
    )
    for path, case, result in zip(cases, loaded, results, strict=True):
        where = f"{path.stem}: "
        try:
            counts[check_diagnostics(case, result["diagnostics"], protocols)] += 1
            document = case["document"]
            counts["completions"] += check_completions(document, result["completions"], protocols)
            counts["hovers"] += check_hovers(document, result["hovers"], schema, protocols)
        except AssertionError as exc:
            raise AssertionError(where + str(exc)) from None
        counts["documents"] += 1
    return counts
