"""The filesystem cache is keyed by Config; a new Config that reuses a dead one's id()
must never get the dead one's store (its location, its credentials)."""

from __future__ import annotations

import gc
from pathlib import Path

import datajoint_storage as dj
from datajoint_storage.settings import Config


def test_a_recycled_config_id_never_returns_another_configs_store(tmp_path: Path) -> None:
    seen: set[int] = set()
    reused = 0
    for i in range(200):
        config = Config(cwd=tmp_path)
        config["stores"]["s"] = {"protocol": "memory", "location": f"loc{i}"}
        # Same generation for every Config: only identity tells them apart.
        assert dj.get_store("s", config=config).full_path("x") == f"loc{i}/x"
        assert dj.get_filesystem("s", config=config) is dj.get_store("s", config=config).filesystem
        reused += id(config) in seen
        seen.add(id(config))
        del config
        gc.collect()  # a Config holds cycles (its stores view): free it now, so its
        # address is free for the next one, whatever the collector's state in this run
        if reused >= 5:
            break
    assert reused  # CPython hands the freed address to the next Config: the case is real


def test_the_same_config_still_hits_the_cache(tmp_path: Path) -> None:
    config = Config(cwd=tmp_path)
    config["stores"]["s"] = {"protocol": "memory"}
    assert dj.get_store("s", config=config) is dj.get_store("s", config=config)
    assert dj.get_filesystem("s", config=config) is dj.get_filesystem("s", config=config)
