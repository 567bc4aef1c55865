"""``check-jsonschema`` (the command line many CI pipelines run) agrees with the library.

The same corpus as ``tests/test_schema.py`` and ``tests/editor/``: every document's
verdict from ``check-jsonschema --schemafile`` is the library's, except the listed
library-only rules, where it is the documented gap. ``check-jsonschema`` also compiles
every ``pattern`` as ECMAScript (as editors do), which python-jsonschema does not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from datajoint_storage.schema import datajoint_json_schema, render
from tests.test_schema import (  # noqa: F401  (corpus_plugin, plugin_root: fixtures)
    CASES,
    COMMITTED,
    corpus_plugin,
    load_case,
    plugin_root,
)

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


def schema_expected(case: dict[str, Any]) -> bool:
    """A JSON Schema validator's verdict: the library's, or the documented gap."""
    return case.get("schema_valid", True) if case.get("library_only") else case["valid"]


def failing(schema_file: Path, documents: dict[str, Any], directory: Path) -> set[str]:
    """The documents ``check-jsonschema`` refuses, by name."""
    paths = []
    for name, document in documents.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        paths.append(str(path))
    command = [str(CHECK_JSONSCHEMA), "--schemafile", str(schema_file), "-o", "JSON", *paths]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["parse_errors"] == [], report["parse_errors"]
    return {Path(error["filename"]).stem for error in report["errors"]}


def test_check_jsonschema_agrees_on_the_corpus(tmp_path: Path) -> None:
    cases = {path.stem: load_case(path) for path in CASES if not load_case(path).get("plugin")}
    refused = failing(COMMITTED, {n: c["document"] for n, c in cases.items()}, tmp_path)
    wrong = sorted(n for n, c in cases.items() if (n not in refused) != schema_expected(c))
    assert wrong == [], wrong
    assert len(cases) >= 100


@pytest.mark.usefixtures("corpus_plugin")
def test_check_jsonschema_agrees_on_plugin_stores(tmp_path: Path) -> None:
    cases = {path.stem: load_case(path) for path in CASES if load_case(path).get("plugin")}
    live = tmp_path / "live.schema.json"
    live.write_text(render(datajoint_json_schema()), encoding="utf-8")
    documents = {n: c["document"] for n, c in cases.items()}
    refused = failing(live, documents, tmp_path)
    wrong = sorted(n for n, c in cases.items() if (n not in refused) != schema_expected(c))
    assert wrong == [], wrong
    # The committed schema knows only the built-ins: no plugin store passes it.
    refused_by_committed = failing(COMMITTED, documents, tmp_path)
    assert all(n in refused_by_committed for n, c in cases.items() if c["valid"])
