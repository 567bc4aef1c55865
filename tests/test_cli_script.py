"""The installed console script, in a fresh process: exit codes, JSON, plugins, colour."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests._cli_support import SCRIPT, assert_no_traceback, run_script
from tests.helpers import Project
from tests.plugin_dist import make_distribution

ANSI = "\x1b["

PLUGIN = """
import datajoint_storage as dj

class LabAdapter(dj.StorageAdapter):
    protocol = "lab"
    required_keys = ("volume",)
    allowed_keys = ("volume",)

    def create_filesystem(self, spec):
        from fsspec.implementations.memory import MemoryFileSystem
        return MemoryFileSystem()
"""


def _plugins(root: Path) -> Path:
    """One working plugin (``lab``) and one that fails on import (``broken``)."""
    make_distribution(
        root,
        "dj-lab-storage",
        entry_points={"lab": "dj_lab_storage:LabAdapter"},
        modules={"dj_lab_storage": PLUGIN},
        version="2.5.0",
    )
    return make_distribution(
        root,
        "dj-broken-storage",
        entry_points={"broken": "dj_broken_storage:Adapter"},
        modules={"dj_broken_storage": "raise ImportError('needs labsdk, which is missing')\n"},
    )


def test_the_console_script_is_installed() -> None:
    assert SCRIPT.is_file() and os.access(SCRIPT, os.X_OK)


def test_exit_codes_of_the_real_script(project: Project) -> None:
    path = project.write_config({"stores": {"main": {"protocol": "memory"}}})
    assert run_script("validate", cwd=project.root).exit_code == 0

    path.write_text(json.dumps({"stores": {"main": {"protocol": "file"}}}))
    invalid = run_script("validate", cwd=project.root)
    assert invalid.exit_code == 1
    assert "main.location: file store is missing: location" in invalid.stdout

    broken = run_script("validate", cwd=project.root, env={"DJ_STORES": "[1"})
    assert broken.exit_code == 2
    assert broken.stderr.startswith("Error: DJ_STORES contains invalid JSON")
    assert_no_traceback(broken)

    usage = run_script("frobnicate", cwd=project.root)
    assert usage.exit_code == 2
    assert "Usage: datajoint-storage" in usage.stderr

    doc = json.loads(run_script("--json", "validate", cwd=project.root).stdout)
    assert doc["exit_code"] == 1 and doc["result"]["problems"][0]["store"] == "main"


def test_python_dash_m_runs_the_same_command(project: Project) -> None:
    project.write_config({"stores": {"main": {"protocol": "file"}}})
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    done = subprocess.run(
        [sys.executable, "-m", "datajoint_storage", "--json", "validate"],
        capture_output=True,
        text=True,
        cwd=project.root,
        env=base,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["result"]["problems"][0]["store"] == "main"
    usage = subprocess.run(
        [sys.executable, "-m", "datajoint_storage", "--help"],
        capture_output=True,
        text=True,
        cwd=project.root,
        env=base,
        timeout=60,
    )
    assert usage.returncode == 0 and "Usage: datajoint-storage" in usage.stdout


def test_check_in_a_fresh_process_leaves_nothing_behind(project: Project, tmp_path: Path) -> None:
    location = tmp_path / "store" / "nested"
    location.mkdir(parents=True)  # DataJoint 2.3.5 refuses a file store without it
    project.write_config({"stores": {"main": {"protocol": "file", "location": str(location)}}})
    started = time.monotonic()
    run = run_script("--json", "check", cwd=project.root)
    doc = json.loads(run.stdout)
    assert doc["exit_code"] == run.exit_code == 0, run.output
    assert doc["result"]["stores"][0]["seconds"] < time.monotonic() - started
    assert list(location.iterdir()) == []


def test_installed_plugins_in_adapters_and_schema_and_failures_as_warnings(
    project: Project, tmp_path: Path
) -> None:
    site = _plugins(tmp_path / "site")
    adapters = run_script("--json", "adapters", cwd=project.root, extra_path=[site])
    doc = json.loads(adapters.stdout)
    assert doc["exit_code"] == adapters.exit_code == 0
    lab = next(a for a in doc["result"]["adapters"] if a["protocol"] == "lab")
    assert (lab["distribution"], lab["version"], lab["required_keys"]) == (
        "dj-lab-storage",
        "2.5.0",
        ["volume"],
    )
    (failed,) = doc["result"]["failed"]
    assert failed["name"] == "broken" and failed["distribution"] == "dj-broken-storage"
    assert "needs labsdk, which is missing" in failed["reason"]
    assert adapters.stderr == ""  # the warning is in the document, not printed by Python

    text = run_script("adapters", cwd=project.root, extra_path=[site])
    assert "lab  (dj-lab-storage 2.5.0)" in text.stdout
    assert "broken  (failed to load)" in text.stdout
    warning_lines = [line for line in text.stderr.splitlines() if line]
    assert len(warning_lines) == 1 and warning_lines[0].startswith(
        "Warning: Failed to load storage adapter 'broken'"
    )
    assert_no_traceback(text)

    schema = json.loads(run_script("schema", cwd=project.root, extra_path=[site]).stdout)
    assert "lab" in json.dumps(schema["patternProperties"])


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Stdout of the script when stdout is a terminal (a pseudo-terminal here)."""
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    full_env.pop("NO_COLOR", None)
    full_env.update(env)
    process = subprocess.Popen(
        [str(SCRIPT), *args], stdout=slave, stderr=subprocess.DEVNULL, cwd=cwd, env=full_env
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        process.wait(timeout=30)
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal(project: Project) -> None:
    project.write_config({"stores": {"main": {"protocol": "memory"}}})
    piped = run_script("validate", cwd=project.root)
    assert piped.stdout.startswith("valid") and ANSI not in piped.output

    terminal = _on_a_terminal(["validate"], project.root, {})
    assert ANSI in terminal and "valid" in terminal

    no_color = _on_a_terminal(["validate"], project.root, {"NO_COLOR": "1"})
    assert "valid" in no_color and ANSI not in no_color

    as_json = _on_a_terminal(["--json", "validate"], project.root, {})
    assert ANSI not in as_json and json.loads(as_json)["ok"] is True
