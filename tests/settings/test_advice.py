"""Warnings for configurations that load but are not what was meant, through
``dj.config.warnings()`` and the command line (``validate``, ``doctor``)."""

from __future__ import annotations

import json

import pytest

import datajoint_storage as dj
from tests._cli_support import invoke
from tests.helpers import Project


def _rules(warnings: list[dj.ConfigWarning]) -> dict[str, dj.ConfigWarning]:
    return {w.rule: w for w in warnings if w.rule}


def test_no_config_file_says_where_the_search_ran(project: Project) -> None:
    nested = project.root / "a" / "b"
    nested.mkdir(parents=True)
    from datajoint_storage.settings import Config

    (warning,) = [w for w in Config(cwd=nested, environ={}).warnings()]
    assert warning.rule == "no-config-file"
    assert str(warning).startswith(
        f"No datajoint.json found: searched from {nested} up to {project.root}"
    )
    run = invoke("validate")
    assert f"No datajoint.json found: searched from {project.root}" in run.stdout


def test_no_such_warning_when_files_are_off_or_dj_stores_is_set(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJ_STORES", json.dumps({"m": {"protocol": "memory"}}))
    assert "no-config-file" not in _rules(dj.config.warnings())
    monkeypatch.delenv("DJ_STORES")
    monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", "true")
    dj.config.reload()
    assert "no-config-file" not in _rules(dj.config.warnings())


def test_dj_stores_wrapped_in_a_stores_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_STORES", json.dumps({"stores": {"main": {"protocol": "memory"}}}))
    warning = _rules(dj.config.warnings())["dj-stores-wrapped"]
    assert "DJ_STORES is the stores block itself" in str(warning)
    assert (warning.store, warning.source) == ("stores", "DJ_STORES")
    doc = invoke("--json", "validate").json()
    assert "dj-stores-wrapped" in {w["rule"] for w in doc["result"]["warnings"]}


def test_a_secret_file_for_a_store_that_is_not_configured(project: Project) -> None:
    project.write_config({"stores": {"raw": {"protocol": "memory"}}})
    path = project.write_secret("rwa", "token", "tok-canary")
    warning = _rules(dj.config.warnings())["secret-without-store"]
    assert str(warning) == (
        f"Secret file {path} is for store 'rwa', which is not configured; did you mean 'raw'?"
    )
    assert (warning.store, warning.key, warning.source) == ("rwa", "token", str(path))
    assert "tok-canary" not in str(warning)


def test_a_quoted_boolean(project: Project) -> None:
    path = project.write_config(
        {
            "stores": {
                "raw": {
                    "protocol": "s3",
                    "endpoint": "e",
                    "bucket": "b",
                    "location": "l",
                    "secure": "false",
                }
            }
        }
    )
    warning = _rules(dj.config.warnings())["quoted-boolean"]
    assert str(warning).endswith("write false without quotes")
    assert (warning.store, warning.key, warning.source) == ("raw", "secure", str(path))
    (problem,) = dj.config.problems()
    assert "write false without quotes" in str(problem) and problem.key == "secure"


def test_doctor_lists_every_warning(project: Project) -> None:
    project.write_config({"stores": {"raw": {"protocol": "memory"}}})
    project.write_secret("rwa", "token", "tok-canary")
    doc = invoke("--json", "doctor").json()
    rules = {w["rule"] for w in doc["result"]["warnings"]}
    assert "secret-without-store" in rules
    text = invoke("doctor").stdout
    assert "is for store 'rwa', which is not configured; did you mean 'raw'?" in text
    assert "tok-canary" not in text
