"""``datajoint-storage validate``: warnings after the problems, in ``--json``, ``--strict``."""

from __future__ import annotations

from tests._cli_support import invoke
from tests.helpers import Project

S3 = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}


def _with_secret_in_file(project: Project) -> None:
    project.write_config({"stores": {"raw": {**S3, "access_key": "AK-VISIBLE"}}})
    project.write_secret("raw", "secret_key", "SK-VISIBLE")


def test_validate_prints_warnings_and_still_exits_0(project: Project) -> None:
    _with_secret_in_file(project)
    run = invoke("validate")
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("valid")
    assert "1 warning" in run.stdout
    assert "raw.access_key:" in run.stdout and ".secrets/stores.raw.access_key" in run.stdout
    assert "VISIBLE" not in run.output


def test_validate_json_lists_warnings_with_the_fields_of_problems(project: Project) -> None:
    _with_secret_in_file(project)
    doc = invoke("--json", "validate").json()
    [warning] = doc["result"]["warnings"]
    assert warning["store"] == "raw" and warning["key"] == "access_key"
    assert warning["source"] == str(project.root / "datajoint.json")
    assert warning["error"] == "ConfigWarning"
    assert set(warning) >= {"store", "key", "source", "error", "message"}
    assert doc["exit_code"] == 0


def test_validate_strict_fails_on_any_warning(project: Project) -> None:
    _with_secret_in_file(project)
    run = invoke("validate", "--strict")
    assert run.exit_code == 1
    assert "VISIBLE" not in run.output
    project.write_config({"stores": {"raw": S3}})
    (project.root / ".secrets" / "stores.raw.secret_key").unlink()
    assert invoke("validate", "--strict").exit_code == 0


def test_validate_reads_the_ignore_flag_in_any_case_as_datajoint_does(
    project: Project, monkeypatch
) -> None:
    project.write_config({"stores": {"raw": S3}})
    monkeypatch.setenv("dj_ignore_config_file", "Y")
    doc = invoke("--json", "validate").json()
    assert doc["result"]["stores"] == []
    assert invoke("--json", "--config", "datajoint.json", "validate").json()["result"][
        "stores"
    ] == ["raw"]
