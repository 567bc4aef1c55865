"""The words DataJoint users match on in their ``except``/``pytest.raises`` (issue 14)."""

from __future__ import annotations

import pytest

import datajoint_storage as dj
from tests.helpers import Project


def test_no_default_store() -> None:
    dj.config["stores"] = {"main": {"protocol": "memory"}}
    with pytest.raises(dj.StoreNotFoundError, match=r"^stores\.default is not configured"):
        dj.config.get_store_spec()
    with pytest.raises(dj.StoreNotFoundError, match=r"^stores\.filepath_default is not configured"):
        dj.config.get_store_spec(None, use_filepath_default=True)


def test_a_store_that_is_not_configured_keeps_our_context_after_the_words() -> None:
    dj.config["stores"] = {"main": {"protocol": "memory"}}
    with pytest.raises(dj.StoreNotFoundError) as info:
        dj.config.get_store_spec("mian")
    text = str(info.value)
    assert text.startswith("Storage 'mian' is requested but not configured in stores")
    assert "configured stores: main" in text and "did you mean 'main'" in text
    assert info.value.store == "mian"


def test_a_default_naming_a_missing_store(project: Project) -> None:
    path = project.write_config({"stores": {"main": {"protocol": "memory"}, "default": "nope"}})
    with pytest.raises(dj.StoreNotFoundError) as info:
        dj.config.get_store_spec()
    text = str(info.value)
    assert text.startswith("Storage 'nope' is requested but not configured in stores")
    assert "stores.default" in text and str(path) in text
    # Reported under the key that is wrong (stores.default), not as a store of that name.
    assert (info.value.store, info.value.key, info.value.source) == (
        None,
        "stores.default",
        str(path),
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "DJ_STORES contains invalid JSON"),
        ('["a", "b"]', "DJ_STORES must be a JSON object"),
    ],
)
def test_a_malformed_dj_stores_is_also_a_value_error(
    monkeypatch: pytest.MonkeyPatch, text: str, words: str
) -> None:
    monkeypatch.setenv("DJ_STORES", text)
    with pytest.raises(ValueError, match=words) as info:
        dj.config.get_store_spec("x")
    assert isinstance(info.value, dj.ConfigSourceError)
    assert info.value.source == "DJ_STORES"
