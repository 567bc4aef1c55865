"""DataJoint's other settings in the schema are DataJoint 2.3.5's, checked against it.

:mod:`datajoint_storage.datajoint_settings` states which keys DataJoint reads, with its
types and defaults. Here the real DataJoint 2.3.5 (``.venv-datajoint``, installed by
``bash scripts/dev.sh test``) answers: the JSON Schema of its own pydantic settings
models must have the same keys, types and defaults; every valid corpus document must
load into its ``Config`` with each setting read back as written; and every settings
value the schema flags is one DataJoint refuses, ignores, or reads as something else.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import to_jsonable_python

from datajoint_storage.datajoint_settings import (
    FLAT_KEYS,
    GROUPS,
    NOT_SETTINGS,
    DataJointSettings,
    settings_problems,
)
from datajoint_storage.schema import builtin_schema
from tests.helpers import REPO
from tests.test_schema import CASES, load_case

UPSTREAM = REPO / ".venv-datajoint" / "bin" / "python"
#: Words that describe a key, not its type: ours are our own.
ANNOTATIONS = {"title", "description", "examples", "markdownDescription", "errorMessage"}

#: Settings whose null DataJoint replaces, as their descriptions say.
NULL_MEANS = {"database.port": (3306, 5432)}

_ASK_DATAJOINT = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
import datajoint
from datajoint import settings
from pydantic_core import to_jsonable_python

def defaults(model):
    return {name: to_jsonable_python(info.get_default(call_default_factory=True))
            for name, info in model.model_fields.items()
            if name not in GROUPS}

request = json.load(sys.stdin)
Config = settings.Config
GROUPS = {name: info.annotation for name, info in Config.model_fields.items()
          if isinstance(info.annotation, type)
          and issubclass(info.annotation, settings.BaseSettings)}
out = {
    "version": datajoint.__version__,
    "schema": Config.model_json_schema(by_alias=False),
    "groups": {name: model.__name__ for name, model in GROUPS.items()},
    "defaults": {"": defaults(Config), **{name: defaults(model) for name, model in GROUPS.items()}},
    "loaded": [],
}
MISSING = "<not read>"
for document, keys in request:
    cfg = Config()
    try:
        cfg._update_from_flat_dict(document)
    except Exception as exc:
        out["loaded"].append({"error": type(exc).__name__})
        continue
    read = {}
    for key in keys:
        try:
            value = cfg[key]
        except KeyError:
            value = MISSING
        read[key] = to_jsonable_python(value)
    out["loaded"].append({"read": read})
print(json.dumps(out))
"""


def setting_keys(document: dict[str, Any]) -> list[str]:
    """Every DataJoint setting ``document`` sets, as the dotted key DataJoint reads."""
    keys = []
    for key, value in document.items():
        if key in NOT_SETTINGS or key.startswith("stores."):
            continue
        if isinstance(value, dict) and key in GROUPS:
            keys += [f"{key}.{inner}" for inner in value]
        else:
            keys.append(key)
    return keys


def value_at(document: dict[str, Any], key: str) -> Any:
    if key in document:
        return document[key]
    group, _, inner = key.partition(".")
    return document[group][inner]


@pytest.fixture(scope="module")
def settings_cases() -> list[tuple[Path, dict[str, Any]]]:
    """Corpus documents whose DataJoint settings are part of the case."""
    found = []
    for path in CASES:
        case = load_case(path)
        if isinstance(case["document"], dict) and setting_keys(case["document"]):
            found.append((path, case))
    return found


@pytest.fixture(scope="module")
def datajoint(
    settings_cases: list[tuple[Path, dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """DataJoint 2.3.5's own answers, from its installed package."""
    assert UPSTREAM.is_file(), "run `bash scripts/dev.sh env` to install DataJoint 2.3.5"
    request = [(case["document"], setting_keys(case["document"])) for _, case in settings_cases]
    project = tmp_path_factory.mktemp("upstream")
    (project / ".git").mkdir()  # no datajoint.json is found above this directory
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    done = subprocess.run(
        [str(UPSTREAM), "-c", _ASK_DATAJOINT],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=project,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["version"] == "2.3.5"
    return answer


def _shape(schema: dict[str, Any]) -> dict[str, Any]:
    """A key's type and constraints, without the words (recursively) or the default."""
    if not isinstance(schema, dict):
        return schema
    shape = {}
    for word, value in schema.items():
        if word in ANNOTATIONS or word == "default":
            continue
        if isinstance(value, list):
            value = [_shape(item) for item in value]
        shape[word] = _shape(value) if isinstance(value, dict) else value
    return shape


def _ours() -> dict[str, Any]:
    return DataJointSettings.model_json_schema()


def test_same_top_level_settings_as_datajoint(datajoint: dict[str, Any]) -> None:
    theirs = set(datajoint["schema"]["properties"])
    assert theirs == set(DataJointSettings.model_fields) | {"stores"}
    assert set(datajoint["groups"]) == set(GROUPS)


def test_same_keys_types_and_defaults_as_datajoint(datajoint: dict[str, Any]) -> None:
    theirs, ours = datajoint["schema"], _ours()
    pairs = [("", theirs, ours)] + [
        (group, theirs["$defs"][datajoint["groups"][group]], ours["$defs"][model.__name__])
        for group, model in GROUPS.items()
    ]
    for group, their_model, our_model in pairs:
        their_props = {k: v for k, v in their_model["properties"].items() if k not in GROUPS}
        their_props.pop("stores", None)
        our_props = {k: v for k, v in our_model["properties"].items() if k not in GROUPS}
        assert set(our_props) == set(their_props), group or "(top level)"
        assert our_model.get("additionalProperties") is their_model.get("additionalProperties")
        for key, prop in our_props.items():
            where = f"{group}.{key}".strip(".")
            assert _shape(prop) == _shape(their_props[key]), where
            model = GROUPS[group] if group else DataJointSettings
            default = to_jsonable_python(
                model.model_fields[key].get_default(call_default_factory=True)
            )
            assert default == datajoint["defaults"][group][key], where


def test_exported_schema_has_every_setting_nested_and_flat() -> None:
    schema = builtin_schema()
    for group, model in GROUPS.items():
        ref = schema["properties"][group]["$ref"].rsplit("/", 1)[1]
        assert set(schema["$defs"][ref]["properties"]) == set(model.model_fields), group
        assert schema["$defs"][ref]["additionalProperties"] is False
    flat = {key for key in schema["properties"] if "." in key and not key.startswith("stores.")}
    assert flat == set(FLAT_KEYS)
    assert {"loglevel", "safemode", "download_path", "query_cache"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_valid_documents_load_into_datajoint_as_written(
    datajoint: dict[str, Any], settings_cases: list[tuple[Path, dict[str, Any]]]
) -> None:
    checked = 0
    for (path, case), loaded in zip(settings_cases, datajoint["loaded"], strict=True):
        if not case["valid"]:
            continue
        assert "error" not in loaded, (path.stem, loaded)
        for key, value in loaded["read"].items():
            written = value_at(case["document"], key)
            if written is None and key in NULL_MEANS:  # as its description says
                assert value in NULL_MEANS[key], (path.stem, key, value)
            else:
                assert value == written, (path.stem, key, value)  # read, and as written
            checked += 1
    assert checked >= 40


def test_every_flagged_setting_is_one_datajoint_does_not_take_as_written(
    datajoint: dict[str, Any], settings_cases: list[tuple[Path, dict[str, Any]]]
) -> None:
    outcomes = {"refused": 0, "ignored": 0, "converted": 0}
    for (path, case), loaded in zip(settings_cases, datajoint["loaded"], strict=True):
        if case["valid"] or not settings_problems(case["document"]):
            continue
        if "error" in loaded:
            outcomes["refused"] += 1  # DataJoint stops reading the file, with a warning
            continue
        key = case["key"]
        dotted = next(k for k in loaded["read"] if k == key or k.endswith(f".{key}"))
        value = loaded["read"][dotted]
        if value == "<not read>":
            outcomes["ignored"] += 1
        else:
            assert value != value_at(case["document"], dotted), path.stem
            outcomes["converted"] += 1
    assert all(outcomes.values()), outcomes


def test_settings_problems_name_each_key_nested_or_flat() -> None:
    document = {
        "$schema": "./datajoint.schema.json",
        "$comment": "notes",
        "stores": {"main": {"protocol": "file"}},  # the stores are dj.config.validate()'s
        "stores.main.location": 5,
        "database": {"hots": "db", "port": "3306"},
        "display.limit": "12",
        "safemode": "no",
        "databse.host": "db",
    }
    problems = settings_problems(document)
    assert sorted(p.split(":", 1)[0] for p in problems) == [
        "database.hots",
        "database.port",
        "databse.host",
        "display.limit",
        "safemode",
    ]
    assert settings_problems({"database.host": "db", "query_cache": "/tmp/c"}) == []
