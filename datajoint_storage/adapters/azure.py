"""``azure``: Azure Blob Storage through adlfs."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, StrictStr

from ..storage_adapter import StorageAdapter
from ._deps import require
from ._paths import bucket_path

_SECRET_NOTE = "Credential: keep it in .secrets/stores.<name>.{} or in DJ_STORES."


class AzureAdapter(StorageAdapter):
    """Azure blob containers, by connection string or account name and key."""

    protocol = "azure"
    required_keys = ("container", "location")
    allowed_keys = ("account_name", "account_key", "connection_string")
    key_fields = {
        "container": (StrictStr, Field(description="Blob container name.")),
        "location": (StrictStr, Field(description="Blob prefix inside the container.")),
        "account_name": (StrictStr | None, Field(description="Storage account name.")),
        "account_key": (
            SecretStr | None,
            Field(description=_SECRET_NOTE.format("account_key"), json_schema_extra={"writeOnly": True}),
        ),
        "connection_string": (
            SecretStr | None,
            Field(
                description=_SECRET_NOTE.format("connection_string"),
                json_schema_extra={"writeOnly": True},
            ),
        ),
    }

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        adlfs = require("adlfs", "azure")
        options: dict[str, Any] = {"skip_instance_cache": True}
        for key in ("account_name", "account_key", "connection_string"):
            if spec.get(key):
                options[key] = spec[key]
        return adlfs.AzureBlobFileSystem(**options)

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        return bucket_path(spec, "container", relpath)

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        return f"az://{path}"
