"""``import datajoint_storage`` does no work: no fsspec implementation, SDK or plugin."""

from __future__ import annotations

import json

from tests.helpers import run_python

HEAVY = (
    "fsspec",
    "s3fs",
    "gcsfs",
    "adlfs",
    "botocore",
    "boto3",
    "aiobotocore",
    "azure",
    "google",
    "dotenv",
    "pydantic_settings",
    "click",
    "datajoint_storage.adapters",
    "datajoint",  # DataJoint itself: we only ever look for it in sys.modules
)


def test_import_loads_no_heavy_module_and_reads_no_file(tmp_path) -> None:
    (tmp_path / "datajoint.json").write_text("{}")
    code = (
        "import sys, json\n"
        "opened = []\n"
        "sys.addaudithook(lambda e, a: opened.append(str(a[0])) if e == 'open' else None)\n"
        "import datajoint_storage\n"
        "print(json.dumps([sorted(sys.modules), opened]))\n"
    )
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    modules, opened = json.loads(result.stdout)
    heavy = [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
    assert not [p for p in opened if "datajoint.json" in p or ".secrets" in p]


def test_public_names_do_not_drift() -> None:
    import datajoint_storage

    assert sorted(datajoint_storage.__all__) == sorted(
        [
            "AdapterLoadError",
            "AdapterLoadWarning",
            "ConfigFileNotFoundError",
            "ConfigFileWarning",
            "ConfigSourceError",
            "ConfigWarning",
            "DataJointError",
            "InvalidKeysError",
            "InvalidValueError",
            "MissingDependencyError",
            "MissingKeysError",
            "NotAStoreSettingError",
            "SettingKeyError",
            "StorageAdapter",
            "StorageBackendError",
            "Store",
            "StoreConfigError",
            "StoreNotFoundError",
            "StoreSpec",
            "UnknownProtocolError",
            "ValidationReport",
            "__version__",
            "config",
            "get_filesystem",
            "get_storage_adapter",
            "get_store",
            "register_adapter",
            "unregister_adapter",
        ]
    )
    for name in datajoint_storage.__all__:
        assert getattr(datajoint_storage, name) is not None
