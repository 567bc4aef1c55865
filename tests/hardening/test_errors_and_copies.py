"""Errors survive pickle with their attributes and without secrets; returned values
never alias cached state."""

from __future__ import annotations

import inspect
import json
import multiprocessing
import pickle
from typing import Any

import pytest

import datajoint_storage as dj
import datajoint_storage.errors as errors
from datajoint_storage.settings import Config
from tests.helpers import Project

from ._support import attack, environment

CANARY = "CANARY-pickle-9d2c-secret"

#: Keyword arguments that each error class accepts (the rest take them from its signature).
_KWARGS = {"store": "s", "key": "k", "source": "src", "name": "plug", "distribution": "dist"}


def _instances() -> list[BaseException]:
    out: list[BaseException] = []
    for _, cls in inspect.getmembers(errors, inspect.isclass):
        if not issubclass(cls, dj.DataJointError) or cls.__module__ != errors.__name__:
            continue
        if cls is errors.ValidationReport:
            out.append(cls([errors.InvalidValueError("bad", store="s", key="k", source="x")]))
            continue
        try:
            params = inspect.signature(cls.__init__).parameters
        except ValueError:  # a built-in __init__: message only
            params = {}
        out.append(cls("a message", **{k: v for k, v in _KWARGS.items() if k in params}))
    return out


def _state(error: BaseException) -> Any:
    problems = getattr(error, "problems", None)
    if problems is not None:
        return [(type(p), str(p), p.__dict__) for p in problems]
    return error.__dict__


@pytest.mark.parametrize("error", _instances(), ids=lambda e: type(e).__name__)
def test_every_error_survives_pickle_with_its_attributes(error: BaseException) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(error, protocol))
        held = type(back) is type(error) and str(back) == str(error)
        held = held and _state(back) == _state(error)
        attack("errors survive pickle", held, f"{type(error).__name__} protocol {protocol}")
        assert held


def _raise_backend_error(_: object) -> None:
    from datajoint_storage.backend_errors import BackendGuard

    guard = BackendGuard("s", "s3", [CANARY])
    raise guard.error(RuntimeError(f"denied for {CANARY}"), "ls('x') failed")


def test_a_backend_error_crosses_a_process_boundary_without_its_secret() -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        try:
            pool.map(_raise_backend_error, [None])
        except dj.StorageBackendError as exc:
            text = f"{exc} {exc!r} {pickle.dumps(exc)!r}"
            held = exc.store == "s" and CANARY not in text and "ls(" in text
        else:
            held = False
    attack("errors survive pickle", held, "multiprocessing")
    assert held


STORE = {"protocol": "memory", "location": "x", "subfolding": [2, 2]}


def _reads(config: Config) -> dict[str, Any]:
    return {
        "get_store_spec": lambda: config.get_store_spec("m"),
        "get_store_spec redact": lambda: config.get_store_spec("m", redact=True),
        "raw_store": lambda: config.raw_store("m")["value"],
        "provenance": lambda: config.provenance("m"),
        "resolve().plain()": lambda: config.resolve("m").plain(),
        "resolve().redacted()": lambda: config.resolve("m").redacted(),
    }


@pytest.mark.parametrize("source", ["runtime", "DJ_STORES", "datajoint.json"])
def test_mutating_what_is_returned_changes_nothing(project: Project, source: str) -> None:
    if source == "datajoint.json":
        project.write_config({"stores": {"m": STORE}})
    with environment(DJ_STORES=json.dumps({"m": STORE}) if source == "DJ_STORES" else None):
        config = Config(cwd=project.root)
        if source == "runtime":
            config["stores"] = {"m": STORE}
        for name, read in _reads(config).items():
            before = json.dumps(read(), sort_keys=True, default=str)
            value = read()
            for item in value.values():
                if isinstance(item, list):
                    item.append(99)
            value["injected"] = 1
            after = json.dumps(read(), sort_keys=True, default=str)
            held = before == after
            attack("returned values never alias", held, f"{source}: {name}")
            assert held, name
