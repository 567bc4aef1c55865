"""``--config FILE`` is the operator's own choice: read as if found, never a warning.

``DJ_CONFIG_FILE`` in the environment is our extension, and DataJoint 2.3.5 ignores it,
so the library warns about it. The command's ``--config`` names the file to check
(the pre-commit hook and the edit commands use it) and must not trip that warning, or
``--strict`` would refuse every file it is given.
"""

from __future__ import annotations

from pathlib import Path

from datajoint_storage.settings import Config
from tests._cli_support import invoke
from tests.helpers import Project


def clean_file(project: Project) -> Path:
    (project.root / "data").mkdir()
    document = {"stores": {"default": "main", "main": {"protocol": "file", "location": "data"}}}
    return project.write_config(document, directory=project.root / "elsewhere")


def test_config_option_passes_strict_without_a_dj_config_file_warning(project: Project) -> None:
    path = clean_file(project)
    run = invoke("--config", str(path), "--json", "validate", "--strict")
    assert run.exit_code == 0, run.output
    assert run.json()["result"]["warnings"] == []


def test_the_environment_variable_still_warns(project: Project) -> None:
    path = clean_file(project)
    run = invoke("--json", "validate", "--strict", env={"DJ_CONFIG_FILE": str(path)})
    assert run.exit_code == 1, run.output
    (warning,) = run.json()["result"]["warnings"]
    assert warning["key"] == "DJ_CONFIG_FILE" and "DataJoint 2.3.5 ignores it" in warning["message"]


def test_an_explicit_file_beats_dj_ignore_config_file(project: Project) -> None:
    path = clean_file(project)
    config = Config(environ={"DJ_IGNORE_CONFIG_FILE": "true"}, config_file=path)
    assert config.store_names() == ["main"]
    assert config.provenance("main")["protocol"] == str(path)
    assert [w.key for w in config.warnings()] == []
