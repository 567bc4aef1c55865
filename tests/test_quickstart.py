"""The README's main command: the quickstart validates, shows, round-trips and says what next."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO


def run_quickstart(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    copy = tmp_path / "quickstart"
    shutil.copytree(REPO / "examples" / "quickstart", copy, ignore=shutil.ignore_patterns("data"))
    (copy / ".git").mkdir()  # the datajoint.json search stops here, as in a project
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    return subprocess.run(
        [sys.executable, str(copy / "run.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_the_quickstart_round_trips_and_names_the_next_commands(tmp_path: Path) -> None:
    result = run_quickstart(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.rstrip().endswith("quickstart ok")
    assert "main     wrote and read" in out
    assert "scratch  wrote and read" in out
    # the s3 store is validated but not contacted, and the quickstart says why
    assert "archive  validated, not contacted:" in out
    assert "no server runs there" in out
    for command in ("datajoint-storage validate", "show --origin", "datajoint-storage check"):
        assert command in out
    # the data directory DataJoint 2.3.5 insists on exists, and nothing was left in it
    data = tmp_path / "quickstart" / "data" / "main"
    assert data.is_dir()
    assert not [p for p in data.rglob("*") if p.is_file()]


def test_the_quickstart_never_prints_its_secrets(tmp_path: Path) -> None:
    result = run_quickstart(tmp_path)
    secrets = REPO / "examples" / "quickstart" / ".secrets"
    for path in secrets.glob("stores.*"):
        value = path.read_text(encoding="utf-8").strip()
        assert value and value not in result.stdout + result.stderr
    assert "**********" in result.stdout
