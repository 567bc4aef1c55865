"""The schema as VS Code reads it: the real JSON language service over the whole corpus.

``tests/schema_corpus/`` is checked here by ``vscode-json-languageservice`` (the npm
package VS Code uses, pinned in package.json), not by a JSON Schema library:

- diagnostics: none on a valid document; on an invalid one, a message that names the
  offending key (the case's ``"key"``), and never one that comes from another
  protocol's branch (a key only another protocol requires, a protocol pattern);
- completions inside every store offer exactly its protocol's keys, ``"protocol"``
  completes every registered protocol, and a new store's value offers one snippet per
  protocol that, inserted as is, the library accepts;
- hover on every key shows its description, type and default.

``python -m tests.editor.measure`` prints the same figures for the whole corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from datajoint_storage import registry
from datajoint_storage._schema_words import markdown, phrase
from datajoint_storage.datajoint_settings import GROUPS
from datajoint_storage.schema import datajoint_json_schema
from datajoint_storage.settings.layer import NAME_ENTRIES
from tests.editor.driver import run_language_service
from tests.helpers import Project
from tests.test_schema import CASES, COMMITTED, PLUGINS, branches, library_says, load_case

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


def requests(document: Any, protocols: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Completions inside, and on the protocol of, each store; a hover on each key."""
    completions: list[dict[str, Any]] = []
    hovers: list[dict[str, Any]] = []
    for name, _, store in stores_of(document, protocols):
        completions.append({"path": ["stores", name], "at": "inside"})
        completions.append({"path": ["stores", name, "protocol"], "at": "value"})
        hovers += [{"path": ["stores", name, key], "at": "key"} for key in store]
    return {"text": text_of(document), "completions": completions, "hovers": hovers}


def check_diagnostics(case: dict[str, Any], found: list[dict[str, Any]], protocols: dict) -> None:
    messages = [d["message"] for d in found]
    schema_valid = case.get("schema_valid", True) if case.get("library_only") else case["valid"]
    if case.get("editor_valid", schema_valid):  # where the editor differs from jsonschema
        assert found == [], messages
        return
    assert found, "the editor marks nothing"
    key = case["key"]
    if key is not None:
        # A flat key ("stores.main.token_length") is named by its last part too.
        named = [d for d in found if key.rsplit(".", 1)[-1] in d["message"]]
        underlined = [d for d in found if OWN_WORDS.match(d["message"]) and key in d["path"]]
        assert named or underlined, f"no message names {key!r}: {messages}"
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


def check_hovers(document: Any, hovers: list[str | None], protocols: dict) -> int:
    checked = 0
    keys = [
        (protocol, key) for _, protocol, store in stores_of(document, protocols) for key in store
    ]
    for (protocol, key), hover in zip(keys, hovers, strict=True):
        prop = protocols[protocol]["properties"].get(key)
        if prop is None:  # an unknown key: nothing to describe
            continue
        assert hover, (protocol, key)
        assert markdown(prop["description"]) in hover, (protocol, key, hover)
        assert markdown(phrase(prop)) in hover or key == "protocol", (protocol, key, hover)
        if "default" in prop:
            assert f"default `{json.dumps(prop['default'])}`" in hover, (protocol, key, hover)
        checked += 1
    return checked


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


def _run_corpus(cases: list[Path], committed: dict[str, Any]) -> dict[str, int]:
    schema = schema_for(load_case(cases[0]), committed)
    protocols = branches(schema)
    loaded = [load_case(path) for path in cases]
    documents = [
        {"id": path.stem, **requests(case["document"], protocols)}
        for path, case in zip(cases, loaded, strict=True)
    ]
    results = run_language_service(schema, documents)
    counts = {"documents": 0, "completions": 0, "hovers": 0}
    for path, case, result in zip(cases, loaded, results, strict=True):
        where = f"{path.stem}: "
        try:
            check_diagnostics(case, result["diagnostics"], protocols)
            document = case["document"]
            counts["completions"] += check_completions(document, result["completions"], protocols)
            counts["hovers"] += check_hovers(document, result["hovers"], protocols)
        except AssertionError as exc:
            raise AssertionError(where + str(exc)) from None
        counts["documents"] += 1
    return counts


def test_corpus_as_vscode_reads_it(committed: dict[str, Any]) -> None:
    cases = [path for path in CASES if not load_case(path).get("plugin")]
    assert not PLUGINS & set(registry.registered_adapters())
    counts = _run_corpus(cases, committed)
    assert counts["documents"] == len(cases) >= 100
    assert counts["completions"] >= 100 and counts["hovers"] >= 150


def test_plugin_corpus_as_vscode_reads_it(corpus_plugin: None, committed: dict[str, Any]) -> None:
    cases = [path for path in CASES if load_case(path).get("plugin")]
    counts = _run_corpus(cases, committed)
    assert counts["documents"] == len(cases) >= 10
    assert counts["completions"] >= 10


def _at(path: list[str], at: str) -> dict[str, Any]:
    return {"path": path, "at": at}


def _store_text(protocol: str) -> str:
    return '{\n  "stores": {\n    "new": { "protocol": ' + json.dumps(protocol) + "}\n  }\n}"


def test_completion_inside_a_store_offers_its_protocol_keys_only(corpus_plugin: None) -> None:
    schema = datajoint_json_schema()
    protocols = branches(schema)
    assert set(protocols) >= PLUGINS | {"s3", "file", "gcs", "azure", "memory"}
    docs = [
        {"id": p, "text": _store_text(p), "completions": [_at(["stores", "new"], "inside")]}
        for p in protocols
    ]
    union = set().union(*(set(b["properties"]) for b in protocols.values()))
    for protocol, result in zip(protocols, run_language_service(schema, docs), strict=True):
        labels = {item["label"] for item in result["completions"][0]}
        assert labels == set(protocols[protocol]["properties"]) - {"protocol"}, protocol
        assert labels < union  # never every protocol's keys at once


def test_empty_protocol_completes_every_registered_protocol(corpus_plugin: None) -> None:
    schema = datajoint_json_schema()
    text = _store_text("")
    at = _at(["stores", "new", "protocol"], "value")
    [result] = run_language_service(schema, [{"id": "empty", "text": text, "completions": [at]}])
    labels = {item["label"] for item in result["completions"][0]}
    assert labels == {json.dumps(p) for p in registry.registered_adapters()}
    assert [d["message"] for d in result["diagnostics"]] == [
        "Unknown protocol: the registered protocols are "
        + ", ".join(sorted(registry.registered_adapters()))
        + "."
    ]


def _filled(snippet: str) -> Any:
    """A snippet as inserted, every placeholder left at its default text."""

    def default(match: re.Match[str]) -> str:
        return re.sub(r"\\(.)", r"\1", match.group(1))

    return json.loads(re.sub(r"\$\{\d+:((?:\\.|[^}\\])*)\}", default, snippet))


def test_new_store_snippets_insert_a_store_the_library_accepts(
    committed: dict[str, Any], project: Project
) -> None:
    text = '{\n  "stores": {\n    "new": \n  }\n}'
    offset = text.index('"new": ') + len('"new": ')
    documents = [{"id": "new", "text": text, "completions": [offset]}]
    [result] = run_language_service(committed, documents)
    snippets = {item["label"]: item for item in result["completions"][0]}
    protocols = branches(committed)
    assert set(snippets) == {f"{p} store" for p in protocols}
    for protocol, branch in protocols.items():
        store = _filled(snippets[f"{protocol} store"]["insertText"])
        assert store["protocol"] == protocol
        assert set(store) == set(branch["required"])
        valid, reason = library_says(project, {"stores": {"new": store}})
        assert valid, (protocol, reason)


def test_settings_completion_and_hover(committed: dict[str, Any]) -> None:
    text = '{\n  "database": {},\n  "loglevel": "INFO"\n}'
    documents = [
        {
            "id": "settings",
            "text": text,
            "completions": [
                {"path": ["database"], "at": "inside"},
                {"path": ["loglevel"], "at": "value"},
                text.index("\n") + 1,  # a new top-level key
            ],
            "hovers": [{"path": ["loglevel"], "at": "key"}],
        }
    ]
    [result] = run_language_service(committed, documents)
    assert result["diagnostics"] == []
    database, loglevel, top = ({item["label"] for item in c} for c in result["completions"])
    assert database == set(GROUPS["database"].model_fields)
    assert loglevel == {'"DEBUG"', '"INFO"', '"WARNING"', '"ERROR"', '"CRITICAL"'}
    assert {"database.host", "display.limit", "jobs.default_priority", "stores", "safemode"} <= top
    assert "loglevel" not in top  # already present
    hover = result["hovers"][0]
    assert "Level of DataJoint" in hover and 'default `"INFO"`' in hover
