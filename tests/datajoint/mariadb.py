"""A throwaway MariaDB server on 127.0.0.1 for the DataJoint pipeline test.

Why MariaDB from Debian: DataJoint 2.3.5 speaks MySQL through PyMySQL, which is one
of its own dependencies (PostgreSQL would need an extra driver in its environment),
and Debian ships the server as ``mariadb-server-core`` (plus ``mariadb-client-core``
for ``my_print_defaults``, which ``mariadb-install-db`` runs). When the binaries are
missing and we are root (CI), they are installed with ``apt-get``.

Each server gets a fresh data directory, a free port, a random password, bounded
waits, and is stopped at the end; if it cannot start, the error carries its log.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = ("mariadb-server-core", "mariadb-client-core")
START_SECONDS = 60.0
STOP_SECONDS = 20.0


@dataclass(frozen=True)
class Database:
    host: str
    port: int
    user: str
    password: str = field(repr=False)  # never in a failure report


def _binaries() -> tuple[str, str] | None:
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/bin")
    install = shutil.which("mariadb-install-db")
    if server and install and shutil.which("my_print_defaults"):
        return server, install
    return None


def ensure_installed() -> tuple[str, str]:
    """The server and installer binaries, installed from Debian's packages if needed."""
    found = _binaries()
    if found:
        return found
    apt = shutil.which("apt-get")
    assert apt, f"MariaDB is not installed and there is no apt-get: install {PACKAGES}"
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    for command in (
        [apt, "update"],
        [apt, "install", "-y", "--no-install-recommends", *PACKAGES],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr[-3000:]}"
    found = _binaries()
    assert found, f"{PACKAGES} installed, but mariadbd / mariadb-install-db are not on PATH"
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _greets(port: int) -> bool:
    """A MySQL server sends its handshake first; reading one byte means it is ready."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.settimeout(2)
            return bool(connection.recv(1))
    except OSError:
        return False


@contextmanager
def mariadb(root: Path) -> Iterator[Database]:
    """Install a data directory under ``root``, start the server, yield how to reach it."""
    server, install = ensure_installed()
    data, log = root / "data", root / "server.log"
    password = secrets.token_hex(16)
    result = subprocess.run(
        [install, "--no-defaults", f"--datadir={data}", "--user=root",
         "--auth-root-authentication-method=normal", "--skip-test-db"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"mariadb-install-db failed:\n{result.stdout[-3000:]}"
    init = root / "init.sql"
    init.write_text(
        f"CREATE USER 'dj'@'127.0.0.1' IDENTIFIED BY '{password}';\n"
        "GRANT ALL PRIVILEGES ON *.* TO 'dj'@'127.0.0.1' WITH GRANT OPTION;\n",
        encoding="utf-8",
    )
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={data}", "--user=root",
             "--bind-address=127.0.0.1", f"--port={port}", f"--socket={root / 'sock'}",
             f"--pid-file={root / 'pid'}", "--skip-name-resolve", f"--init-file={init}",
             "--innodb-buffer-pool-size=32M", "--skip-log-bin"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _greets(port):
            if process.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(errors="replace")[-4000:]
                raise AssertionError(f"MariaDB did not start on 127.0.0.1:{port}:\n{text}")
            time.sleep(0.2)
        yield Database("127.0.0.1", port, "dj", password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_SECONDS)
