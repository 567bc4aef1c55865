"""A throwaway PostgreSQL server on 127.0.0.1 for the DataJoint pipeline test.

Why PostgreSQL from the ``pgserver`` wheel: DataJoint 2.3.5 supports MySQL and
PostgreSQL; Debian ships neither MySQL nor a PostgreSQL that needs no system install,
only MariaDB, which DataJoint 2.3.5 calls "not officially supported" and on which its
JSON columns (``<object@>``, ``<npy@>``, ``<filepath@>`` metadata) fail to insert.
``pgserver`` (a dev dependency, pinned in requirements/dev.txt) carries the server
binaries; the driver is DataJoint's own ``postgres`` extra (psycopg2-binary).

Each server gets a fresh data directory, a free port, a random password, bounded
waits, and is stopped at the end; if it cannot start, the error carries its log.
PostgreSQL refuses to run as root, so as root (CI) it runs as ``nobody``.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

START_SECONDS = 60.0
STOP_SECONDS = 20.0
NOBODY = 65534


@dataclass(frozen=True)
class Database:
    host: str
    port: int
    user: str
    password: str = field(repr=False)  # never in a failure report


def _bin() -> Path:
    """The wheel's binaries, found without importing it (its import touches XDG dirs)."""
    spec = importlib.util.find_spec("pgserver")
    assert spec is not None and spec.origin, "pgserver is not installed: bash scripts/dev.sh env"
    return Path(spec.origin).parent / "pginstall" / "bin"


def _reachable_copy(bin_dir: Path, site: Path) -> Path:
    """The binaries copied where ``nobody`` can run them: the checkout (and its .venv) may
    sit in a directory only root may enter, as a fresh clone in a mkdtemp folder does.
    The wheel's RPATH (``$ORIGIN/../../../pgserver.libs``) is kept by copying the
    package and its ``pgserver.libs`` side by side."""
    package = bin_dir.parent.parent
    for name in (package.name, f"{package.name}.libs"):
        source = package.parent / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.py", "*.pyc")
            shutil.copytree(source, site / name, symlinks=True, ignore=ignore)
    site.chmod(0o755)
    return site / package.name / bin_dir.parent.name / bin_dir.name


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres() -> Iterator[Database]:
    """Initialise a cluster, start the server, yield how to reach it, stop it."""
    bin_dir = _bin()
    root = Path(tempfile.mkdtemp(prefix="dj-e2e-pg-"))  # /tmp: reachable by nobody
    try:
        if os.geteuid() == 0:
            os.chown(root, NOBODY, NOBODY)
            bin_dir = _reachable_copy(bin_dir, root / "site")
        password = secrets.token_hex(16)
        pwfile = root / "pw"
        pwfile.write_text(password, encoding="utf-8")
        if os.geteuid() == 0:
            os.chown(pwfile, NOBODY, NOBODY)
        data, log = root / "data", root / "server.log"
        initdb = _as_server_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "dj", f"--pwfile={pwfile}",
             "--auth=scram-sha-256", "-E", "UTF8", "--no-instructions"]
        )  # fmt: skip
        result = subprocess.run(initdb, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"initdb failed:\n{result.stdout[-2000:]}{result.stderr}"
        pwfile.unlink()
        port = _free_port()
        server = _as_server_user(
            [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
             "-h", "127.0.0.1", "-k", str(root), "-c", "fsync=off"]
        )  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(server, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_ready(bin_dir, port, process, log)
            yield Database("127.0.0.1", port, "dj", password)
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_SECONDS)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(bin_dir: Path, port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    ready = [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-t", "2"]
    while subprocess.run(ready, capture_output=True, timeout=10).returncode != 0:
        if process.poll() is not None or time.monotonic() > deadline:
            text = log.read_text(errors="replace")[-4000:]
            raise AssertionError(f"PostgreSQL did not start on 127.0.0.1:{port}:\n{text}")
        time.sleep(0.2)
