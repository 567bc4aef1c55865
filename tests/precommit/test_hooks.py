"""Our pre-commit hooks, run by the real ``pre-commit`` against this repository.

Each test makes a throwaway git project and runs ``pre-commit try-repo`` on this
checkout, as a user trying the hooks would: pre-commit clones the repository, builds
the hook's own virtual environment from it (``pip install .``) and runs the entry on
the project's ``datajoint.json`` files. ``PRE_COMMIT_HOME`` is private to the test
session, so the environment is built once, from the code under test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
SECRET = "canary-secret-value-77d1"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def source_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as committed plus the working tree's changes, as one commit.

    ``try-repo`` would do the same with uncommitted changes; doing it here keeps the
    clone small (no ``.venv``, no ``node_modules``) and the test independent of state.
    """
    copy = tmp_path_factory.mktemp("repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "snapshot")
    return copy


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def project(tmp_path: Path, document: object, secrets: dict[str, str] | None = None) -> Path:
    root = tmp_path / "lab"
    (root / "pipeline").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "pipeline" / "datajoint.json").write_text(json.dumps(document), encoding="utf-8")
    for name, value in (secrets or {}).items():
        (root / "pipeline" / ".secrets").mkdir(exist_ok=True)
        (root / "pipeline" / ".secrets" / name).write_text(value, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "pipeline/datajoint.json")
    return root


def try_repo(root: Path, source: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(source), hook, "--all-files", "--verbose"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def file_store(root_hint: str = "../data") -> dict[str, object]:
    return {"stores": {"default": "main", "main": {"protocol": "file", "location": root_hint}}}


def s3_store(**keys: str) -> dict[str, object]:
    """A document with one s3 store ``raw``: endpoint and location, plus ``keys``."""
    store = {"protocol": "s3", "endpoint": "s3.amazonaws.com", "location": "raw", **keys}
    return {"stores": {"raw": store}}


def test_a_valid_file_passes_both_hooks(tmp_path: Path, source_repo: Path, home: Path) -> None:
    root = project(tmp_path, file_store(str(tmp_path / "lab" / "data")))
    for hook in ("datajoint-storage-validate", "datajoint-storage-schema"):
        result = try_repo(root, source_repo, home, hook)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Passed" in result.stdout


def test_a_misspelt_key_fails_with_our_message(
    tmp_path: Path, source_repo: Path, home: Path
) -> None:
    root = project(tmp_path, s3_store(bukcet="acq"))
    result = try_repo(root, source_repo, home, "datajoint-storage-validate")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Invalid key(s) for s3: bukcet" in result.stdout
    assert "pipeline/datajoint.json" in result.stdout
    schema = try_repo(root, source_repo, home, "datajoint-storage-schema")
    assert schema.returncode == 1, schema.stdout + schema.stderr
    assert "bukcet" in schema.stdout


def test_a_secret_written_into_the_file_fails_and_is_not_echoed(
    tmp_path: Path, source_repo: Path, home: Path
) -> None:
    document = s3_store(bucket="acq", access_key="AKIA-not-secret-id", secret_key=SECRET)
    root = project(tmp_path, document)
    result = try_repo(root, source_repo, home, "datajoint-storage-validate")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "secret_key" in result.stdout
    assert ".secrets/stores.raw.secret_key" in result.stdout
    assert SECRET not in result.stdout + result.stderr
