"""``dj.config["stores.main.location"]`` and friends; keys outside ``stores`` (issue 14)."""

from __future__ import annotations

import pytest

import datajoint_storage as dj
from datajoint_storage.errors import NotAStoreSettingError, SettingKeyError
from tests.helpers import Project


@pytest.fixture(autouse=True)
def stores(project: Project) -> None:
    project.write_config(
        {
            "stores": {
                "main": {"protocol": "memory", "location": "m", "subfolding": [2, 2]},
                "default": "main",
            }
        }
    )


def test_reading_by_dotted_key() -> None:
    assert dj.config["stores"] is dj.config.stores
    assert dj.config["stores.main.location"] == "m"
    assert dj.config["stores.default"] == "main"
    assert dj.config["stores.main"] == {"protocol": "memory", "location": "m", "subfolding": [2, 2]}
    assert dj.config["stores.main.subfolding"] == [2, 2]
    assert dj.config.get("stores") is dj.config.stores
    assert dj.config.get("stores.main.bucket", "none") == "none"
    assert dj.config.get("stores.nope.location") is None
    assert dj.config.get("nothing.here", 3) == 3  # unknown to DataJoint too: the default


@pytest.mark.parametrize("key", ["stores.nope", "stores.main.nope", "stores.main.subfolding.0"])
def test_a_missing_key_is_a_key_error_naming_it(key: str) -> None:
    with pytest.raises(KeyError) as info:
        dj.config[key]
    assert isinstance(info.value, dj.DataJointError)
    assert str(info.value) == f"Setting {key!r} not found"


def test_writing_by_dotted_key() -> None:
    dj.config["stores.main.location"] = "/new"
    dj.config["stores.raw"] = {"protocol": "memory"}
    dj.config["stores.filepath_default"] = "raw"
    dj.config["stores.extra.protocol"] = "memory"  # creates the store, as a flat key does
    assert dj.config.get_store_spec()["location"] == "/new"
    assert dj.config.get_store_spec(use_filepath_default=True)["protocol"] == "memory"
    assert dj.config.get_store_spec("extra")["protocol"] == "memory"
    assert dj.config.provenance("main")["location"] == "runtime"
    dj.config["stores"] = {"only": {"protocol": "memory"}}
    assert dj.config.store_names() == ["only"]


def test_deleting_by_dotted_key() -> None:
    del dj.config["stores.main.subfolding"]
    assert "subfolding" not in dj.config.stores["main"]
    assert dj.config.get_store_spec("main")["subfolding"] is None
    del dj.config["stores.default"]
    with pytest.raises(dj.StoreNotFoundError, match="stores.default is not configured"):
        dj.config.get_store_spec()
    del dj.config["stores.main"]
    assert dj.config.store_names() == []
    dj.config["stores.x"] = {"protocol": "memory"}
    del dj.config["stores"]  # DataJoint resets the setting: an empty block
    assert dj.config.stores == {}
    with pytest.raises(KeyError, match="'stores.main.nope' not found"):
        del dj.config["stores.main.nope"]


def test_a_nested_key_under_a_name_entry_is_refused() -> None:
    with pytest.raises(SettingKeyError, match="stores.default is not an object"):
        dj.config["stores.default.location"] = "/x"


@pytest.mark.parametrize("key", ["database.host", "safemode", "database", "loglevel"])
def test_datajoint_settings_outside_stores_are_a_clear_error(key: str) -> None:
    for action in (
        lambda: dj.config[key],
        lambda: dj.config.get(key),
        lambda: dj.config.get(key, "default"),
        lambda: dj.config.__setitem__(key, "x"),
        lambda: dj.config.__delitem__(key),
    ):
        with pytest.raises(NotAStoreSettingError) as info:
            action()
        assert isinstance(info.value, KeyError) and isinstance(info.value, dj.DataJointError)
        assert "configures stores only" in str(info.value) and repr(key) in str(info.value)


def test_datajoint_settings_as_attributes_are_a_clear_error() -> None:
    with pytest.raises(NotAStoreSettingError, match="'database' is a DataJoint setting"):
        dj.config.database  # noqa: B018
    with pytest.raises(AttributeError, match="configures stores only"):
        dj.config.safemode = False
    assert not hasattr(dj.config, "safemode")
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        dj.config.nothing  # noqa: B018


def test_unknown_keys_and_non_string_keys() -> None:
    with pytest.raises(SettingKeyError, match="'nothing' not found: datajoint-storage configures"):
        dj.config["nothing"]
    with pytest.raises(SettingKeyError, match="Setting keys are strings"):
        dj.config[0]  # type: ignore[index]


def test_the_config_iterates_and_answers_in() -> None:
    assert list(dj.config) == ["stores"]
    assert [key for key in iter(dj.config)] == ["stores"]
    assert "stores" in dj.config and "stores.main.location" in dj.config
    assert "stores.nope" not in dj.config and "database.host" not in dj.config
