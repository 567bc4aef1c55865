"""get_store_spec, validate, provenance, repr: the settings API users call."""

from __future__ import annotations

import json
import traceback

import pytest

import datajoint_storage as dj
from tests.helpers import Project, run_python


def test_config_is_created_lazily() -> None:
    result = run_python(
        "import datajoint_storage.settings as s, datajoint_storage as dj\n"
        "print(s._config is None)\n"
        "dj.config\n"
        "print(s._config is not None)\n"
    )
    assert result.stdout.split() == ["True", "True"]


def test_default_and_filepath_default() -> None:
    dj.config["stores"] = {
        "main": {"protocol": "memory", "location": "m"},
        "raw": {"protocol": "memory", "location": "r"},
        "default": "main",
        "filepath_default": "raw",
    }
    assert dj.config.get_store_spec()["location"] == "m"
    assert dj.config.get_store_spec(use_filepath_default=True)["location"] == "r"


def test_missing_default_is_a_clear_error() -> None:
    dj.config["stores"]["main"] = {"protocol": "memory"}
    with pytest.raises(dj.StoreNotFoundError, match="^stores.default is not configured"):
        dj.config.get_store_spec()
    with pytest.raises(dj.StoreNotFoundError, match="^stores.filepath_default is not configured"):
        dj.config.get_store_spec(use_filepath_default=True)


def test_default_naming_an_unconfigured_store(project: Project) -> None:
    path = project.write_config({"stores": {"main": {"protocol": "memory"}, "default": "mian"}})
    with pytest.raises(dj.StoreNotFoundError) as info:
        dj.config.get_store_spec()
    assert str(info.value).startswith(
        "Storage 'mian' is requested but not configured in stores (stores.default names it"
    )
    assert str(path) in str(info.value) and "did you mean 'main'" in str(info.value)


def test_validate_lists_every_problem_of_every_store(project: Project) -> None:
    path = project.write_config(
        {
            "stores": {
                "ok": {"protocol": "memory"},
                "typo": {"protocol": "s4"},
                "holes": {"protocol": "s3", "location": "l", "bukcet": "b"},
                "types": {
                    "protocol": "file",
                    "location": 5,
                    "token_length": "abc",
                    "subfolding": "2,2",
                },
                "overlap": {"protocol": "memory", "hash_prefix": "a", "schema_prefix": "a/b"},
                "creds": {
                    "protocol": "s3",
                    "endpoint": "e",
                    "bucket": "b",
                    "location": "l",
                    "access_key": "AK-canary",
                },
                "string": "file",
                "default": "nowhere",
            }
        }
    )
    with pytest.raises(dj.ValidationReport) as info:
        dj.config.validate()
    report = info.value
    text = str(report)
    expected = [
        "Storage 'nowhere' is requested but not configured in stores",
        "Unknown protocol: s4 (store 'typo'",
        "did you mean 's3'",
        "s3 store is missing: endpoint, bucket (store 'holes'",
        "Invalid key(s) for s3: bukcet (store 'holes'",
        "did you mean 'bucket'",
        "Invalid value for location: Input should be a valid string (store 'types'",
        "Invalid value for token_length: Input should be a valid integer (store 'types'",
        "Invalid value for subfolding: Input should be a valid list (store 'types'",
        "overlap",
        "Incomplete S3 credentials",
        "Store 'string' must be an object with a 'protocol', not a JSON string",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    assert str(path) in text
    assert "AK-canary" not in "".join(traceback.format_exception(report))
    by_store = {(p.store, type(p).__name__) for p in report.problems}
    assert ("typo", "UnknownProtocolError") in by_store
    assert ("holes", "MissingKeysError") in by_store and ("holes", "InvalidKeysError") in by_store
    assert all(p.source for p in report.problems if p.store != "nowhere")


@pytest.mark.parametrize(
    ("prefixes", "ok"),
    [
        ({"hash_prefix": "a", "schema_prefix": "a/b"}, False),
        ({"hash_prefix": "/data/", "schema_prefix": "data"}, False),
        ({"hash_prefix": "data", "schema_prefix": "data2"}, True),
        ({"filepath_prefix": "_hash/raw"}, False),
        ({"filepath_prefix": "raw"}, True),
    ],
)
def test_prefix_overlap(prefixes: dict, ok: bool) -> None:
    dj.config["stores"]["p"] = {"protocol": "memory", **prefixes}
    if ok:
        dj.config.get_store_spec("p")
    else:
        with pytest.raises(dj.InvalidValueError, match="overlap"):
            dj.config.get_store_spec("p")


@pytest.mark.parametrize(
    ("store", "kind"),
    [("file", "string"), (["file"], "array"), (3, "number"), (None, "null")],
)
def test_malformed_stores_are_datajoint_errors(project: Project, store: object, kind: str) -> None:
    path = project.write_config({"stores": {"bad": store}})
    with pytest.raises(dj.InvalidValueError) as info:
        dj.config.get_store_spec("bad")
    assert f"not a JSON {kind}" in str(info.value) and str(path) in str(info.value)
    assert info.value.store == "bad" and info.value.source == str(path)


def test_protocol_that_is_not_a_string() -> None:
    dj.config["stores"]["p"] = {"protocol": ["s3"]}
    with pytest.raises(dj.InvalidValueError) as info:
        dj.config.get_store_spec("p")
    assert (info.value.store, info.value.key, info.value.source) == ("p", "protocol", "runtime")


def test_provenance_of_every_key(project: Project) -> None:
    path = project.write_config({"stores": {"r": {"protocol": "s3", "bucket": "b"}}})
    secret = project.write_secret("r", "secret_key", "S")
    project.write_secret("r", "access_key", "A")
    dj.config["stores"]["r"]["endpoint"] = "e"  # promotes the store to runtime
    dj.config["stores"]["r"]["location"] = "l"
    origins = dj.config.provenance("r")
    assert origins["endpoint"] == "runtime"
    assert origins["secret_key"] == str(secret)
    assert origins["token_length"] == "default"
    assert set(origins) == set(dj.config.get_store_spec("r"))
    del path


def test_repr_and_redacted_specs_mask_secrets(project: Project) -> None:
    project.write_config({"stores": {"g": {"protocol": "gcs", "bucket": "b", "location": "l"}}})
    project.write_secret("g", "token", "tok-canary")
    dj.config["stores"]["r"] = {
        "protocol": "s3",
        "endpoint": "e",
        "bucket": "b",
        "location": "l",
        "access_key": "AK-canary",
        "secret_key": "SK-canary",
    }
    shown = " ".join(
        [
            repr(dj.config),
            str(dj.config),
            repr(dj.config["stores"]),
            repr(dj.config["stores"]["r"]),
            json.dumps(dj.config.get_store_spec("g", redact=True)),
            json.dumps(dj.config.get_store_spec("r", redact=True)),
            repr(dj.get_store("r")),
            repr(dj.config.resolve("g")),
        ]
    )
    for canary in ("tok-canary", "AK-canary", "SK-canary"):
        assert canary not in shown
    assert "**********" in shown
    assert dj.config.get_store_spec("g")["token"] == "tok-canary"


def test_secret_file_that_is_not_utf8_or_too_large(project: Project) -> None:
    project.write_config(
        {"stores": {"r": {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}}}
    )
    project.write_secret("r", "access_key", b"\xff\xfe-canary")
    project.write_secret("r", "secret_key", "x" * (64 * 1024 + 1))
    with pytest.warns(UserWarning) as caught:
        spec = dj.config.get_store_spec("r")
    messages = [str(w.message) for w in caught]
    assert any("stores.r.access_key skipped: it is not UTF-8" in m for m in messages)
    assert any("stores.r.secret_key skipped: it is larger than" in m for m in messages)
    assert spec.get("access_key") is None and spec.get("secret_key") is None


@pytest.mark.parametrize("prefix", ["", "/"])
def test_empty_or_root_prefix_is_accepted_as_datajoint_does(prefix: str) -> None:
    dj.config["stores"]["p"] = {"protocol": "memory", "hash_prefix": prefix}
    assert dj.config.get_store_spec("p")["hash_prefix"] == prefix


def test_a_misspelled_secret_key_is_still_masked_and_each_typo_gets_its_hint() -> None:
    dj.config["stores"]["x"] = {
        "protocol": "s3",
        "bukcet": "b",
        "secret_kye": "SK-canary",
        "token_length": 3,
    }
    shown = repr(dj.config) + repr(dj.config["stores"]["x"])
    assert "SK-canary" not in shown and "token_length': 3" in shown
    with pytest.raises(dj.ValidationReport) as info:
        dj.config.get_store_spec("x")
    text = str(info.value)
    assert "s3 store is missing: endpoint, bucket, location" in text
    assert "did you mean 'bucket' for 'bukcet', 'secret_key' for 'secret_kye'?" in text
    assert "SK-canary" not in text
