"""Two sources at once: which wins, key by key."""

from __future__ import annotations

import json

import pytest

import datajoint_storage as dj
from tests.helpers import Project

FILE_STORE = {"protocol": "file", "location": "/from-file", "subfolding": [1]}


@pytest.fixture
def file_store(project: Project) -> Project:
    project.write_config({"stores": {"s": FILE_STORE, "only_file": {"protocol": "memory"}}})
    return project


def test_runtime_over_file(file_store: Project) -> None:
    dj.config["stores"]["s"] = {"protocol": "file", "location": "/rt"}
    assert dj.config.get_store_spec("s")["location"] == "/rt"
    assert dj.config.get_store_spec("s")["subfolding"] is None  # whole store replaced
    assert "only_file" in dj.config.store_names()


def test_runtime_over_dj_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_STORES", json.dumps({"s": {"protocol": "file", "location": "/env"}}))
    dj.config["stores"]["s"] = {"protocol": "file", "location": "/rt"}
    assert dj.config.get_store_spec("s")["location"] == "/rt"


def test_dj_stores_over_file(file_store: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_STORES", json.dumps({"s": {"protocol": "file", "location": "/env"}}))
    assert dj.config.get_store_spec("s")["location"] == "/env"
    assert dj.config.store_names() == ["s"]  # the file's other stores are gone too


def test_file_over_secrets(file_store: Project) -> None:
    file_store.write_secret("s", "location", "/from-secret")
    assert dj.config.get_store_spec("s")["location"] == "/from-file"


def test_secrets_fill_what_dj_stores_left_unset(
    file_store: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "DJ_STORES",
        json.dumps({"r": {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}}),
    )
    file_store.write_secret("r", "access_key", "A")
    file_store.write_secret("r", "secret_key", "S")
    origins = dj.config.provenance("r")
    assert origins["protocol"] == "DJ_STORES"
    assert origins["access_key"].endswith(".secrets/stores.r.access_key")


def test_defaults_under_everything(file_store: Project) -> None:
    origins = dj.config.provenance("s")
    assert origins["token_length"] == "default"
    assert origins["subfolding"] == str(file_store.root / "datajoint.json")


def test_default_name_follows_the_same_precedence(
    file_store: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_store.write_config({"stores": {"s": FILE_STORE, "default": "s"}})
    assert dj.config.get_store_spec()["location"] == "/from-file"
    dj.config["stores"]["t"] = {"protocol": "memory"}
    dj.config["stores"]["default"] = "t"
    assert dj.config.get_store_spec()["protocol"] == "memory"
