"""adlfs's blob filesystem with the Azure client's timeouts, retries and endpoint ours to set.

Imported by the ``azure`` adapter on first use only (it imports adlfs). adlfs builds
its ``BlobServiceClient`` with no way to pass client options, so it gets the Azure
SDK's defaults: three retries after about 15, 18 and 24 s of backoff, which turns a
closed port into a minute-long wait. It also builds the account URL as
``https://{account_name}.blob.core.windows.net`` (or ``https://{account_host}``), so
an account name and key cannot reach Azurite, Azure Stack or a sovereign cloud.
:class:`BoundedAzureBlobFileSystem` builds the client itself, with the timeouts and
retries the adapter gives and an optional ``account_url``. Every other adlfs code path (files
opened for reading and writing included) uses this client.
"""

from __future__ import annotations

from typing import Any

from adlfs import AzureBlobFileSystem
from azure.storage.blob.aio import BlobServiceClient, LinearRetry


class BoundedAzureBlobFileSystem(AzureBlobFileSystem):
    """``AzureBlobFileSystem`` with bounded requests and an optional ``account_url``.

    Each request makes at most ``max_attempts`` attempts, ``retry_backoff`` seconds
    apart (jittered by half), each waiting at most ``connect_timeout`` to connect and
    ``read_timeout`` for each read.
    """

    def __init__(
        self,
        *args: Any,
        account_url: str | None = None,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        max_attempts: int = 2,
        retry_backoff: float = 1,
        **kwargs: Any,
    ) -> None:
        self._endpoint = account_url
        self._client_options = {
            "connection_timeout": connect_timeout,
            "read_timeout": read_timeout,
            "retry_policy": LinearRetry(
                backoff=retry_backoff,
                retry_total=max(0, int(max_attempts) - 1),
                random_jitter_range=retry_backoff / 2,
            ),
        }
        super().__init__(*args, **kwargs)

    def do_connect(self) -> None:
        """Build the service client (adlfs calls this from ``__init__``)."""
        options = self._client_options
        if self.connection_string:
            self.service_client = BlobServiceClient.from_connection_string(
                self.connection_string, **options
            )
            return
        if not self.account_name:
            raise ValueError("Azure needs a connection_string, or an account_name")
        self.account_url = self._endpoint or f"https://{self.account_name}.blob.core.windows.net"
        credential: Any = None
        if self.account_key:
            credential = {"account_name": self.account_name, "account_key": self.account_key}
        elif self.credential is not None:  # adlfs's DefaultAzureCredential: ambient identity
            credential = self.credential
        elif self.sas_token:
            credential = self.sas_token
        self.service_client = BlobServiceClient(
            account_url=self.account_url, credential=credential, **options
        )
