"""``s3``: Amazon S3 and S3-compatible servers (MinIO, Ceph, moto) through s3fs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, SecretStr, StrictBool, StrictStr

from ..compiled_spec import across_keys
from ..spec import StoreSpec
from ..storage_adapter import StorageAdapter
from ._deps import require
from ._paths import bucket_path

_SECRET_NOTE = "Credential: keep it in .secrets/stores.<name>.{} or in DJ_STORES."


def _credentials_come_in_pairs(values: Mapping[str, Any]) -> None:
    """Both S3 credentials or neither: half a key pair is always a mistake."""
    access, secret = values.get("access_key"), values.get("secret_key")
    if access is None and secret is None:
        return  # ambient credentials: the usual case
    present = [k for k, v in (("access_key", access), ("secret_key", secret)) if _filled(v)]
    if len(present) == 1:
        other = "secret_key" if present == ["access_key"] else "access_key"
        raise ValueError(
            f"Incomplete S3 credentials: {present[0]} is set but {other} is not; "
            "give both, or neither to use ambient credentials"
        )


def _filled(value: SecretStr | None) -> bool:
    return value is not None and value.get_secret_value() != ""


class S3StoreSpec(StoreSpec):
    """Both S3 credentials or neither: half a key pair is always a mistake."""

    _credentials_come_in_pairs = across_keys(
        _credentials_come_in_pairs, keys=("access_key", "secret_key")
    )


class S3Adapter(StorageAdapter):
    """S3 buckets; ``endpoint`` without a scheme gets https (or http when not secure)."""

    protocol = "s3"
    required_keys = ("endpoint", "bucket", "location")
    allowed_keys = ("access_key", "secret_key", "secure", "proxy_server")
    spec_base = S3StoreSpec
    cache_filesystems = True  # DataJoint-style callers ask once per object
    key_fields = {
        "endpoint": (
            StrictStr,
            Field(
                description="S3 server host[:port], or a full URL with scheme.",
                examples=["s3.amazonaws.com", "http://127.0.0.1:9000"],
            ),
        ),
        "bucket": (StrictStr, Field(description="Bucket name.", examples=["acquisition"])),
        "location": (
            StrictStr,
            Field(description="Key prefix inside the bucket.", examples=["raw"]),
        ),
        "access_key": (
            SecretStr | None,
            Field(
                description=_SECRET_NOTE.format("access_key"), json_schema_extra={"writeOnly": True}
            ),
        ),
        "secret_key": (
            SecretStr | None,
            Field(
                description=_SECRET_NOTE.format("secret_key"), json_schema_extra={"writeOnly": True}
            ),
        ),
        "secure": (
            StrictBool,
            Field(
                default=True,
                description="Use https for an endpoint given without a scheme.",
                examples=[True, False],
            ),
        ),
        "proxy_server": (
            StrictStr | None,
            Field(
                description="HTTP(S) proxy URL for requests to the endpoint.",
                examples=["http://proxy.example.org:3128"],
            ),
        ),
    }

    # Bounded failure. A request that gets no answer ends after at most
    # max_attempts * (connect_timeout or read_timeout) seconds plus botocore's short
    # backoff; subclass and override these to change the bound.
    #: The SDK imported on first use, and the extra of datajoint-storage that installs it.
    sdk: tuple[str, str] = ("s3fs", "s3")
    #: Seconds to wait for a TCP connection to the endpoint.
    connect_timeout: float = 5
    #: Seconds to wait for each read from an open connection (not the whole transfer).
    read_timeout: float = 30
    #: Attempts per request in all, first included (botocore "standard" retry mode).
    max_attempts: int = 2

    def endpoint_url(self, spec: dict[str, Any]) -> str:
        endpoint = spec["endpoint"]
        if "://" in endpoint:
            return endpoint
        return f"{'https' if spec.get('secure', True) else 'http'}://{endpoint}"

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        s3fs = require(*self.sdk)
        config: dict[str, Any] = {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            # botocore's "max_attempts" counts retries only; "total_max_attempts" all attempts.
            "retries": {"total_max_attempts": self.max_attempts, "mode": "standard"},
        }
        if spec.get("proxy_server"):
            config["proxies"] = {"http": spec["proxy_server"], "https": spec["proxy_server"]}
        options: dict[str, Any] = {
            "client_kwargs": {"endpoint_url": self.endpoint_url(spec)},
            "config_kwargs": config,
            # A rotated credential must never get a filesystem cached with the old one.
            "skip_instance_cache": True,
        }
        if spec.get("access_key") and spec.get("secret_key"):
            options["key"] = spec["access_key"]
            options["secret"] = spec["secret_key"]
        fs = s3fs.S3FileSystem(**options)
        # s3fs retries timeouts again around botocore's attempts, which would multiply the
        # bound; one pass of its loop leaves the retrying to botocore alone.
        fs.retries = 1
        return fs

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        return bucket_path(spec, "bucket", relpath)

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        return f"s3://{path}"
