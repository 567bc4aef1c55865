"""Where we were wrong and now follow DataJoint 2.3.5 (each test names its behaviour)."""

from __future__ import annotations

import pytest

import datajoint_storage as dj
from tests.compat.differential import upstream
from tests.helpers import Project

S3 = {"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "b", "location": "l"}


def test_a_file_store_without_its_directory(project: Project) -> None:
    """DataJoint: get_store_spec returns; StorageBackend refuses (Inaccessible local
    directory). Ours: the spec, a problem naming the directory, no filesystem, nothing
    created; once the directory exists the store works."""
    missing = project.root / "store"
    project.write_config({"stores": {"main": {"protocol": "file", "location": str(missing)}}})
    assert dj.config.get_store_spec("main")["location"] == str(missing)
    [problem] = dj.config.problems()
    assert (problem.store, problem.key) == ("main", "location")
    assert str(problem).startswith(f"Inaccessible local directory {missing}")
    assert problem.source == str(project.root / "datajoint.json")
    with pytest.raises(dj.InvalidValueError, match="Inaccessible local directory"):
        dj.get_filesystem("main")
    assert not missing.exists()
    missing.mkdir()
    assert dj.config.problems() == []
    assert dj.get_filesystem("main") is not None


def test_a_relative_location_is_taken_from_the_working_directory(project: Project) -> None:
    project.write_config({"stores": {"main": {"protocol": "file", "location": "data"}}})
    assert [p.key for p in dj.config.problems()] == ["location"]
    (project.root / "data").mkdir()
    assert dj.config.problems() == []


@pytest.mark.parametrize("key", ["endpoint", "bucket"])
def test_an_empty_s3_endpoint_or_bucket_is_missing(project: Project, key: str) -> None:
    """DataJoint's StorageBackend: ``Missing S3 configuration`` for a falsy value."""
    project.write_config({"stores": {"raw": {**S3, key: ""}}})
    with pytest.raises(dj.MissingKeysError, match=f"^s3 store is missing: {key}") as info:
        dj.config.get_store_spec("raw")
    assert info.value.store == "raw"


def test_a_gcs_token_may_be_a_key_document(project: Project) -> None:
    """gcsfs and DataJoint take a service-account key document as an object."""
    document = {"type": "service_account", "private_key": "-----KEY-canary-----"}
    project.write_config(
        {"stores": {"g": {"protocol": "gcs", "bucket": "b", "location": "l", "token": document}}}
    )
    assert dj.config.get_store_spec("g")["token"] == document
    shown = repr(dj.config) + repr(dj.config.get_store_spec("g", redact=True))
    assert "canary" not in shown
    assert dj.config.get_store_spec("g", redact=True)["token"] == "**********"


def test_flat_keys_of_four_parts_are_ignored_with_a_warning(project: Project) -> None:
    """DataJoint ignores ``"stores.main.location.sub"``; so do we, and we say so."""
    project.write_config(
        {"stores": {"main": {"protocol": "memory"}}, "stores.main.location.sub": "x"}
    )
    assert dj.config.get_store_spec("main")["location"] == ""
    [warning] = [w for w in dj.config.warnings() if w.rule == "datajoint-ignores-flat-key"]
    assert warning.store == "main"


def test_the_upstream_interpreter_missing_fails_and_names_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """The comparison never skips: without .venv-datajoint it fails, saying how to build it."""
    monkeypatch.setattr(upstream, "VENV", tmp_path / "absent")
    with pytest.raises(pytest.fail.Exception, match="bash scripts/dev.sh test"):
        upstream.datajoint_python()
