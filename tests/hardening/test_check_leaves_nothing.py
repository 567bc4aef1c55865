"""A ``check`` that times out leaves no probe object behind, whole or half-written.

The stores are served by a test-only plugin distribution, installed for real, whose
filesystem is the local one with a write, read or delete that blocks past the timeout
(``mode`` picks which). The command runs as a real subprocess of the console script;
after it exits, the store's directory on disk is inspected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.helpers import Project
from tests.plugin_dist import make_distribution

from ._support import attack

SLOW_FS = textwrap.dedent(
    """
    import time
    import datajoint_storage as dj
    from fsspec.implementations.local import LocalFileSystem

    class SlowFS(LocalFileSystem):
        def __init__(self, mode, **kw):
            super().__init__(skip_instance_cache=True, **kw)
            self.mode = mode
            self.deletes = 0

        def pipe_file(self, path, value, **kw):
            self.makedirs(self._parent(path), exist_ok=True)
            if self.mode == "hang-then-write":
                time.sleep(2.5)
            with open(path, "wb") as f:
                if self.mode in ("half-then-hang", "hang-everywhere"):
                    f.write(value[: len(value) // 2])
                    f.flush()
                    time.sleep(3600)
                f.write(value)
            if self.mode == "write-then-hang":
                time.sleep(3600)

        def cat_file(self, path, *args, **kw):
            if self.mode == "hang-in-read":
                time.sleep(3600)
            return super().cat_file(path, *args, **kw)

        def rm_file(self, path):
            self.deletes += 1
            if self.mode == "hang-everywhere" or (
                self.mode == "hang-in-delete-once" and self.deletes == 1
            ):
                time.sleep(3600)
            return super().rm_file(path)

    class Adapter(dj.StorageAdapter):
        protocol = "slowfs"
        required_keys = ("location", "mode")

        def create_filesystem(self, spec):
            return SlowFS(spec["mode"])
    """
)
MODES = [
    "half-then-hang",
    "write-then-hang",
    "hang-then-write",
    "hang-in-read",
    "hang-in-delete-once",
]
PREFIX = ".datajoint-storage-check-"


def _leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if PREFIX in p.name)


def test_a_timed_out_check_leaves_nothing(tmp_path: Path, project: Project) -> None:
    site = make_distribution(
        tmp_path / "slowfs",
        "dj-slowfs-storage",
        entry_points={"slowfs": "dj_slowfs_mod:Adapter"},
        modules={"dj_slowfs_mod": SLOW_FS},
    )
    data = tmp_path / "data"
    stores = {}
    for mode in [*MODES, "hang-everywhere"]:
        for nested in (False, True):
            location = data / mode / ("new/sub" if nested else "")
            (data / mode).mkdir(parents=True, exist_ok=True)
            name = f"{mode}{'-nested' if nested else ''}"
            stores[name] = {"protocol": "slowfs", "location": str(location), "mode": mode}
    (data / "plain").mkdir()
    stores["plain"] = {"protocol": "file", "location": str(data / "plain")}
    project.write_config({"stores": stores})
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env["PYTHONPATH"] = str(site)
    script = Path(sys.executable).parent / "datajoint-storage"
    started = time.monotonic()
    run = subprocess.run(
        [str(script), "--json", "check", "--timeout", "1"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started
    attack("check: a timeout leaves nothing", took < 15, f"took {took:.1f} s")
    assert took < 15, run.stderr
    assert run.returncode == 1, run.stdout + run.stderr
    rows = {row["store"]: row for row in json.loads(run.stdout)["result"]["stores"]}
    assert rows["plain"]["ok"], rows["plain"]["reason"]
    for name, spec in stores.items():
        if spec["protocol"] != "slowfs":
            continue
        left = _leftovers(data / spec["mode"])
        reason = rows[name]["reason"] or ""
        if spec["mode"] == "hang-everywhere":  # nothing answers: it says so, honestly
            held = "may be left at" in reason
        else:
            held = not left and "timed out" in reason and "removed" in reason
            left_dirs = [p for p in (data / spec["mode"]).rglob("*") if p.name in ("new", "sub")]
            held = held and not left_dirs
        attack("check: a timeout leaves nothing", held, f"{name}: {left} {reason}")
        assert held, (name, left, reason)
