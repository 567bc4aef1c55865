"""Huge and deeply nested documents, in every source: a DataJointError or a working config.

JSON sources are parsed by the json module, whose recursion limit turns a very deep
document into a ``ConfigSourceError``; runtime values are Python objects, checked up
to a depth that Python's own ``repr`` can still print.
"""

from __future__ import annotations

import json
import time

import pytest

import datajoint_storage as dj

from ._support import exercise, sandbox

DEPTHS = [10, 100, 600, 950, 1000, 5000, 100_000]


def _nested_text(depth: int) -> str:
    opening = "".join("[" if i % 2 else '{"k":' for i in range(depth))
    closing = "".join("]" if i % 2 else "}" for i in reversed(range(depth)))
    return f'{opening}"x"{closing}'


def _nested(depth: int) -> object:
    value: object = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def _blocks(depth: int) -> dict[str, str]:
    deep = _nested_text(depth)
    return {
        "in stage": f'{{"s": {{"protocol": "memory", "stage": {deep}}}}}',
        "as the store": f'{{"s": {deep}}}',
        "as the block": deep,
    }


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("source", ["DJ_STORES", "datajoint.json"])
def test_deep_json_sources(source: str, depth: int) -> None:
    for block in _blocks(depth).values():
        if source == "DJ_STORES":
            context = sandbox(dj_stores=block)
        else:
            context = sandbox(config_bytes=f'{{"stores": {block}}}'.encode())
        with context as config:
            exercise(config, ["s"])


@pytest.mark.parametrize("depth", [10, 100, 600])
def test_deep_runtime_values_including_override(depth: int) -> None:
    """600 levels: deeper than ``copy.deepcopy`` managed in ``override`` (fixed: shallow)."""
    with sandbox() as config:
        config["stores"]["s"] = {"protocol": "memory", "stage": _nested(depth)}
        config["stores"]["t"] = _nested(depth)
        exercise(config, ["s", "t"])
        with config.override(stores={"u": {"protocol": "memory"}}):
            assert config.get_store_spec("u")["protocol"] == "memory"
        assert "u" not in config.store_names()
        assert config.get_store_spec("s")["stage"] == _nested(depth)


def test_uncopyable_runtime_values_survive_override() -> None:
    """A lock or a generator in a runtime store used to make ``override`` raise TypeError."""
    import threading

    with sandbox() as config:
        config["stores"]["s"] = {"protocol": "memory", "stage": threading.Lock()}
        config["stores"]["g"] = {"protocol": "memory", "stage": (i for i in range(2))}
        with config.override(stores={"u": {"protocol": "memory"}}):
            exercise(config, ["s", "g", "u"])
        exercise(config, ["s", "g"])


@pytest.mark.parametrize("source", ["runtime", "DJ_STORES", "datajoint.json"])
def test_ten_thousand_stores_and_a_five_megabyte_value(source: str) -> None:
    stores = {f"s{i}": {"protocol": "memory", "location": f"l{i}"} for i in range(10_000)}
    stores["big"] = {"protocol": "file", "location": "x" * 5_000_000}
    stores["bad"] = {"protocol": "memory", "token_length": "x" * 1_000_000}
    text = json.dumps(stores)
    started = time.monotonic()
    if source == "DJ_STORES":
        context = sandbox(dj_stores=text)
    elif source == "datajoint.json":
        context = sandbox(config_bytes=json.dumps({"stores": stores}).encode())
    else:
        context = sandbox()
    with context as config:
        if source == "runtime":
            config["stores"] = stores
        # "big" names no directory (DataJoint's StorageBackend refuses it too).
        problems = {p.store: p for p in config.problems()}
        assert sorted(problems) == ["bad", "big"]
        assert problems["bad"].key == "token_length" and problems["big"].key == "location"
        assert all(len(str(p)) < 500 for p in problems.values())  # no huge value echoed
        assert len(config.store_names()) == 10_002
        assert config.get_store_spec("big")["location"] == "x" * 5_000_000
        with pytest.raises(dj.InvalidValueError):
            config.get_store_spec("bad")
    assert time.monotonic() - started < 30
