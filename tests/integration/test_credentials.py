"""Each way of giving a backend its credentials reaches it: explicit, ambient, anonymous."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import datajoint_storage as dj
from tests.integration.checks import assert_backend_failure, round_trip
from tests.integration.conftest import Backend
from tests.integration.oauth import TokenServer

pytestmark = pytest.mark.integration


def _round_trip(backend: Backend, name: str = "lab") -> None:
    round_trip(
        name, backend.server, root=backend.root, location=backend.location, scheme=backend.scheme
    )


# -- s3 -------------------------------------------------------------------------------


def test_s3_ambient_credentials_from_the_environment(
    s3_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_backend.secrets["access_key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_backend.secrets["secret_key"])
    dj.config["stores"]["lab"] = s3_backend.spec(access_key=None, secret_key=None)
    assert not dj.config.get_store_spec("lab").get("access_key")
    _round_trip(s3_backend)


def test_s3_ambient_credentials_from_a_profile(
    s3_backend: Backend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[lab-profile]\n"
        f"aws_access_key_id = {s3_backend.secrets['access_key']}\n"
        f"aws_secret_access_key = {s3_backend.secrets['secret_key']}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "lab-profile")
    dj.config["stores"]["lab"] = {**s3_backend.public, "location": s3_backend.location}
    _round_trip(s3_backend)


def test_s3_without_any_credential_fails_naming_the_store(s3_backend: Backend) -> None:
    # Neither key and nothing ambient (environment, profile, metadata are all cleared).
    dj.config["stores"]["lab"] = {**s3_backend.public, "location": s3_backend.location}
    with pytest.raises(OSError) as info:
        dj.get_filesystem("lab").ls(s3_backend.root)
    assert_backend_failure(info.value, "lab", s3_backend.secrets.values())


@pytest.mark.parametrize(("secure", "scheme"), [(False, "http"), (True, "https")])
def test_s3_secure_chooses_the_scheme_of_the_endpoint(
    s3_backend: Backend, secure: bool, scheme: str
) -> None:
    dj.config["stores"]["lab"] = s3_backend.spec(secure=secure)
    fs = dj.get_filesystem("lab")
    assert fs.client_kwargs["endpoint_url"] == f"{scheme}://{s3_backend.public['endpoint']}"
    if secure:  # moto speaks plain HTTP: a TLS handshake with it fails, and says which store
        with pytest.raises(OSError) as info:
            fs.ls(s3_backend.root)
        assert_backend_failure(info.value, "lab", s3_backend.secrets.values())
    else:
        _round_trip(s3_backend)


# -- gcs ------------------------------------------------------------------------------


def _grants_for(token_server: TokenServer, backend: Backend) -> int:
    email = json.loads(backend.secrets["token"])["client_email"]
    return token_server.grants.count(email)


@pytest.mark.parametrize("way", ["file", "env", "runtime"])
def test_gcs_service_account_document_is_the_credential_used(
    gcs_backend: Backend, token_server: TokenServer, way: str, configure: Callable[..., None]
) -> None:
    configure(way, "lab", gcs_backend.spec(), ("token",))
    _round_trip(gcs_backend)
    assert _grants_for(token_server, gcs_backend) >= 1  # signed with this document's key


def test_gcs_token_as_a_key_file_path(
    gcs_backend: Backend, token_server: TokenServer, project: Any, tmp_path: Path
) -> None:
    key_file = tmp_path / "service-account.json"
    key_file.write_text(gcs_backend.secrets["token"], encoding="utf-8")
    project.write_config(
        {"stores": {"lab": {**gcs_backend.public, "location": gcs_backend.location}}}
    )
    project.write_secret("lab", "token", f"{key_file}\n")
    _round_trip(gcs_backend)
    assert _grants_for(token_server, gcs_backend) >= 1


def test_gcs_anonymous(gcs_backend: Backend, token_server: TokenServer) -> None:
    dj.config["stores"]["lab"] = gcs_backend.spec(token="anon")
    _round_trip(gcs_backend)
    assert _grants_for(token_server, gcs_backend) == 0


def test_gcs_ambient_application_default_credentials(
    gcs_backend: Backend, token_server: TokenServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_file = tmp_path / "adc.json"
    key_file.write_text(gcs_backend.secrets["token"], encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    spec = gcs_backend.spec()
    del spec["token"], spec["project"]  # the project comes with the default credentials
    dj.config["stores"]["lab"] = spec
    _round_trip(gcs_backend)
    assert _grants_for(token_server, gcs_backend) >= 1


# -- azure ----------------------------------------------------------------------------


@pytest.mark.parametrize("way", ["file", "env", "runtime"])
def test_azure_account_name_and_key(
    azure_backend: Backend, way: str, configure: Callable[..., None]
) -> None:
    server = azure_backend.server
    spec = {
        **azure_backend.public,
        "location": azure_backend.location,
        "account_name": server.ACCOUNT,  # type: ignore[attr-defined]
        "account_key": server.KEY,  # type: ignore[attr-defined]
        "account_url": server.account_url,  # type: ignore[attr-defined]
    }
    configure(way, "lab", spec, ("account_key",))
    _round_trip(azure_backend)


def test_azure_ambient_connection_string(
    azure_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING", azure_backend.secrets["connection_string"]
    )
    dj.config["stores"]["lab"] = {**azure_backend.public, "location": azure_backend.location}
    _round_trip(azure_backend)


def test_azure_account_url_must_be_a_url(azure_backend: Backend) -> None:
    dj.config["stores"]["lab"] = azure_backend.spec(account_url="127.0.0.1:10000")
    problems = dj.config.problems()
    assert [p.key for p in problems] == ["account_url"], problems
