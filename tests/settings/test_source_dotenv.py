""".env in the working directory supplies DJ_* variables; real environment wins."""

from __future__ import annotations

import json

import pytest

import datajoint_storage as dj
from tests.helpers import Project


def test_dotenv_supplies_dj_stores(project: Project) -> None:
    (project.root / ".env").write_text(
        "OTHER=1\nDJ_STORES='" + json.dumps({"e": {"protocol": "memory"}}) + "'\n"
    )
    assert dj.config.store_names() == ["e"]
    # The value came from the file, so the file is named (with its path), not DJ_STORES.
    assert dj.config.provenance("e")["protocol"] == str(project.root / ".env")
    (env,) = [s for s in dj.config.describe_sources() if s["name"] == "DJ_STORES"]
    assert env == {
        "kind": "env",
        "name": "DJ_STORES",
        "set": True,
        "path": str(project.root / ".env"),
        "label": f"DJ_STORES: set in {project.root / '.env'}",
    }


def test_a_bad_dj_stores_in_dotenv_names_the_file(project: Project) -> None:
    (project.root / ".env").write_text("DJ_STORES='[1'\n")
    with pytest.raises(dj.ConfigSourceError) as caught:
        dj.config.store_names()
    where = f"DJ_STORES (from {project.root / '.env'})"
    assert str(caught.value).startswith(f"{where} contains invalid JSON")


def test_real_environment_wins_over_dotenv(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.root / ".env").write_text('DJ_STORES=\'{"e": {"protocol": "memory"}}\'\n')
    monkeypatch.setenv("DJ_STORES", json.dumps({"real": {"protocol": "memory"}}))
    assert dj.config.store_names() == ["real"]
    assert dj.config.provenance("real")["protocol"] == "DJ_STORES"


def test_dotenv_can_name_the_config_file(project: Project) -> None:
    conf = project.root / "conf"
    conf.mkdir()
    project.write_config({"stores": {"c": {"protocol": "memory"}}}, directory=conf)
    (project.root / ".env").write_text(f"DJ_CONFIG_FILE={conf / 'datajoint.json'}\n")
    assert dj.config.store_names() == ["c"]


def test_dotenv_is_not_read_when_files_are_ignored(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.root / ".env").write_text('DJ_STORES=\'{"e": {"protocol": "memory"}}\'\n')
    monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", "true")
    assert dj.config.store_names() == []


def test_dotenv_never_writes_os_environ(project: Project) -> None:
    import os

    (project.root / ".env").write_text("DJ_STORES='{}'\n")
    dj.config.store_names()
    assert "DJ_STORES" not in os.environ
