"""No secret reaches the CLI's output: every command, text and ``--json``, with and
without ``--debug``, on success and on every error path.

Canary values sit in each file-or-environment source (``datajoint.json``,
``DJ_STORES``, ``.secrets/``) and in the errors of a plugin whose filesystem quotes its
own token (text we did not write, scrubbed by the reporters).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fsspec.implementations.memory import MemoryFileSystem

import datajoint_storage as dj
from datajoint_storage import registry
from tests._cli_support import Run, free_port, invoke
from tests.helpers import Project

CANARIES = {
    "json_access": "AKIA-CANARY-JSON-0001",
    "json_secret": "canary/json+secret=0002",
    "json_half": "AKIA-CANARY-HALF-0003",
    "env_access": "AKIA-CANARY-ENV-0004",
    "env_secret": "canary-env-secret-0005",
    "env_token": "canary-env-token-0006",
    "file_access": "AKIA-CANARY-FILE-0007",
    "file_secret": "canary-secrets-dir-0008",
    "file_stray": "canary-stray-secret-0009",
    "file_orphan": "canary-orphan-secret-0010",
    "plugin_token": "canary-plugin-token-0011",
}


def assert_clean(run: Run) -> None:
    for name, value in CANARIES.items():
        assert value not in run.output, f"{name} leaked:\n{run.output}"


class LeakyFileSystem(MemoryFileSystem):
    """A real in-memory filesystem whose write error quotes the credential it was given."""

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token

    def pipe_file(self, path: str, value: bytes, **kwargs: Any) -> None:
        raise PermissionError(f"token {self.token} may not write {path}")


class LeakyAdapter(dj.StorageAdapter):
    protocol = "leaky"
    required_keys = ("token",)
    allowed_keys = ("token",)

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        return LeakyFileSystem(spec["token"], skip_instance_cache=True)


def _s3(port: int, **creds: str) -> dict[str, Any]:
    endpoint = f"http://127.0.0.1:{port}"
    return {"protocol": "s3", "endpoint": endpoint, "bucket": "b", "location": "l", **creds}


@pytest.fixture(params=["datajoint.json", "DJ_STORES"])
def canaries(
    request: pytest.FixtureRequest, project: Project, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """A project whose stores carry every canary; yields the store names."""
    saved = registry._adapters.get("leaky")
    dj.register_adapter(LeakyAdapter, clobber=True)
    port = free_port()  # nothing listens: check fails fast
    c = CANARIES
    file_stores = {
        "s3json": _s3(port, access_key=c["json_access"], secret_key=c["json_secret"]),
        "halfs3": _s3(port, access_key=c["json_half"]),  # invalid: one credential
        "leak": {"protocol": "leaky", "token": c["plugin_token"]},
        "s3files": _s3(port),
        "mem": {"protocol": "memory"},
    }
    project.write_config({"stores": file_stores})
    if request.param == "DJ_STORES":
        env_stores = {
            "s3env": _s3(port, access_key=c["env_access"], secret_key=c["env_secret"]),
            "memtoken": {"protocol": "memory", "token": c["env_token"]},  # invalid key
            "leak": {"protocol": "leaky", "token": c["plugin_token"]},
            "s3files": _s3(port),
            "mem": {"protocol": "memory"},
        }
        monkeypatch.setenv("DJ_STORES", json.dumps(env_stores))
    project.write_secret("s3files", "access_key", c["file_access"] + "\n")
    project.write_secret("s3files", "secret_key", c["file_secret"])
    project.write_secret("mem", "bucket", c["file_stray"])  # a key memory does not take
    project.write_secret("orphan", "password", c["file_orphan"])  # a store with no protocol
    (project.root / "sub").mkdir()
    yield [*(env_stores if request.param == "DJ_STORES" else file_stores), "orphan"]
    registry.unregister_adapter("leaky")
    if saved is not None:
        registry._adapters["leaky"] = saved


COMMANDS = [
    ["validate"],
    ["show"],
    ["show", "--origin"],
    ["check", "--timeout", "20"],
    ["adapters"],
    ["schema"],
    ["init", "sub"],
]
MODES = [[], ["--json"], ["--debug"], ["--json", "--debug"]]


@pytest.mark.parametrize("mode", MODES, ids=["text", "json", "debug", "json-debug"])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_no_command_prints_a_secret(
    canaries: list[str], command: list[str], mode: list[str]
) -> None:
    run = invoke(*mode, *command)
    assert_clean(run)
    if "--json" in mode:
        run.json()  # still one JSON document
    if command[0] in ("validate", "show", "check"):
        assert run.exit_code == 1  # the invalid stores are reported, not hidden


@pytest.mark.parametrize("mode", MODES, ids=["text", "json", "debug", "json-debug"])
def test_each_store_shown_alone_prints_no_secret(canaries: list[str], mode: list[str]) -> None:
    for store in canaries:
        assert_clean(invoke(*mode, "show", store, "--origin"))


@pytest.mark.parametrize("mode", MODES[3:], ids=["json-debug"])
def test_each_store_checked_alone_prints_no_secret(canaries: list[str], mode: list[str]) -> None:
    # --debug is the most talkative mode: reasons and tracebacks of the backend's errors
    for store in canaries:
        assert_clean(invoke(*mode, "check", store, "--timeout", "20"))


@pytest.mark.parametrize("mode", MODES, ids=["text", "json", "debug", "json-debug"])
def test_a_plugin_error_quoting_its_token_is_scrubbed(canaries: list[str], mode: list[str]) -> None:
    run = invoke(*mode, "check", "leak")
    assert run.exit_code == 1
    assert_clean(run)
    assert "token ********** may not write" in run.output
    if "--debug" in mode:
        assert "PermissionError" in run.output and "Traceback" in run.output


@pytest.mark.parametrize("mode", MODES, ids=["text", "json", "debug", "json-debug"])
def test_an_unexpected_error_quoting_a_secret_is_scrubbed(
    canaries: list[str], mode: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError(f"plugin table broke near {CANARIES['file_secret']}")

    monkeypatch.setattr(registry, "describe_adapters", broken)
    run = invoke(*mode, "adapters")
    assert run.exit_code == 1
    assert_clean(run)
    assert "plugin table broke near **********" in run.output


@pytest.mark.parametrize("mode", MODES, ids=["text", "json", "debug", "json-debug"])
@pytest.mark.parametrize("command", [["validate"], ["show", "--origin"], ["check"]])
def test_unreadable_sources_holding_secrets_are_reported_without_them(
    project: Project, monkeypatch: pytest.MonkeyPatch, command: list[str], mode: list[str]
) -> None:
    truncated = json.dumps({"s3": _s3(9, secret_key=CANARIES["env_secret"])})[:-3]
    monkeypatch.setenv("DJ_STORES", truncated)
    run = invoke(*mode, *command)
    assert run.exit_code == 2
    assert "DJ_STORES contains invalid JSON" in run.output
    assert_clean(run)

    monkeypatch.delenv("DJ_STORES")
    project.write_config('{"stores": {"s3": {"secret_key": "' + CANARIES["json_secret"] + '",}}}')
    run = invoke(*mode, *command)
    assert run.exit_code == 2
    assert "is not valid JSON" in run.output
    assert_clean(run)
