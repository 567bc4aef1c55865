"""A minimal OAuth 2.0 token endpoint for service-account credentials, on 127.0.0.1.

gcp-storage-emulator serves storage but no OAuth, and google-auth's service-account
credentials fetch an access token from their key document's ``token_uri`` before the
first storage request. This endpoint plays Google's part of that exchange honestly: it
verifies the JWT assertion's RS256 signature against the public key of each service
account it was told about, grants a token when it verifies and answers
``invalid_grant`` otherwise. So a wrong key really fails, and ``grants`` shows whose
credential reached the server.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.integration.servers import HOST


class TokenServer:
    """The token endpoint, served from a thread; ``url`` goes into key documents."""

    def __init__(self) -> None:
        self.public_keys: dict[str, Any] = {}
        self.grants: list[str] = []
        self.refusals: list[str] = []
        handler = self._handler()
        self._server = ThreadingHTTPServer((HOST, 0), handler)
        self.port = int(self._server.server_address[1])
        self.url = f"http://{HOST}:{self.port}/token"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def service_account(self, email: str, *, register: bool = True) -> dict[str, str]:
        """A new service-account key document for ``email`` whose token_uri is this server."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if register:
            self.public_keys[email] = key.public_key()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": "dj-integration",
            "private_key_id": os.urandom(20).hex(),
            "private_key": pem,
            "client_email": email,
            "client_id": "1234567890",
            "token_uri": self.url,
        }

    def _verify(self, assertion: str) -> tuple[str, bool]:
        """Who the assertion claims to be, and whether its signature proves it."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        claimed = ""
        try:
            head, body, signature = assertion.split(".")
            claimed = str(json.loads(_b64decode(body))["iss"])
            self.public_keys[claimed].verify(
                _b64decode(signature),
                f"{head}.{body}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (ValueError, KeyError, InvalidSignature):
            return claimed, False
        return claimed, True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                who, verified = server._verify((form.get("assertion") or [""])[0])
                if not verified:
                    server.refusals.append(who)
                    status = 400
                    reply = {
                        "error": "invalid_grant",
                        "error_description": "Invalid JWT Signature.",
                    }
                else:
                    server.grants.append(who)
                    status = 200
                    reply = {
                        "access_token": f"ya29.granted-{len(server.grants)}",
                        "token_type": "Bearer",
                        "expires_in": 3600,
                    }
                payload = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
