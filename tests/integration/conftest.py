"""Fixtures for the integration tests: one server per emulator for the session, and a
clean cloud environment per test.

A server that cannot start fails every test that needs it, with the server's own
output (never a skip). Each server is stopped by the fixture that started it.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest

import datajoint_storage as dj
from tests.integration.emulators import Azurite, GcsEmulator, MotoS3
from tests.integration.oauth import TokenServer
from tests.integration.servers import HOST, ServerStartError, free_port

#: Environment variables through which a cloud SDK could find credentials, endpoints
#: or proxies of the machine running the tests.
_CLOUD_VARIABLES = re.compile(
    r"^(AWS_|AZURE_|GOOGLE_|GCE_|GCSFS_|CLOUDSDK_|BOTO_)|"
    r"^(STORAGE_EMULATOR_HOST|FETCH_RAW_TOKEN_EXPIRY|NO_GCE_CHECK)$|_PROXY$",
    re.IGNORECASE,
)


def _started(server: Any) -> Any:
    """``server.start()``, in an environment without the machine's proxies or cloud settings."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if _CLOUD_VARIABLES.search(name):
                patch.delenv(name)
        patch.setenv("NO_PROXY", f"{HOST},localhost")
        try:
            return server.start()
        except ServerStartError as exc:
            reason = str(exc)
    pytest.fail(reason, pytrace=False)  # a failure with the server's output, never a skip


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3]:
    server = _started(MotoS3(tmp_path_factory.mktemp("moto")))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gcs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GcsEmulator]:
    server = _started(GcsEmulator(tmp_path_factory.mktemp("gcs")))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def azure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    server = _started(Azurite(tmp_path_factory.mktemp("azurite")))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def token_server() -> Iterator[TokenServer]:
    server = TokenServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def cloud_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credential, endpoint or proxy of this machine; metadata servers unreachable at once."""
    for name in list(os.environ):
        if _CLOUD_VARIABLES.search(name):
            monkeypatch.delenv(name)
    nowhere = tmp_path / "no-cloud-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(nowhere / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    closed = f"{HOST}:{free_port()}"
    monkeypatch.setenv("GCE_METADATA_HOST", closed)
    monkeypatch.setenv("GCE_METADATA_IP", closed)
    monkeypatch.setenv("NO_PROXY", f"{HOST},localhost")


class _Server(Protocol):
    def read(self, key: str) -> bytes: ...
    def keys(self, prefix: str) -> list[str]: ...


@dataclass
class Backend:
    """One emulator as a store sees it: the spec's plain and secret keys, where objects go."""

    protocol: str
    server: _Server
    root: str  # bucket or container
    scheme: str  # of get_url
    public: dict[str, Any]
    secrets: dict[str, str]
    location: str = field(default_factory=lambda: f"it-{uuid.uuid4().hex[:10]}/nested")

    def spec(self, **changes: Any) -> dict[str, Any]:
        """The whole store spec (secrets included), with ``changes`` applied."""
        return {**self.public, "location": self.location, **self.secrets, **changes}


@pytest.fixture
def s3_backend(s3_server: MotoS3) -> Backend:
    return Backend(
        "s3",
        s3_server,
        s3_server.bucket,
        "s3",
        {
            "protocol": "s3",
            "endpoint": s3_server.endpoint,
            "bucket": s3_server.bucket,
            "secure": False,
        },
        {"access_key": s3_server.access_key, "secret_key": s3_server.secret_key},
    )


@pytest.fixture
def gcs_backend(
    gcs_server: GcsEmulator, token_server: TokenServer, monkeypatch: pytest.MonkeyPatch
) -> Backend:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server.url)
    account = token_server.service_account(f"dj-{uuid.uuid4().hex[:8]}@dj.iam.gserviceaccount.com")
    return Backend(
        "gcs",
        gcs_server,
        gcs_server.bucket,
        "gs",
        {"protocol": "gcs", "bucket": gcs_server.bucket, "project": "dj-integration"},
        {"token": json.dumps(account)},
    )


@pytest.fixture
def azure_backend(azure_server: Azurite) -> Backend:
    return Backend(
        "azure",
        azure_server,
        azure_server.container,
        "az",
        {"protocol": "azure", "container": azure_server.container},
        {"connection_string": azure_server.connection_string()},
    )


@pytest.fixture(params=["s3", "gcs", "azure"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each emulator in turn."""
    return request.getfixturevalue(f"{request.param}_backend")


@pytest.fixture
def configure(project: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Configure store ``name`` one way a user does: ``file``, ``env`` or ``runtime``.

    ``file``: plain keys in datajoint.json, each secret in ``.secrets/stores.<name>.<key>``.
    ``env``: everything in ``DJ_STORES`` with ``DJ_IGNORE_CONFIG_FILE=true``, next to a
    decoy project whose secret file would break the store if it were read.
    ``runtime``: ``dj.config["stores"][name] = {...}``.
    """

    def apply(way: str, name: str, spec: dict[str, Any], secret_keys: tuple[str, ...]) -> None:
        public = {k: v for k, v in spec.items() if k not in secret_keys}
        secrets = {k: v for k, v in spec.items() if k in secret_keys}
        if way == "file":
            project.write_config({"stores": {name: public}})
            for key, value in secrets.items():
                project.write_secret(name, key, value + "\n")  # as editors save it
        elif way == "env":
            project.write_config({"stores": {}})
            project.write_secret(name, "proxy_server", f"http://{HOST}:{free_port()}")
            monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", "true")
            monkeypatch.setenv("DJ_STORES", json.dumps({name: spec}))
        elif way == "runtime":
            dj.config["stores"][name] = dict(spec)
        else:  # pragma: no cover - a typo in a test
            raise ValueError(way)

    return apply
