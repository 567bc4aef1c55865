"""The base class's filesystem cache, DataJoint's spec shape, and honest ``memory``."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field

import datajoint_storage as dj


class Counting(dj.StorageAdapter):
    """Counts the filesystems it really builds."""

    protocol = "counting"
    allowed_keys = ("password", "timeout")
    key_fields = {"timeout": (float, Field(default=7.0))}
    cache_filesystems = True

    def __init__(self) -> None:
        self.built: list[dict[str, Any]] = []

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        self.built.append(spec)
        return object()


DATAJOINT_SHAPE = {  # what DataJoint 2.3.5's get_store_spec hands a plugin
    "protocol": "Counting",
    "password": "old-secret",
    "subfolding": (2, 2),
    "partition_pattern": None,
    "token_length": 8,
    "hash_prefix": "_hash",
    "schema_prefix": "_schema",
    "filepath_prefix": None,
}


def test_an_unchanged_spec_is_a_lookup_and_a_rotated_secret_a_new_filesystem() -> None:
    adapter = Counting()
    first = adapter.create_filesystem(dict(DATAJOINT_SHAPE))
    for _ in range(27):  # DataJoint: once per stored attribute of every row
        assert adapter.create_filesystem(dict(DATAJOINT_SHAPE)) is first
    rotated = adapter.create_filesystem(dict(DATAJOINT_SHAPE, password="new-secret"))
    assert rotated is not first and len(adapter.built) == 2


def test_the_adapter_sees_our_shape_with_its_own_defaults() -> None:
    adapter = Counting()
    adapter.create_filesystem(dict(DATAJOINT_SHAPE))
    seen = adapter.built[0]
    assert seen["protocol"] == "counting" and seen["subfolding"] == [2, 2]
    assert seen["timeout"] == 7.0
    adapter.validate_spec(dict(DATAJOINT_SHAPE))  # accepted as DataJoint shapes it


def test_store_builds_its_own_filesystem(fresh_registry: None) -> None:
    adapter = dj.register_adapter(Counting)
    dj.config["stores"]["c"] = {"protocol": "counting"}
    dj.get_filesystem("c")
    adapter.create_filesystem({"protocol": "counting"})
    assert len(adapter.built) == 2  # the store's (guarded) one is not the shared one


def test_a_foreign_error_in_a_contract_method_is_a_datajoint_error_without_secrets() -> None:
    class Failing(Counting):
        protocol = "failing"

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            raise ValueError(f"cannot log in with {spec['password']}")

    with pytest.raises(dj.StorageBackendError) as caught:
        Failing().create_filesystem({"protocol": "failing", "password": "hunter2-secret"})
    assert "hunter2-secret" not in str(caught.value)
    assert caught.value.__cause__ is None  # the original holds the secret: not chained


def test_memory_stores_do_not_see_each_other() -> None:
    dj.config["stores"]["a"] = {"protocol": "memory", "location": "x"}
    dj.config["stores"]["b"] = {"protocol": "memory", "location": "x"}
    fa, fb = dj.get_filesystem("a"), dj.get_filesystem("b")
    fa.pipe_file("x/obj", b"from a")
    assert fa.cat_file("x/obj") == b"from a"
    assert not fb.exists("x/obj")
    from fsspec.implementations.memory import MemoryFileSystem

    assert not MemoryFileSystem().exists("/x/obj")  # nothing in fsspec's process-wide dict
    with pytest.raises(FileNotFoundError):
        fb.cat_file("x/obj")
