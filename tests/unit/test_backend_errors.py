"""The guard around filesystems: failures name the store, secrets never show, types stay."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

import pytest
from fsspec.implementations.memory import MemoryFileSystem

import datajoint_storage as dj
from datajoint_storage.backend_errors import BackendGuard, secret_forms

SECRET = "s3cr3t/canary+value=="


class Backend(MemoryFileSystem):
    """An in-memory filesystem whose calls can be made to fail like a cloud SDK's."""

    def fail(self, path: str, message: str) -> None:
        raise RuntimeError(message)

    def fallback(self, path: str) -> str:
        try:
            return self.specific(path)
        except KeyError:  # a filesystem catching its own library error must still see it
            return "handled"

    def specific(self, path: str) -> str:
        raise KeyError(path)

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if path.endswith(".refused"):
            return RefusingFile()
        return super()._open(path, mode, **kwargs)


class RefusingFile(io.BytesIO):
    """A file whose upload (on close) the backend refuses, until told otherwise."""

    refuse = True

    def close(self) -> None:
        if self.refuse:
            raise RuntimeError(f"upload refused for {SECRET}")
        super().close()


class FailingAdapter(dj.StorageAdapter):
    protocol = "failing"
    allowed_keys = ("token",)

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        return Backend(skip_instance_cache=True)


@pytest.fixture
def fs(fresh_registry: None) -> Any:
    dj.register_adapter(FailingAdapter)
    dj.config["stores"]["lab"] = {"protocol": "failing", "token": SECRET}
    return dj.get_filesystem("lab")


def test_the_filesystem_keeps_its_own_class(fs: Any) -> None:
    assert type(fs) is Backend


def test_a_failure_names_the_store_and_masks_every_form_of_the_secret(fs: Any) -> None:
    with pytest.raises(dj.StorageBackendError) as info:
        fs.fail("bucket/key", f"GET /x?token={quote(SECRET, safe='')} failed for {SECRET}")
    error = info.value
    assert isinstance(error, OSError) and error.store == "lab"
    assert str(error).startswith("Store 'lab' (failing): fail('bucket/key') failed: RuntimeError")
    assert SECRET not in str(error) and quote(SECRET, safe="") not in str(error)
    assert error.__cause__ is None and error.__context__ is None  # the original carried it


def test_a_failure_without_a_secret_keeps_the_original_as_its_cause(fs: Any) -> None:
    with pytest.raises(dj.StorageBackendError) as info:
        fs.fail("bucket/key", "connection reset")
    assert isinstance(info.value.__cause__, RuntimeError)


def test_not_found_keeps_its_type(fs: Any) -> None:
    with pytest.raises(FileNotFoundError):
        fs.cat_file("nowhere/at/all")


def test_a_filesystem_calling_its_own_methods_sees_their_errors(fs: Any) -> None:
    assert fs.fallback("x") == "handled"
    with pytest.raises(dj.StorageBackendError, match="KeyError"):
        fs.specific("x")


def test_files_from_open_are_guarded(fs: Any) -> None:
    file = fs.open("bucket/upload.refused", "wb")
    file.write(b"payload")
    with pytest.raises(dj.StorageBackendError) as info:
        file.close()  # where a buffered upload really happens
    assert "close('bucket/upload.refused') failed" in str(info.value)
    assert SECRET not in str(info.value)
    file.refuse = False
    file.close()


def test_secret_forms_reach_inside_structured_secrets() -> None:
    document = json.dumps(
        {"type": "service_account", "private_key": "-----BEGIN-----\nAAAABBBBCCCC\n"}
    )
    connection = "AccountName=a;AccountKey=KEYKEYKEYKEY;SharedAccessSignature=sv=1&sig=SIG%2BSIGSIG"
    forms = set(secret_forms([document, connection]))
    assert {"AAAABBBBCCCC", "KEYKEYKEYKEY", "SIG%2BSIGSIG", "SIG+SIGSIG"} <= forms
    assert quote(connection, safe="") in forms
    masked = BackendGuard("lab", "gcs", [document]).scrub("could not load key AAAABBBBCCCC")
    assert masked == "could not load key **********"
