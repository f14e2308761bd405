"""OAuth 2.0 client-credentials token endpoint (RFC 6749 section 4.4) and the JWKS document.

Clients authenticate with HTTP Basic (preferred, RFC 6749 section 2.3.1) or with form fields
`client_id`/`client_secret`, never both. `setup(app)` loads the auth state at start-up, creates
the demo account when there is none, masks credentials in logs and maps auth errors to 401/403.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from libs.auth import AuthSettings, Forbidden, OAuthError, TokenResponse, Unauthenticated
from services.gateway.admin_auth import GatewayAuth, get_auth, install_redaction
from services.gateway.deps import GatewayState
from services.gateway.errors import problem

router = APIRouter(tags=["auth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(exc: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if exc.error == "invalid_client":
        headers["WWW-Authenticate"] = 'Basic realm="museo"'
    return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=headers)


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", "unsupported client authentication scheme")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "malformed Basic credentials") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "malformed Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)


async def _client_and_scope(request: Request) -> tuple[str, str, str | None]:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise OAuthError("invalid_request", "use application/x-www-form-urlencoded")
    form = await request.form()
    fields: dict[str, str] = {k: v for k, v in form.items() if isinstance(v, str)}
    grant_type = fields.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", "only client_credentials is supported")
    basic = _basic_credentials(request.headers.get("authorization"))
    if basic and ("client_secret" in fields or "client_id" in fields):
        raise OAuthError("invalid_request", "use one client authentication method, not two")
    client_id, secret = basic or (fields.get("client_id", ""), fields.get("client_secret", ""))
    return client_id, secret, fields.get("scope")


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    summary="Client-credentials grant: a short-lived signed JWT with the granted scopes",
)
async def token(request: Request) -> Any:
    try:
        client_id, secret, scope = await _client_and_scope(request)
        issuer = get_auth(request).issuer  # scrypt check: off the event loop
        issued = await asyncio.to_thread(issuer.issue_token, client_id, secret, scope)
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(issued.model_dump(), headers=NO_STORE)


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
async def jwks(request: Request) -> Any:
    return JSONResponse(
        get_auth(request).keyring.jwks(), headers={"Cache-Control": "public, max-age=60"}
    )


def setup(app: FastAPI) -> None:
    """Start-up: auth state (tests may set `app.state.auth_settings`), redaction, 401/403."""
    install_redaction()

    async def load_auth(gw: GatewayState) -> None:
        settings: AuthSettings | None = getattr(app.state, "auth_settings", None)
        auth = await asyncio.to_thread(GatewayAuth.load, settings)
        await asyncio.to_thread(auth.ensure_demo_account)
        gw.auth = auth
        install_redaction()  # handlers added after create_app (e.g. by uvicorn) get it too

    app.state.startup_hooks.append(load_auth)

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        response = problem(401, "unauthorized", exc.description, reason=exc.code)
        response.headers["WWW-Authenticate"] = exc.www_authenticate
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        response = problem(403, "forbidden", f"missing scope {exc.scope}", scope=exc.scope)
        response.headers["WWW-Authenticate"] = exc.www_authenticate
        return response
