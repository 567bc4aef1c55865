"""Local servers for the integration tests: started on 127.0.0.1, waited for, stopped.

Every server is a process (or thread) this module started; ``stop`` ends only that one.
Readiness loops are bounded in time, and a server that cannot start raises
:class:`ServerStartError` carrying its own output, so the test fails with the reason.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"

#: Seconds a server may take to become ready (Azurite cold start on a busy 2-core box).
START_TIMEOUT = 60.0


class ServerStartError(RuntimeError):
    """A test server did not come up; the message carries its output."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def http_status(url: str, *, method: str = "GET", data: bytes | None = None) -> int | None:
    """Status of one request to ``url`` (any HTTP answer counts), None when unreachable."""
    request = urllib.request.Request(url, method=method, data=data)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, urllib.error.URLError):
        return None


class ServerProcess:
    """One emulator process; its output goes to a log file so it can never block."""

    def __init__(
        self, name: str, argv: list[str], workdir: Path, env: dict[str, str] | None = None
    ):
        self.name = name
        self.argv = argv
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready: Callable[[], bool], *, timeout: float = START_TIMEOUT) -> None:
        """Start the process; poll ``ready`` until true, the process dies, or time runs out."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            try:
                self.process = subprocess.Popen(
                    self.argv,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    cwd=self.workdir,
                    env=self.env,
                    start_new_session=True,
                )
            except OSError as exc:
                raise ServerStartError(f"{self.name}: cannot run {self.argv[0]!r}: {exc}") from exc
        atexit.register(self.stop)  # also when the session ends without its teardown
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(
                    f"{self.name} exited with status {self.process.returncode} before it was "
                    f"ready.\ncommand: {self.argv}\noutput:\n{self.output()}"
                )
            if ready():
                return
            time.sleep(0.1)
        self.stop()
        raise ServerStartError(
            f"{self.name} was not ready after {timeout:.0f}s.\ncommand: {self.argv}\n"
            f"output:\n{self.output()}"
        )

    def output(self) -> str:
        """What the server printed so far (the last 20,000 characters)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-20000:]
        except OSError:
            return "<no output>"

    def stop(self) -> None:
        """End the process this object started, and only it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class DeadEndpoint:
    """A port that accepts TCP connections and never answers a byte.

    A client connects and then waits for a reply that never comes: only its read
    timeout ends the wait. ``connections`` counts the connections made, that is the
    attempts a client made (each attempt opens a new one, the previous having failed).
    """

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((HOST, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._held: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        return len(self._held)

    def _accept(self) -> None:
        while not self._closed.is_set():  # ends within 0.2 s of close()
            try:
                connection, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)  # held open, never read, never answered

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        for connection in self._held:
            connection.close()
        self._sock.close()


@contextlib.contextmanager
def dead_endpoint() -> Iterator[DeadEndpoint]:
    """A :class:`DeadEndpoint` for the duration of a block."""
    endpoint = DeadEndpoint()
    try:
        yield endpoint
    finally:
        endpoint.close()
