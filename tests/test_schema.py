"""The JSON Schema of datajoint.json: built from the live registry, committed, and in
agreement with the library on every document of ``tests/schema_corpus/``.

The library's verdict is ``dj.config.validate()`` for the stores and
:func:`~datajoint_storage.datajoint_settings.settings_problems` for DataJoint's other
settings. A corpus case is ``{"description", "valid", "document"}``: ``valid`` is the
verdict of both. ``"library_only": why`` marks a rule JSON Schema cannot express: only
the library decides, and the schema's verdict is pinned as the documented gap (it
accepts, unless ``"schema_valid": false`` says otherwise). ``"plugin": true`` installs
the corpus plugin (a real ``*.dist-info`` on ``sys.path``) first. ``"key"`` and
``"editor_valid"`` are for the editor test (``tests/editor/``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import best_match
from pydantic import Field

import datajoint_storage as dj
from datajoint_storage import registry
from datajoint_storage.datajoint_settings import settings_problems
from datajoint_storage.schema import (
    COMMITTED_PATH,
    DRAFT,
    REGENERATE_COMMAND,
    builtin_schema,
    datajoint_json_schema,
    main,
    render,
)
from datajoint_storage.spec import SECRET_KEYS
from tests._cli_support import invoke
from tests.helpers import REPO, Project
from tests.plugin_dist import make_distribution

CORPUS = Path(__file__).parent / "schema_corpus"
CASES = sorted(CORPUS.glob("*.json"))
COMMITTED = REPO / COMMITTED_PATH
BUILTINS = {"file", "memory", "s3", "gcs", "azure"}
PLUGINS = {"labarchive", "tapevault"}
KEYS = {
    "description",
    "valid",
    "library_only",
    "schema_valid",
    "editor_valid",
    "plugin",
    "key",
    "document",
}

PLUGIN_MODULE = '''
from typing import Any

from pydantic import Field, StrictInt

import datajoint_storage as dj


class LabArchiveAdapter(dj.StorageAdapter):
    """Subclass of the contract, with a typed key and an extra secret key."""

    protocol = "labarchive"
    required_keys = ("server",)
    allowed_keys = ("api_token", "retries")
    secret_keys = ("api_token",)
    key_fields = {
        "retries": (
            StrictInt,
            Field(default=3, ge=0, description="Attempts per request.", examples=[3]),
        )
    }

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()


class TapeVaultAdapter:
    """Written for DataJoint itself: no base class, only the contract's attributes."""

    protocol = "tapevault"
    required_keys = ("vault",)
    allowed_keys = ("vault", "token")

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()
'''


# -- fixtures and helpers -----------------------------------------------------------


@pytest.fixture(scope="session")
def plugin_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real installed distribution serving two plugin protocols."""
    return make_distribution(
        tmp_path_factory.mktemp("corpus-plugin"),
        "dj-corpus-plugin",
        entry_points={
            "labarchive": "corpus_plugin_adapters:LabArchiveAdapter",
            "tapevault": "corpus_plugin_adapters:TapeVaultAdapter",
        },
        modules={"corpus_plugin_adapters": PLUGIN_MODULE},
    )


@pytest.fixture
def corpus_plugin(
    plugin_root: Path, monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> Iterator[None]:
    """The corpus plugin installed (on ``sys.path``) and discovered, for one test."""
    monkeypatch.syspath_prepend(str(plugin_root))
    registry._discover_adapters()
    assert set(registry.registered_adapters()) >= PLUGINS
    yield


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


def load_case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def schema_says(schema: dict[str, Any], document: Any) -> tuple[bool, str]:
    """The ``jsonschema`` verdict, and the most relevant error when invalid."""
    error = best_match(Draft202012Validator(schema).iter_errors(document))
    return error is None, "" if error is None else f"{error.json_path}: {error.message}"


def library_says(project: Project, document: Any) -> tuple[bool, str]:
    """The library's verdict on ``document`` written as the project's datajoint.json.

    The stores are ``dj.config.validate()``'s; DataJoint's other settings are checked
    with the models the schema is generated from (:mod:`datajoint_settings`).
    """
    project.write_config(json.dumps(document))
    dj.config.reload()
    try:
        # The corpus is about the document; whether a file store's directory exists on
        # this machine (DataJoint's StorageBackend check) is not the document's to say.
        problems = [p for p in dj.config.problems() if "Inaccessible local directory" not in str(p)]
    except dj.DataJointError as exc:
        return False, str(exc)
    if problems:
        return False, str(dj.ValidationReport(problems))
    settings = settings_problems(document)
    return not settings, "; ".join(settings)


def branches(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The store-spec branches, by protocol: the ``then`` of each ``if`` on ``protocol``."""
    defs = schema["$defs"]
    store = defs[schema["$defs"]["Stores"]["additionalProperties"]["$ref"].rsplit("/", 1)[1]]
    found = {}
    for item in store["allOf"]:
        branch = defs[item["then"]["$ref"].rsplit("/", 1)[1]]
        found[branch["properties"]["protocol"]["examples"][0]] = branch
    return found


# -- the agreement corpus -----------------------------------------------------------


def test_corpus_covers_what_the_issue_lists() -> None:
    cases = [load_case(path) for path in CASES]
    assert len(cases) >= 40
    for path, case in zip(CASES, cases, strict=True):
        assert set(case) <= KEYS, path
        assert case["description"] and isinstance(case["valid"], bool), path
        if "schema_valid" in case:
            assert case.get("library_only") and case["schema_valid"] != case["valid"], path
    assert sum(c["valid"] for c in cases) >= 15
    assert sum(not c["valid"] and not c.get("library_only") for c in cases) >= 30
    assert sum(bool(c.get("library_only")) for c in cases) >= 5
    assert sum(bool(c.get("plugin")) for c in cases) >= 5
    # What an editor marks, it must say where: every such case names the offending key
    # (null only when the document itself is the problem).
    for path, case in zip(CASES, cases, strict=True):
        schema_valid = case.get("schema_valid", True) if case.get("library_only") else case["valid"]
        if not case.get("editor_valid", schema_valid):
            assert "key" in case, path
    settings = [
        c for c in cases if isinstance(c["document"], dict) and settings_problems(c["document"])
    ]
    assert len(settings) >= 20  # DataJoint's other settings, nested and flat


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_schema_and_library_agree(
    path: Path,
    project: Project,
    committed: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:
    case = load_case(path)
    document = case["document"]
    if case.get("plugin"):
        request.getfixturevalue("corpus_plugin")
    else:
        assert not PLUGINS & set(registry.registered_adapters())
        assert dj.get_storage_adapter("databricks") is None
    live = datajoint_json_schema()

    library_valid, library_reason = library_says(project, document)
    assert library_valid == case["valid"], f"library: {library_reason or 'valid'}"

    # Where JSON Schema cannot express the rule, its verdict is the documented gap.
    schema_expected = case.get("schema_valid", True) if case.get("library_only") else case["valid"]
    live_valid, live_reason = schema_says(live, document)
    assert live_valid == schema_expected, f"live schema: {live_reason or 'valid'}"
    committed_valid, committed_reason = schema_says(committed, document)
    if case.get("plugin"):
        # The committed file knows only the built-ins: plugin stores need `--installed`.
        assert not (case["valid"] and committed_valid)
    else:
        assert committed_valid == schema_expected, f"committed: {committed_reason or 'valid'}"


# -- shape of the schema --------------------------------------------------------------


def test_schema_is_draft_2020_12_and_well_formed(committed: dict[str, Any]) -> None:
    for schema in (datajoint_json_schema(), committed):
        assert schema["$schema"] == DRAFT
        assert validators.validator_for(schema) is Draft202012Validator
        Draft202012Validator.check_schema(schema)


def test_stores_block_shape() -> None:
    schema = builtin_schema()
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False  # DataJoint would ignore a misspelt key
    assert "$schema" in schema["properties"]
    stores = schema["$defs"]["Stores"]
    for name in ("default", "filepath_default"):
        assert stores["properties"][name]["type"] == "string"
        assert schema["properties"][f"stores.{name}"]["type"] == "string"
    store = schema["$defs"][stores["additionalProperties"]["$ref"].rsplit("/", 1)[1]]
    assert "discriminator" not in store and "oneOf" not in store  # tools ignore both
    assert store["required"] == ["protocol"]
    assert set(store["properties"]["protocol"]["examples"]) == BUILTINS
    for item in store["allOf"]:  # one if/then per protocol, the condition typed
        condition = item["if"]["properties"]["protocol"]
        assert condition["type"] == "string" and item["if"]["required"] == ["protocol"]
    assert set(branches(schema)) == BUILTINS
    for protocol, branch in branches(schema).items():
        assert branch["additionalProperties"] is False, protocol  # unknown keys rejected
        assert "protocol" in branch["required"]


def test_store_union_follows_the_live_registry(corpus_plugin: None) -> None:
    live = datajoint_json_schema()
    assert set(branches(live)) == set(registry.registered_adapters())
    assert set(branches(live)) >= PLUGINS
    assert set(branches(builtin_schema())) == BUILTINS  # installed plugins stay out
    flat_protocol = live["patternProperties"][r"^stores\.[^.]+\.protocol$"]
    assert set(flat_protocol["examples"]) == set(registry.registered_adapters())


def test_adapter_registered_in_code_appears(fresh_registry: None) -> None:
    class InCodeAdapter(dj.StorageAdapter):
        protocol = "incode"
        required_keys = ("root",)

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            raise NotImplementedError

    dj.register_adapter(InCodeAdapter)
    schema = datajoint_json_schema()
    assert branches(schema)["incode"]["required"] == ["protocol", "root"]
    document = {"stores": {"x": {"protocol": "incode", "root": "/r"}}}
    assert schema_says(schema, document)[0]
    assert not schema_says(builtin_schema(), document)[0]


#: Optional keys with no default by design: a missing store name is an error only when
#: a caller asks for the default store, and $schema is the editor's business.
NO_DEFAULT = {
    "$schema",
    "$comment",
    "default",
    "filepath_default",
    "stores.default",
    "stores.filepath_default",
}


def _documented(schema: dict[str, Any], secret: Callable[[str], bool]) -> list[str]:
    """Every field lacking a description, a default (when optional) or an example."""
    lacking = []
    for name, model in [("(document)", schema), *schema["$defs"].items()]:
        required = set(model.get("required", ()))
        for key, prop in model.get("properties", {}).items():
            where = f"{name}.{key}"
            if set(prop) >= {"$ref"}:  # a settings group: its own keys are documented
                continue
            if "description" not in prop:
                lacking.append(f"{where}: description")
            if key not in required and key not in NO_DEFAULT and "default" not in prop:
                lacking.append(f"{where}: default")
            # No example for the reserved stage, nor for credentials (none belongs here).
            if "examples" not in prop and key != "stage" and not secret(key):
                lacking.append(f"{where}: examples")
    return lacking


def test_every_field_has_description_default_and_example(corpus_plugin: None) -> None:
    assert _documented(builtin_schema(), lambda key: key.rsplit(".")[-1] in SECRET_KEYS) == []
    plugin_branch = branches(datajoint_json_schema())["labarchive"]["properties"]
    assert plugin_branch["retries"]["default"] == 3
    assert plugin_branch["retries"]["examples"] == [3]
    assert all("description" in prop for prop in plugin_branch.values())


def test_secret_fields_are_write_only_and_point_to_secrets(corpus_plugin: None) -> None:
    live = datajoint_json_schema()
    expected_secrets = {
        "s3": {"access_key", "secret_key"},
        "gcs": {"token"},
        "azure": {"account_key", "connection_string"},
        "labarchive": {"api_token"},  # the adapter's own secret_keys
        "tapevault": {"token"},  # a common secret name, on a duck-typed adapter
    }
    for protocol, branch in branches(live).items():
        secrets = {k for k, p in branch["properties"].items() if p.get("writeOnly")}
        assert secrets == expected_secrets.get(protocol, set()), protocol
        for key in secrets:
            assert ".secrets/" in branch["properties"][key]["description"], (protocol, key)
    flat = live["patternProperties"][r"^stores\.[^.]+\.secret_key$"]
    assert flat["writeOnly"] is True


def test_unexportable_plugin_model_gets_an_open_branch(fresh_registry: None) -> None:
    class HookAdapter(dj.StorageAdapter):
        protocol = "hooked"
        allowed_keys = ("hook",)
        key_fields = {"hook": (Callable[[], None], Field(description="Called on write."))}

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            raise NotImplementedError

    dj.register_adapter(HookAdapter)
    with pytest.warns(dj.AdapterLoadWarning, match="'hooked'"):
        schema = datajoint_json_schema()
    Draft202012Validator.check_schema(schema)
    document = {"stores": {"h": {"protocol": "hooked", "anything": 1}, "m": {"protocol": "file"}}}
    assert not schema_says(schema, document)[0]  # the file store, lacking location, is checked
    document["stores"]["m"]["location"] = "/d"
    assert schema_says(schema, document)[0]  # an open branch never refuses a key
    # With an open branch present, unknown flat keys can no longer be refused.
    assert schema_says(schema, {"stores.h.protocol": "hooked", "stores.h.anything": 1})[0]


def test_no_adapter_is_an_error() -> None:
    with pytest.raises(dj.DataJointError, match="No storage adapter"):
        datajoint_json_schema([])


# -- the committed file and the command that writes it --------------------------------


def test_committed_schema_is_current() -> None:
    expected = render(builtin_schema())
    actual = COMMITTED.read_text(encoding="utf-8") if COMMITTED.is_file() else ""
    assert actual == expected, (
        f"{COMMITTED_PATH} is stale: regenerate it with `{REGENERATE_COMMAND}` "
        "(run it in this source tree) and commit the result"
    )


def test_regenerate_command_writes_the_builtin_schema(tmp_path: Path) -> None:
    out = tmp_path / "out" / "datajoint.schema.json"
    command = [sys.executable, "-m", "datajoint_storage.schema", "-o", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == render(builtin_schema())
    assert REGENERATE_COMMAND.split()[-1] == "datajoint_storage.schema"


def test_installed_option_includes_plugins(
    corpus_plugin: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--installed", "-o", "-"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(branches(printed)) >= PLUGINS
    out = tmp_path / "builtin.json"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["-o", str(out)]) == 0
    assert set(branches(json.loads(out.read_text(encoding="utf-8")))) == BUILTINS


def test_schema_command_dash_writes_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`datajoint-storage schema -o -` prints the file's bytes and writes no file named '-'."""
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    expected = render(datajoint_json_schema())
    for args in (("schema", "-o", "-"), ("schema",)):
        run = invoke(*args)
        assert run.exit_code == 0, run.stderr
        assert run.stdout == expected, args
    assert main(["-o", "-"]) == 0
    assert list(here.iterdir()) == []


def test_installed_export_has_the_editor_structure(corpus_plugin: None) -> None:
    """The plugin-aware export is built like the committed one: if/then, snippets, words."""
    live = datajoint_json_schema()
    store = live["$defs"][live["$defs"]["Stores"]["additionalProperties"]["$ref"].rsplit("/")[-1]]
    assert "oneOf" not in store and "discriminator" not in store
    protocols = set(branches(live))
    assert set(store["properties"]["protocol"]["examples"]) == protocols
    assert {s["label"] for s in store["defaultSnippets"]} == {f"{p} store" for p in protocols}
    snippets = {s["label"]: s["body"] for s in store["defaultSnippets"]}
    assert snippets["labarchive store"] == {"protocol": "labarchive", "server": "${1:}"}
    retries = branches(live)["labarchive"]["properties"]["retries"]
    expected = "Invalid value for retries: expected an integer of at least 0."
    assert retries["errorMessage"] == expected
    assert retries["markdownDescription"].endswith("*an integer of at least 0* · default `3`")
    assert set(live["properties"]) >= {"database", "database.host", "loglevel"}
