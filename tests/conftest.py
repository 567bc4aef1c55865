"""Fixtures shared by every test: a clean environment, a project directory, fresh state."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import datajoint_storage.settings as settings_module
from datajoint_storage import registry, store
from datajoint_storage.settings import config as config_module
from tests.helpers import Project, run_python

__all__ = ["Project", "run_python"]


@pytest.fixture(autouse=True)
def clean_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No DJ_* variable, no stray datajoint.json, no system secrets, fresh singletons."""
    for name in list(os.environ):
        if name.startswith("DJ_"):
            monkeypatch.delenv(name)
    workdir = tmp_path / "project"
    workdir.mkdir()
    (workdir / ".git").mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(config_module, "SYSTEM_SECRETS_DIR", tmp_path / "no-system-secrets")
    monkeypatch.setattr(settings_module, "_config", None)
    store._stores.clear()
    yield
    settings_module._config = None
    store._stores.clear()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The working directory of the test, as a project root."""
    return Project(tmp_path / "project")


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """Registry state restored after the test (for tests that register or discover)."""
    saved = (
        dict(registry._adapters),
        set(registry._runtime),
        None if registry._pending is None else list(registry._pending),
        dict(registry._failures),
        None if registry._datajoint is None else dict(registry._datajoint),
    )
    yield
    registry._adapters.clear()
    registry._adapters.update(saved[0])
    registry._runtime.clear()
    registry._runtime.update(saved[1])
    registry._pending = saved[2]
    registry._failures.clear()
    registry._failures.update(saved[3])
    registry._datajoint = saved[4]
