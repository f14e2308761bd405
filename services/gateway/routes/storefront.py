"""Storefront endpoints: catalog, carts, checkout links, orders and Q&A, each one storefront tool
call over Kafka (`ToolCallRequest` on `storefront.requests`).

The basket owner never comes from the client's body: it is a signed-in user (the hook
`gw.extras["resolve_user"]`, a `(Request) -> user id | None`) or an anonymous session issued here
on the first `POST /v1/carts` and returned in the `X-Museo-Session` header. The session value is
`<random id>.<HMAC>` (key: MUSEO_SESSION_SECRET, else the dev file `.local/data/session.secret`),
so a client cannot make up someone else's session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse

from libs.contracts.mcp import STOREFRONT_REQUESTS, ToolCallReply, ToolCallRequest
from libs.contracts.storefront import (
    SESSION_HEADER,
    AskBody,
    CartLinesBody,
    CheckoutBody,
    LookupBody,
)
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem

router = APIRouter(tags=["storefront"])
ROOT = Path(__file__).resolve().parents[3]
STATUS_BY_ERROR = {"forbidden": 403, "not_found": 404, "invalid_token": 400, "expired_token": 400,
                   **dict.fromkeys(("out_of_stock", "insufficient_stock", "quantity_limit",
                                    "cart_closed", "empty_cart", "cart_changed", "conflict",
                                    "already_paid"), 409),
                   "provider_confirmation_required": 402, "payments_unavailable": 503,
                   "payment_provider_error": 502, "invalid_signature": 400,
                   "invalid_payload": 400}  # fmt: skip


class StorefrontError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _secret() -> bytes:
    if value := os.environ.get("MUSEO_SESSION_SECRET", "").strip():
        return value.encode()
    path = Path(os.environ.get("MUSEO_DATA_DIR") or ROOT / ".local" / "data") / "session.secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
            fh.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text().strip().encode()


def _sign(session_id: str, key: bytes) -> str:
    mac = hmac.new(key, session_id.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode()


def new_session(key: bytes) -> str:
    session_id = secrets.token_urlsafe(18)
    return f"{session_id}.{_sign(session_id, key)}"


def session_owner(value: str | None, key: bytes) -> str | None:
    """The owner for a signed session value; None when absent or not signed by us."""
    if not value or value.count(".") != 1:
        return None
    session_id, signature = value.split(".")
    if not session_id or not hmac.compare_digest(signature, _sign(session_id, key)):
        return None
    return f"anon:{session_id}"


def user_owner(gw: GatewayState, request: Request) -> str | None:
    resolve = gw.extras.get("resolve_user")
    user = resolve(request) if resolve is not None else None
    return f"user:{user}" if user else None


def owner_of(request: Request, gw: GatewayState = Depends(state)) -> str:
    """The caller's owner id; 401 without a signed-in user or a valid session."""
    owner = user_owner(gw, request) or session_owner(
        request.headers.get(SESSION_HEADER), gw.extras["session_key"]
    )
    if owner is None:
        raise StorefrontError(401, "unauthorized", f"missing or invalid {SESSION_HEADER} header")
    return owner


async def forward_tool(
    gw: GatewayState, tool: str, arguments: dict[str, Any], owner: str | None = None
) -> ToolCallReply:
    """One storefront tool call over Kafka (None-valued arguments are left out)."""
    args = {k: v for k, v in arguments.items() if v is not None}
    return await gw.rpc.request(
        STOREFRONT_REQUESTS,
        ToolCallRequest(tool=tool, arguments=args, owner=owner),
        ToolCallReply,
        key=owner or tool,
    )


async def call_tool(
    gw: GatewayState, tool: str, arguments: dict[str, Any], owner: str | None = None
) -> dict[str, Any]:
    """Call one storefront tool; raise `StorefrontError` for the errors it reports."""
    reply = await forward_tool(gw, tool, arguments, owner)
    if reply.is_error or reply.structured is None:
        raise StorefrontError(400, "bad_request", reply.text or f"{tool} failed")
    result = reply.structured
    errors = result.get("errors") or []
    if errors:
        first = errors[0]
        status = STATUS_BY_ERROR.get(first.get("code", ""), 422)
        raise StorefrontError(
            status, first.get("code", "invalid"), first.get("message", ""), errors
        )
    if result.get("error"):
        status = 404 if tool == "get_product" else 400
        raise StorefrontError(
            status, "not_found" if status == 404 else "bad_request", result["error"]
        )
    return result


@router.get("/v1/catalog/search", summary="Search the catalog (en/es/fr) with filters")
async def search(
    q: str = Query("", max_length=500),
    category: str | None = Query(None, max_length=64),
    price_min: int | None = Query(None, ge=0),
    price_max: int | None = Query(None, ge=0),
    available: bool | None = None,
    country: str | None = Query(None, max_length=64),
    language: str = Query("en", max_length=5),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(10, ge=1, le=50),
    gw: GatewayState = Depends(state),
) -> dict[str, Any]:
    args = {"query": q, "category": category, "price_min": price_min, "price_max": price_max,
            "available": available, "country": country, "language": language, "cursor": cursor,
            "limit": limit}  # fmt: skip
    return await call_tool(gw, "search_catalog", args)


@router.get("/v1/products/{product_id}", summary="One product by id, SKU or handle")
async def product(
    product_id: str, language: str = Query("en", max_length=5), gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    return await call_tool(gw, "get_product", {"product_id": product_id, "language": language})


@router.post("/v1/catalog/lookup", summary="Several products by ids and/or SKUs")
async def lookup(body: LookupBody, gw: GatewayState = Depends(state)) -> dict[str, Any]:
    return await call_tool(gw, "lookup_catalog", body.model_dump())


@router.post("/v1/carts", status_code=201, summary="Create a cart (issues a session if needed)")
async def create_cart(
    body: CartLinesBody, request: Request, response: Response, gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    key = gw.extras["session_key"]
    session = request.headers.get(SESSION_HEADER)
    owner = user_owner(gw, request) or session_owner(session, key)
    if owner is None:
        if session:
            raise StorefrontError(401, "unauthorized", f"invalid {SESSION_HEADER} header")
        session = new_session(key)
        owner = session_owner(session, key)
    result = await call_tool(gw, "create_cart", body.model_dump(), owner)
    if session:
        response.headers[SESSION_HEADER] = session
    return {**result, "session": session}


@router.get("/v1/carts/{cart_id}", summary="The caller's cart")
async def get_cart(
    cart_id: str, owner: str = Depends(owner_of), gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    return await call_tool(gw, "get_cart", {"cart_id": cart_id}, owner)


@router.put("/v1/carts/{cart_id}", summary="Replace the cart's lines (full list)")
async def update_cart(
    cart_id: str,
    body: CartLinesBody,
    owner: str = Depends(owner_of),
    gw: GatewayState = Depends(state),
) -> dict[str, Any]:
    return await call_tool(gw, "update_cart", {"cart_id": cart_id, **body.model_dump()}, owner)


@router.delete("/v1/carts/{cart_id}", summary="Cancel the cart")
async def cancel_cart(
    cart_id: str, owner: str = Depends(owner_of), gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    return await call_tool(gw, "cancel_cart", {"cart_id": cart_id}, owner)


@router.post("/v1/carts/{cart_id}/checkout", summary="A signed payment link for the cart")
async def checkout(
    cart_id: str,
    body: CheckoutBody | None = None,
    owner: str = Depends(owner_of),
    gw: GatewayState = Depends(state),
) -> dict[str, Any]:
    country = body.country if body else None
    return await call_tool(gw, "get_checkout_url", {"cart_id": cart_id, "country": country}, owner)


@router.get("/v1/orders", summary="The caller's recent orders")
async def orders(
    owner: str = Depends(owner_of), gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    return await call_tool(gw, "order_status", {}, owner)


@router.get("/v1/orders/{order_id}", summary="One of the caller's orders")
async def order(
    order_id: str, owner: str = Depends(owner_of), gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    result = await call_tool(gw, "order_status", {"order_id": order_id}, owner)
    return {"order": result["orders"][0]}


@router.post("/v1/ask", summary="Ask about a product or the shop's policies")
async def ask(body: AskBody, gw: GatewayState = Depends(state)) -> dict[str, Any]:
    return await call_tool(gw, "ask_business", body.model_dump())


def setup(app: FastAPI) -> None:
    async def _key(gw: GatewayState) -> None:
        gw.extras["session_key"] = _secret()

    app.state.startup_hooks.append(_key)

    @app.exception_handler(StorefrontError)
    async def _failed(_: Request, exc: StorefrontError) -> JSONResponse:
        extra = {"details": exc.details} if exc.details else {}
        return problem(exc.status, exc.code, exc.message, **extra)
