"""``gcs``: Google Cloud Storage through gcsfs."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, SecretStr, StrictStr

from ..storage_adapter import StorageAdapter
from ._deps import require
from ._paths import bucket_path


class GCSAdapter(StorageAdapter):
    """GCS buckets. ``token`` is what gcsfs takes: a key-file path, ``anon``,
    ``google_default``, ``cloud``, or a service-account JSON document."""

    protocol = "gcs"
    required_keys = ("bucket", "location")
    allowed_keys = ("token", "project")
    key_fields = {
        "bucket": (StrictStr, Field(description="Bucket name.", examples=["my-lab-data"])),
        "location": (StrictStr, Field(description="Object prefix inside the bucket.")),
        "token": (
            SecretStr | None,
            Field(
                description="Credential: keep it in .secrets/stores.<name>.token or in DJ_STORES. "
                "A key-file path, 'anon', 'google_default', 'cloud' or service-account JSON.",
                json_schema_extra={"writeOnly": True},
            ),
        ),
        "project": (StrictStr | None, Field(description="Google Cloud project id.")),
    }

    #: Bounded failure: gcsfs retries this many times in all.
    retries: int = 2

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        gcsfs = require("gcsfs", "gcs")
        options: dict[str, Any] = {"skip_instance_cache": True}
        token = spec.get("token")
        if token:
            options["token"] = json.loads(token) if token.lstrip().startswith("{") else token
        if spec.get("project"):
            options["project"] = spec["project"]
        return gcsfs.GCSFileSystem(**options)

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        return bucket_path(spec, "bucket", relpath)

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        return f"gs://{path}"
