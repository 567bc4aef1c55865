"""The project directories the probes run in: one ``datajoint.json`` read by both sides.

Every project holds a ``.git`` marker, so neither side's upward search for
``datajoint.json`` leaves it. Stores cycle through the four protocols DataJoint
handles itself (file, s3, gcs, azure), with keys both sides accept. Every ``file``
store's location is a directory that exists, inside its project: ours refuses a
missing one in ``validate()``, as DataJoint's ``StorageBackend`` does before any use.
"""

from __future__ import annotations

import json
import py_compile
import shutil
from pathlib import Path

PROTOCOLS = 4  # a store of each protocol comes every PROTOCOLS stores
PLUGIN_GROUP = "datajoint.storage"


def store(i: int, data: Path) -> dict[str, object]:
    """Store ``s<i>``: the same shape for the same ``i`` in every project."""
    kind = i % PROTOCOLS
    if kind == 0:
        return {"protocol": "file", "location": str(data / f"s{i}"), "subfolding": [2, 2]}
    if kind == 1:
        return {
            "protocol": "s3",
            "endpoint": "s3.amazonaws.com",
            "bucket": "lab-bucket",
            "location": f"raw/s{i}",
        }
    if kind == 2:
        return {"protocol": "gcs", "bucket": "lab-bucket", "location": f"raw/s{i}"}
    return {"protocol": "azure", "container": "lab", "location": f"raw/s{i}"}


def project(root: Path, name: str, stores: dict[str, object]) -> Path:
    """A project directory holding ``datajoint.json`` with ``stores``."""
    directory = root / name
    (directory / ".git").mkdir(parents=True, exist_ok=True)
    document = {"database.host": "localhost", "stores": {"default": "s0", **stores}}
    (directory / "datajoint.json").write_text(json.dumps(document), encoding="utf-8")
    return directory


def make_locations(stores: dict[str, object], base: Path) -> None:
    """Create the directory of every ``file`` store (a relative one from ``base``)."""
    for spec in stores.values():
        if isinstance(spec, dict) and spec.get("protocol") == "file":
            (base / str(spec["location"])).mkdir(parents=True, exist_ok=True)


def stores_project(root: Path, n: int) -> Path:
    """``n`` stores of mixed protocols; file stores under ``<project>/data/``."""
    data = root / f"stores-{n}" / "data"
    stores = {f"s{i}": store(i, data) for i in range(n)}
    make_locations(stores, data)
    return project(root, f"stores-{n}", stores)


def secrets_project(root: Path, files: int) -> Path:
    """``files // 2`` S3 stores whose key pairs live in ``files`` secret files."""
    n = files // 2
    stores = {
        f"s{i}": {
            "protocol": "s3",
            "endpoint": "s3.amazonaws.com",
            "bucket": "lab-bucket",
            "location": f"raw/s{i}",
        }
        for i in range(n)
    }
    directory = project(root, f"secrets-{files}", stores)
    secrets = directory / ".secrets"
    secrets.mkdir(exist_ok=True)
    for i in range(n):
        (secrets / f"stores.s{i}.access_key").write_text(f"AKIA{i:016d}\n", encoding="utf-8")
        (secrets / f"stores.s{i}.secret_key").write_text(
            f"bench-secret-{i:08d}\n", encoding="utf-8"
        )
    return directory


def cache_project(root: Path) -> Path:
    """One ``file`` store named ``main`` (its filesystem is fsspec's local one)."""
    stores: dict[str, object] = {"main": {"protocol": "file", "location": str(root / "cache-data")}}
    make_locations(stores, root)
    return project(root, "cache", stores)


def quickstart_copy(root: Path, quickstart: Path, name: str, secrets: bool) -> Path:
    """The quickstart's ``datajoint.json`` (and ``.secrets/``), its data directory made.

    A copy, not the example itself: its ``data/`` appears only once the example has
    run, and ``validate()`` refuses a ``file`` store whose directory does not exist.
    """
    document = json.loads((quickstart / "datajoint.json").read_text(encoding="utf-8"))
    document.pop("$schema", None)
    directory = root / name
    (directory / ".git").mkdir(parents=True, exist_ok=True)
    (directory / "datajoint.json").write_text(json.dumps(document), encoding="utf-8")
    if secrets:
        shutil.copytree(quickstart / ".secrets", directory / ".secrets")
    make_locations(document["stores"], directory)
    return directory


def small_project(root: Path, quickstart: Path) -> Path:
    """The quickstart's ``datajoint.json`` without its secrets: what imports run in."""
    return quickstart_copy(root, quickstart, "small", secrets=False)


def quickstart_project(root: Path, quickstart: Path) -> Path:
    """The quickstart with its secrets: what the CLI validates."""
    return quickstart_copy(root, quickstart, "quickstart", secrets=True)


PLUGIN_MODULE = '''"""Benchmark plugin {i}: protocol ``p{i}``, fsspec's memory filesystem."""

try:
    from datajoint_storage import StorageAdapter
except ImportError:  # DataJoint's own environment: its base class
    from datajoint.storage_adapter import StorageAdapter


class Adapter{i}(StorageAdapter):
    protocol = "p{i}"
    required_keys = ("protocol", "location")
    allowed_keys = ("protocol", "location")

    def create_filesystem(self, spec):
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()
'''


def plugin_site(root: Path, n: int) -> Path:
    """A directory of ``n`` installed plugin distributions, for ``PYTHONPATH``.

    Each is what pip leaves behind: ``bench_plugin_<i>-0.1.dist-info`` (``METADATA``,
    ``entry_points.txt`` in the ``datajoint.storage`` group) beside its module and
    its bytecode (both interpreters are the same Python, so they share it).
    """
    site = root / f"plugins-{n}"
    site.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = f"bench_plugin_{i}"
        info = site / f"{name}-0.1.dist-info"
        info.mkdir(exist_ok=True)
        metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n"
        (info / "METADATA").write_text(metadata, encoding="utf-8")
        entry = f"[{PLUGIN_GROUP}]\np{i} = {name}:Adapter{i}\n"
        (info / "entry_points.txt").write_text(entry, encoding="utf-8")
        module = site / f"{name}.py"
        module.write_text(PLUGIN_MODULE.format(i=i), encoding="utf-8")
        py_compile.compile(str(module), doraise=True)  # as pip does: no compiling timed
    return site
