"""The three storage emulators, each with its own client to look at what landed.

- S3: moto's server mode in a subprocess. An IAM user with an allow-all policy and a
  bucket are created while moto still accepts anonymous requests; then moto is told to
  enforce authentication for every request, so a wrong secret really fails.
- GCS: gcp-storage-emulator in a subprocess, reached through ``STORAGE_EMULATOR_HOST``;
  inspected with google-cloud-storage.
- Azure: Azurite's blob service from the project's ``node_modules`` (``npm ci``), with
  its well-known development account; inspected with azure-storage-blob.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

from tests.integration.servers import (
    HOST,
    REPO,
    ServerProcess,
    ServerStartError,
    free_port,
    http_status,
)

BUCKET = "dj-integration"


class MotoS3:
    """moto_server with signature enforcement; ``access_key``/``secret_key`` are an IAM user's."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.endpoint = f"{HOST}:{self.port}"
        self.url = f"http://{self.endpoint}"
        self.bucket = BUCKET
        self.process = ServerProcess(
            "moto_server",
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)],
            workdir,
        )
        self.access_key = self.secret_key = ""

    def start(self) -> MotoS3:
        self.process.start(lambda: http_status(f"{self.url}/moto-api/") is not None)
        try:
            self._provision()
        except Exception as exc:
            self.process.stop()
            raise ServerStartError(
                f"moto_server started but could not be provisioned: {exc!r}\n"
                f"output:\n{self.process.output()}"
            ) from exc
        return self

    def _provision(self) -> None:
        anonymous = {"aws_access_key_id": "provisioning", "aws_secret_access_key": "provisioning"}
        iam = self._client("iam", **anonymous)
        iam.create_user(UserName="datajoint")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
        iam.put_user_policy(
            UserName="datajoint", PolicyName="all", PolicyDocument=json.dumps(policy)
        )
        key = iam.create_access_key(UserName="datajoint")["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        self._client("s3", **anonymous).create_bucket(Bucket=self.bucket)
        # From now on every request must be signed by a known key (moto's reset-auth).
        request = urllib.request.Request(
            f"{self.url}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            assert response.status == 200, response.read()

    def _client(self, service: str, **credentials: str) -> Any:
        import boto3

        return boto3.session.Session().client(
            service, endpoint_url=self.url, region_name="us-east-1", **credentials
        )

    def client(self) -> Any:
        """boto3's S3 client, signed with the IAM user's key."""
        return self._client(
            "s3", aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key
        )

    def read(self, key: str) -> bytes:
        return bytes(self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def keys(self, prefix: str) -> list[str]:
        reply = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for item in reply.get("Contents", [])]

    def stop(self) -> None:
        self.process.stop()


class GcsEmulator:
    """gcp-storage-emulator, in memory; ``url`` is what ``STORAGE_EMULATOR_HOST`` takes."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.bucket = BUCKET
        self.process = ServerProcess(
            "gcp-storage-emulator",
            [
                sys.executable,
                "-m",
                "gcp_storage_emulator",
                "start",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--no-store-on-disk",
            ],
            workdir,
        )

    def start(self) -> GcsEmulator:
        self.process.start(lambda: http_status(f"{self.url}/") == 200)
        try:
            self.client().create_bucket(self.bucket)
        except Exception as exc:
            self.process.stop()
            raise ServerStartError(
                f"gcp-storage-emulator started but refused a bucket: {exc!r}\n"
                f"output:\n{self.process.output()}"
            ) from exc
        return self

    def client(self) -> Any:
        """google-cloud-storage's client, anonymous, pointed at the emulator."""
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        return storage.Client(
            project="dj-integration",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": self.url},
        )

    def read(self, key: str) -> bytes:
        return bytes(self.client().bucket(self.bucket).blob(key).download_as_bytes())

    def keys(self, prefix: str) -> list[str]:
        return [blob.name for blob in self.client().list_blobs(self.bucket, prefix=prefix)]

    def stop(self) -> None:
        self.process.stop()


class Azurite:
    """Azurite's blob service, in memory, with the well-known development account."""

    ACCOUNT = "devstoreaccount1"
    #: Azurite's published development key (not a secret; every Azurite has it).
    KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
    BINARY = REPO / "node_modules" / ".bin" / "azurite-blob"

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.account_url = f"http://{HOST}:{self.port}/{self.ACCOUNT}"
        self.container = BUCKET
        self.process = ServerProcess(
            "azurite-blob",
            [
                str(self.BINARY),
                "--blobHost",
                HOST,
                "--blobPort",
                str(self.port),
                "--inMemoryPersistence",
                "--skipApiVersionCheck",
                "--loose",
                "--disableTelemetry",
            ],
            workdir,
        )

    def connection_string(self, key: str | None = None) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.ACCOUNT};"
            f"AccountKey={key or self.KEY};BlobEndpoint={self.account_url};"
        )

    def start(self) -> Azurite:
        if not self.BINARY.exists():
            raise ServerStartError(
                f"Azurite is not installed at {self.BINARY}: run `npm ci` in {REPO} "
                "(`bash scripts/dev.sh env` does it)"
            )
        self.process.start(lambda: http_status(f"{self.account_url}?comp=list") is not None)
        try:
            self.client().create_container(self.container)
        except Exception as exc:
            self.process.stop()
            raise ServerStartError(
                f"Azurite started but refused a container: {exc!r}\n"
                f"output:\n{self.process.output()}"
            ) from exc
        return self

    def client(self) -> Any:
        """azure-storage-blob's (synchronous) service client for the development account."""
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient.from_connection_string(self.connection_string())

    def read(self, key: str) -> bytes:
        blob = self.client().get_blob_client(self.container, key)
        return bytes(blob.download_blob().readall())

    def keys(self, prefix: str) -> list[str]:
        container = self.client().get_container_client(self.container)
        return [blob.name for blob in container.list_blobs(name_starts_with=prefix)]

    def stop(self) -> None:
        self.process.stop()
