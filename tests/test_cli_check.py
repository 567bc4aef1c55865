"""``datajoint-storage check``: a live, timed round trip that leaves nothing behind.

Stores are real: local directories, fsspec's memory filesystem, and s3 stores aimed at
127.0.0.1 ports where nothing listens, or where a socket accepts and never answers.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fsspec.implementations.memory import MemoryFileSystem

from datajoint_storage.cli.probe import PROBE_PREFIX
from tests._cli_support import assert_no_traceback, free_port, invoke, silent_server
from tests.helpers import Project


def _tree(root: Path) -> list[tuple[str, bytes | None]]:
    """Every path under ``root`` with the content of each file."""
    return sorted(
        (str(p.relative_to(root)), p.read_bytes() if p.is_file() else None) for p in root.rglob("*")
    )


def _s3(port: int, **extra: object) -> dict[str, object]:
    return {
        "protocol": "s3",
        "endpoint": f"http://127.0.0.1:{port}",
        "bucket": "bucket",
        "location": "raw",
        "access_key": "AKIAPROBE",
        "secret_key": "SECRETPROBE",
        **extra,
    }


def test_check_round_trips_a_file_and_a_memory_store_and_reports_the_time(
    project: Project, tmp_path: Path
) -> None:
    existing = tmp_path / "existing"
    (existing / "_hash" / "ab").mkdir(parents=True)
    (existing / "_hash" / "ab" / "blob").write_bytes(b"data")
    before = _tree(existing)
    fresh = tmp_path / "fresh" / "a" / "b"  # none of these directories exists yet
    memory_before = dict(MemoryFileSystem.store), list(MemoryFileSystem.pseudo_dirs)
    project.write_config(
        {
            "stores": {
                "existing": {"protocol": "file", "location": str(existing)},
                "fresh": {"protocol": "file", "location": str(fresh)},
                "mem": {"protocol": "memory", "location": "scratch/area"},
            }
        }
    )

    doc = invoke("--json", "check").json()
    assert doc["exit_code"] == 1, doc  # "fresh" names no directory: DataJoint refuses it too
    rows = {row["store"]: row for row in doc["result"]["stores"]}
    assert set(rows) == {"existing", "fresh", "mem"}
    refused = rows.pop("fresh")
    assert refused["ok"] is False and refused["failed_step"] == "connect"
    assert "Inaccessible local directory" in refused["reason"]
    for row in rows.values():
        assert row["ok"] is True and row["reason"] is None
        assert row["seconds"] > 0
        assert {"write", "read", "delete"} <= set(row["steps"])
        assert sum(row["steps"].values()) <= row["seconds"]
        assert PROBE_PREFIX in row["url"]
    assert rows["existing"]["url"].startswith(f"file://{existing}/")
    assert rows["mem"]["url"].startswith("memory://scratch/area/")

    # nothing behind: the same files, no directory the write had to create, no object
    assert _tree(existing) == before
    assert not (tmp_path / "fresh").exists()
    assert (dict(MemoryFileSystem.store), list(MemoryFileSystem.pseudo_dirs)) == memory_before

    run = invoke("check", "fresh")
    assert run.exit_code == 1  # check never creates the directory
    (line,) = run.stdout.splitlines()
    assert line.startswith("FAIL  fresh  ") and "Inaccessible local directory" in line
    assert not (tmp_path / "fresh").exists()


def test_check_fails_a_file_store_that_cannot_be_written(project: Project, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    project.write_config(
        {
            "stores": {
                "blocked": {"protocol": "file", "location": str(blocker / "sub")},
                "fine": {"protocol": "memory"},
            }
        }
    )
    started = time.monotonic()
    run = invoke("check", "--timeout", "10")
    assert time.monotonic() - started < 10
    assert run.exit_code == 1
    lines = {line.split()[1]: line for line in run.stdout.splitlines()}
    assert lines["fine"].startswith("ok    fine")
    assert lines["blocked"].startswith("FAIL  blocked  ")
    assert "Inaccessible local directory" in lines["blocked"]  # as DataJoint 2.3.5 says
    assert_no_traceback(run)
    assert blocker.read_text() == "not a directory"

    doc = invoke("--json", "check", "blocked").json()
    (row,) = doc["result"]["stores"]
    assert row["ok"] is False and row["failed_step"] == "connect"
    assert "\n" not in row["reason"]


def test_check_reports_configuration_problems_per_store(project: Project) -> None:
    project.write_config({"stores": {"bad": {"protocol": "file"}, "good": {"protocol": "memory"}}})
    doc = invoke("--json", "check").json()
    assert doc["exit_code"] == 1
    rows = {row["store"]: row for row in doc["result"]["stores"]}
    assert rows["good"]["ok"] is True
    assert rows["bad"]["failed_step"] == "configure"
    assert rows["bad"]["reason"].startswith("configure failed: file store is missing: location")

    unknown = invoke("check", "nosuch")
    assert unknown.exit_code == 1
    assert (
        "configure failed: Storage 'nosuch' is requested but not configured in stores"
        in unknown.stdout
    )


def test_check_fails_fast_on_a_closed_port_with_a_one_line_reason(project: Project) -> None:
    project.write_config({"stores": {"closed": _s3(free_port())}})
    started = time.monotonic()
    run = invoke("check", "--timeout", "20")
    elapsed = time.monotonic() - started
    assert run.exit_code == 1
    assert elapsed < 20, elapsed
    (line,) = run.stdout.splitlines()
    assert line.startswith("FAIL  closed  ")
    assert "Could not connect to the endpoint URL" in line, line
    assert "timed out" not in line
    assert_no_traceback(run)

    row = invoke("--json", "check").json()["result"]["stores"][0]
    assert row["ok"] is False and row["protocol"] == "s3"
    assert row["failed_step"] in ("inspect", "write")


def test_check_gives_up_on_a_silent_server_within_the_timeout(project: Project) -> None:
    with silent_server() as port_a, silent_server() as port_b:
        project.write_config({"stores": {"a": _s3(port_a), "b": _s3(port_b)}})
        started = time.monotonic()
        doc = invoke("--json", "check", "--timeout", "2").json()
        elapsed = time.monotonic() - started
    assert doc["exit_code"] == 1
    # both stores probed side by side: one timeout in all, not one per store
    assert elapsed < 2 + 4, elapsed
    for row in doc["result"]["stores"]:
        assert row["ok"] is False
        assert row["reason"].endswith("timed out after 2 s"), row
        assert 1.9 < row["seconds"] < 2 + 4


@pytest.mark.parametrize("timeout", ["0", "-1"])
def test_check_refuses_a_timeout_that_is_not_positive(timeout: str) -> None:
    assert invoke("check", "--timeout", timeout).exit_code == 2


def test_check_with_no_store_configured_succeeds_and_says_so() -> None:
    run = invoke("check")
    assert run.exit_code == 0
    assert run.stdout.strip() == "no stores configured"
    assert json.loads(invoke("--json", "check").stdout)["result"]["stores"] == []


def test_check_leaves_the_process_environment_alone(project: Project, tmp_path: Path) -> None:
    config = project.write_config(
        {"stores": {"m": {"protocol": "memory"}}}, directory=tmp_path / "c"
    )
    before = dict(os.environ)
    assert invoke("--config", str(config), "check").exit_code == 0
    assert dict(os.environ) == before


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """A real S3 API (moto's server) on 127.0.0.1, in a thread this test starts and stops."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.mark.integration
def test_check_round_trips_an_s3_store_and_keeps_its_bucket(
    project: Project, moto_endpoint: str
) -> None:
    import s3fs

    fs = s3fs.S3FileSystem(
        key="AKIAPROBE",
        secret="SECRETPROBE",
        client_kwargs={"endpoint_url": moto_endpoint},
        skip_instance_cache=True,
    )
    fs.mkdir("empty-bucket")
    fs.mkdir("busy-bucket")
    fs.pipe_file("busy-bucket/raw/keep.dat", b"keep")
    project.write_config(
        {
            "stores": {
                "empty": {
                    **_s3(0),
                    "endpoint": moto_endpoint,
                    "bucket": "empty-bucket",
                    "location": "deep/a/b",
                },
                "busy": {**_s3(0), "endpoint": moto_endpoint, "bucket": "busy-bucket"},
            }
        }
    )
    doc = invoke("--json", "check", "--timeout", "60").json()
    assert doc["exit_code"] == 0, doc
    for row in doc["result"]["stores"]:
        assert row["ok"] is True and row["url"].startswith("s3://")

    fs.invalidate_cache()
    assert fs.exists("empty-bucket") and fs.find("empty-bucket") == []
    assert fs.find("busy-bucket") == ["busy-bucket/raw/keep.dat"]
