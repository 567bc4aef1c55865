"""Running the ``datajoint-storage`` command in tests: in-process and as the console script."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from datajoint_storage.cli import cli

#: The console script pip installed for this environment (pyproject's [project.scripts]).
SCRIPT = Path(sys.executable).parent / "datajoint-storage"


@dataclass
class Run:
    """What one run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        """The single JSON document ``--json`` prints on stdout."""
        return json.loads(self.stdout)


def invoke(
    *args: str, env: dict[str, str] | None = None, color: bool = False, input: str | None = None
) -> Run:
    """Run the command in this process (exceptions escaping the boundary fail the test)."""
    result = CliRunner(catch_exceptions=False).invoke(
        cli, list(args), env=env, color=color, input=input
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def run_script(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    extra_path: list[Path] | None = None,
    timeout: float = 60,
    stdin: str | None = None,
) -> Run:
    """Run the installed console script in a fresh process."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    base.pop("NO_COLOR", None)
    if extra_path:
        base["PYTHONPATH"] = os.pathsep.join(str(p) for p in extra_path)
    base.update(env or {})
    done = subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=timeout,
        input=stdin,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output
    assert 'File "' not in run.output, run.output


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel's backlog) and never answers.

    Closing the socket resets the waiting connections, so clients blocked on it end.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])
    finally:
        sock.close()
