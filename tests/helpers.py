"""Helpers for tests: a project directory and a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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

    def write_secret(
        self, store: str, attr: str, value: str | bytes, *, directory: Path | None = None
    ) -> Path:
        secrets = directory or self.root / ".secrets"
        secrets.mkdir(parents=True, exist_ok=True)
        path = secrets / f"stores.{store}.{attr}"
        if isinstance(value, bytes):
            path.write_bytes(value)
        else:
            path.write_text(value, encoding="utf-8")
        return path


def run_python(
    code: str,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    extra_path: list[Path] | None = None,
    timeout: float = 60,
) -> Any:
    """Run ``code`` in a fresh interpreter of this environment; returns CompletedProcess."""
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
