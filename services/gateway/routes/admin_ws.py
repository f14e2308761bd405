"""Admin over the WebSocket: the `admin.*` frames, each authorised by its scope.

A browser cannot set `Authorization` on a WebSocket, so the admin page sends its access token
(client credentials from `/oauth/token`) in an `admin.auth` frame; a non-browser client may
instead open `/ws` with the header. Every other `admin.*` frame needs the scope the matching
HTTP route needs (catalog:read, catalog:write, catalog:import) and gets an `error` frame
(`unauthorized` without a token, `forbidden` without the scope) otherwise. The frames forward to
the admin worker on `admin.requests` exactly as the `/v1/admin` routes do; no logic lives here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from libs.auth import Principal, require_scope
from libs.auth.errors import Forbidden
from libs.auth.scopes import CATALOG_IMPORT, CATALOG_READ, CATALOG_WRITE
from libs.contracts.admin import (
    GetProduct,
    ImportJobStatus,
    ImportStatus,
    ListProducts,
    ParseProduct,
    ParseReply,
    ProductList,
    ProductReply,
)
from libs.contracts.catalog import Product
from libs.messaging.principal import principal_var
from services.gateway.admin_auth import GatewayAuth
from services.gateway.deps import GatewayState
from services.gateway.routes.admin import (
    CONFIRM_TTL_S,
    ConfirmError,
    ParseBody,
    _delete,
    _upsert,
    apply_confirmed,
    to_confirm,
    topic,
)
from services.gateway.ws import FrameError, WsSession, ws_op

router = APIRouter()  # discovery marker: this module only adds WebSocket frame types
ADMIN_KEY = "admin_principal"


class ProductsQuery(BaseModel):
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=500)
    query: str | None = Field(default=None, max_length=200)


class ProductRef(BaseModel):
    product_id: str = Field(min_length=1, max_length=255)


class ProductBody(BaseModel):
    product: Product


class ConfirmBody(BaseModel):
    token: str = Field(min_length=10, max_length=100_000)


class JobRef(BaseModel):
    job_id: str = Field(min_length=1, max_length=100)


def _auth(gw: GatewayState) -> GatewayAuth:
    auth = gw.auth
    assert auth is not None, "routes/oauth.py's start-up hook loads it"
    return auth


def admin_of(session: WsSession, scope: str) -> Principal:
    """The admin principal of this connection holding `scope`, else an error frame."""
    principal = session.data.get(ADMIN_KEY) or session.principal
    if principal.kind not in ("service_account", "api_key"):
        raise FrameError("unauthorized", "send an admin.auth frame with an access token first")
    try:
        require_scope(principal, scope)
    except Forbidden as exc:
        raise FrameError("forbidden", f"this token lacks the scope {scope}") from exc
    principal_var.set(principal)  # forwarded to the admin worker with the request
    return principal


def _reply(data: BaseModel | dict[str, Any]) -> dict[str, Any]:
    body = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return {"type": "reply", "data": body}


@ws_op("admin.auth")
async def _admin_auth(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    """Verify an admin access token (client credentials) and act as it for admin frames."""
    token = frame.get("token")
    if not isinstance(token, str) or not token or len(token) > 8000:
        raise FrameError("bad_request", "admin.auth needs a string 'token'")
    authn = _auth(session.gw).authenticator
    principal = authn.authenticate(f"Bearer {token}", None)  # AuthError -> unauthorized frame
    session.data[ADMIN_KEY] = principal
    who = {"kind": principal.kind, "subject": principal.subject, "scopes": sorted(principal.scopes)}
    return {"type": "admin.authenticated", "principal": who}


@ws_op("admin.products.list")
async def _list(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    admin_of(session, CATALOG_READ)
    q = ProductsQuery.model_validate(frame)
    req = ListProducts(offset=q.offset, limit=q.limit, query=q.query or None)
    gw = session.gw
    return _reply(await gw.rpc.request(topic(gw), req, ProductList, correlation_id=cid))


@ws_op("admin.products.get")
async def _get(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    admin_of(session, CATALOG_READ)
    ref = ProductRef.model_validate(frame)
    reply = await _fetch(session.gw, ref.product_id, cid)
    if reply.product is None:
        raise FrameError("not_found", f"product {ref.product_id} not found")
    return _reply(reply)


async def _fetch(gw: GatewayState, product_id: str, cid: str) -> ProductReply:
    req = GetProduct(product_id=product_id)
    return await gw.rpc.request(topic(gw), req, ProductReply, key=product_id, correlation_id=cid)


@ws_op("admin.products.update")
async def _update(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    who = admin_of(session, CATALOG_WRITE)
    body = ProductBody.model_validate(frame)
    return _reply(await _upsert(session.gw, body.product, "update", who))


@ws_op("admin.products.delete")
async def _remove(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    who = admin_of(session, CATALOG_WRITE)
    ref = ProductRef.model_validate(frame)
    return _reply(await _delete(session.gw, ref.product_id, who))


@ws_op("admin.nl.parse")
async def _parse(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    """Parse a natural-language change; nothing is written. The reply shows the product before
    (for an update or delete) and after, and a confirmation token when nothing is missing."""
    who = admin_of(session, CATALOG_WRITE)
    body = ParseBody.model_validate(frame)
    gw = session.gw
    req = ParseProduct(text=body.text, language=body.language)
    parsed = await gw.rpc.request(topic(gw), req, ParseReply, correlation_id=cid)
    data: dict[str, Any] = {**parsed.model_dump(mode="json"), "before": None, "after": None}
    op = parsed.operation
    if op is not None:
        if op.action != "create":
            data["before"] = _dump((await _fetch(gw, op.product_id, cid)).product)
        data["after"] = _dump(op.product)
    if (payload := to_confirm(parsed, who)) is not None:
        data["confirmation_token"] = _auth(gw).sign_confirmation(payload, CONFIRM_TTL_S)
        data["expires_in"] = CONFIRM_TTL_S
    return _reply(data)


def _dump(product: Product | None) -> dict[str, Any] | None:
    return None if product is None else product.model_dump(mode="json")


@ws_op("admin.nl.confirm")
async def _confirm(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    """Apply a parsed change: only with a confirmation token issued to this same client."""
    who = admin_of(session, CATALOG_WRITE)
    body = ConfirmBody.model_validate(frame)
    try:
        return _reply(await apply_confirmed(session.gw, _auth(session.gw), body.token, who))
    except ConfirmError as exc:
        raise FrameError(exc.code, exc.message) from exc


@ws_op("admin.import.status")
async def _import_status(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    """Progress and bad-row report of an import started with `POST /v1/admin/imports`."""
    admin_of(session, CATALOG_IMPORT)
    ref = JobRef.model_validate(frame)
    gw = session.gw
    req = ImportStatus(job_id=ref.job_id)
    return _reply(await gw.rpc.request(topic(gw), req, ImportJobStatus, correlation_id=cid))
