""".secrets/stores.<name>.<attr>: fills unset keys, any attribute, whitespace, mounts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import datajoint_storage as dj
from datajoint_storage.settings import config as config_module
from tests.helpers import Project

S3 = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}


def test_secrets_fill_credentials(project: Project) -> None:
    project.write_config({"stores": {"raw": S3}})
    key = project.write_secret("raw", "access_key", "AKIA-FILE\n")
    project.write_secret("raw", "secret_key", "  s3cr3t \r\n")
    spec = dj.config.get_store_spec("raw")
    assert (spec["access_key"], spec["secret_key"]) == ("AKIA-FILE", "s3cr3t")
    assert dj.config.provenance("raw")["access_key"] == str(key)


def test_any_attribute_name_works(project: Project) -> None:
    project.write_config({"stores": {"g": {"protocol": "gcs", "bucket": "b", "location": "l"}}})
    project.write_secret("g", "token", "anon")
    project.write_secret("g", "project", "lab-project")
    spec = dj.config.get_store_spec("g")
    assert (spec["token"], spec["project"]) == ("anon", "lab-project")


def test_secrets_never_override_a_value_set_above(project: Project) -> None:
    project.write_config({"stores": {"raw": {**S3, "access_key": "A1", "secret_key": "S1"}}})
    project.write_secret("raw", "access_key", "A2")
    assert dj.config.get_store_spec("raw")["access_key"] == "A1"


@pytest.mark.parametrize("present", ["", None])
def test_a_key_set_to_empty_or_null_is_not_filled(project: Project, present: object) -> None:
    """DataJoint 2.3.5 fills only ``attr not in store``: a present key is kept."""
    project.write_config({"stores": {"raw": {**S3, "access_key": present, "secret_key": ""}}})
    project.write_secret("raw", "access_key", "A2")
    project.write_secret("raw", "secret_key", "S2")
    raw = dj.config["stores"]["raw"]
    assert (raw["access_key"], raw["secret_key"]) == (present, "")
    if present == "":
        assert dj.config.get_store_spec("raw")["access_key"] == ""


def test_an_empty_secret_file_is_a_present_empty_value(project: Project) -> None:
    """DataJoint 2.3.5 sets ``""`` from an empty file, which then counts as present."""
    project.write_config({"stores": {"raw": S3}})
    project.write_secret("raw", "access_key", "A2")
    project.write_secret("raw", "secret_key", "\n")
    with pytest.raises(dj.InvalidValueError, match="^Incomplete S3 credentials"):
        dj.config.get_store_spec("raw")


def test_a_secret_file_for_an_entry_that_names_a_store_is_an_error(project: Project) -> None:
    """DataJoint 2.3.5 cannot build its config: it assigns into the string ``"main"``."""
    project.write_config({"stores": {"default": "main", "main": {"protocol": "memory"}}})
    path = project.write_secret("default", "location", "/x")
    with pytest.raises(dj.ConfigSourceError, match="stores.default") as info:
        dj.config.problems()
    assert info.value.source == str(path)


def test_a_store_made_only_of_secrets_fails_clearly(project: Project) -> None:
    project.write_config({})
    path = project.write_secret("ghost", "token", "hunter2-canary")
    with pytest.raises(dj.MissingKeysError) as info:
        dj.config.get_store_spec("ghost")
    message = str(info.value)
    assert message.startswith("Store 'ghost' is missing: protocol")
    assert str(path) in message and "hunter2-canary" not in message


def test_names_that_are_not_store_secrets_are_ignored(project: Project) -> None:
    project.write_config({"stores": {"m": {"protocol": "memory"}}})
    secrets = project.root / ".secrets"
    secrets.mkdir()
    (secrets / "database.password").write_text("x")
    (secrets / "stores.m").write_text("x")
    (secrets / "stores.m.a.b").write_text("x")
    (secrets / ".stores.m.token").write_text("x")
    (secrets / "stores.m.token.bak~").write_text("x")
    assert "token" not in dj.config.get_store_spec("m")
    dj.config.validate()


def test_project_secrets_need_a_found_datajoint_json(project: Project) -> None:
    project.write_secret("ghost", "token", "t")  # .secrets/ but no datajoint.json
    assert dj.config.store_names() == []


def test_secrets_dir_is_next_to_the_found_file(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_config({"stores": {"m": {"protocol": "memory"}}})
    project.write_secret("m", "token", "t")  # memory takes no token: proves it was read
    sub = project.root / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    with pytest.raises(dj.InvalidKeysError, match="Invalid key\\(s\\) for memory: token"):
        dj.config.get_store_spec("m")


def test_system_secrets_when_no_project_secrets(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = tmp_path / "run-secrets"
    system.mkdir()
    (system / "stores.raw.access_key").write_text("SYS-A")
    (system / "stores.raw.secret_key").write_text("SYS-S")
    monkeypatch.setattr(config_module, "SYSTEM_SECRETS_DIR", system)
    project.write_config({"stores": {"raw": S3}})
    assert dj.config.get_store_spec("raw")["access_key"] == "SYS-A"
    assert dj.config.provenance("raw")["secret_key"] == str(system / "stores.raw.secret_key")


def test_kubernetes_secret_mount_links_are_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mount = tmp_path / "mount"
    data = mount / "..2026_11_25_10_00_00.123"
    data.mkdir(parents=True)
    (data / "stores.raw.access_key").write_text("K8S-A\n")
    (data / "stores.raw.secret_key").write_text("K8S-S\n")
    os.symlink(data.name, mount / "..data")
    for name in ("stores.raw.access_key", "stores.raw.secret_key"):
        os.symlink(f"..data/{name}", mount / name)
    monkeypatch.setattr(config_module, "SYSTEM_SECRETS_DIR", mount)
    monkeypatch.setenv("DJ_STORES", json.dumps({"raw": S3}))
    spec = dj.config.get_store_spec("raw")
    assert (spec["access_key"], spec["secret_key"]) == ("K8S-A", "K8S-S")


def test_a_link_out_of_the_secrets_dir_is_refused(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside-secret"
    outside.write_text("STOLEN-canary")
    project.write_config({"stores": {"raw": S3}})
    (project.root / ".secrets").mkdir()
    os.symlink(outside, project.root / ".secrets" / "stores.raw.access_key")
    with pytest.warns(UserWarning, match="stores.raw.access_key skipped: it links outside") as w:
        spec = dj.config.get_store_spec("raw")
    assert "access_key" not in spec or spec["access_key"] is None
    assert all("STOLEN-canary" not in str(x.message) for x in w)
