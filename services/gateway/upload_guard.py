"""Uploads are authenticated before a byte of their body is read.

FastAPI resolves a route's dependencies only after it parsed the multipart body, so `require()`
on the import route runs after a 150 MB anonymous upload has been spooled. This middleware
checks the credential and the `catalog:import` scope from the headers alone and answers 401/403
at once; the route's own `require()` still runs (defence in depth, and it yields the principal).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from libs.auth import Forbidden, Unauthenticated, require_scope
from libs.auth.scopes import CATALOG_IMPORT
from services.gateway.errors import problem

UPLOAD_PREFIXES = ("/v1/admin/imports",)
# A refused body up to this size is read and dropped, so the client gets its 401/403 on a
# connection it can reuse: closing a socket with unread bytes resets it (TCP RST), and the
# client may then lose the answer. A larger body is never read: the answer says close.
DRAIN_MAX_BYTES = 64_000


class UploadAuthMiddleware:
    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...] = UPLOAD_PREFIXES) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or not scope.get("path", "").startswith(self.prefixes)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        auth = scope["app"].state.gw.auth
        try:
            principal = auth.authenticator.authenticate(
                headers.get("authorization"), headers.get("x-api-key")
            )
            require_scope(principal, CATALOG_IMPORT)
        except Unauthenticated as exc:
            response = problem(401, "unauthorized", exc.description, reason=exc.code)
            response.headers["WWW-Authenticate"] = exc.www_authenticate
        except Forbidden as exc:
            response = problem(403, "forbidden", f"missing scope {exc.scope}", scope=exc.scope)
            response.headers["WWW-Authenticate"] = exc.www_authenticate
        else:
            await self.app(scope, receive, send)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) <= DRAIN_MAX_BYTES:
            await _drain(receive)
        else:
            response.headers["Connection"] = "close"  # the unread body is not drained
        await response(scope, receive, send)


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
