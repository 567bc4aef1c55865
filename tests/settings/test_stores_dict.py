"""``dj.config.stores`` is a real dict of the merged block; every change is a runtime setting."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

import datajoint_storage as dj
from datajoint_storage.settings.stores_view import StoresView
from tests.helpers import Project

MAIN = {"protocol": "memory", "location": "m", "subfolding": [2, 2]}


def test_the_attribute_and_the_key_are_one_dict(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory", "location": "from-file"}}})
    stores = dj.config.stores
    assert isinstance(stores, dict) and isinstance(stores, StoresView)
    assert dj.config["stores"] is stores is dj.config.stores
    assert stores == {"f": {"protocol": "memory", "location": "from-file"}}


def test_assigning_the_attribute_replaces_the_runtime_block(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    dj.config.stores = {"x": {"protocol": "memory"}, "default": "x"}
    assert "stores" not in vars(dj.config)  # no stray attribute
    assert dj.config.store_names() == ["x"]
    assert dj.config.get_store_spec()["protocol"] == "memory"


def test_item_writes_are_runtime_settings(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory", "location": "file"}}})
    stores = dj.config.stores
    stores["a"] = dict(MAIN)
    stores.update({"b": {"protocol": "memory"}}, c={"protocol": "memory"})
    assert stores.setdefault("a", {"protocol": "other"})["protocol"] == "memory"
    assert stores.setdefault("d", {"protocol": "memory"}) == {"protocol": "memory"}
    stores |= {"e": {"protocol": "memory"}}
    assert sorted(dj.config.store_names()) == ["a", "b", "c", "d", "e", "f"]
    assert dj.config.provenance("a")["location"] == "runtime"
    del stores["f"]
    assert stores.pop("e") == {"protocol": "memory"} and stores.pop("e", None) is None
    name, value = stores.popitem()
    assert value == {"protocol": "memory"} and name not in stores
    assert len(dj.config.store_names()) == 3
    with pytest.raises(KeyError):
        del stores["nope"]
    with pytest.raises(KeyError):
        stores["nope"]


def test_clear_empties_the_block_and_update_restores_it(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory", "location": "file"}}})
    project.write_secret("s", "token", "tok")
    saved = dj.config.stores.copy()
    dj.config.stores.clear()
    assert dj.config.stores == {} and len(dj.config.stores) == 0
    assert dj.config.store_names() == []  # secret files do not refill a block set in code
    dj.config.stores.update(saved)
    assert dj.config.stores == saved
    assert dj.config.get_store_spec("f")["location"] == "file"


def test_copy_assign_back_round_trips_exactly(project: Project) -> None:
    project.write_config({"stores": {"f": dict(MAIN), "default": "f"}})
    original = dj.config.stores.copy()
    assert type(original) is dict and type(original["f"]) is dict
    dj.config.stores["t"] = {"protocol": "memory"}
    dj.config.stores["f"]["location"] = "changed"  # the copy is independent
    assert original["f"]["location"] == "m"
    dj.config.stores = original
    assert dj.config.stores == original
    assert dj.config.get_store_spec()["location"] == "m"
    original["f"]["location"] = "later"  # nor is the config tied to the copy
    assert dj.config.get_store_spec("f")["location"] == "m"


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.append(3),
        lambda s: s.extend([3]),
        lambda s: s.__setitem__(1, 3),
        lambda s: s.insert(0, 3),
        lambda s: s.pop(),
        lambda s: s.clear(),
        lambda s: s.reverse(),
        lambda s: s.__iadd__([3]),
    ],
)
def test_a_nested_list_edited_in_place_is_a_runtime_change(edit: object) -> None:
    dj.config.stores["m"] = {"protocol": "memory", "subfolding": [2, 1]}
    expected = [2, 1]
    edit(expected)  # type: ignore[operator]
    edit(dj.config.stores["m"]["subfolding"])  # type: ignore[operator]
    assert dj.config["stores.m.subfolding"] == expected  # read back from the merged block
    assert dj.config.provenance("m")["subfolding"] == "runtime"


def test_an_appended_subfolding_reaches_the_spec() -> None:
    dj.config.stores["m"] = {"protocol": "memory", "subfolding": [2]}
    dj.config.stores["m"]["subfolding"].append(2)
    assert dj.config.get_store_spec("m")["subfolding"] == [2, 2]


def test_a_nested_dict_edited_in_place_is_a_runtime_change() -> None:
    dj.config.stores["g"] = {"protocol": "memory", "stage": {"a": {"b": 1}}}
    dj.config.stores["g"]["stage"]["a"]["b"] = 2
    dj.config.stores["g"]["stage"]["c"] = [1]
    dj.config.stores["g"]["stage"]["c"].append(2)
    assert dj.config.get_store_spec("g")["stage"] == {"a": {"b": 2}, "c": [1, 2]}


def test_an_in_place_edit_of_a_file_store_keeps_the_other_keys_sources(project: Project) -> None:
    path = project.write_config({"stores": {"f": {"protocol": "memory", "location": "l"}}})
    dj.config.stores["f"]["hash_prefix"] = "h"
    origins = dj.config.provenance("f")
    assert origins["hash_prefix"] == "runtime"
    assert origins["location"] == origins["protocol"] == str(path)


def test_dict_idioms(project: Project) -> None:
    project.write_config({"stores": {"f": dict(MAIN), "default": "f"}})
    stores = dj.config.stores
    literal = {"f": dict(MAIN), "default": "f"}
    assert stores == literal and stores != {} and stores != {**literal, "x": 1}
    assert dict(stores) == literal and {**stores} == literal
    assert json.loads(json.dumps(stores)) == literal
    assert copy.deepcopy(stores) == literal and type(copy.deepcopy(stores)) is dict
    assert copy.copy(stores) == literal
    assert pickle.loads(pickle.dumps(stores)) == literal
    assert stores | {"x": 1} == {**literal, "x": 1} and {"x": 1} | stores == {"x": 1, **literal}
    assert "f" in stores and "nope" not in stores and len(stores) == 2
    assert list(stores) == ["f", "default"] and list(reversed(stores)) == ["default", "f"]
    assert stores.get("nope", 5) == 5 and stores.get("default") == "f"
    assert dict(stores.items()) == literal and list(stores.keys()) == ["f", "default"]
    assert list(stores.values())[1] == "f"
    assert bool(stores)
    with pytest.raises(TypeError):
        hash(stores)


def test_a_held_view_is_current_for_json_after_every_kind_of_change(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory"}}})
    held = dj.config.stores
    held["a"] = {"protocol": "memory"}
    both = {"f": {"protocol": "memory"}, "a": {"protocol": "memory"}}
    assert json.loads(json.dumps(held)) == both
    dj.config.stores = {}
    assert json.dumps(held) == "{}"
    dj.config["stores"] = {"b": {"protocol": "memory"}}
    assert json.loads(json.dumps(held)) == {"b": {"protocol": "memory"}}
    with dj.config.override(stores={"c": {"protocol": "memory"}}):
        assert json.loads(json.dumps(held)) == {"c": {"protocol": "memory"}}
    assert json.loads(json.dumps(held)) == {"b": {"protocol": "memory"}}


def test_writes_work_while_a_source_is_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_STORES", "{broken")
    dj.config.stores["a"] = {"protocol": "memory"}  # no read needed to write
    with pytest.raises(dj.ConfigSourceError):
        dj.config.stores["a"]
    assert "unreadable" in repr(dj.config)


def test_internals_are_not_public() -> None:
    for name in ("generation", "filesystems"):
        assert not hasattr(dj.config, name)
