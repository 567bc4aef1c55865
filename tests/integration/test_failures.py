"""A wrong secret, a closed port and a dead endpoint fail fast, name the store, hide secrets.

The bounds come from each adapter's documented class attributes (connect_timeout,
read_timeout, max_attempts): the defaults for the refusals, which are answered at
once, and a subclass with short timeouts and three attempts for the endpoint that
never answers, which counts the attempts it gets.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, unquote

import pytest

import datajoint_storage as dj
from datajoint_storage.adapters.azure import AzureAdapter
from datajoint_storage.adapters.gcs import GCSAdapter
from datajoint_storage.adapters.s3 import S3Adapter
from tests.integration.checks import assert_backend_failure, assert_hides, wrong_account_key
from tests.integration.conftest import Backend
from tests.integration.oauth import TokenServer
from tests.integration.servers import HOST, dead_endpoint, free_port

pytestmark = pytest.mark.integration

#: Seconds a refused or unreachable request may take with the adapters' defaults.
REFUSAL_BOUND = 15.0


def _fails(action: Callable[[], Any]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(Exception) as info:
        action()
    return info.value, time.monotonic() - started


@pytest.fixture
def no_secret_logged(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Secrets appended to the list must not show in any warning or error logged meanwhile."""
    secrets: list[str] = []
    with caplog.at_level(logging.WARNING):
        yield secrets
    for secret in secrets:
        assert secret not in caplog.text


# -- a wrong secret ---------------------------------------------------------------------


def test_s3_wrong_secret_key(s3_backend: Backend, no_secret_logged: list[str]) -> None:
    wrong = f"wrong-{uuid.uuid4().hex}"
    no_secret_logged += [wrong, *s3_backend.secrets.values()]
    dj.config["stores"]["lab"] = s3_backend.spec(secret_key=wrong)
    error, seconds = _fails(lambda: dj.get_filesystem("lab").ls(s3_backend.root))
    assert_backend_failure(error, "lab", no_secret_logged)
    assert "signature" in str(error).lower()  # moto really checked the signature
    assert seconds < REFUSAL_BOUND


def test_gcs_key_the_token_endpoint_does_not_know(
    gcs_backend: Backend, token_server: TokenServer, no_secret_logged: list[str]
) -> None:
    stranger = token_server.service_account("stranger@dj.iam.gserviceaccount.com", register=False)
    no_secret_logged += [stranger["private_key"], json.dumps(stranger)]
    refused = len(token_server.refusals)
    dj.config["stores"]["lab"] = gcs_backend.spec(token=json.dumps(stranger))
    path = f"{gcs_backend.root}/{gcs_backend.location}/x"
    error, seconds = _fails(lambda: dj.get_filesystem("lab").cat_file(path))
    assert_backend_failure(error, "lab", no_secret_logged)
    assert len(token_server.refusals) > refused  # the refresh really was refused
    assert seconds < REFUSAL_BOUND


@pytest.mark.parametrize("how", ["connection_string", "account_key"])
def test_azure_wrong_account_key(
    azure_backend: Backend, how: str, no_secret_logged: list[str]
) -> None:
    server: Any = azure_backend.server
    wrong = wrong_account_key()
    no_secret_logged += [wrong, server.connection_string(wrong)]
    if how == "connection_string":
        spec = azure_backend.spec(connection_string=server.connection_string(wrong))
    else:
        spec = {
            **azure_backend.public,
            "location": azure_backend.location,
            "account_name": server.ACCOUNT,
            "account_key": wrong,
            "account_url": server.account_url,
        }
    dj.config["stores"]["lab"] = spec
    error, seconds = _fails(lambda: dj.get_filesystem("lab").ls(azure_backend.root))
    assert_backend_failure(error, "lab", no_secret_logged)
    assert "authenticate" in str(error)  # Azurite really checked the signature
    assert seconds < REFUSAL_BOUND


# -- a closed port (defaults) -----------------------------------------------------------


def _unreachable_spec(
    backend: Backend, address: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """``backend``'s spec, pointed at ``address`` (host:port) instead of the emulator."""
    if backend.protocol == "s3":
        return backend.spec(endpoint=address)
    if backend.protocol == "gcs":
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://{address}")
        return backend.spec()
    server: Any = backend.server
    endpoint = f"http://{address}/{server.ACCOUNT}"
    return backend.spec(
        connection_string=server.connection_string().replace(server.account_url, endpoint)
    )


def test_closed_port(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, no_secret_logged: list[str]
) -> None:
    no_secret_logged += backend.secrets.values()
    dj.config["stores"]["lab"] = _unreachable_spec(backend, f"{HOST}:{free_port()}", monkeypatch)
    path = f"{backend.root}/{backend.location}/x"
    error, seconds = _fails(lambda: dj.get_filesystem("lab").cat_file(path))
    assert_backend_failure(error, "lab", no_secret_logged)
    assert seconds < REFUSAL_BOUND


# -- a dead endpoint (timeouts from a subclass) -----------------------------------------


class QuickS3(S3Adapter):
    connect_timeout = 1
    read_timeout = 0.5
    max_attempts = 3  # not the default (2): the subclass's value is the one used


class QuickGCS(GCSAdapter):
    connect_timeout = 1
    read_timeout = 0.5
    max_attempts = 3  # not the default (2): the subclass's value is the one used


class QuickAzure(AzureAdapter):
    connect_timeout = 1
    read_timeout = 0.5
    max_attempts = 3  # not the default (2): the subclass's value is the one used
    retry_backoff = 0.5


QUICK = {"s3": QuickS3, "gcs": QuickGCS, "azure": QuickAzure}


def test_dead_endpoint_waits_attempts_times_the_read_timeout(
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
    fresh_registry: None,
    no_secret_logged: list[str],
) -> None:
    quick = QUICK[backend.protocol]
    dj.register_adapter(quick, clobber=True)
    no_secret_logged += backend.secrets.values()
    with dead_endpoint() as dead:
        dj.config["stores"]["lab"] = _unreachable_spec(backend, f"{HOST}:{dead.port}", monkeypatch)
        path = f"{backend.root}/{backend.location}/x"
        error, seconds = _fails(lambda: dj.get_filesystem("lab").cat_file(path))
        attempts = dead.connections
    assert_backend_failure(error, "lab", no_secret_logged)
    # As many attempts as set, each ended by its read timeout, and nothing more.
    assert attempts == quick.max_attempts
    assert quick.max_attempts * quick.read_timeout * 0.9 <= seconds < REFUSAL_BOUND, seconds


# -- secrets a library puts into its own errors -----------------------------------------


def test_gcs_raw_token_in_a_token_info_url_is_masked(
    gcs_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # gcsfs checks a raw access token at https://oauth2.googleapis.com/tokeninfo?access_token=
    # <token>; behind a proxy that is down, requests' error quotes that URL.
    import gcsfs.core

    token = f"ya29.canary/{uuid.uuid4().hex}+x=="
    monkeypatch.setenv("HTTPS_PROXY", f"http://{HOST}:{free_port()}")
    with pytest.raises(Exception) as raw:
        gcsfs.core.GCSFileSystem(token=token, skip_instance_cache=True)
    assert quote(token, safe="") in str(raw.value)  # the library leaks it ...

    dj.config["stores"]["lab"] = gcs_backend.spec(token=token)
    error, seconds = _fails(lambda: dj.get_filesystem("lab"))
    assert_backend_failure(error, "lab", [token])  # ... we do not
    assert isinstance(error, dj.StorageBackendError)
    assert error.__cause__ is None and seconds < REFUSAL_BOUND


def test_azure_sas_in_a_chained_request_url_is_dropped(azure_backend: Backend) -> None:
    # A missing blob is a FileNotFoundError (callers catch it by type), but adlfs chains
    # the SDK's error, whose response keeps the request URL with the SAS signature.
    from datetime import datetime, timedelta, timezone

    import adlfs
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    server: Any = azure_backend.server
    sas = generate_account_sas(
        server.ACCOUNT,
        server.KEY,
        ResourceTypes(service=True, container=True, object=True),
        AccountSasPermissions(read=True, list=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    signature = unquote(dict(p.split("=", 1) for p in sas.split("&"))["sig"])
    connection = f"BlobEndpoint={server.account_url};SharedAccessSignature={sas}"
    missing = f"{azure_backend.root}/{azure_backend.location}/missing.bin"

    raw_fs = adlfs.AzureBlobFileSystem(connection_string=connection, skip_instance_cache=True)
    with pytest.raises(FileNotFoundError) as raw:
        raw_fs.cat_file(missing)
    url = str(raw.value.__cause__.response.request.url)  # type: ignore[union-attr]
    assert quote(signature, safe="") in url  # the library keeps it ...

    dj.config["stores"]["lab"] = azure_backend.spec(connection_string=connection)
    with pytest.raises(FileNotFoundError) as info:
        dj.get_filesystem("lab").cat_file(missing)
    assert info.value.__cause__ is None and info.value.__context__ is None  # ... we drop it
    assert "missing.bin" in str(info.value)
    assert_hides(info.value, [sas, signature])
