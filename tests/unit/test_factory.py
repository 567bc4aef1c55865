"""get_filesystem: the adapter's filesystem, cached per store, rebuilt when the spec changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import datajoint_storage as dj
from datajoint_storage import registry


class CountingAdapter(dj.StorageAdapter):
    protocol = "counting"
    allowed_keys = ("token",)
    built: list[dict[str, Any]] = []

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        CountingAdapter.built.append(spec)
        return MemoryFileSystem(skip_instance_cache=True)


@pytest.fixture
def counting(fresh_registry: None) -> type[CountingAdapter]:
    CountingAdapter.built = []
    dj.register_adapter(CountingAdapter)
    return CountingAdapter


def test_the_filesystem_is_created_once_and_cached(counting: Any) -> None:
    dj.config["stores"]["c"] = {"protocol": "counting", "token": "t1"}
    first = dj.get_filesystem("c")
    assert dj.get_filesystem("c") is first
    assert len(counting.built) == 1
    assert counting.built[0]["token"] == "t1"  # the adapter sees the plain secret


def test_a_changed_spec_gets_a_new_filesystem(counting: Any) -> None:
    dj.config["stores"]["c"] = {"protocol": "counting", "token": "t1"}
    first = dj.get_filesystem("c")
    dj.config["stores"]["c"]["token"] = "t2"  # rotate the credential in place
    second = dj.get_filesystem("c")
    assert second is not first
    assert [spec["token"] for spec in counting.built] == ["t1", "t2"]


def test_an_unrelated_change_keeps_the_filesystem(counting: Any) -> None:
    dj.config["stores"]["c"] = {"protocol": "counting", "token": "t1"}
    first = dj.get_filesystem("c")
    dj.config["stores"]["other"] = {"protocol": "memory"}
    assert dj.get_filesystem("c") is first
    assert len(counting.built) == 1


def test_rotated_secret_file_after_reload(counting: Any, project: Any) -> None:
    project.write_config({"stores": {"c": {"protocol": "counting"}}})
    secret = project.write_secret("c", "token", "old-token\n")
    first = dj.get_filesystem("c")
    secret.write_text("new-token\n")
    assert dj.get_filesystem("c") is first  # nothing re-read until reload
    dj.config.reload()
    assert dj.get_filesystem("c") is not first
    assert [spec["token"] for spec in counting.built] == ["old-token", "new-token"]


def test_default_store_filesystem(tmp_path: Path) -> None:
    dj.config["stores"]["main"] = {"protocol": "file", "location": str(tmp_path)}
    dj.config["stores"]["default"] = "main"
    assert dj.get_filesystem() is dj.get_filesystem("main")


def test_a_failing_create_filesystem_names_the_store_and_hides_secrets(
    fresh_registry: None,
) -> None:
    class Exploding(dj.StorageAdapter):
        protocol = "exploding"
        allowed_keys = ("token",)

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            raise ValueError(f"bad token {spec['token']} for host")

    dj.register_adapter(Exploding)
    dj.config["stores"]["e"] = {"protocol": "exploding", "token": "s3cr3t-canary"}
    with pytest.raises(dj.StorageBackendError) as info:
        dj.get_filesystem("e")
    assert "Store 'e' (exploding)" in str(info.value)
    assert "s3cr3t-canary" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_unknown_store_is_a_clear_error() -> None:
    dj.config["stores"]["main"] = {"protocol": "memory"}
    with pytest.raises(
        dj.StoreNotFoundError, match="Storage 'mian' is requested but not configured.*'main'"
    ):
        dj.get_filesystem("mian")
    assert registry.get_storage_adapter("memory") is not None
