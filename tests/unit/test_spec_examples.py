"""Every code example of the Storage Adapter API spec runs as written, with
``datajoint`` replaced by ``datajoint_storage``, against a really installed plugin."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.helpers import run_python
from tests.plugin_dist import make_distribution

# The spec's "Adapter implementation" example, verbatim but for the package name.
SPEC_ADAPTER_MODULE = """
# src/dj_databricks_storage/adapter.py
from typing import Any
import fsspec
import datajoint_storage as dj
from databricks.sdk import WorkspaceClient


class DatabricksVolumesAdapter(dj.StorageAdapter):
    protocol = "databricks"
    required_keys = ("workspace_url", "volume", "token")
    allowed_keys = ("workspace_url", "volume", "token")

    def create_filesystem(self, spec: dict[str, Any]) -> fsspec.AbstractFileSystem:
        client = WorkspaceClient(
            host=spec["workspace_url"],
            token=spec["token"],
        )
        # Return an fsspec-compatible filesystem backed by the client.
        # Implementation-specific; see your backend's fsspec integration.
        return _databricks_fs(client, volume=spec["volume"])

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        # Unity Catalog Volume paths look like /Volumes/<catalog>/<schema>/<volume>/<path>
        return f"/Volumes/{spec['volume'].replace('.', '/')}/{spec['location']}/{relpath}"

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        return f"databricks://{spec['volume']}/{path}"
"""

# The example leaves ``_databricks_fs`` to the reader ("implementation-specific"), and
# databricks-sdk is a cloud SDK we cannot reach here: the distribution carries a
# stand-in for both, backed by fsspec's memory filesystem.
STAND_INS = {
    "databricks/__init__.py": "",
    "databricks/sdk.py": textwrap.dedent(
        """
        class WorkspaceClient:
            def __init__(self, host, token):
                self.host = host
                self.token = token
        """
    ),
}
FS_HELPER = textwrap.dedent(
    """

    def _databricks_fs(client, volume):
        from fsspec.implementations.memory import MemoryFileSystem
        return MemoryFileSystem()
    """
)

SPEC_STORE = {
    "protocol": "databricks",
    "workspace_url": "https://my-workspace.cloud.databricks.com",
    "volume": "main.default.my_volume",
    "token": "dapibd...",
    "location": "experiments/2026",
}


def install_databricks_plugin(root: Path) -> Path:
    modules = {
        "dj_databricks_storage.__init__": "",
        "dj_databricks_storage.adapter": SPEC_ADAPTER_MODULE + FS_HELPER,
    }
    site = make_distribution(
        root,
        "dj-databricks-storage",
        version="0.1.0",
        entry_points={"databricks": "dj_databricks_storage.adapter:DatabricksVolumesAdapter"},
        modules=modules,
    )
    for rel, source in STAND_INS.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(source, encoding="utf-8")
    return site


def test_base_class_example_runs_as_written() -> None:
    code = textwrap.dedent(
        """
        from abc import abstractmethod
        from typing import Any
        import fsspec
        import datajoint_storage as dj


        class StorageAdapter:
            \"\"\"Base class for storage protocol adapters.\"\"\"

            protocol: str
            required_keys: tuple[str, ...] = ()
            allowed_keys: tuple[str, ...] = ()

            @abstractmethod
            def create_filesystem(self, spec: dict[str, Any]) -> fsspec.AbstractFileSystem:
                \"\"\"Return an fsspec filesystem instance for this protocol.\"\"\"
                ...

        assert issubclass(dj.StorageAdapter, object)
        for name in ("create_filesystem", "validate_spec", "full_path", "get_url"):
            assert callable(getattr(dj.StorageAdapter, name)), name
        assert dj.StorageAdapter.required_keys == () and dj.StorageAdapter.allowed_keys == ()
        print("ok")
        """
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_discovery_example_makes_the_protocol_resolvable(tmp_path: Path) -> None:
    site = install_databricks_plugin(tmp_path / "site")
    code = textwrap.dedent(
        """
        import datajoint_storage as dj

        # protocol "databricks" is now resolvable
        dj.config["stores"]["uc"] = {
            "protocol": "databricks",
            "workspace_url": "https://my-workspace.cloud.databricks.com",
            "volume": "main.default.my_volume",
            "token": "dapibd...",
            "location": "experiments/2026",
        }
        import json
        spec = dj.config.get_store_spec("uc")
        store = dj.get_store("uc")
        fs = dj.get_filesystem("uc")
        fs.pipe_file(store.full_path("a.bin"), b"payload")
        print(json.dumps({
            "spec": spec,
            "class": type(dj.get_storage_adapter("databricks")).__name__,
            "full_path": store.full_path("a.bin"),
            "url": store.get_url("a.bin"),
            "read": fs.cat_file(store.full_path("a.bin")).decode(),
        }))
        """
    )
    result = run_python(code, extra_path=[site], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["class"] == "DatabricksVolumesAdapter"
    assert out["spec"]["token"] == "dapibd..."
    assert out["spec"]["volume"] == "main.default.my_volume"
    assert out["spec"]["token_length"] == 8 and out["spec"]["hash_prefix"] == "_hash"
    assert out["full_path"] == "/Volumes/main/default/my_volume/experiments/2026/a.bin"
    assert out["url"] == (
        "databricks://main.default.my_volume//Volumes/main/default/my_volume/experiments/2026/a.bin"
    )
    assert out["read"] == "payload"


def test_credential_hygiene_example_env_only(tmp_path: Path) -> None:
    site = install_databricks_plugin(tmp_path / "site")
    (tmp_path / "datajoint.json").write_text('{"stores": {"uc": {"protocol": "file"}}}')
    env = {
        "DJ_IGNORE_CONFIG_FILE": "true",
        "DJ_STORES": json.dumps({"uc": SPEC_STORE}, indent=2),
    }
    code = "import datajoint_storage as dj, json; print(json.dumps(dj.config.get_store_spec('uc')))"
    result = run_python(code, extra_path=[site], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    spec = json.loads(result.stdout)
    assert {k: spec[k] for k in SPEC_STORE} == SPEC_STORE


def test_api_reference_example(tmp_path: Path) -> None:
    site = install_databricks_plugin(tmp_path / "site")
    code = textwrap.dedent(
        """
        import datajoint_storage as dj

        # Inspect a registered adapter
        adapter = dj.get_storage_adapter("s3")
        print(adapter.protocol, adapter.required_keys, adapter.allowed_keys)

        # Internal: force re-discovery (testing)
        from datajoint_storage.storage_adapter import _discover_adapters
        print(_discover_adapters())
        """
    )
    result = run_python(code, extra_path=[site])
    assert result.returncode == 0, result.stderr
    first, count = result.stdout.strip().splitlines()
    assert first == (
        "s3 ('endpoint', 'bucket', 'location') "
        "('access_key', 'secret_key', 'secure', 'proxy_server')"
    )
    # file, memory, s3, gcs, azure, databricks (+ any other plugin installed here)
    assert int(count) >= 6


def test_error_table_messages_for_the_spec_plugin(tmp_path: Path) -> None:
    site = install_databricks_plugin(tmp_path / "site")
    code = textwrap.dedent(
        """
        import datajoint_storage as dj
        dj.config["stores"]["uc"] = {"protocol": "databricks", "volume": "v", "colour": "red"}
        dj.config["stores"]["xx"] = {"protocol": "nosuch"}
        try:
            dj.config.validate()
        except dj.DataJointError as exc:
            print(exc)
        """
    )
    result = run_python(code, extra_path=[site])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "databricks store is missing: workspace_url, token (store 'uc', from runtime)" in out
    assert "Invalid key(s) for databricks: colour (store 'uc', from runtime)" in out
    assert "Unknown protocol: nosuch (store 'xx', from runtime)" in out
