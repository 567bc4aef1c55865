"""What a resolved store costs to keep: its plain spec, nothing the GC walks.

The structure the benchmarks rely on (``README.md``, "what resolving a store costs"),
held here as behaviour: callers get their own lists, ``validate()`` keeps no spec, and
what is kept for a valid store is not tracked by the cyclic garbage collector.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

from datajoint_storage.settings import Config


def _config(tmp_path: Path) -> Config:
    config = Config(cwd=tmp_path, environ={})
    stores = {}
    for i in range(20):
        stores[f"f{i}"] = {"protocol": "file", "location": str(tmp_path), "subfolding": [2, 2]}
        stores[f"s{i}"] = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": f"{i}"}
    (tmp_path / "datajoint.json").write_text(json.dumps({"stores": stores}))
    (tmp_path / ".git").mkdir()
    return config


def test_kept_specs_are_not_walked_by_the_garbage_collector(tmp_path: Path) -> None:
    """A store's kept spec is a dict of plain values; one with a list adds one tuple."""
    config = _config(tmp_path)
    specs = [config.get_store_spec(f"{kind}{i}") for kind in "fs" for i in range(20)]
    assert specs[0]["subfolding"] == [2, 2]
    gc.collect()
    gc.collect()  # a tuple of tuples: each collection untracks one level of it
    plain = [config._resolved[f"s{i}"] for i in range(1, 20)]
    assert all(o.__class__ is dict and not gc.is_tracked(o) for o in plain)
    with_lists = [config._resolved[f"f{i}"] for i in range(1, 20)]
    inner = [part for outcome in with_lists for part in outcome]
    assert inner and not [part for part in inner if gc.is_tracked(part)]


def test_every_caller_gets_lists_of_its_own(tmp_path: Path) -> None:
    config = _config(tmp_path)
    first = config.get_store_spec("f3")
    first["subfolding"].append(9)
    second = config.get_store_spec("f3")
    assert second["subfolding"] == [2, 2] and second["subfolding"] is not first["subfolding"]
    assert isinstance(config.resolve("f3").plain()["subfolding"], list)


def test_validate_checks_every_store_and_keeps_no_spec(tmp_path: Path) -> None:
    config = _config(tmp_path)
    config.validate()
    assert config._resolved == {}
    assert config.get_store_spec("s7")["location"] == "7"


def test_the_merged_block_and_its_entries_show_no_value_in_a_repr(tmp_path: Path) -> None:
    config = Config(cwd=tmp_path, environ={})
    config.stores = {"a": {"protocol": "memory", "token": "hunter2-canary-secret"}}
    merged = config._merged_entries()
    assert "hunter2" not in repr(merged) and "hunter2" not in repr(merged["a"])
    assert "'a'" in repr(merged)
