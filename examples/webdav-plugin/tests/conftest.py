"""Fixtures: the plugin installed for real into a throwaway directory, and a WebDAV server.

The shared virtual environment is never modified: pip installs the plugin with
``--target`` into a temporary directory, and every check runs in a fresh interpreter
with that directory on ``PYTHONPATH``, exactly as if the plugin were pip-installed.
"""

from __future__ import annotations

import http.client
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PLUGIN_ROOT = Path(__file__).resolve().parents[1]
USERNAME = "alice"
# Random, so finding it in any output can only mean it leaked.
PASSWORD = f"pw-{secrets.token_hex(12)}"
STARTUP_SECONDS = 10.0


@dataclass(frozen=True)
class DavServer:
    """A running WsgiDAV share: its base URL, the directory it serves, one account."""

    url: str
    root: Path
    username: str
    password: str = field(repr=False)  # never in a failure report


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the plugin as ``pip install`` left it (once per session)."""
    work = tmp_path_factory.mktemp("datajoint-storage-webdav-example")
    # Build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout.
    source = work / "source"
    shutil.copytree(
        PLUGIN_ROOT,
        source,
        ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", "tests"),
    )
    site = work / "site"
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-index", "--no-deps", "--no-build-isolation", "--target", str(site), str(source),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        "pip install of the plugin failed (offline builds need setuptools>=77 in this "
        f"environment, from the dev extra):\n{result.stderr[-3000:]}"
    )
    return site


@pytest.fixture(scope="session")
def webdav_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DavServer]:
    """WsgiDAV on 127.0.0.1, a free port, basic auth for one user; stopped at the end."""
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    root = tmp_path_factory.mktemp("dav-share")
    app = WsgiDAVApp(
        {
            "provider_mapping": {"/dav": str(root)},
            "simple_dc": {"user_mapping": {"*": {USERNAME: {"password": PASSWORD}}}},
            "http_authenticator": {
                "accept_basic": True,
                "accept_digest": False,
                "default_to_digest": False,
            },
            "dir_browser": {"enable": False},
            "logging": {"enable": False},
            "verbose": 0,
        }
    )
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
    server.prepare()  # binds port 0: the kernel picks a free port, no race
    thread = threading.Thread(target=server.serve, name="wsgidav", daemon=True)
    thread.start()
    try:
        port = server.bind_addr[1]
        _wait_until_answering(port)
        yield DavServer(f"http://127.0.0.1:{port}/dav", root, USERNAME, PASSWORD)
    finally:
        server.stop()
        thread.join(timeout=10)


def _wait_until_answering(port: int) -> None:
    """Poll with HTTP until the share answers (401 without credentials), within a deadline."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("OPTIONS", "/dav/")
            if connection.getresponse().status in (200, 401):
                return
        except OSError:
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline:
            raise RuntimeError(f"WsgiDAV did not answer on port {port} in {STARTUP_SECONDS}s")
        time.sleep(0.1)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project root: ``.git`` stops the datajoint.json search, ``.secrets/`` is ours."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / ".secrets").mkdir()
    return root
