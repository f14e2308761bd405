"""Authentication of `/mcp`, the MCP way (MCP authorization spec, RFC 9728, RFC 6750).

Every request's credential is checked before the MCP session manager sees it. A credential that
is present but not genuine gets `401` with `WWW-Authenticate: Bearer error="invalid_token",
resource_metadata="<base>/.well-known/oauth-protected-resource/mcp"`, so a standard MCP client
can discover where customer tokens come from. The verified principal rides in the ASGI scope.

A client-chosen `mcp-session-id` is never an owner: only on the handshake (stateful) protocol
versions, where the session manager itself issued the id and refuses unknown or closed ones, is
an anonymous owner bound to it (an HMAC of the id under the session key, so the owner is not the
id itself). On the stateless revisions the owner comes from a credential or there is none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from libs.auth.errors import Unauthenticated
from libs.contracts.principal import Principal
from services.gateway.deps import GatewayState, authenticate, identity

SCOPE_KEY = "museo.principal"
METADATA_PATH = "/.well-known/oauth-protected-resource"


def metadata_url(gw: GatewayState) -> str:
    return gw.settings.public_base_url.rstrip("/") + METADATA_PATH + "/mcp"


def www_authenticate(gw: GatewayState, exc: Unauthenticated | None = None) -> str:
    error = f'error="invalid_token", error_description="{exc.code}", ' if exc else ""
    return f'Bearer realm="museo", {error}resource_metadata="{metadata_url(gw)}"'


def resource_metadata(gw: GatewayState) -> dict[str, Any]:
    """RFC 9728 protected resource metadata of `/mcp`."""
    base = gw.settings.public_base_url.rstrip("/")
    issuer = identity(gw).customer_settings.customer_token_issuer or base
    return {
        "resource": f"{base}/mcp",
        "authorization_servers": [issuer],
        "bearer_methods_supported": ["header"],
        "resource_name": "Museo storefront (MCP)",
        "resource_documentation": f"{base}/docs",
    }


class McpAuth:
    """ASGI wrapper in front of the MCP endpoint: verify, then pass the principal on."""

    def __init__(self, app: FastAPI, endpoint: ASGIApp) -> None:
        self.app, self.endpoint = app, endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gw: GatewayState = self.app.state.gw
        try:
            principal = authenticate(HTTPConnection(scope), gw)
        except Unauthenticated as exc:
            await _unauthorized(gw, exc, send)
            return
        scope[SCOPE_KEY] = principal
        await self.endpoint(scope, receive, send)


async def _unauthorized(gw: GatewayState, exc: Unauthenticated, send: Send) -> None:
    body = json.dumps({"error": "invalid_token", "error_description": exc.description}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"www-authenticate", www_authenticate(gw, exc).encode()),
               (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def mcp_principal(gw: GatewayState, scope: MutableMapping[str, Any]) -> Principal | None:
    """The owner of this MCP request: its credential's principal, else the live stateful MCP
    session's anonymous owner, else None."""
    principal = scope.get(SCOPE_KEY)
    if isinstance(principal, Principal) and principal.is_shopper:
        return principal
    conn = HTTPConnection(scope)
    version = conn.headers.get("mcp-protocol-version")
    session_id = conn.headers.get("mcp-session-id")
    if not session_id or (version is not None and version not in HANDSHAKE_PROTOCOL_VERSIONS):
        return None
    mac = hmac.new(identity(gw).session_key, f"mcp:{session_id}".encode(), hashlib.sha256)
    bound = base64.urlsafe_b64encode(mac.digest()[:18]).decode()
    return Principal(subject=f"anon:mcp-{bound}", kind="anonymous")
