"""``azure``: Azure Blob Storage through adlfs."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SecretStr, StrictStr, StringConstraints

from ..storage_adapter import StorageAdapter
from ._deps import require
from ._paths import bucket_path

_SECRET_NOTE = "Credential: keep it in .secrets/stores.<name>.{} or in DJ_STORES."


class AzureAdapter(StorageAdapter):
    """Azure blob containers, by connection string or account name and key."""

    protocol = "azure"
    required_keys = ("container", "location")
    allowed_keys = ("account_name", "account_key", "connection_string", "account_url")
    cache_filesystems = True  # DataJoint-style callers ask once per object
    key_fields = {
        "container": (StrictStr, Field(description="Blob container name.", examples=["lab-data"])),
        "location": (
            StrictStr,
            Field(description="Blob prefix inside the container.", examples=["pipeline"]),
        ),
        "account_name": (
            StrictStr | None,
            Field(description="Storage account name.", examples=["labstorage"]),
        ),
        "account_key": (
            SecretStr | None,
            Field(
                description=_SECRET_NOTE.format("account_key"),
                json_schema_extra={"writeOnly": True},
            ),
        ),
        "connection_string": (
            SecretStr | None,
            Field(
                description=_SECRET_NOTE.format("connection_string"),
                json_schema_extra={"writeOnly": True},
            ),
        ),
        "account_url": (
            Annotated[StrictStr, StringConstraints(pattern=r"^https?://")] | None,
            Field(
                description="Blob service URL for account_name, when it is not "
                "https://{account_name}.blob.core.windows.net (Azurite, Azure Stack, "
                "sovereign clouds). A connection_string carries its own endpoint.",
                examples=["http://127.0.0.1:10000/devstoreaccount1"],
            ),
        ),
    }

    # Bounded failure. A request that gets no answer ends after at most
    # max_attempts * (connect_timeout or read_timeout) + (max_attempts - 1) * retry_backoff
    # seconds (the backoff jittered by half); subclass and override these to change the
    # bound. (The Azure SDK alone would retry 3 times after 15, 18 and 24 s.)
    #: The SDK imported on first use, and the extra of datajoint-storage that installs it.
    sdk: tuple[str, str] = ("adlfs", "azure")
    #: Seconds to wait for a TCP connection to the blob endpoint.
    connect_timeout: float = 5
    #: Seconds to wait for each read from an open connection (not the whole transfer).
    read_timeout: float = 30
    #: Attempts per request in all, first included.
    max_attempts: int = 2
    #: Seconds between two attempts.
    retry_backoff: float = 1

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        require(*self.sdk)
        from ._adlfs import BoundedAzureBlobFileSystem

        options: dict[str, Any] = {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "max_attempts": self.max_attempts,
            "retry_backoff": self.retry_backoff,
            # A rotated credential must never get a filesystem cached with the old one.
            "skip_instance_cache": True,
        }
        for key in ("account_name", "account_key", "connection_string", "account_url"):
            if spec.get(key):
                options[key] = spec[key]
        return BoundedAzureBlobFileSystem(**options)

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        return bucket_path(spec, "container", relpath)

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        return f"az://{path}"
