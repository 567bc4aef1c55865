"""``datajoint-storage check`` (the installed console script) against the three emulators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.checks import assert_absent, wrong_account_key
from tests.integration.conftest import Backend
from tests.integration.oauth import TokenServer

pytestmark = pytest.mark.integration

SCRIPT = Path(sys.executable).parent / "datajoint-storage"


@pytest.fixture
def backends(s3_backend: Backend, gcs_backend: Backend, azure_backend: Backend) -> list[Backend]:
    return [s3_backend, gcs_backend, azure_backend]


def _configure(project: Any, backends: list[Backend], secrets: dict[str, dict[str, str]]) -> None:
    stores = {b.protocol: {**b.public, "location": b.location} for b in backends}
    project.write_config({"stores": stores})
    for backend in backends:
        for key, value in secrets[backend.protocol].items():
            project.write_secret(backend.protocol, key, value)


def _check(cwd: Path) -> tuple[int, dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    done = subprocess.run(
        [str(SCRIPT), "--json", "check", "--timeout", "60"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def _everything(backends: list[Backend]) -> dict[str, list[str]]:
    """Every object in each emulator's bucket or container, seen by its own client."""
    return {b.protocol: sorted(b.server.keys("")) for b in backends}


def test_check_round_trips_every_emulator_and_leaves_nothing_behind(
    project: Any, backends: list[Backend]
) -> None:
    _configure(project, backends, {b.protocol: b.secrets for b in backends})
    before = _everything(backends)

    code, doc, output = _check(project.root)

    assert code == 0, output
    rows = {row["store"]: row for row in doc["result"]["stores"]}
    assert sorted(rows) == ["azure", "gcs", "s3"]
    for backend in backends:
        row = rows[backend.protocol]
        assert row["ok"] is True, row
        assert {"write", "read", "delete", "cleanup"} <= set(row["steps"]), row
        assert row["url"].startswith(f"{backend.scheme}://{backend.root}/{backend.location}/")
    assert _everything(backends) == before
    assert_absent([v for b in backends for v in b.secrets.values()], output)


def test_check_reports_wrong_secrets_without_them_and_leaves_nothing_behind(
    project: Any, backends: list[Backend], token_server: TokenServer
) -> None:
    s3, _, azure = backends
    stranger = token_server.service_account("check@dj.iam.gserviceaccount.com", register=False)
    wrong = {
        "s3": {**s3.secrets, "secret_key": f"wrong-{uuid.uuid4().hex}"},
        "gcs": {"token": json.dumps(stranger)},
        "azure": {
            "connection_string": azure.server.connection_string(wrong_account_key())  # type: ignore[attr-defined]
        },
    }
    _configure(project, backends, wrong)
    before = _everything(backends)

    code, doc, output = _check(project.root)

    assert code == 1, output
    for row in doc["result"]["stores"]:
        assert row["ok"] is False and row["failed_step"] in {"inspect", "write"}, row
        assert f"Store '{row['store']}'" in row["reason"], row
    assert _everything(backends) == before
    secrets = [v for s in wrong.values() for v in s.values()] + [stranger["private_key"]]
    assert_absent(secrets, output)
