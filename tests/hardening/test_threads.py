"""32 threads ask for an adapter, a store spec and a filesystem at the same first moment.

In a fresh interpreter with a real installed plugin whose module counts its imports,
instantiations and filesystems in a file: one import, one adapter, one filesystem per
spec, the same objects for every thread, and no exception anywhere.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import Project, run_python
from tests.plugin_dist import make_distribution

THREADS = 32

COUNTED_PLUGIN = textwrap.dedent(
    """
    import os, time
    import datajoint_storage as dj

    def _count(event):
        with open(os.environ["COUNT_FILE"], "a", encoding="utf-8") as f:
            f.write(event + "\\n")

    _count("import")
    time.sleep(0.2)  # a slow import widens the window for a second one

    class CountedAdapter(dj.StorageAdapter):
        protocol = "counted"
        allowed_keys = ("token",)

        def __init__(self):
            _count("instantiate")

        def create_filesystem(self, spec):
            _count("build " + spec["location"])
            time.sleep(0.1)  # so does a slow connection
            from fsspec.implementations.memory import MemoryFileSystem
            return MemoryFileSystem(skip_instance_cache=True)
    """
)

CHILD = textwrap.dedent(
    """
    import json, sys, threading, traceback
    import datajoint_storage as dj

    THREADS = int(sys.argv[1])
    barrier = threading.Barrier(THREADS)
    results, errors = [None] * THREADS, []

    def work(i):
        try:
            barrier.wait(timeout=30)
            # Half the threads take the stores in the other order.
            names = ["a", "b"] if i % 2 else ["b", "a"]
            adapter = dj.get_storage_adapter("counted")
            specs = {n: dj.config.get_store_spec(n) for n in names}
            filesystems = {n: dj.get_filesystem(n) for n in names}
            builtin = dj.get_storage_adapter("s3")
            results[i] = (adapter, specs, filesystems, builtin)
        except BaseException:
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    done = [r for r in results if r is not None]
    print(json.dumps({
        "errors": errors,
        "alive": sum(t.is_alive() for t in threads),
        "done": len(done),
        "adapters": len({id(r[0]) for r in done}),
        "builtins": len({id(r[3]) for r in done}),
        "fs_a": len({id(r[2]["a"]) for r in done}),
        "fs_b": len({id(r[2]["b"]) for r in done}),
        "fs_shared": any(r[2]["a"] is r[2]["b"] for r in done),
        "specs": sorted({json.dumps(r[1], sort_keys=True) for r in done}),
    }))
    """
)


@pytest.mark.parametrize("attempt", range(3))
def test_first_moment_race(tmp_path: Path, project: Project, attempt: int) -> None:
    site = make_distribution(
        tmp_path / "site",
        "dj-counted-storage",
        entry_points={"counted": "dj_counted_mod:CountedAdapter"},
        modules={"dj_counted_mod": COUNTED_PLUGIN},
    )
    project.write_config(
        {
            "stores": {
                "a": {"protocol": "counted", "location": "A"},
                "b": {"protocol": "counted", "location": "B"},
            }
        }
    )
    project.write_secret("a", "token", "tok-a\n")
    counts = tmp_path / "counts.txt"
    code = CHILD.replace("sys.argv[1]", str(THREADS))
    result = run_python(code, env={"COUNT_FILE": str(counts)}, cwd=project.root, extra_path=[site])
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["errors"] == [] and out["alive"] == 0 and out["done"] == THREADS
    assert (out["adapters"], out["builtins"], out["fs_a"], out["fs_b"]) == (1, 1, 1, 1)
    assert out["fs_shared"] is False
    assert len(out["specs"]) == 1  # every thread saw the same specs
    assert json.loads(out["specs"][0])["a"]["token"] == "tok-a"
    events = Counter(counts.read_text(encoding="utf-8").splitlines())
    assert events == {"import": 1, "instantiate": 1, "build A": 1, "build B": 1}
