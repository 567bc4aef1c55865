"""Fixtures shared by every test: a clean environment, a project directory, fresh state."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import datajoint_storage.settings as settings_module
from datajoint_storage import registry, store
from datajoint_storage.settings import config as config_module

REPO = Path(__file__).resolve().parent.parent


class Project:
    """A temporary project root (with a ``.git`` marker so the search stops here)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / ".git").mkdir(exist_ok=True)

    def write_config(self, document: Any, *, directory: Path | None = None) -> Path:
        path = (directory or self.root) / "datajoint.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = document if isinstance(document, str) else json.dumps(document)
        path.write_text(text, encoding="utf-8")
        return path

    def write_secret(self, store: str, attr: str, value: str | bytes, *, directory: Path | None = None) -> Path:
        secrets = directory or self.root / ".secrets"
        secrets.mkdir(parents=True, exist_ok=True)
        path = secrets / f"stores.{store}.{attr}"
        if isinstance(value, bytes):
            path.write_bytes(value)
        else:
            path.write_text(value, encoding="utf-8")
        return path


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
    )
    yield
    registry._adapters.clear()
    registry._adapters.update(saved[0])
    registry._runtime.clear()
    registry._runtime.update(saved[1])
    registry._pending = saved[2]
    registry._failures.clear()
    registry._failures.update(saved[3])


def run_python(code: str, *, env: dict[str, str] | None = None, cwd: Path | None = None,
               extra_path: list[Path] | None = None, timeout: float = 60) -> Any:
    """Run ``code`` in a fresh interpreter of this environment; returns CompletedProcess."""
    import subprocess

    base = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    if extra_path:
        base["PYTHONPATH"] = os.pathsep.join(str(p) for p in extra_path)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=timeout,
    )
