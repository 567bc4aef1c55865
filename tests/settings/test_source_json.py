"""datajoint.json: the upward search, DJ_CONFIG_FILE, nested and flat keys, bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import datajoint_storage as dj
from tests.helpers import Project

MAIN = {"protocol": "file", "location": "/data"}


def test_found_in_the_working_directory(project: Project) -> None:
    path = project.write_config({"stores": {"main": MAIN}})
    assert dj.config.get_store_spec("main")["location"] == "/data"
    assert dj.config.provenance("main")["location"] == str(path)


def test_found_upward_from_a_subdirectory(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_config({"stores": {"main": MAIN}})
    deep = project.root / "analysis" / "notebooks"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert dj.config.store_names() == ["main"]


@pytest.mark.parametrize("marker", [".git", ".hg"])
def test_search_stops_at_a_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marker: str
) -> None:
    outer = tmp_path / "outer"
    repo = outer / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / marker).mkdir()
    Project(outer).write_config({"stores": {"main": MAIN}})  # above the repository root
    (outer / ".git").rmdir()
    monkeypatch.chdir(repo / "sub")
    assert dj.config.store_names() == []


def test_search_stops_at_the_filesystem_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No marker anywhere between tmp and /: the search must end, empty-handed.
    lone = tmp_path / "lone" / "a"
    lone.mkdir(parents=True)
    monkeypatch.chdir(lone)
    assert isinstance(dj.config.store_names(), list)


def test_dj_config_file_names_a_file_explicitly(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_config({"stores": {"main": MAIN}})
    other = tmp_path / "elsewhere" / "site.json"
    other.parent.mkdir()
    other.write_text('{"stores": {"site": {"protocol": "memory"}}}')
    monkeypatch.setenv("DJ_CONFIG_FILE", str(other))
    assert dj.config.store_names() == ["site"]
    assert dj.config.provenance("site")["protocol"] == str(other)


def test_dj_config_file_that_does_not_exist_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_CONFIG_FILE", "/nonexistent/datajoint.json")
    with pytest.raises(dj.ConfigSourceError, match="Cannot read /nonexistent/datajoint.json"):
        dj.config.store_names()


def test_flat_dot_keys_merge_into_the_nested_block(project: Project) -> None:
    project.write_config(
        {
            "stores": {"main": {"protocol": "file"}},
            "stores.main.location": "/flat",
            "stores.raw.protocol": "memory",
            "stores.default": "main",
        }
    )
    assert dj.config.get_store_spec("main")["location"] == "/flat"
    assert dj.config.get_store_spec("raw")["protocol"] == "memory"
    assert dj.config.get_store_spec()["location"] == "/flat"


def test_other_top_level_keys_are_tolerated(project: Project) -> None:
    project.write_config(
        {"database.host": "db", "database": {"user": "u"}, "$schema": "x", "stores": {"m": MAIN}}
    )
    assert [p for p in dj.config.problems() if "Inaccessible" not in str(p)] == []
    assert dj.config.store_names() == ["m"]


def test_invalid_json_names_the_file_line_and_column(project: Project) -> None:
    path = project.write_config('{\n  "stores": {\n    "main": {"protocol": "file",}\n  }\n}')
    with pytest.raises(dj.ConfigSourceError) as info:
        dj.config.validate()
    assert str(info.value).startswith(f"{path} is not valid JSON")
    assert "line 3 column" in str(info.value)


@pytest.mark.parametrize("document", ["[]", '"text"', '{"stores": []}', '{"stores": "main"}'])
def test_a_document_of_the_wrong_shape_is_an_error(project: Project, document: str) -> None:
    project.write_config(document)
    with pytest.raises(dj.ConfigSourceError, match="must be"):
        dj.config.validate()


def test_a_non_utf8_file_is_an_error(project: Project) -> None:
    (project.root / "datajoint.json").write_bytes(b'{"stores": {"m": "\xff"}}')
    with pytest.raises(dj.ConfigSourceError, match="not UTF-8"):
        dj.config.validate()


def test_relative_dj_config_file(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    (project.root / "conf").mkdir()
    project.write_config({"stores": {"m": MAIN}}, directory=project.root / "conf")
    monkeypatch.setenv("DJ_CONFIG_FILE", os.path.join("conf", "datajoint.json"))
    assert dj.config.store_names() == ["m"]
