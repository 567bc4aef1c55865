"""The ``webdav`` protocol: DataJoint stores on any WebDAV server, through webdav4.

A store names the server's base URL (``url``); ``location`` is a folder below it.
The filesystem is webdav4's fsspec implementation, so every fsspec operation works.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from annotated_types import Gt
from pydantic import Field, SecretStr, Strict, StringConstraints

from datajoint_storage import InvalidValueError, StorageAdapter

__all__ = ["WebDAVAdapter"]

# Constraints live in the annotation, so they hold whether or not the key is required.
HttpUrl = Annotated[str, StringConstraints(strict=True, pattern=r"^https?://[^/\s]+\S*$")]
Seconds = Annotated[float, Strict(), Gt(0)]


class WebDAVAdapter(StorageAdapter):
    """WebDAV servers (Nextcloud, ownCloud, Apache mod_dav, nginx, WsgiDAV...)."""

    protocol = "webdav"
    required_keys = ("url",)
    allowed_keys = ("url", "username", "password", "timeout")
    # ``password`` is already a credential for every protocol; naming it here too keeps
    # the adapter correct on its own and documents the intent.
    secret_keys = ("password",)
    # DataJoint calls create_filesystem for every stored attribute of every row; with
    # this, an unchanged spec costs a lookup and a rotated password a new client.
    cache_filesystems = True
    key_fields = {
        "url": (
            HttpUrl,
            Field(
                description="Base URL of the WebDAV share, without credentials.",
                examples=["https://cloud.example.org/remote.php/dav/files/alice"],
            ),
        ),
        "username": (
            Annotated[str, Strict()] | None,
            Field(description="User name for HTTP basic authentication.", examples=["alice"]),
        ),
        "password": (
            SecretStr | None,
            Field(
                description="Credential. Keep it out of datajoint.json: put it in "
                ".secrets/stores.<name>.password or in DJ_STORES.",
                json_schema_extra={"writeOnly": True},
            ),
        ),
        "timeout": (
            Seconds,
            Field(default=30.0, description="Seconds to wait for the server on each request."),
        ),
    }

    #: Seconds to wait for a connection: an unreachable server fails fast.
    connect_timeout: float = 5.0

    def validate_spec(self, spec: dict[str, Any]) -> None:
        """Rules across keys that types cannot express; messages never echo a value."""
        super().validate_spec(spec)
        parts = urlsplit(spec["url"])
        if parts.username is not None or parts.password is not None:
            raise InvalidValueError(
                "Invalid value for url: it must not carry credentials; "
                "use the username and password keys",
                key="url",
            )
        if spec.get("password") and not spec.get("username"):
            raise InvalidValueError("webdav store has a password but no username", key="password")

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        # Imported here: discovering the adapter must not import an HTTP stack.
        import httpx
        from webdav4.fsspec import WebdavFileSystem

        username = spec.get("username")
        auth = (username, spec.get("password") or "") if username else None
        timeout = spec["timeout"]  # the base class applies the default for every caller
        return WebdavFileSystem(
            spec["url"],
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(timeout, self.connect_timeout)),
            # Caching is the base class's (keyed by the whole spec), not fsspec's.
            skip_instance_cache=True,
        )

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        """``location/relpath`` relative to the share's URL, with no leading slash.

        The base class has already refused a ``relpath`` that would leave the location
        (``..``, ``%2e%2e``, absolute, ``~``, URLs), whoever calls this, DataJoint too.
        """
        location = (spec.get("location") or "").strip("/")
        return f"{location}/{relpath}" if location else relpath

    def get_url(self, spec: dict[str, Any], path: str) -> str:
        """The object's address on the server: the share's URL plus the quoted path."""
        return f"{spec['url'].rstrip('/')}/{quote(path.lstrip('/'))}"
