"""DJ_STORES: a whole stores block from one environment variable."""

from __future__ import annotations

import json
import traceback

import pytest

import datajoint_storage as dj
from tests.helpers import Project


def test_dj_stores_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_STORES", json.dumps({"m": {"protocol": "memory"}, "default": "m"}))
    assert dj.config.get_store_spec()["protocol"] == "memory"
    assert dj.config.provenance("m")["protocol"] == "DJ_STORES"


def test_dj_stores_replaces_the_file_block_wholesale(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_config(
        {"stores": {"a": {"protocol": "memory"}, "b": {"protocol": "file", "location": "/b"}}}
    )
    monkeypatch.setenv("DJ_STORES", json.dumps({"b": {"protocol": "memory"}}))
    assert dj.config.store_names() == ["b"]
    # no deep merge: the file's location for "b" is gone
    assert dj.config.get_store_spec("b")["location"] == ""


@pytest.mark.parametrize("text", ['{"m": {"protocol": "memory", "token": "hunter2"', "hunter2"])
def test_invalid_json_names_the_variable_and_never_echoes_it(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv("DJ_STORES", text)
    with pytest.raises(dj.ConfigSourceError) as info:
        dj.config.validate()
    assert str(info.value).startswith("DJ_STORES contains invalid JSON")
    assert "hunter2" not in "".join(traceback.format_exception(info.value))


@pytest.mark.parametrize(
    ("text", "kind"), [("[1]", "array"), ('"hunter2"', "string"), ("3", "number")]
)
def test_json_that_is_not_an_object(monkeypatch: pytest.MonkeyPatch, text: str, kind: str) -> None:
    monkeypatch.setenv("DJ_STORES", text)
    with pytest.raises(dj.ConfigSourceError, match=f"DJ_STORES must be a JSON object.*{kind}") as e:
        dj.config.validate()
    assert "hunter2" not in str(e.value)


def test_empty_dj_stores_counts_as_unset(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """DataJoint 2.3.5 skips DJ_STORES only when ``not os.environ.get("DJ_STORES")``."""
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    monkeypatch.setenv("DJ_STORES", "")
    assert dj.config.store_names() == ["f"]


@pytest.mark.parametrize("blank", ["  ", "\n", "\t "])
def test_blank_dj_stores_is_an_error_naming_it(
    project: Project, monkeypatch: pytest.MonkeyPatch, blank: str
) -> None:
    """DataJoint 2.3.5 hands a blank DJ_STORES to json.loads: its config fails to build."""
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    monkeypatch.setenv("DJ_STORES", blank)
    with pytest.raises(dj.ConfigSourceError, match="^DJ_STORES is blank") as info:
        dj.config.store_names()
    assert info.value.source == "DJ_STORES"
