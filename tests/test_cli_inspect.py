"""``stores``, ``adapters PROTOCOL`` / ``--keys``, ``doctor``, ``completion``, ``-V`` and
global options after the command: in-process and as real processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from datajoint_storage.cli.keys import key_reference
from datajoint_storage.spec import spec_model_for
from tests._cli_support import SCRIPT, assert_no_traceback, invoke, run_script
from tests.helpers import REPO, Project

UPSTREAM_PYTHON = REPO / ".venv-datajoint" / "bin" / "python"


def _two_stores(project: Project) -> Path:
    (project.root / "data").mkdir(exist_ok=True)  # a file store's directory must exist
    path = project.write_config(
        {
            "stores": {
                "default": "main",
                "filepath_default": "raw",
                "main": {"protocol": "file", "location": "data"},
                "raw": {"protocol": "s3", "endpoint": "s3.example.org", "bucket": "acq"},
            }
        }
    )
    project.write_secret("raw", "secret_key", "hunter2-canary")
    return path


# -- stores ---------------------------------------------------------------------------


def test_stores_lists_each_store_on_one_line(project: Project) -> None:
    path = _two_stores(project)
    secret = project.root / ".secrets" / "stores.raw.secret_key"
    run = invoke("stores")
    assert run.exit_code == 1  # raw is invalid
    main, raw = run.stdout.splitlines()
    assert main.split()[:4] == ["main", "file", "valid", "default"]
    assert main.endswith(str(path))
    assert raw.split()[:4] == ["raw", "s3", "INVALID", "filepath_default"]
    assert raw.endswith(f"{path}, {secret}")
    assert "canary" not in run.output

    doc = invoke("--json", "stores").json()
    rows = {row["name"]: row for row in doc["result"]["stores"]}
    assert rows["main"] == {
        "name": "main",
        "protocol": "file",
        "valid": True,
        "default": True,
        "filepath_default": False,
        "sources": [str(path)],
        "problems": [],
    }
    assert rows["raw"]["valid"] is False and rows["raw"]["filepath_default"] is True
    assert rows["raw"]["problems"][0]["key"] == "endpoint" or rows["raw"]["problems"]


def test_stores_agrees_with_validate(project: Project) -> None:
    project.write_config({"stores": {"main": {"protocol": "file", "location": "absent"}}})
    doc = invoke("--json", "stores").json()
    (row,) = doc["result"]["stores"]
    assert row["valid"] is False and doc["exit_code"] == 1
    assert row["problems"] == invoke("--json", "validate").json()["result"]["problems"]


def test_stores_with_nothing_configured(project: Project) -> None:
    run = invoke("stores")
    assert run.exit_code == 0 and run.stdout.strip() == "no stores configured"


# -- adapters PROTOCOL / --keys -------------------------------------------------------


def test_adapters_protocol_documents_every_key_from_the_model() -> None:
    import datajoint_storage as dj

    doc = invoke("--json", "adapters", "s3").json()
    (s3,) = doc["result"]["adapters"]
    keys = {k["key"]: k for k in s3["keys"]}
    assert set(keys) == set(spec_model_for(dj.get_storage_adapter("s3")).model_fields)
    assert keys["bucket"]["required"] is True and keys["bucket"]["type"] == "string"
    assert keys["secure"] == {
        "key": "secure",
        "required": False,
        "type": "boolean",
        "default": True,
        "secret": False,
        "common": False,
        "description": "Use https for an endpoint given without a scheme.",
    }
    assert keys["secret_key"]["secret"] is True
    assert keys["token_length"]["default"] == 8 and keys["token_length"]["common"] is True

    text = invoke("adapters", "s3").stdout
    assert text.startswith("s3  (datajoint-storage")
    assert any(
        line.split()[:4] == ["secure", "optional", "boolean", "default"]
        for line in text.splitlines()
    )
    assert any(line.split()[-1] == "secret" and "secret_key" in line for line in text.splitlines())


def test_adapters_keys_covers_every_protocol_and_unknown_is_an_error() -> None:
    doc = invoke("--json", "adapters", "--keys").json()
    assert {a["protocol"] for a in doc["result"]["adapters"]} >= {"file", "s3", "gcs", "azure"}
    assert all(a["keys"] for a in doc["result"]["adapters"])
    unknown = invoke("adapters", "s4")
    assert unknown.exit_code == 1
    assert "Unknown protocol: s4; did you mean 's3'?" in unknown.stderr


def test_a_plugins_declared_field_is_documented(fresh_registry: None) -> None:
    from pydantic import Field

    import datajoint_storage as dj

    class Lab(dj.StorageAdapter):
        protocol = "labdoc"
        required_keys = ("volume",)
        allowed_keys = ("volume", "retries", "password")
        key_fields = {"retries": (int, Field(default=3, description="How often to retry."))}

        def create_filesystem(self, spec):  # pragma: no cover - never called
            raise NotImplementedError

    dj.register_adapter(Lab())
    rows = {r["key"]: r for r in key_reference(dj.get_storage_adapter("labdoc"))}
    assert rows["retries"]["default"] == 3 and rows["retries"]["description"] == (
        "How often to retry."
    )
    assert rows["password"]["secret"] is True and rows["volume"]["required"] is True


# -- doctor ---------------------------------------------------------------------------


def test_doctor_reports_versions_sdks_files_and_variable_names(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _two_stores(project)
    monkeypatch.setenv("DJ_STORES", "")
    (project.root / ".env").write_text("DJ_OTHER=x\n")
    doc = invoke("--json", "doctor").json()
    assert doc["exit_code"] == 0, doc
    result = doc["result"]
    assert set(result["versions"]) >= {"python", "datajoint-storage", "pydantic", "fsspec"}
    assert result["versions"]["pydantic-settings"]
    protocols = {p["protocol"]: p for p in result["protocols"]}
    assert protocols["s3"]["sdk"] == "s3fs" and protocols["s3"]["sdk_installed"] is True
    assert protocols["s3"]["sdk_version"]
    assert protocols["file"]["sdk"] is None
    assert result["config_file"] == str(path)
    assert result["secrets_dir"] == str(project.root / ".secrets")
    assert result["dotenv"] == str(project.root / ".env")
    assert "DJ_STORES" in result["variables"] and "DJ_OTHER" in result["variables"]
    assert "canary" not in json.dumps(doc)
    assert result["datajoint"]["installed"] is False  # not in the test environment


def test_doctor_names_the_pip_install_of_a_missing_sdk(project: Project, tmp_path: Path) -> None:
    # A fresh process whose path hides s3fs: a package of that name that cannot be found.
    hidden = tmp_path / "hide"
    hidden.mkdir()
    (hidden / "sitecustomize.py").write_text(
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 's3fs':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
    )
    run = run_script("--json", "doctor", cwd=project.root, extra_path=[hidden])
    protocols = {p["protocol"]: p for p in json.loads(run.stdout)["result"]["protocols"]}
    assert protocols["s3"]["sdk_installed"] is False, run.output
    assert protocols["s3"]["install"] == 'pip install "datajoint-storage[s3]"'
    text = run_script("doctor", cwd=project.root, extra_path=[hidden])
    assert 's3fs not installed: pip install "datajoint-storage[s3]"' in text.stdout
    assert f"datajoint.json: none found (searched {project.root} up to {project.root})" in (
        text.stdout
    )
    assert_no_traceback(text)


@pytest.mark.skipif(not UPSTREAM_PYTHON.exists(), reason="needs .venv-datajoint")
def test_doctor_asks_the_real_datajoint_which_adapter_it_uses(project: Project) -> None:
    run = run_script(
        "--json", "doctor", "--datajoint-python", str(UPSTREAM_PYTHON), cwd=project.root
    )
    datajoint = json.loads(run.stdout)["result"]["datajoint"]
    assert datajoint["installed"] is True and datajoint["version"] == "2.3.5"
    assert datajoint["adapters"]["s3"].startswith("built-in")
    assert datajoint["adapters"]["memory"] is None  # DataJoint has no memory protocol


# -- completion, -V, python -m, global options ----------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script(shell: str) -> None:
    run = invoke("completion", shell)
    assert run.exit_code == 0
    assert "_DATAJOINT_STORAGE_COMPLETE" in run.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_real_bash_loads_the_script_and_completes_store_names(project: Project) -> None:
    _two_stores(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env["PATH"] = f"{SCRIPT.parent}{os.pathsep}{env.get('PATH', '')}"
    loaded = subprocess.run(
        [
            "bash",
            "-c",
            'eval "$(datajoint-storage completion bash)" && complete -p datajoint-storage',
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=project.root,
        timeout=60,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "_datajoint_storage_completion datajoint-storage" in loaded.stdout
    # What bash gets when it calls the function: the configured stores, then commands.
    script = (
        'eval "$(datajoint-storage completion bash)"\n'
        "COMP_WORDS=(datajoint-storage show ''); COMP_CWORD=2\n"
        "_datajoint_storage_completion datajoint-storage\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        "COMPREPLY=(); COMP_WORDS=(datajoint-storage set-d); COMP_CWORD=1\n"
        "_datajoint_storage_completion datajoint-storage\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=project.root,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["main", "raw", "set-default"]


def test_version_and_global_options_anywhere(project: Project, tmp_path: Path) -> None:
    import datajoint_storage as dj

    for flag in ("-V", "--version"):
        run = invoke(flag)
        assert run.exit_code == 0 and run.stdout.strip().endswith(dj.__version__)
    other = project.write_config({"stores": {"o": {"protocol": "memory"}}}, directory=tmp_path)
    before = invoke("--json", "--config", str(other), "stores").json()
    after = invoke("stores", "--config", str(other), "--json").json()
    assert before["result"] == after["result"]
    assert [row["name"] for row in after["result"]["stores"]] == ["o"]
    both = invoke("--config", str(other), "stores", "--ignore-config-file")
    assert both.exit_code == 2 and "exclude each other" in both.stderr
    ignored = invoke("stores", "--ignore-config-file", "--json").json()
    assert ignored["result"]["stores"] == []


def test_every_command_in_a_fresh_process_without_traceback(project: Project) -> None:
    _two_stores(project)
    for args in (
        ["stores"],
        ["adapters", "s3"],
        ["adapters", "--keys"],
        ["completion", "bash"],
        ["-V"],
        ["doctor"],
        ["validate", "--json"],
    ):
        run = run_script(*args, cwd=project.root)
        assert run.exit_code in (0, 1), (args, run.output)
        assert_no_traceback(run)
        assert "canary" not in run.output
