"""One test per rule of ``datajoint_rules.py``, each checked against DataJoint 2.3.5 itself.

Every case states what DataJoint does (accepts / refuses the store) and what we do
(accept, refuse, and which warning or refusal rule). DataJoint's answers come from its
own interpreter, all cases in one subprocess.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from datajoint_storage.datajoint_rules import refusal_rule
from tests.compat.differential.generator import Case, materialize
from tests.compat.differential.sides import ask_datajoint, ask_us

HERE = "@ROOT@/data/main"
FILE = {"protocol": "file", "location": HERE}
S3 = {"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "b", "location": "l"}


def case(document: Any = None, **extra: Any) -> Case:
    extra.setdefault("dirs", ["data/main"])
    return Case(seed=0, document=document, names=["main"], **extra)


#: rule -> (project, store asked, DataJoint accepts?, we accept?, our rule or None)
RULES: dict[str, tuple[Case, str | None, bool, bool, str | None]] = {
    # -- follow: both sides give the same answer
    "follow: DJ_IGNORE_CONFIG_FILE as a pydantic bool, name in any case": (
        case({"stores": {"main": FILE}}, env={"dj_ignore_config_file": "T"}),
        "main",
        False,
        False,
        None,
    ),
    "follow: a DJ_IGNORE_CONFIG_FILE that is no boolean fails": (
        case({"stores": {"main": FILE}}, env={"DJ_IGNORE_CONFIG_FILE": "maybe"}),
        "main",
        False,
        False,
        None,
    ),
    "follow: a blank DJ_STORES fails, an empty one is unset": (
        case({"stores": {"main": FILE}}, env={"DJ_STORES": " "}),
        "main",
        False,
        False,
        None,
    ),
    "follow: a secret fills only an absent key": (
        case(
            {"stores": {"main": {**S3, "access_key": "", "secret_key": "S"}}},
            secrets={"stores.main.access_key": b"A"},
        ),
        "main",
        False,
        False,
        None,
    ),
    "follow: an empty secret file is an empty value": (
        case(
            {"stores": {"main": {**S3, "secret_key": "S"}}},
            secrets={"stores.main.access_key": b"\n"},
        ),
        "main",
        False,
        False,
        None,
    ),
    "follow: a secret file for a name entry breaks the config": (
        case(
            {"stores": {"default": "main", "main": FILE}},
            secrets={"stores.default.location": b"/x"},
        ),
        "main",
        False,
        False,
        None,
    ),
    "follow: secrets never fill a store assigned at runtime": (
        case(
            {},
            secrets={"stores.main.secret_key": b"S"},
            runtime=[["set", "main", {**S3, "access_key": "A"}]],
        ),
        "main",
        False,
        False,
        None,
    ),
    "follow: the whole block assigned at runtime brings no secret-only store back": (
        case(
            {},
            secrets={"stores.main.protocol": b"file", "stores.main.location": b""},
            runtime=[["block", {}]],
        ),
        "main",
        False,
        False,
        None,
    ),
    'follow: "ignore_config_file": true in the file turns secrets off': (
        case(
            {"ignore_config_file": True, "stores": {"main": S3}},
            secrets={"stores.main.access_key": b"A"},
        ),
        "main",
        True,
        True,
        None,
    ),
    "follow: a file store's directory must exist": (
        case({"stores": {"main": {"protocol": "file", "location": "@ROOT@/nowhere"}}}),
        "main",
        False,
        False,
        None,
    ),
    'follow: s3 endpoint given as "" is missing': (
        case({"stores": {"main": {**S3, "endpoint": ""}}}),
        "main",
        False,
        False,
        None,
    ),
    "follow: a gcs token may be a key document object": (
        case(
            {
                "stores": {
                    "main": {
                        "protocol": "gcs",
                        "bucket": "b",
                        "location": "l",
                        "token": {"type": "service_account"},
                    }
                }
            }
        ),
        "main",
        True,
        True,
        None,
    ),
    "follow: flat keys of 4 parts are ignored": (
        case({"stores": {"main": FILE}, "stores.main.location.sub": "x"}),
        "main",
        True,
        True,
        "datajoint-ignores-flat-key",
    ),
    # -- warn: we accept, DataJoint refuses or misreads
    "warn: a setting DataJoint refuses stops its loading": (
        case({"loglevel": "LOUD", "stores": {"main": FILE}}),
        "main",
        False,
        True,
        "datajoint-stops-reading",
    ),
    "warn: flat keys before the nested block are dropped by DataJoint": (
        case({"stores.main.location": HERE, "stores": {"main": {"protocol": "file"}}}),
        "main",
        False,
        True,
        "datajoint-drops-flat-key",
    ),
    "warn: a 2-part stores.default is ignored by DataJoint": (
        case({"stores": {"main": FILE}, "stores.default": "main"}),
        None,
        False,
        True,
        "datajoint-ignores-flat-key",
    ),
    "warn: a mixed-case protocol fails at DataJoint's first use": (
        case({"stores": {"main": {**FILE, "protocol": "File"}}}),
        "main",
        True,
        True,
        "protocol-case",
    ),
    "warn: memory is ours only": (
        case({"stores": {"main": {"protocol": "memory"}}}),
        "main",
        False,
        True,
        "protocol-unknown-to-datajoint",
    ),
    "warn: azure account_url is ours only": (
        case(
            {
                "stores": {
                    "main": {
                        "protocol": "azure",
                        "container": "c",
                        "location": "l",
                        "account_url": "http://127.0.0.1:10000/a",
                    }
                }
            }
        ),
        "main",
        False,
        True,
        "key-unknown-to-datajoint",
    ),
    "warn: DJ_CONFIG_FILE is ours only": (
        case(
            None,
            env={"DJ_CONFIG_FILE": "@ROOT@/named.json"},
            extra_files={"named.json": json.dumps({"stores": {"main": FILE}})},
        ),
        "main",
        False,
        True,
        "dj-config-file",
    ),
    "warn: .env is ours only": (
        case(
            None, dotenv="DJ_STORES=" + json.dumps({"main": {"protocol": "file", "location": ""}})
        ),
        "main",
        False,
        True,
        "dotenv",
    ),
    "warn: a DJ_* value DataJoint refuses makes its import fail": (
        case({"stores": {"main": FILE}}, env={"DJ_LOG_LEVEL": "LOUD"}),
        "main",
        False,
        True,
        "environment-datajoint-refuses",
    ),
    "warn: a secret file we cannot decode": (
        case({"stores": {"main": FILE}}, secrets={"stores.main.stage": b"\xff\xfe"}),
        "main",
        False,
        True,
        "secret-file-skipped",
    ),
    "warn: s3 proxy_server is accepted and never used by DataJoint": (
        case({"stores": {"main": {**S3, "proxy_server": "http://proxy:3128"}}}),
        "main",
        True,
        True,
        "s3-option-datajoint-ignores",
    ),
    "warn: an endpoint scheme DataJoint does not recognise": (
        case({"stores": {"main": {**S3, "endpoint": "HTTPS://s3.amazonaws.com"}}}),
        "main",
        True,
        True,
        "s3-option-datajoint-ignores",
    ),
    "warn: DJ_DATABASE that is not a JSON object fails DataJoint's import": (
        case({"stores": {"main": FILE}}, env={"DJ_DATABASE": "db.example.org"}),
        "main",
        False,
        True,
        "environment-datajoint-refuses",
    ),
    "warn: a secret file with an empty name part (DataJoint reads key '')": (
        case({"stores": {"main": FILE}}, secrets={"stores.main.": b"x"}),
        "main",
        False,
        True,
        "secret-file-skipped",
    ),
    "warn: a credential in datajoint.json": (
        case({"stores": {"main": {**S3, "access_key": "A", "secret_key": "S"}}}),
        "main",
        True,
        True,
        "secret-in-config-file",
    ),
    # -- refuse: DataJoint accepts and fails or misreads later
    'refuse: typed values (token_length "12")': (
        case({"stores": {"main": {**FILE, "token_length": "12"}}}),
        "main",
        True,
        False,
        "typed-value",
    ),
    'refuse: typed values (secure "false" is https there)': (
        case({"stores": {"main": {**S3, "secure": "false"}}}),
        "main",
        True,
        False,
        "typed-value",
    ),
    "refuse: a store that is a list of pairs": (
        case({"stores": {"main": [["protocol", "file"], ["location", HERE]]}}),
        "main",
        True,
        False,
        "store-not-an-object",
    ),
    'refuse: "stores" that is not an object': (
        case({"stores.main.protocol": "file", "stores.main.location": HERE, "stores": []}),
        "main",
        True,
        False,
        "stores-not-an-object",
    ),
    "refuse: a secret file next to a 2-part stores.default DataJoint ignored": (
        case(
            {"stores": {"main": FILE}, "stores.default": "main"},
            secrets={"stores.default.location": b"/x"},
        ),
        "main",
        True,
        False,
        "secret-for-an-entry-that-is-not-a-store",
    ),
    "refuse: a store named default": (
        case(
            None, env={"DJ_STORES": json.dumps({"default": {"protocol": "file", "location": ""}})}
        ),
        "default",
        True,
        False,
        "name-entry-as-store",
    ),
    "refuse: a bad DJ_STORES in .env (DataJoint never reads .env)": (
        case({"stores": {"main": FILE}}, dotenv="DJ_STORES='{bad'\n"),
        "main",
        True,
        False,
        "dotenv-value",
    ),
    "refuse: a datajoint.json that is not JSON": (
        case("{nope", secrets={"stores.main.protocol": b"file", "stores.main.location": b""}),
        "main",
        True,
        False,
        "unreadable-config-file",
    ),
}


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Any, Any]]:
    root = tmp_path_factory.mktemp("rules")
    quiet = root / "quiet"
    (quiet / ".git").mkdir(parents=True)
    built = {}
    for i, (rule, (project, asked, *_)) in enumerate(RULES.items()):
        project.names = [asked] if asked else ["main"]
        built[rule] = materialize(project, root / f"rule{i}")
        built[rule]["ask"] = [[asked, False]]
    theirs = ask_datajoint(list(built.values()), quiet)
    return {rule: (built[rule], t) for rule, t in zip(built, theirs, strict=True)}


@pytest.mark.parametrize("rule", list(RULES))
def test_rule(rule: str, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    _, asked, dj_accepts, we_accept, our_rule = RULES[rule]
    built, theirs = answers[rule]
    key = json.dumps([asked, False])
    upstream = theirs["built"] and theirs["stores"][key]["accepted"]
    assert upstream == dj_accepts, f"DataJoint 2.3.5 no longer does this: {theirs}"
    monkeypatch.chdir(built["cwd"])
    ours = ask_us(built)
    if "source_error" in ours:
        accepted, problems, warned = False, [ours["source_error"]], []
    else:
        mine = ours["stores"][key]
        accepted, problems = mine["accepted"], mine.get("problems", [])
        warned = [w.rule for w in ours["warnings"]]
    assert accepted == we_accept, problems
    if rule.startswith("warn") or (rule.startswith("follow") and our_rule):
        assert our_rule in warned, warned
    if rule.startswith("refuse"):
        assert {getattr(refusal_rule(p), "name", None) for p in problems} == {our_rule}


def test_basesettings_attributes_are_known_without_importing_it() -> None:
    """The names ``BaseSettings`` adds to ``BaseModel``, as DataJoint's pin has them."""
    import pydantic
    import pydantic_settings

    from datajoint_storage.datajoint_rules import _SETTINGS_ONLY

    extra = set(dir(pydantic_settings.BaseSettings)) - set(dir(pydantic.BaseModel))
    assert extra == _SETTINGS_ONLY
