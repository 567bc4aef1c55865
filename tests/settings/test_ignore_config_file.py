"""DJ_IGNORE_CONFIG_FILE: no file contributes, proven with an audit hook in a subprocess."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import datajoint_storage as dj
from tests.helpers import Project, run_python

PROBE = textwrap.dedent(
    """
    import json, sys
    touched = []
    WATCH = ("open", "os.listdir", "os.scandir")
    def hook(event, args):
        if event in WATCH and args and args[0] is not None:
            touched.append(str(args[0]))
    sys.addaudithook(hook)
    import datajoint_storage as dj
    from datajoint_storage.settings import config as config_module
    config_module.SYSTEM_SECRETS_DIR = __import__("pathlib").Path({system!r})
    dj.config.validate()
    spec = dj.config.get_store_spec("uc")
    fs = dj.get_filesystem("uc")
    fs.pipe_file(dj.get_store("uc").full_path("x"), b"1")
    print(json.dumps({{"spec": spec, "names": dj.config.store_names(), "touched": touched}}))
    """
)


def make_files(root: Path, system: Path) -> None:
    (root / ".git").mkdir(exist_ok=True)
    (root / "datajoint.json").write_text('{"stores": {"file_store": {"protocol": "memory"}}}')
    (root / ".secrets").mkdir()
    (root / ".secrets" / "stores.uc.token").write_text("from-file")
    (root / ".env").write_text('DJ_STORES=\'{"dotenv": {"protocol": "memory"}}\'\n')
    system.mkdir()
    (system / "stores.uc.token").write_text("from-system")


@pytest.mark.parametrize("value", ["true", "1", "YES", "On"])
def test_no_file_is_opened_or_listed(tmp_path: Path, value: str) -> None:
    root, system = tmp_path / "proj", tmp_path / "run-secrets"
    root.mkdir()
    make_files(root, system)
    env = {
        "DJ_IGNORE_CONFIG_FILE": value,
        "DJ_STORES": json.dumps({"uc": {"protocol": "memory", "location": "env-only"}}),
    }
    result = run_python(PROBE.format(system=str(system)), env=env, cwd=root)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["names"] == ["uc"]
    assert out["spec"]["location"] == "env-only"
    forbidden = ("datajoint.json", ".secrets", ".env", str(system))
    assert [p for p in out["touched"] if any(f in p for f in forbidden)] == []


def test_without_the_flag_the_same_probe_sees_the_files(tmp_path: Path) -> None:
    root, system = tmp_path / "proj", tmp_path / "run-secrets"
    root.mkdir()
    make_files(root, system)
    (root / ".env").unlink()
    code = PROBE.format(system=str(system)).replace("dj.config.validate()\n", "")
    env = {"DJ_STORES": json.dumps({"uc": {"protocol": "memory"}})}
    result = run_python(code, env=env, cwd=root)
    assert result.returncode != 0  # memory takes no token: the secret file was read
    assert "Invalid key(s) for memory: token" in result.stderr
    assert "from-file" not in result.stderr


@pytest.mark.parametrize("value", ["false", "0", "no", "off", "F", "n", "No"])
def test_false_words_do_not_ignore_files(
    project: Project, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", value)
    assert dj.config.store_names() == ["f"]


def test_env_only_container_deployment(tmp_path: Path) -> None:
    """The spec's credential-hygiene deployment: only env vars, an s3 store, no files."""
    stores = {
        "raw": {
            "protocol": "s3",
            "endpoint": "minio:9000",
            "secure": False,
            "bucket": "b",
            "location": "l",
            "access_key": "AK",
            "secret_key": "SK-canary",
        },
        "default": "raw",
    }
    env = {"DJ_IGNORE_CONFIG_FILE": "true", "DJ_STORES": json.dumps(stores)}
    code = (
        "import datajoint_storage as dj, json\n"
        "dj.config.validate()\n"
        "print(json.dumps([dj.config.get_store_spec()['secret_key'], repr(dj.config),"
        " dj.get_storage_adapter('s3').endpoint_url(dj.config.get_store_spec())]))\n"
    )
    result = run_python(code, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    secret, shown, url = json.loads(result.stdout)
    assert secret == "SK-canary" and "SK-canary" not in shown and url == "http://minio:9000"


@pytest.mark.parametrize(
    "name", ["DJ_IGNORE_CONFIG_FILE", "dj_ignore_config_file", "Dj_Ignore_Config_File"]
)
@pytest.mark.parametrize("value", ["true", "1", "yes", "on", "T", "y", "TRUE", "oN"])
def test_true_words_in_any_case_ignore_files(
    project: Project, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """DataJoint 2.3.5 reads the flag as a pydantic-settings bool, name case-insensitive."""
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    monkeypatch.setenv(name, value)
    assert dj.config.store_names() == []


@pytest.mark.parametrize("value", ["", " true", "2", "maybe", "none", "1.0"])
def test_a_value_that_is_not_a_boolean_is_an_error_naming_the_variable(
    project: Project, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """DataJoint 2.3.5 fails to import there; we never read it as false."""
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", value)
    with pytest.raises(
        dj.ConfigSourceError, match="DJ_IGNORE_CONFIG_FILE must be a boolean"
    ) as info:
        dj.config.store_names()
    assert info.value.source == "DJ_IGNORE_CONFIG_FILE"
