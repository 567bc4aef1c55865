"""Built-in protocols: keys, defaults, paths, display URLs, credentials, install hints."""

from __future__ import annotations

import json
from typing import Any

import pytest

import datajoint_storage as dj
from tests.helpers import run_python

S3 = {"protocol": "s3", "endpoint": "s3.example.org", "bucket": "acq", "location": "raw"}


def spec_of(store: dict[str, Any]) -> dict[str, Any]:
    dj.config["stores"]["x"] = store
    return dj.config.get_store_spec("x")


@pytest.mark.parametrize(
    ("protocol", "required", "allowed"),
    [
        ("file", ("location",), ()),
        (
            "s3",
            ("endpoint", "bucket", "location"),
            ("access_key", "secret_key", "secure", "proxy_server"),
        ),
        ("gcs", ("bucket", "location"), ("token", "project")),
        (
            "azure",
            ("container", "location"),
            ("account_name", "account_key", "connection_string", "account_url"),
        ),
        ("memory", (), ()),
    ],
)
def test_keys_of_each_builtin(protocol: str, required: tuple, allowed: tuple) -> None:
    adapter = dj.get_storage_adapter(protocol)
    assert adapter.required_keys == required
    assert adapter.allowed_keys == allowed


@pytest.mark.parametrize("protocol", ["file", "s3", "gcs", "azure"])
def test_location_is_required_by_the_builtins(protocol: str) -> None:
    dj.config["stores"]["x"] = {"protocol": protocol}
    with pytest.raises(dj.DataJointError, match=rf"^{protocol} store is missing: .*location"):
        dj.config.get_store_spec("x")


def test_resolved_spec_carries_every_common_key_like_datajoint() -> None:
    assert spec_of({"protocol": "file", "location": "/data"}) == {
        "protocol": "file",
        "location": "/data",
        "subfolding": None,
        "partition_pattern": None,
        "token_length": 8,
        "hash_prefix": "_hash",
        "schema_prefix": "_schema",
        "filepath_prefix": None,
    }


def test_s3_spec_carries_secure_and_omits_absent_credentials() -> None:
    spec = spec_of(S3)
    assert spec["secure"] is True
    assert spec.get("access_key") is None and spec.get("secret_key") is None


def test_stage_appears_only_when_configured() -> None:
    assert "stage" not in spec_of({"protocol": "file", "location": "/d"})
    assert spec_of({"protocol": "file", "location": "/d", "stage": "x"})["stage"] == "x"


@pytest.mark.parametrize(
    ("secure", "endpoint", "url"),
    [
        (True, "s3.example.org", "https://s3.example.org"),
        (False, "127.0.0.1:9000", "http://127.0.0.1:9000"),
        (False, "https://minio.lab:9000", "https://minio.lab:9000"),
    ],
)
def test_s3_endpoint_scheme_follows_secure(secure: bool, endpoint: str, url: str) -> None:
    spec = spec_of({**S3, "endpoint": endpoint, "secure": secure})
    assert dj.get_storage_adapter("s3").endpoint_url(spec) == url


@pytest.mark.parametrize(
    ("keys", "ok"),
    [
        ({}, True),
        ({"access_key": "AK", "secret_key": "SK"}, True),
        ({"access_key": "", "secret_key": ""}, True),
        ({"access_key": "AK"}, False),
        ({"secret_key": "SK"}, False),
        ({"access_key": "AK", "secret_key": ""}, False),
    ],
)
def test_s3_credentials_come_in_pairs(keys: dict[str, str], ok: bool) -> None:
    dj.config["stores"]["x"] = {**S3, **keys}
    if ok:
        dj.config.get_store_spec("x")
    else:
        with pytest.raises(dj.InvalidValueError, match="^Incomplete S3 credentials") as info:
            dj.config.get_store_spec("x")
        assert "AK" not in str(info.value) and "SK" not in str(info.value)


@pytest.mark.parametrize(
    ("store", "relpath", "path", "url"),
    [
        ({"protocol": "file", "location": "/data/p"}, "a/b", "/data/p/a/b", "file:///data/p/a/b"),
        (S3, "a/b", "acq/raw/a/b", "s3://acq/raw/a/b"),
        (
            {"protocol": "gcs", "bucket": "g", "location": "l/"},
            "a",
            "g/l/a",
            "gs://g/l/a",
        ),
        (
            {"protocol": "azure", "container": "c", "location": "/l"},
            "a",
            "c/l/a",
            "az://c/l/a",
        ),
        ({"protocol": "memory"}, "a/b", "a/b", "memory://a/b"),
    ],
)
def test_paths_and_display_urls(store: dict, relpath: str, path: str, url: str) -> None:
    dj.config["stores"]["x"] = store
    handle = dj.get_store("x")
    assert handle.full_path(relpath) == path
    assert handle.get_url(relpath) == url


def test_bucket_protocols_with_empty_location_keep_the_bucket() -> None:
    dj.config["stores"]["x"] = {**S3, "location": ""}
    assert dj.get_store("x").full_path("k") == "acq/k"


def test_file_store_round_trip_creates_parent_directories(tmp_path: Any) -> None:
    (tmp_path / "store").mkdir()  # the location itself must exist, as in DataJoint 2.3.5
    dj.config["stores"]["x"] = {"protocol": "file", "location": str(tmp_path / "store")}
    store = dj.get_store("x")
    store.filesystem.pipe_file(store.full_path("deep/er/obj.bin"), b"\x00\x01")
    assert (tmp_path / "store" / "deep" / "er" / "obj.bin").read_bytes() == b"\x00\x01"


@pytest.mark.parametrize(
    ("protocol", "module", "extra"),
    [
        ("s3", "s3fs", "s3"),
        ("gcs", "gcsfs", "gcs"),
        ("azure", "adlfs", "azure"),
    ],
)
def test_missing_sdk_gives_a_one_line_install_hint(protocol: str, module: str, extra: str) -> None:
    stores = {
        "s3": S3,
        "gcs": {"protocol": "gcs", "bucket": "b", "location": "l"},
        "azure": {"protocol": "azure", "container": "c", "location": "l"},
    }
    code = (
        f"import sys, json; sys.modules[{module!r}] = None\n"  # as if not installed
        "import datajoint_storage as dj\n"
        f"dj.config['stores']['x'] = {stores[protocol]!r}\n"
        "try:\n    dj.get_filesystem('x')\n"
        "except dj.MissingDependencyError as exc:\n"
        "    print(json.dumps([str(exc), exc.__cause__ is None, exc.__suppress_context__]))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    message, no_cause, suppressed = json.loads(result.stdout)
    assert message.endswith(f"pip install {module} (the '{extra}' extra of datajoint-storage)")
    assert "\n" not in message and no_cause and suppressed


def test_protocol_names_match_case_insensitively_like_datajoint() -> None:
    assert spec_of({**S3, "protocol": "S3"})["protocol"] == "s3"
