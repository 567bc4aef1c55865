"""Typos get a suggestion from the known names, in library errors and in the CLI."""

from __future__ import annotations

import json

import pytest

import datajoint_storage as dj
from tests.helpers import Project

from ._support import cli_run

S3 = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}

CASES = [
    # (store, error type, expected hint)
    ({**S3, "bukcet": "x"}, dj.InvalidKeysError, "did you mean 'bucket'?"),
    ({"protocol": "s4", "location": "l"}, dj.UnknownProtocolError, "did you mean 's3'?"),
    ({"protocol": "gsc", "location": "l"}, dj.UnknownProtocolError, "did you mean 'gcs'?"),
    ({"protocol": "memory", "subfoldin": [2]}, dj.InvalidKeysError, "did you mean 'subfolding'?"),
    ({**S3, "secret_kye": "x"}, dj.InvalidKeysError, "did you mean 'secret_key'?"),
]


@pytest.mark.parametrize(("store", "kind", "hint"), CASES)
def test_library_errors_suggest(store: dict, kind: type, hint: str) -> None:
    dj.config["stores"]["s"] = store
    with pytest.raises(dj.DataJointError) as caught:
        dj.config.get_store_spec("s")
    assert hint in str(caught.value)
    [problem] = [p for p in dj.config.problems() if isinstance(p, kind)]
    assert hint in str(problem)
    with pytest.raises(dj.ValidationReport) as report:
        dj.config.validate()
    assert hint in str(report.value)


def test_the_suggestion_is_from_the_adapter_keys_not_the_value() -> None:
    """A typo'd secret key is suggested by name; its value never appears."""
    dj.config["stores"]["s"] = {**S3, "acess_key": "CANARY-dym-41", "secret_key": "k"}
    text = "\n".join(str(p) for p in dj.config.problems())
    assert "did you mean 'access_key'?" in text
    assert "CANARY-dym-41" not in text


@pytest.mark.parametrize("protocol", ["zzzz", "databricks"])
def test_no_suggestion_when_nothing_is_close(protocol: str) -> None:
    dj.config["stores"]["s"] = {"protocol": protocol}
    [problem] = dj.config.problems()
    assert str(problem).startswith(f"Unknown protocol: {protocol}")
    assert "did you mean" not in str(problem)


def test_a_misspelled_default_store_name_is_suggested() -> None:
    dj.config["stores"]["main"] = {"protocol": "memory"}
    dj.config["stores"]["default"] = "mian"
    with pytest.raises(dj.StoreNotFoundError, match="did you mean 'main'"):
        dj.config.get_store_spec()


def test_the_cli_shows_the_suggestions_in_text_and_json(project: Project) -> None:
    project.write_config(
        {"stores": {"a": {**S3, "bukcet": "x"}, "b": {"protocol": "s4", "location": "l"}}}
    )
    text = cli_run("validate")
    assert text.exit_code == 1
    assert "did you mean 'bucket'?" in text.output
    assert "did you mean 's3'?" in text.output
    as_json = cli_run("--json", "validate")
    assert as_json.exit_code == 1
    messages = [p["message"] for p in json.loads(as_json.stdout)["result"]["problems"]]
    assert any("did you mean 'bucket'?" in m for m in messages)
    assert any("did you mean 's3'?" in m for m in messages)
