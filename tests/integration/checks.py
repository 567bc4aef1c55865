"""Assertions shared by the integration tests: where an object landed, what an error shows."""

from __future__ import annotations

import base64
import os
import posixpath
import traceback
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import datajoint_storage as dj


def wrong_account_key() -> str:
    """A well-formed Azure account key that no account has."""
    return base64.b64encode(os.urandom(64)).decode()


def chain(error: BaseException) -> list[BaseException]:
    """``error`` and everything chained to it, explicitly or implicitly."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        link = pending.pop()
        if link is not None and all(link is not s for s in seen):
            seen.append(link)
            pending += [link.__cause__, link.__context__]
    return seen


def assert_absent(secrets: Iterable[str], text: str) -> None:
    """No secret, nor its URL-encoded form, in ``text``."""
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            assert form not in text, f"a secret leaked:\n{text}"


def assert_hides(error: BaseException, secrets: Iterable[str]) -> None:
    """No secret in the error's text, repr, formatted traceback or anything chained to it."""
    texts = ["".join(traceback.format_exception(error))]
    for link in chain(error):
        texts += [str(link), repr(link), repr(link.args)]
    assert_absent(secrets, "\n".join(texts))


def assert_backend_failure(error: BaseException, store: str, secrets: Iterable[str]) -> None:
    """The error a user gets for a failing backend: names the store, hides the secrets."""
    assert isinstance(error, (dj.DataJointError, OSError)), repr(error)
    assert f"'{store}'" in str(error), str(error)
    assert_hides(error, secrets)


def round_trip(store_name: str, server: Any, *, root: str, location: str, scheme: str) -> None:
    """Write, list, read back and delete through ``get_filesystem``; check the emulator."""
    fs = dj.get_filesystem(store_name)
    store = dj.get_store(store_name)
    relpath = f"sub/{uuid.uuid4().hex}.bin"
    payload = b"datajoint \x00\xff " + uuid.uuid4().bytes
    path = store.full_path(relpath)
    key = f"{location}/{relpath}"
    assert path == f"{root}/{key}"
    assert store.get_url(relpath) == f"{scheme}://{root}/{key}"

    fs.pipe_file(path, payload)
    listed = [p.rstrip("/") for p in fs.ls(posixpath.dirname(path), detail=False)]
    assert path in listed
    assert fs.cat_file(path) == payload
    assert server.read(key) == payload  # the emulator's own client agrees where it landed
    assert key in server.keys(location)

    streamed = posixpath.join(posixpath.dirname(path), "streamed.bin")
    with fs.open(streamed, "wb") as file:  # a buffered upload, committed on close
        file.write(payload)
    with fs.open(streamed, "rb") as file:
        assert file.read() == payload
    assert server.read(f"{location}/sub/streamed.bin") == payload

    fs.rm_file(path)
    fs.rm_file(streamed)
    assert not [k for k in server.keys(location) if k.startswith(f"{location}/sub/")]
    assert not fs.exists(path)
