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
from typing import Any

import pytest

from datajoint_storage import registry
from datajoint_storage.datajoint_settings import GROUPS
from datajoint_storage.schema import datajoint_json_schema
from tests.editor.checks import run_corpus
from tests.editor.driver import run_language_service
from tests.helpers import Project
from tests.test_schema import CASES, COMMITTED, PLUGINS, branches, library_says, load_case


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_corpus_as_vscode_reads_it(committed: dict[str, Any]) -> None:
    cases = [path for path in CASES if not load_case(path).get("plugin")]
    assert not PLUGINS & set(registry.registered_adapters())
    counts = run_corpus(cases, committed)
    assert counts["documents"] == len(cases) >= 100
    assert counts["clean"] >= 35 and counts["named"] >= 55  # most messages name the key
    assert counts["completions"] >= 100 and counts["hovers"] >= 150


def test_plugin_corpus_as_vscode_reads_it(corpus_plugin: None, committed: dict[str, Any]) -> None:
    cases = [path for path in CASES if load_case(path).get("plugin")]
    counts = run_corpus(cases, committed)
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
