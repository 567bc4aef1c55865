"""``dj.config.override(stores=...)``, ``dj.config.load(path)`` and the no-file warning."""

from __future__ import annotations

import json
import warnings

import pytest

import datajoint_storage as dj
from datajoint_storage.errors import ConfigFileWarning, NotAStoreSettingError
from datajoint_storage.settings import Config
from tests.helpers import Project, run_python


def test_override_stores_is_the_whole_block_inside(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory"}, "default": "f"}})
    project.write_secret("s", "token", "t")
    with dj.config.override(stores={"b": {"protocol": "memory", "location": "b"}}) as inside:
        assert inside is dj.config
        assert dj.config.stores == {"b": {"protocol": "memory", "location": "b"}}
    assert sorted(dj.config.stores) == ["default", "f", "s"]
    assert dj.config.get_store_spec()["protocol"] == "memory"


def test_override_one_store_and_restore_after_an_error() -> None:
    dj.config.stores["a"] = {"protocol": "memory", "location": "before"}
    with pytest.raises(RuntimeError), dj.config.override(stores__a={"protocol": "memory"}):
        assert dj.config["stores.a"] == {"protocol": "memory"}
        raise RuntimeError
    assert dj.config["stores.a.location"] == "before"


@pytest.mark.parametrize("key", ["safemode", "database__host", "stores__a__b", "bogus"])
def test_override_refuses_other_settings_before_changing_anything(key: str) -> None:
    dj.config.stores["a"] = {"protocol": "memory"}
    with pytest.raises(dj.DataJointError, match="configures stores only"):  # noqa: SIM117
        with dj.config.override(stores={}, **{key: False}):
            pass
    assert dj.config.stores == {"a": {"protocol": "memory"}}
    if key in ("safemode", "database__host"):
        with pytest.raises(NotAStoreSettingError), dj.config.override(**{key: 1}):
            pass


def test_load_reads_a_named_file_as_datajoint_does(project: Project) -> None:
    project.write_config({"stores": {"f": {"protocol": "memory", "location": "file"}}})
    other = project.root / "conf" / "other.json"
    other.parent.mkdir()
    other.write_text(
        json.dumps(
            {
                "database": {"host": "ignored"},
                "stores": {"f": {"protocol": "memory", "location": "loaded"}},
                "stores.g.protocol": "memory",
            }
        )
    )
    dj.config.stores["r"] = {"protocol": "memory"}
    dj.config.load(other)
    assert dj.config.get_store_spec("f")["location"] == "loaded"
    assert sorted(dj.config.store_names()) == ["f", "g", "r"]
    assert dj.config.provenance("f")["location"] == str(other)
    dj.config.stores["f"]["location"] = "code"  # a later runtime setting wins
    assert dj.config.provenance("f") == {**dj.config.provenance("f"), "location": "runtime"}
    assert dj.config.provenance("f")["protocol"] == str(other)


def test_load_of_a_missing_or_broken_file(project: Project) -> None:
    with pytest.raises(FileNotFoundError, match="Config file not found: nope.json") as info:
        dj.config.load("nope.json")
    assert isinstance(info.value, dj.DataJointError)
    broken = project.root / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="broken.json is not valid JSON") as error:
        dj.config.load(broken)
    assert isinstance(error.value, dj.ConfigSourceError)


def test_no_datajoint_json_warns_datajoint_words(project: Project) -> None:
    with pytest.warns(ConfigFileWarning, match=r"^No datajoint.json found. Using defaults"):
        dj.config.store_names()


def test_no_warning_with_a_file_or_when_files_are_ignored(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigFileWarning)
        Config().store_names()  # a Config built in code (the CLI's) stays quiet
        monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", "true")
        dj.config.store_names()
        monkeypatch.delenv("DJ_IGNORE_CONFIG_FILE")
        project.write_config({})
        dj.config.reload()
        dj.config.store_names()


def test_the_warning_is_shown_once_in_a_script(project: Project) -> None:
    result = run_python(
        "import datajoint_storage as dj\n"
        "dj.config.stores['a'] = {'protocol': 'memory'}\n"
        "dj.config.get_store_spec('a'); dj.config.validate()\n",
        cwd=project.root,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("No datajoint.json found") == 1
