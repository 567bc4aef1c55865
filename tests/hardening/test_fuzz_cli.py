"""Property tests of ``datajoint-storage``: hostile configuration never gives a traceback.

Without ``--debug`` the command never prints a traceback, exits 0, 1 or 2, and agrees
with the library: 0 exactly when ``problems()`` is empty, 2 when a source cannot be
read at all. ``--json`` always prints one JSON document.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import datajoint_storage as dj
from datajoint_storage.settings import Config

from ._support import FIGURES, FUZZ, as_json_bytes, cli_run, environment, project_dir
from .strategies import (
    datajoint_documents,
    env_text,
    secret_contents,
    secret_file_names,
    store_names,
)


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def library_verdict(root: Path, dj_stores: str | None) -> int:
    """The exit code the library's own answer implies."""
    with environment(DJ_STORES=dj_stores):
        try:
            return 1 if Config(cwd=root).problems() else 0
        except dj.DataJointError:
            return 2


def check_run(args: list[str], env: dict[str, str]) -> Any:
    result = cli_run(*args, env=env)
    assert result.exit_code in (0, 1, 2), (args, result.output)
    if "--debug" not in args:
        assert "Traceback" not in result.output, (args, result.output)
    if "--json" in args:
        document = json.loads(result.stdout)
        assert document["exit_code"] == result.exit_code
    return result


# Skipped secret files warn (the library's own verdict is computed outside the CLI).
pytestmark = pytest.mark.filterwarnings(
    "ignore::datajoint_storage.settings.sources.secrets_dir.SecretsWarning"
)

config_contents = st.one_of(
    datajoint_documents().map(as_json_bytes),
    datajoint_documents().map(as_json_bytes),
    st.binary(max_size=200),
)


@FUZZ
@given(
    content=st.one_of(st.none(), config_contents),
    dj_stores=st.one_of(
        st.none(),
        env_text,
        datajoint_documents().map(
            lambda d: json.dumps(d.get("stores") if isinstance(d, dict) else d)
        ),
    ),
    files=st.dictionaries(secret_file_names, secret_contents, max_size=3),
    as_json=st.booleans(),
)
def test_validate_never_shows_a_traceback(
    content: bytes | None, dj_stores: str | None, files: dict[str, bytes], as_json: bool
) -> None:
    FIGURES["fuzz examples: CLI validate"] += 1
    env = {} if dj_stores is None else {"DJ_STORES": dj_stores}
    with project_dir(config_bytes=content, secrets=files) as root, chdir(root):
        result = check_run(["--json", "validate"] if as_json else ["validate"], env)
        assert result.exit_code == library_verdict(root, dj_stores), result.output


@FUZZ
@given(
    content=config_contents,
    name=store_names.filter(lambda n: "\x00" not in n),
    command=st.sampled_from(
        [
            ["show", "{name}"],
            ["show", "{name}", "--origin"],
            ["--json", "show", "{name}"],
            ["show", "--origin"],
            ["--json", "adapters"],
            ["--debug", "--json", "validate"],
            ["--config", "datajoint.json", "validate"],
            ["--ignore-config-file", "--json", "show"],
            ["stores"],
            ["stores", "--json"],
            ["adapters", "--keys"],
        ]
    ),
)
def test_every_command_keeps_its_exit_codes(content: bytes, name: str, command: list[str]) -> None:
    FIGURES["fuzz examples: CLI commands"] += 1
    # (No ``check``: a fuzzed store would make it write to arbitrary places or hosts.)
    args = [part.replace("{name}", name) for part in command]
    with project_dir(config_bytes=content) as root, chdir(root):
        check_run(args, {})
