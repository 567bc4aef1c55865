"""A rotated credential gets a new filesystem that uses it; nothing hands back the old one."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

import datajoint_storage as dj
from tests.integration.checks import assert_backend_failure, wrong_account_key
from tests.integration.conftest import Backend
from tests.integration.oauth import TokenServer

pytestmark = pytest.mark.integration


def _rotating(backend: Backend, token_server: TokenServer) -> tuple[str, str, str]:
    """The secret key that rotates, its working value, and a value the backend refuses."""
    if backend.protocol == "s3":
        return "secret_key", backend.secrets["secret_key"], f"wrong-{uuid.uuid4().hex}"
    if backend.protocol == "gcs":
        stranger = token_server.service_account(
            "rotated@dj.iam.gserviceaccount.com", register=False
        )
        return "token", backend.secrets["token"], json.dumps(stranger)
    server: Any = backend.server
    wrong = server.connection_string(wrong_account_key())
    return "connection_string", backend.secrets["connection_string"], wrong


def _not_in_fsspec_cache(fs: Any) -> bool:
    """fsspec keeps instances per class; ours must never be there to be handed back."""
    return all(cached is not fs for cached in type(fs)._cache.values())


def test_rotating_a_secret_file_and_reloading_gives_a_new_filesystem(
    backend: Backend, token_server: TokenServer, project: Any
) -> None:
    key, right, wrong = _rotating(backend, token_server)
    project.write_config({"stores": {"lab": {**backend.public, "location": backend.location}}})
    for name, value in backend.secrets.items():
        project.write_secret("lab", name, value)
    secret_file = project.write_secret("lab", key, right)
    path = f"{backend.root}/{backend.location}/rotation.bin"

    first = dj.get_filesystem("lab")
    first.pipe_file(path, b"1")

    secret_file.write_text(wrong + "\n", encoding="utf-8")
    assert dj.get_filesystem("lab") is first  # nothing is re-read before reload()
    dj.config.reload()
    second = dj.get_filesystem("lab")
    assert second is not first
    with pytest.raises(OSError) as info:  # the new filesystem really uses the new secret
        second.pipe_file(path, b"2")
    assert_backend_failure(info.value, "lab", [right, wrong])

    secret_file.write_text(right + "\n", encoding="utf-8")
    dj.config.reload()
    third = dj.get_filesystem("lab")
    assert third is not second and third is not first
    assert third.cat_file(path) == b"1"
    third.rm_file(path)

    assert all(_not_in_fsspec_cache(fs) for fs in (first, second, third))
