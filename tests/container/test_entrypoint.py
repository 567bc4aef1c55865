"""The container example's entrypoint, run as a real process against a Kubernetes layout.

No Docker daemon is needed: the script runs here as the image would run it. The Secret
is laid out as the kubelet lays out a Secret volume (a timestamped directory behind a
``..data`` link, one link per key) and appears at ``/run/secrets/datajoint`` inside a
private mount namespace (``unshare --mount`` over a tmpfs on ``/run``), so nothing on
this machine changes and both our pre-flight and DataJoint 2.3.5 read it where they
would in the cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "container"
UPSTREAM = REPO / ".venv-datajoint" / "bin" / "python"
ACCESS_KEY = "AKIA-canary-4f1d2c"
SECRET_KEY = "canary secret/with+symbols=9"
STORES = {
    "default": "raw",
    "raw": {
        "protocol": "s3",
        "endpoint": "s3.amazonaws.com",
        "bucket": "lab-acquisition",
        "location": "raw",
    },
}


def kubernetes_secret_volume(root: Path, items: dict[str, str]) -> Path:
    """A directory as the kubelet writes a Secret volume: ``..data`` -> a timestamped dir."""
    root.mkdir()
    stamped = root / "..2026_12_01_12_00_00.000000001"
    stamped.mkdir()
    for key, value in items.items():
        (stamped / key).write_text(value, encoding="utf-8")
    (root / "..data").symlink_to(stamped.name)
    for key in items:
        (root / key).symlink_to(f"..data/{key}")
    return root


def run_entrypoint(
    tmp_path: Path, secrets: dict[str, str], stores: object, command: list[str]
) -> subprocess.CompletedProcess[str]:
    volume = kubernetes_secret_volume(tmp_path / "secret-volume", secrets)
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(EXAMPLE / "datajoint.json", app / "datajoint.json")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJ_STORES": json.dumps(stores),
        "VOLUME": str(volume),
        "ENTRYPOINT": str(EXAMPLE / "entrypoint.sh"),
    }
    mount = (
        "mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/datajoint && "
        'mount --bind "$VOLUME" /run/secrets/datajoint && exec "$ENTRYPOINT" "$@"'
    )
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", mount, "entrypoint", *command],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_no_secret(result: subprocess.CompletedProcess[str]) -> None:
    for value in (ACCESS_KEY, SECRET_KEY):
        assert value not in result.stdout + result.stderr


BOTH_KEYS = {"stores.raw.access_key": ACCESS_KEY, "stores.raw.secret_key": SECRET_KEY}


@pytest.fixture(autouse=True)
def _needs_the_tools() -> None:
    assert shutil.which("unshare"), "util-linux's unshare is needed (it is on every Debian)"
    assert UPSTREAM.exists(), "DataJoint 2.3.5 is missing: run `bash scripts/dev.sh test`"


def test_a_valid_configuration_starts_and_datajoint_reads_the_mounted_secret(
    tmp_path: Path,
) -> None:
    probe = (
        "import datajoint as dj; s = dj.config.get_store_spec(); "
        f"print('started', s['bucket'], s['access_key'] == {ACCESS_KEY!r}, "
        f"s['secret_key'] == {SECRET_KEY!r})"
    )
    result = run_entrypoint(tmp_path, BOTH_KEYS, STORES, [str(UPSTREAM), "-c", probe])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "started lab-acquisition True True" in result.stdout
    assert_no_secret(result)


def test_a_misspelt_key_stops_the_container_naming_the_store_and_the_key(
    tmp_path: Path,
) -> None:
    raw = {k: v for k, v in STORES["raw"].items() if k != "bucket"} | {"bukcet": "x"}
    stores = {**STORES, "raw": raw}
    result = run_entrypoint(tmp_path, BOTH_KEYS, stores, ["sh", "-c", "echo started"])
    assert result.returncode == 78, result.stdout + result.stderr
    assert "started" not in result.stdout
    output = result.stdout + result.stderr
    assert "'raw'" in output and "bukcet" in output and "DJ_STORES" in output
    assert "not starting" in result.stderr
    assert_no_secret(result)


def test_half_a_credential_pair_stops_the_container_without_printing_it(
    tmp_path: Path,
) -> None:
    secrets = {"stores.raw.access_key": ACCESS_KEY}
    result = run_entrypoint(tmp_path, secrets, STORES, ["sh", "-c", "echo started"])
    assert result.returncode == 78, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Incomplete S3 credentials" in output and "'raw'" in output
    assert "secret_key" in output
    assert_no_secret(result)


def test_a_warning_stops_the_container_under_strict(tmp_path: Path) -> None:
    # DataJoint 2.3.5 has no memory protocol: we accept it, with a warning; --strict refuses.
    stores = {"default": "scratch", "scratch": {"protocol": "memory", "location": "x"}}
    result = run_entrypoint(tmp_path, {}, stores, ["sh", "-c", "echo started"])
    assert result.returncode == 78, result.stdout + result.stderr
    assert "memory" in result.stdout + result.stderr
    assert "started" not in result.stdout
