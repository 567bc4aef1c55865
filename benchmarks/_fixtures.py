"""The project directories the probes run in: one ``datajoint.json`` read by both sides.

Every project holds a ``.git`` marker, so neither side's upward search for
``datajoint.json`` leaves it. Stores cycle through the four protocols DataJoint
handles itself (file, s3, gcs, azure), with keys both sides accept.
"""

from __future__ import annotations

import json
from pathlib import Path

PROTOCOLS = 4  # a store of each protocol comes every PROTOCOLS stores


def store(i: int) -> dict[str, object]:
    """Store ``s<i>``: the same shape for the same ``i`` in every project."""
    kind = i % PROTOCOLS
    if kind == 0:
        return {"protocol": "file", "location": f"/data/lab/s{i}", "subfolding": [2, 2]}
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


def stores_project(root: Path, n: int) -> Path:
    """``n`` stores of mixed protocols."""
    return project(root, f"stores-{n}", {f"s{i}": store(i) for i in range(n)})


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
    location = root / "cache-data"
    return project(root, "cache", {"main": {"protocol": "file", "location": str(location)}})


def small_project(root: Path, quickstart: Path) -> Path:
    """The quickstart's ``datajoint.json`` without its secrets: what imports run in."""
    document = json.loads((quickstart / "datajoint.json").read_text(encoding="utf-8"))
    document.pop("$schema", None)
    directory = root / "small"
    (directory / ".git").mkdir(parents=True, exist_ok=True)
    (directory / "datajoint.json").write_text(json.dumps(document), encoding="utf-8")
    return directory
