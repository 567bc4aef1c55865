"""``dj.config`` idioms run side by side on DataJoint 2.3.5 and on us (issue 14).

The same script (``config_idioms.py``) runs in ``.venv-datajoint`` with ``import
datajoint`` and here with ``import datajoint_storage``, from the same project (a
``datajoint.json``, secret files, a second file to ``load``). Every idiom must give the
same answer; errors must start with DataJoint's words and be of DataJoint's type.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, Project

UPSTREAM = REPO / ".venv-datajoint" / "bin" / "python"
SCRIPT = Path(__file__).with_name("config_idioms.py")

#: Idioms whose error may carry our context (store, source, hints) after DataJoint's words.
ERRORS_WITH_CONTEXT = {
    "no default",
    "no filepath_default",
    "not configured",
    "default not configured",
    "load missing",
}


def _project(project: Project) -> Path:
    project.write_config(
        {
            "stores": {
                "main": {
                    "protocol": "s3",
                    "endpoint": "s3.amazonaws.com",
                    "bucket": "b",
                    "location": "data",
                    "access_key": "AK",
                },
                "raw": {"protocol": "file", "location": "/raw"},
            }
        }
    )
    project.write_secret("main", "secret_key", "SK-canary\n")
    project.write_secret("vault", "token", "vault-token\n")
    other = {"stores": {"loaded": {"protocol": "file", "location": "/loaded"}}}
    (project.root / "other.json").write_text(json.dumps(other), encoding="utf-8")
    return project.root


def _run(python: Path | str, module: str, cwd: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    result = subprocess.run(
        [str(python), str(SCRIPT), module],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # DataJoint logs "Loading configuration from ..." to stdout; the JSON is the last line.
    answers: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answers


@pytest.mark.skipif(not UPSTREAM.exists(), reason="needs .venv-datajoint (scripts/dev.sh env)")
def test_every_idiom_answers_as_in_datajoint(project: Project) -> None:
    root = _project(project)
    upstream = _run(UPSTREAM, "datajoint", root)
    ours = _run(sys.executable, "datajoint_storage", root)
    assert sorted(ours) == sorted(upstream)
    for idiom, expected in upstream.items():
        got = ours[idiom]
        if isinstance(expected, dict) and "error" in expected and idiom != "missing key":
            assert isinstance(got, dict) and "error" in got, idiom
            assert set(expected["error"]) <= set(got["error"]), idiom  # also DataJoint's type
            words = expected["message"].split(". ")[0]
            assert got["message"].startswith(words), idiom
            if idiom not in ERRORS_WITH_CONTEXT:
                assert got["message"] == expected["message"], idiom
        elif idiom == "missing key":
            assert "KeyError" in expected["error"] and "KeyError" in got["error"]
            assert "DataJointError" in got["error"]
        else:
            assert got == expected, idiom


def test_the_idioms_never_print_a_secret(project: Project) -> None:
    root = _project(project)
    code = (
        "import warnings, logging, io\n"
        "warnings.simplefilter('ignore')\n"
        "import datajoint_storage as dj\n"
        "stream = io.StringIO()\n"
        "logging.basicConfig(stream=stream, level=logging.DEBUG)\n"
        "s = dj.config.stores\n"
        "logging.info('stores %s %r', s, s['main'])\n"
        "print(repr(dj.config), s, dict(s), s.copy(), list(s.items()), s['main'],\n"
        "      dict(s['main']), list(s['main'].items()), dj.config['stores.main'],\n"
        "      repr(s['main']['secret_key']), s['vault'], stream.getvalue())\n"
        "print(s['main']['secret_key'] == 'SK-canary', s['vault']['token'] == 'vault-token')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "SK-canary" not in result.stdout and "vault-token" not in result.stdout
    assert "**********" in result.stdout
    assert result.stdout.splitlines()[-1] == "True True"
