"""``datajoint-storage``: each command's answers and exit codes, text and ``--json``.

Exit codes: 0 ok, 1 invalid or failed, 2 usage or environment error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

import datajoint_storage as dj
from datajoint_storage import schema as schema_module
from tests._cli_support import assert_no_traceback, invoke
from tests.helpers import Project

#: Relative to the project, created for every test: DataJoint 2.3.5 refuses a file store
#: whose directory does not exist, and so does validate.
FILE_STORE = {"protocol": "file", "location": "data/main"}


@pytest.fixture(autouse=True)
def _file_store_directory(project: Project) -> None:
    (project.root / "data" / "main").mkdir(parents=True)


# -- validate -------------------------------------------------------------------------


def test_validate_a_valid_configuration_exits_0(project: Project) -> None:
    path = project.write_config({"stores": {"default": "main", "main": FILE_STORE}})

    run = invoke("validate")
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("valid")
    assert "main" in run.stdout

    doc = invoke("--json", "validate").json()
    assert doc["ok"] is True and doc["exit_code"] == 0 and doc["command"] == "validate"
    assert doc["result"]["valid"] is True
    assert doc["result"]["stores"] == ["main"]
    assert doc["result"]["default"] == "main"
    sources = {s["name"]: s for s in doc["result"]["sources"]}
    assert sources["datajoint.json"] == {
        "kind": "file",
        "name": "datajoint.json",
        "path": str(path),
        "label": f"datajoint.json: {path}",
    }
    assert sources["DJ_STORES"]["set"] is False
    assert sources["DJ_STORES"]["label"] == "DJ_STORES: not set"
    assert "Source(" not in json.dumps(doc)  # data, never reprs
    text = invoke("validate").stdout
    assert f"datajoint.json: {path}" in text and "DJ_STORES: not set" in text


def test_validate_reports_every_problem_with_store_key_and_source(project: Project) -> None:
    path = project.write_config(
        {
            "stores": {
                "main": {"protocol": "file"},  # missing location
                "raw": {"protocol": "nosuch", "location": "x"},
                "scratch": {"protocol": "memory", "token_length": "abc"},
            }
        }
    )
    run = invoke("validate")
    assert run.exit_code == 1
    assert run.stdout.startswith("invalid: 3 problems")
    assert "main.location: file store is missing: location" in run.stdout
    assert "raw.protocol: Unknown protocol: nosuch" in run.stdout
    assert "scratch.token_length: Invalid value for token_length" in run.stdout
    assert_no_traceback(run)

    doc = invoke("--json", "validate").json()
    assert doc["exit_code"] == 1 and doc["ok"] is False and doc["error"] is None
    problems = {p["store"]: p for p in doc["result"]["problems"]}
    assert set(problems) == {"main", "raw", "scratch"}
    assert problems["main"]["key"] == "location"
    assert problems["main"]["error"] == "MissingKeysError"
    assert problems["raw"]["key"] == "protocol"
    assert problems["scratch"]["key"] == "token_length"
    assert {p["source"] for p in problems.values()} == {str(path)}


def test_validate_reports_a_bad_default_name(project: Project) -> None:
    project.write_config({"stores": {"default": "mian", "main": FILE_STORE}})
    doc = invoke("--json", "validate").json()
    assert doc["exit_code"] == 1
    (problem,) = doc["result"]["problems"]
    assert problem["key"] == "stores.default" and problem["store"] is None
    assert "did you mean 'main'" in problem["message"]
    expected = "  - stores.default: Storage 'mian' is requested but not configured in stores"
    assert expected in invoke("validate").stdout


def test_validate_with_nothing_configured_is_valid() -> None:
    run = invoke("validate")
    assert run.exit_code == 0
    assert "none configured" in run.stdout


def test_an_unreadable_source_is_an_environment_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_STORES", '{"main": {"protocol": "file",')
    run = invoke("validate")
    assert run.exit_code == 2
    assert run.stderr.strip().splitlines() == [
        "Error: DJ_STORES contains invalid JSON: Expecting property name enclosed in double "
        "quotes at line 1 column 30"
    ]
    assert run.stdout == ""
    assert_no_traceback(run)
    doc = invoke("--json", "validate").json()
    assert doc["exit_code"] == 2 and doc["result"] is None
    assert doc["error"]["type"] == "ConfigSourceError"
    assert doc["error"]["source"] == "DJ_STORES"


def test_config_option_selects_a_file_and_its_secrets_without_touching_environ(
    project: Project, tmp_path: Path
) -> None:
    project.write_config({"stores": {"here": FILE_STORE}})
    elsewhere = tmp_path / "elsewhere"
    path = project.write_config({"stores": {"s3a": _s3_store()}}, directory=elsewhere)
    project.write_secret("s3a", "access_key", "AKIAELSEWHERE", directory=elsewhere / ".secrets")
    project.write_secret("s3a", "secret_key", "SECRETELSEWHERE", directory=elsewhere / ".secrets")

    doc = invoke("--json", "--config", str(path), "show", "--origin").json()
    assert doc["exit_code"] == 0, doc
    assert list(doc["result"]["stores"]) == ["s3a"]
    origin = doc["result"]["stores"]["s3a"]["origin"]
    assert origin["bucket"] == str(path)
    assert origin["secret_key"] == str(elsewhere / ".secrets" / "stores.s3a.secret_key")
    assert "DJ_CONFIG_FILE" not in os.environ
    # and the process-wide configuration still sees the project's own file
    assert dj.config.store_names() == ["here"]


def test_config_option_beats_the_environment(project: Project, tmp_path: Path) -> None:
    named = project.write_config({"stores": {"named": FILE_STORE}}, directory=tmp_path / "n")
    env = {"DJ_IGNORE_CONFIG_FILE": "true", "DJ_CONFIG_FILE": str(tmp_path / "missing.json")}
    doc = invoke("--json", "--config", str(named), "validate", env=env).json()
    assert doc["result"]["stores"] == ["named"]


def test_config_option_naming_a_missing_file_is_an_environment_error(tmp_path: Path) -> None:
    run = invoke("--config", str(tmp_path / "nope.json"), "validate")
    assert run.exit_code == 2
    assert "Cannot read" in run.stderr and "nope.json" in run.stderr
    assert_no_traceback(run)


def test_ignore_config_file_reads_only_the_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_config({"stores": {"broken": {"protocol": "file"}}})
    project.write_secret("envstore", "bucket", "from-a-file")
    monkeypatch.setenv("DJ_STORES", json.dumps({"envstore": {"protocol": "memory"}}))

    assert invoke("validate").exit_code == 1  # DJ_STORES replaces the block; secret fills it
    doc = invoke("--json", "--ignore-config-file", "show").json()
    assert doc["exit_code"] == 0, doc
    assert list(doc["result"]["stores"]) == ["envstore"]
    assert "bucket" not in doc["result"]["stores"]["envstore"]["spec"]


def test_config_and_ignore_config_file_exclude_each_other(tmp_path: Path) -> None:
    run = invoke("--config", str(tmp_path / "x.json"), "--ignore-config-file", "validate")
    assert run.exit_code == 2
    assert "exclude each other" in run.stderr


# -- show -----------------------------------------------------------------------------


def _s3_store(**extra: object) -> dict[str, object]:
    return {
        "protocol": "s3",
        "endpoint": "s3.example.org",
        "bucket": "b",
        "location": "raw",
        **extra,
    }


def test_show_prints_resolved_specs_with_defaults_and_masked_secrets(project: Project) -> None:
    project.write_config(
        {"stores": {"default": "raw", "raw": _s3_store(access_key="AKIASHOW", secret_key="SKSHOW")}}
    )
    run = invoke("show")
    assert run.exit_code == 0, run.output
    assert "default: raw" in run.stdout
    assert "token_length       8" in run.stdout
    assert run.stdout.count("**********") == 2
    assert "AKIASHOW" not in run.output and "SKSHOW" not in run.output

    doc = invoke("--json", "show", "raw").json()
    spec = doc["result"]["stores"]["raw"]["spec"]
    assert spec == dj.config.get_store_spec("raw", redact=True)
    assert spec["access_key"] == spec["secret_key"] == "**********"
    assert "origin" not in doc["result"]["stores"]["raw"]


def test_show_origin_prints_the_source_of_every_value(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project.write_config({"stores": {"main": FILE_STORE}})
    secret = project.write_secret("main", "hash_prefix", "blobs")
    doc = invoke("--json", "show", "--origin").json()
    origin = doc["result"]["stores"]["main"]["origin"]
    assert origin == dj.config.provenance("main")
    assert origin["location"] == str(path)
    assert origin["hash_prefix"] == str(secret)
    assert origin["token_length"] == "default"

    run = invoke("show", "--origin")
    location_line = next(line for line in run.stdout.splitlines() if "location" in line)
    assert location_line.split() == ["location", "data/main", f"({path})"]


def test_show_an_unknown_store_fails_with_a_suggestion(project: Project) -> None:
    project.write_config({"stores": {"main": FILE_STORE}})
    run = invoke("show", "mian")
    assert run.exit_code == 1
    assert "Storage 'mian' is requested but not configured in stores" in run.stdout
    assert "did you mean 'main'" in run.stdout


def test_show_lists_the_valid_stores_and_the_problems_of_the_others(project: Project) -> None:
    project.write_config({"stores": {"good": FILE_STORE, "bad": {**FILE_STORE, "x": 1}}})
    doc = invoke("--json", "show").json()
    assert doc["exit_code"] == 1
    assert list(doc["result"]["stores"]) == ["good", "bad"]
    assert doc["result"]["stores"]["good"]["valid"] is True
    (problem,) = doc["result"]["problems"]
    assert problem["store"] == "bad" and problem["error"] == "InvalidKeysError"


def test_show_of_an_invalid_store_shows_the_raw_values_and_their_origins(
    project: Project,
) -> None:
    path = project.write_config(
        {"stores": {"bad": {"protocol": "s3", "bucket": "acq", "secret_key": "hunter2-canary"}}}
    )
    project.write_secret("bad", "access_key", "AKIA-canary")
    doc = invoke("--json", "show", "bad").json()
    bad = doc["result"]["stores"]["bad"]
    assert bad["valid"] is False and "spec" not in bad
    assert bad["raw"] == {
        "protocol": "s3",
        "bucket": "acq",
        "secret_key": "**********",
        "access_key": "**********",
    }
    assert bad["origin"]["bucket"] == str(path)
    assert bad["origin"]["access_key"] == str(project.root / ".secrets" / "stores.bad.access_key")
    assert doc["result"]["problems"][0]["store"] == "bad"

    run = invoke("show", "bad")
    assert run.exit_code == 1
    assert "bad  (INVALID: raw merged values, not validated" in run.stdout
    assert f"! bucket      acq         ({path})" in run.stdout
    assert "problems:" in run.stdout and "s3 store is missing: endpoint" in run.stdout
    assert "canary" not in run.output


# -- schema ---------------------------------------------------------------------------


def test_schema_prints_the_library_schema() -> None:
    run = invoke("schema")
    assert run.exit_code == 0
    assert json.loads(run.stdout) == schema_module.datajoint_json_schema()

    doc = invoke("--json", "schema").json()
    assert doc["ok"] is True
    assert doc["result"]["schema"] == schema_module.datajoint_json_schema()


def test_schema_output_file_is_written_as_the_committed_file_is(tmp_path: Path) -> None:
    target = tmp_path / "datajoint.schema.json"
    doc = invoke("--json", "schema", "-o", str(target)).json()
    assert doc["exit_code"] == 0
    assert doc["result"] == {"written": str(target)}
    assert target.read_text(encoding="utf-8") == schema_module.render(
        schema_module.datajoint_json_schema()
    )


def test_schema_to_an_unwritable_place_is_an_environment_error(tmp_path: Path) -> None:
    run = invoke("schema", "-o", str(tmp_path / "no" / "such" / "dir" / "s.json"))
    assert run.exit_code == 2
    assert run.stderr.startswith("Error: FileNotFoundError: ")
    assert_no_traceback(run)


# -- adapters -------------------------------------------------------------------------


def test_adapters_lists_every_protocol_with_distribution_version_and_keys() -> None:
    doc = invoke("--json", "adapters").json()
    assert doc["exit_code"] == 0
    by_protocol = {a["protocol"]: a for a in doc["result"]["adapters"]}
    assert {"file", "memory", "s3", "gcs", "azure"} <= set(by_protocol)
    s3 = by_protocol["s3"]
    assert s3["distribution"] == "datajoint-storage"
    assert s3["version"] == dj.__version__
    assert s3["required_keys"] == ["endpoint", "bucket", "location"]
    assert "secret_key" in s3["allowed_keys"]
    assert doc["result"]["failed"] == []

    run = invoke("adapters")
    assert f"s3  (datajoint-storage {dj.__version__})" in run.stdout
    assert "required: endpoint, bucket, location" in run.stdout


@pytest.mark.usefixtures("fresh_registry")
def test_adapters_shows_an_adapter_registered_in_code() -> None:
    class LabAdapter(dj.StorageAdapter):
        protocol = "lab"
        required_keys = ("volume",)
        allowed_keys = ("volume",)

        def create_filesystem(self, spec):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    dj.register_adapter(LabAdapter)
    doc = invoke("--json", "adapters").json()
    lab = next(a for a in doc["result"]["adapters"] if a["protocol"] == "lab")
    assert lab["distribution"] is None and lab["required_keys"] == ["volume"]
    assert "lab  (registered in code)" in invoke("adapters").stdout


# -- init -----------------------------------------------------------------------------


def test_init_writes_a_starter_that_validates_checks_and_matches_the_schema(
    project: Project,
) -> None:
    run = invoke("init")
    assert run.exit_code == 0, run.output
    config_file = project.root / "datajoint.json"
    gitignore = project.root / ".secrets" / ".gitignore"
    assert f"created {config_file}" in run.stdout
    assert [line for line in gitignore.read_text().splitlines() if not line.startswith("#")] == [
        "*"
    ]
    assert (project.root / ".secrets").stat().st_mode & 0o077 == 0
    document = json.loads(config_file.read_text(encoding="utf-8"))
    assert isinstance(document["$comment"], list) and document["$comment"]
    jsonschema.validate(document, schema_module.datajoint_json_schema())

    assert document["stores"]["main"]["location"] == "data"  # relative: nothing of this machine
    assert invoke("validate", "--strict").exit_code == 0
    before = sorted((project.root / "data").rglob("*"))
    check = invoke("--json", "check").json()
    assert check["exit_code"] == 0, check
    assert sorted((project.root / "data").rglob("*")) == before  # the probe left nothing behind


def test_init_refuses_to_overwrite_and_changes_nothing(project: Project) -> None:
    path = project.write_config({"stores": {"mine": FILE_STORE}})
    before = path.read_bytes()
    run = invoke("init")
    assert run.exit_code == 1
    assert run.stderr.strip() == f"Failed: {path} already exists; it was left as it is"
    assert path.read_bytes() == before
    assert not (project.root / ".secrets").exists()

    doc = invoke("--json", "init").json()
    assert doc["exit_code"] == 1 and doc["error"]["type"] == "CommandFailed"
    assert path.read_bytes() == before


def test_init_keeps_an_existing_secrets_gitignore(project: Project) -> None:
    secrets = project.root / ".secrets"
    secrets.mkdir()
    (secrets / ".gitignore").write_text("mine\n")
    (secrets / "stores.x.token").write_text("keep me\n")
    doc = invoke("--json", "init").json()
    assert doc["exit_code"] == 0
    assert doc["result"]["kept"] == [str(secrets / ".gitignore")]
    assert (secrets / ".gitignore").read_text() == "mine\n"
    assert (secrets / "stores.x.token").read_text() == "keep me\n"


def test_init_into_a_directory_or_the_config_path(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    assert invoke("init", str(target)).exit_code == 0
    assert (target / "datajoint.json").is_file() and (target / ".secrets" / ".gitignore").is_file()

    named = tmp_path / "cfg" / "custom.json"
    named.parent.mkdir()
    assert invoke("--config", str(named), "init").exit_code == 0
    assert named.is_file() and (named.parent / ".secrets" / ".gitignore").is_file()

    assert invoke("init", str(tmp_path / "missing")).exit_code == 2


# -- usage and the boundary -----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["nosuch"], ["validate", "--bogus"], ["show", "a", "b"], ["check", "--timeout", "x"]],
)
def test_usage_errors_exit_2_in_text_and_json(args: list[str]) -> None:
    run = invoke(*args)
    assert run.exit_code == 2
    assert "Usage: datajoint-storage" in run.stderr
    assert_no_traceback(run)
    doc = invoke("--json", *args).json()
    assert doc["exit_code"] == 2 and doc["ok"] is False and doc["error"]["message"]


def test_help_and_version_exit_0() -> None:
    run = invoke("--help")
    assert run.exit_code == 0
    for command in ("validate", "show", "schema", "adapters", "check", "init"):
        assert command in run.stdout
    assert invoke("--version").exit_code == 0
    bare = invoke()  # no command: the help, as a usage error
    assert bare.exit_code == 2
    assert bare.stderr.startswith("Usage: datajoint-storage [OPTIONS] COMMAND")
    assert "validate" in bare.stderr


def test_json_and_debug_are_accepted_after_the_command_too(project: Project) -> None:
    project.write_config({"stores": {"main": FILE_STORE}})
    assert invoke("validate", "--json").json()["result"]["valid"] is True


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["show"],
        ["show", "--origin"],
        ["show", "main"],
        ["schema"],
        ["adapters"],
        ["check", "--timeout", "20"],
        ["init", "sub"],
    ],
)
def test_every_command_prints_one_json_document(project: Project, args: list[str]) -> None:
    project.write_config({"stores": {"main": {"protocol": "memory"}}})
    (project.root / "sub").mkdir()
    run = invoke("--json", *args)
    doc = run.json()
    assert set(doc) == {"command", "ok", "exit_code", "result", "error", "warnings"}
    assert doc["command"] == args[0]
    assert doc["exit_code"] == run.exit_code == 0
    assert run.stderr == ""


def test_an_unexpected_error_is_one_line_without_debug_and_a_traceback_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise RuntimeError("the schema writer broke")

    monkeypatch.setattr(schema_module, "datajoint_json_schema", broken)
    run = invoke("schema")
    assert run.exit_code == 1
    assert run.stderr.strip() == (
        "Failed: unexpected RuntimeError: the schema writer broke "
        "(run with --debug to see the traceback)"
    )
    assert_no_traceback(run)

    debug = invoke("--debug", "schema")
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert 'raise RuntimeError("the schema writer broke")' in debug.stderr

    doc = invoke("--json", "--debug", "schema").json()
    assert doc["error"]["type"] == "RuntimeError"
    assert "Traceback" in doc["error"]["traceback"]
    assert "traceback" not in invoke("--json", "schema").json()["error"]


def test_warnings_are_reported_once_through_the_reporter(project: Project) -> None:
    project.write_config({"stores": {"main": FILE_STORE}})
    project.write_secret("main", "token", "x" * 70_000)  # too large: skipped, with a warning
    run = invoke("validate")
    warned = [line for line in run.stderr.splitlines() if "Secret file" in line]
    assert len(warned) == 1 and warned[0].startswith("Warning: Secret file")
    assert "SecretsWarning" not in run.stderr  # not Python's own warning line
    doc = invoke("--json", "validate").json()
    assert any("Secret file" in w and "skipped" in w for w in doc["warnings"])


def test_library_log_records_never_reach_the_terminal_without_debug(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    from datajoint_storage import registry

    class Noisy(dj.StorageAdapter):
        protocol = "noisy"
        allowed_keys = ("token",)

        def create_filesystem(self, spec: dict) -> object:
            try:
                raise ConnectionError("retries exhausted")
            except ConnectionError:
                logging.getLogger("noisy.sdk").exception("giving up with %s", spec["token"])
            raise ConnectionError("unreachable")

    saved = dict(registry._adapters)
    dj.register_adapter(Noisy)
    try:
        project.write_config({"stores": {"n": {"protocol": "noisy"}}})
        project.write_secret("n", "token", "tok-canary")
        quiet = invoke("check", "n")
        loud = invoke("--debug", "check", "n")
    finally:
        registry._adapters.clear()
        registry._adapters.update(saved)
        registry._runtime.discard("noisy")
    quiet_text, loud_text = quiet.stdout + quiet.stderr, loud.stdout + loud.stderr
    assert quiet.exit_code == loud.exit_code == 1
    assert "giving up" not in quiet_text and "Traceback" not in quiet_text
    assert "log: giving up with **********" in loud_text
    assert "tok-canary" not in quiet_text + loud_text
