"""Fixtures for tests inside the real DataJoint 2.3.5 (``.venv-datajoint``).

``dj_site`` is a directory that holds this package and the example WebDAV plugin as
``pip install`` leaves them (real ``*.dist-info`` with entry points), plus the plugin's
HTTP stack copied from this environment's installed distributions. DataJoint's
interpreter sees it through ``PYTHONPATH``; neither virtual environment is modified.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO

DATAJOINT_PYTHON = REPO / ".venv-datajoint" / "bin" / "python"
PLUGIN = REPO / "examples" / "webdav-plugin"
#: What the plugin needs at run time beyond what DataJoint's environment already has.
PLUGIN_RUNTIME = ("webdav4", "httpx", "httpcore", "h11", "anyio", "idna", "certifi", "click")
if sys.version_info < (3, 11):
    PLUGIN_RUNTIME += ("exceptiongroup",)
_IGNORE = shutil.ignore_patterns(
    ".venv*", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".git", "tests"
)


def _plugin_fixtures() -> Any:
    """The plugin's own test fixtures (its folder name is not an importable package)."""
    spec = importlib.util.spec_from_file_location(
        "webdav_plugin_fixtures", PLUGIN / "tests" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


_fixtures = _plugin_fixtures()
webdav_server = _fixtures.webdav_server  # WsgiDAV on 127.0.0.1, a free port, one account


@pytest.fixture(scope="session")
def dj_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our package and the WebDAV plugin, installed for DataJoint's interpreter (once)."""
    assert DATAJOINT_PYTHON.exists(), "run `bash scripts/dev.sh env` first: no .venv-datajoint"
    work = tmp_path_factory.mktemp("dj-site")
    ours, plugin = work / "datajoint-storage", work / "webdav-plugin"
    shutil.copytree(REPO, ours, ignore=_IGNORE, dirs_exist_ok=False)
    shutil.copytree(PLUGIN, plugin, ignore=_IGNORE)
    site = work / "site"
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-index", "--no-deps", "--no-build-isolation", "--target", str(site),
        str(ours), str(plugin),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"pip install --target failed:\n{result.stderr[-3000:]}"
    for name in PLUGIN_RUNTIME:
        _copy_distribution(name, site)
    return site


def _copy_distribution(name: str, site: Path) -> None:
    """Copy one installed distribution (its files and dist-info) into ``site``."""
    dist = distribution(name)
    base = Path(str(dist.locate_file("")))
    for file in dist.files or ():
        source = base / file
        if ".." in file.parts or not source.is_file():
            continue
        target = site / file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def run_datajoint(
    code: str,
    *,
    site: Path | None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Any:
    """Run ``code`` in DataJoint 2.3.5's interpreter; with ``site``, we are installed."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    base.pop("PYTHONPATH", None)
    if site is not None:
        base["PYTHONPATH"] = str(site)
    base.update(env or {})
    return subprocess.run(
        [str(DATAJOINT_PYTHON), "-c", code],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=timeout,
    )
