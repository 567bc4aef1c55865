"""Sources are data: labels like ``datajoint.json: /path`` and objects, never reprs."""

from __future__ import annotations

import json

import pytest

import datajoint_storage as dj
from tests.helpers import Project


def test_labels_and_objects(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project.write_config({"stores": {"m": {"protocol": "memory"}}})
    project.write_secret("m", "token", "tok-canary")
    assert dj.config.sources() == [
        "runtime: none set",
        "DJ_STORES: not set",
        f"datajoint.json: {path}",
        f".secrets: {project.root / '.secrets'}",
    ]
    described = dj.config.describe_sources()
    assert [s["kind"] for s in described] == ["runtime", "env", "file", "secrets"]
    assert described[2] == {
        "kind": "file",
        "name": "datajoint.json",
        "path": str(path),
        "label": f"datajoint.json: {path}",
    }
    assert "Source(" not in json.dumps(described) + "".join(dj.config.sources())

    monkeypatch.setenv("DJ_STORES", json.dumps({"e": {"protocol": "memory"}}))
    dj.config.reload()
    assert dj.config.sources()[1] == "DJ_STORES: set"


def test_nothing_found_says_where_the_search_ran(project: Project) -> None:
    (file,) = [s for s in dj.config.describe_sources() if s["kind"] == "file"]
    assert file["path"] is None
    assert file["searched"] == {"from": str(project.root), "to": str(project.root)}
    assert file["label"] == (
        f"datajoint.json: none found (searched {project.root} up to {project.root})"
    )
    files = dj.config.files()
    assert files.config_file is None and files.searched == (project.root, project.root)
