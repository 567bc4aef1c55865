"""``gcs``: Google Cloud Storage through gcsfs."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, Secret, SecretStr, StrictStr

from ..storage_adapter import StorageAdapter
from ._deps import require
from ._paths import bucket_path


class GCSAdapter(StorageAdapter):
    """GCS buckets. ``token`` is what gcsfs takes: a key-file path, ``anon``,
    ``google_default``, ``cloud``, or a service-account JSON document."""

    protocol = "gcs"
    required_keys = ("bucket", "location")
    allowed_keys = ("token", "project")
    cache_filesystems = True  # DataJoint-style callers ask once per object
    key_fields = {
        "bucket": (StrictStr, Field(description="Bucket name.", examples=["my-lab-data"])),
        "location": (
            StrictStr,
            Field(description="Object prefix inside the bucket.", examples=["pipeline"]),
        ),
        "token": (
            # A key document as an object too: gcsfs and DataJoint 2.3.5 take one.
            SecretStr | Secret[dict[str, Any]] | None,
            Field(
                description="Credential: keep it in .secrets/stores.<name>.token or in DJ_STORES. "
                "A key-file path, 'anon', 'google_default', 'cloud' or service-account JSON.",
                json_schema_extra={"writeOnly": True},
            ),
        ),
        "project": (
            StrictStr | None,
            Field(description="Google Cloud project id.", examples=["my-lab-project"]),
        ),
    }

    # Bounded failure. A request that gets no answer ends after at most
    # max_attempts * (connect_timeout or read_timeout) seconds plus gcsfs's backoff
    # (1-2 s before the second attempt, doubling after); subclass and override these
    # to change the bound. (An OAuth token refresh uses google-auth's own timeout.)
    #: The SDK imported on first use, and the extra of datajoint-storage that installs it.
    sdk: tuple[str, str] = ("gcsfs", "gcs")
    #: Seconds to wait for a TCP connection to the storage endpoint.
    connect_timeout: float = 5
    #: Seconds to wait for each read from an open connection (not the whole transfer).
    read_timeout: float = 30
    #: Attempts per request in all, first included (gcsfs's default is 6).
    max_attempts: int = 2

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        require(*self.sdk)
        from aiohttp import ClientTimeout

        from ._gcsfs import BoundedGCSFileSystem

        options: dict[str, Any] = {
            "max_attempts": self.max_attempts,
            "requests_timeout": ClientTimeout(
                sock_connect=self.connect_timeout, sock_read=self.read_timeout
            ),
            # A rotated credential must never get a filesystem cached with the old one.
            "skip_instance_cache": True,
        }
        token = spec.get("token")
        if isinstance(token, dict):
            options["token"] = token
        elif token:
            options["token"] = _key_document(token) if token.lstrip().startswith("{") else token
        if spec.get("project"):
            options["project"] = spec["project"]
        return BoundedGCSFileSystem(**options)

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        return bucket_path(spec, "bucket", relpath)

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        return f"gs://{path}"


def _key_document(token: str) -> dict[str, Any]:
    """A service-account JSON document, parsed; the error says where, never what."""
    try:
        document = json.loads(token)
    except json.JSONDecodeError as exc:
        failure = ValueError(
            f"token is not a valid JSON key document: {exc.msg} "
            f"at line {exc.lineno}, column {exc.colno}"
        )
    else:
        if isinstance(document, dict):
            return document
        failure = ValueError("token is JSON but not an object (a key document is one)")
    raise failure  # outside the handler: the JSON error (which holds the text) is not chained
