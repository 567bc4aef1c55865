"""The runtime layer: assignment, in-place edits, override(), reload(), deletion."""

from __future__ import annotations

import json

import pytest

import datajoint_storage as dj
from tests.helpers import Project


def test_assignment_wins_over_every_source(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_config({"stores": {"m": {"protocol": "file", "location": "/file"}}})
    monkeypatch.setenv("DJ_STORES", json.dumps({"m": {"protocol": "file", "location": "/env"}}))
    dj.config["stores"]["m"] = {"protocol": "file", "location": "/runtime"}
    assert dj.config.get_store_spec("m")["location"] == "/runtime"
    assert dj.config.provenance("m")["location"] == "runtime"


def test_in_place_edit_of_a_file_store_becomes_a_runtime_value(project: Project) -> None:
    path = project.write_config({"stores": {"m": {"protocol": "file", "location": "/file"}}})
    dj.config["stores"]["m"]["location"] = "/edited"
    assert dj.config.get_store_spec("m")["location"] == "/edited"
    assert dj.config.provenance("m")["location"] == "runtime"
    assert json.loads(path.read_text())["stores"]["m"]["location"] == "/file"  # file untouched


def test_secrets_do_not_fill_a_store_assigned_at_runtime(project: Project) -> None:
    """DataJoint 2.3.5 reads .secrets/ once, at load: a store assigned later is whole."""
    project.write_config({})
    project.write_secret("r", "access_key", "A")
    project.write_secret("r", "secret_key", "S")
    dj.config["stores"]["r"] = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}
    spec = dj.config.get_store_spec("r")
    assert "secret_key" not in spec and "access_key" not in spec


def test_assigning_the_whole_block_brings_back_no_secret_only_store(project: Project) -> None:
    project.write_config({"stores": {"m": {"protocol": "memory"}}})
    project.write_secret("ghost", "protocol", "memory")
    assert sorted(dj.config.store_names()) == ["ghost", "m"]
    dj.config["stores"] = {}
    assert dj.config.store_names() == []


def test_editing_a_store_read_back_keeps_its_secrets(project: Project) -> None:
    """``config["stores"]["r"]["location"] = ...`` edits DataJoint's dict in place."""
    s3 = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}
    project.write_config({"stores": {"r": s3}})
    secret = project.write_secret("r", "secret_key", "S-canary")
    project.write_secret("r", "access_key", "A")
    dj.config["stores"]["r"]["location"] = "new"
    assert repr(dj.config["stores"]["r"]["secret_key"]) == "'**********'"  # read back, masked
    spec = dj.config.get_store_spec("r")
    assert (spec["location"], spec["secret_key"]) == ("new", "S-canary")
    assert dj.config.provenance("r")["secret_key"] == str(secret)
    assert "S-canary" not in repr(dj.config) + repr(dj.config.get_store_spec("r", redact=True))


def test_a_store_read_back_has_its_secret_files_masked(project: Project) -> None:
    """As in DataJoint the secret is there (issue 14); no repr shows it."""
    project.write_config({"stores": {"r": {"protocol": "gcs", "bucket": "b", "location": "l"}}})
    project.write_secret("r", "token", "tok-canary")
    assert dj.config["stores"]["r"]["token"] == "tok-canary"
    assert "tok-canary" not in repr(dj.config) + repr(dj.config["stores"])


def test_override_restores_the_previous_state() -> None:
    dj.config["stores"]["m"] = {"protocol": "memory", "location": "before"}
    with dj.config.override(
        stores={"m": {"protocol": "memory", "location": "inside"}, "n": {"protocol": "memory"}}
    ):
        assert dj.config.get_store_spec("m")["location"] == "inside"
        assert "n" in dj.config.store_names()
    assert dj.config.get_store_spec("m")["location"] == "before"
    assert "n" not in dj.config.store_names()


def test_override_restores_even_after_an_exception() -> None:
    with pytest.raises(RuntimeError), dj.config.override(stores={"t": {"protocol": "memory"}}):
        raise RuntimeError
    assert dj.config.store_names() == []


def test_reload_re_reads_the_files_and_keeps_runtime(project: Project) -> None:
    path = project.write_config({"stores": {"f": {"protocol": "file", "location": "/one"}}})
    dj.config["stores"]["r"] = {"protocol": "memory"}
    assert dj.config.get_store_spec("f")["location"] == "/one"
    path.write_text(json.dumps({"stores": {"f": {"protocol": "file", "location": "/two"}}}))
    assert dj.config.get_store_spec("f")["location"] == "/one"  # cached until reload
    dj.config.reload()
    assert dj.config.get_store_spec("f")["location"] == "/two"
    assert "r" in dj.config.store_names()


def test_deleting_a_store_at_runtime_hides_it_from_every_source(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory"}, "g": {"protocol": "memory"}}})
    del dj.config["stores"]["f"]
    assert dj.config.store_names() == ["g"]
    with pytest.raises(KeyError):
        del dj.config["stores"]["nope"]


def test_assigning_the_whole_block_replaces_it(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    dj.config["stores"] = {"x": {"protocol": "memory"}, "default": "x"}
    assert dj.config.store_names() == ["x"]
    assert dj.config.get_store_spec()["protocol"] == "memory"


def test_tuples_from_code_are_accepted_as_lists() -> None:
    dj.config["stores"]["m"] = {"protocol": "memory", "subfolding": (2, 2)}
    assert dj.config.get_store_spec("m")["subfolding"] == [2, 2]


def test_only_stores_are_configured_here() -> None:
    with pytest.raises(KeyError, match="configures stores only"):
        dj.config["database.host"]
