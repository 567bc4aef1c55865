"""Run the VS Code JSON language service (``language_service.js``) from Python."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers import REPO

SCRIPT = Path(__file__).with_name("language_service.js")
PACKAGE = REPO / "node_modules" / "vscode-json-languageservice" / "package.json"
PINNED = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["devDependencies"][
    "vscode-json-languageservice"
]


def run_language_service(schema: dict[str, Any], documents: list[dict[str, Any]]) -> list[Any]:
    """Diagnostics, completions and hovers for ``documents``, as VS Code computes them.

    Fails (never skips) without Node or the pinned package: CI installs both with
    ``bash scripts/dev.sh test``, and a skipped editor test would prove nothing.
    """
    node = shutil.which("node")
    assert node, "Node.js is needed for the editor tests (the VS Code JSON language service)"
    assert PACKAGE.is_file(), "run `bash scripts/dev.sh env` to install node_modules"
    request = json.dumps({"schema": schema, "documents": documents})
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=request,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["version"] == PINNED, "node_modules is not the pinned language service"
    return answer["results"]
