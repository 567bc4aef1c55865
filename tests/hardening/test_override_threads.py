"""``override()`` undoes only its own changes: another thread's writes made during the
block survive its end (with real threads, both orders of exit)."""

from __future__ import annotations

import threading

import pytest

from datajoint_storage.settings import Config
from tests.helpers import Project

from ._support import attack

MEM = {"protocol": "memory", "location": "x"}


def _store(location: str) -> dict[str, str]:
    return {**MEM, "location": location}


@pytest.mark.parametrize("block", [False, True], ids=["stores__name", "stores="])
@pytest.mark.parametrize("round_", range(10))
def test_another_threads_write_during_an_override_survives_it(
    project: Project, block: bool, round_: int
) -> None:
    config = Config(cwd=project.root)
    config["stores"]["kept"] = _store("kept")
    inside, written = threading.Event(), threading.Event()

    def overrider() -> None:
        kwargs = {"stores": {"tmp": _store("tmp")}} if block else {"stores__tmp": _store("tmp")}
        with config.override(**kwargs):
            inside.set()
            written.wait(5)

    def writer() -> None:
        inside.wait(5)
        config["stores"][f"other{round_}"] = _store("other")
        config["stores"]["kept"] = _store("rewritten")
        written.set()

    threads = [threading.Thread(target=overrider), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    names = config.store_names()
    held = f"other{round_}" in names and "tmp" not in names
    held = held and config.get_store_spec("kept")["location"] == "rewritten"
    attack("override keeps other threads' writes", held, f"block={block}: {names}")
    assert held, names


def test_an_override_still_restores_what_it_changed(project: Project) -> None:
    config = Config(cwd=project.root)
    config["stores"]["a"] = _store("before")
    with config.override(stores__a=_store("during"), stores__b=_store("b")):
        assert config.get_store_spec("a")["location"] == "during"
        with config.override(stores__a=_store("inner")):
            assert config.get_store_spec("a")["location"] == "inner"
        assert config.get_store_spec("a")["location"] == "during"
    held = config.get_store_spec("a")["location"] == "before" and config.store_names() == ["a"]
    attack("override keeps other threads' writes", held, "own changes undone")
    assert held
    with config.override(stores={"z": _store("z")}):
        assert config.store_names() == ["z"]
    assert config.store_names() == ["a"]
