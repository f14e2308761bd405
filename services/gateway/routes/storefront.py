"""Storefront endpoints: catalog, carts, checkout links, orders and Q&A, each one storefront tool
call over Kafka (`ToolCallRequest` on `storefront.requests`).

The basket owner never comes from the client: it is the verified principal (`deps.Shopper`: a
signed-in customer, or an anonymous session issued on the first request and returned in the
`X-Museo-Session` header and cookie). The principal travels sealed to the storefront, which
takes the owner from it (`current_principal()`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from libs.contracts.mcp import ToolCallReply, ToolCallRequest
from libs.contracts.principal import Principal
from libs.contracts.storefront import (
    SESSION_HEADER,
    AskBody,
    CartLinesBody,
    CheckoutBody,
    LookupBody,
)
from services.gateway.deps import GatewayState, Shopper, state
from services.gateway.errors import problem

router = APIRouter(tags=["storefront"])
STATUS_BY_ERROR = {"forbidden": 403, "not_found": 404, "invalid_token": 400, "expired_token": 400,
                   **dict.fromkeys(("out_of_stock", "insufficient_stock", "quantity_limit",
                                    "cart_closed", "empty_cart", "cart_changed", "conflict",
                                    "already_paid"), 409),
                   "provider_confirmation_required": 402, "payments_unavailable": 503,
                   "pricing_unavailable": 503, "market_unsupported": 422,
                   "payment_provider_error": 502, "invalid_signature": 400,
                   "invalid_payload": 400}  # fmt: skip


class StorefrontError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


async def forward_tool(
    gw: GatewayState, tool: str, arguments: dict[str, Any], principal: Principal | None = None
) -> ToolCallReply:
    """One storefront tool call over Kafka (None-valued arguments are left out), acting for
    `principal` (default: the request's own, from the context)."""
    args = {k: v for k, v in arguments.items() if v is not None}
    return await gw.rpc.request(
        gw.settings.storefront_topic,
        ToolCallRequest(tool=tool, arguments=args),
        ToolCallReply,
        key=principal.subject if principal else tool,
        principal=principal,
    )


async def call_tool(
    gw: GatewayState, tool: str, arguments: dict[str, Any], principal: Principal | None = None
) -> dict[str, Any]:
    """Call one storefront tool; raise `StorefrontError` for the errors it reports."""
    reply = await forward_tool(gw, tool, arguments, principal)
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
    body: CartLinesBody, request: Request, owner: Shopper, gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    result = await call_tool(gw, "create_cart", body.model_dump(), owner)
    session = getattr(request.state, "issued_session", None) or request.headers.get(SESSION_HEADER)
    return {**result, "session": session}


@router.get("/v1/carts/{cart_id}", summary="The caller's cart")
async def get_cart(
    cart_id: str, owner: Shopper, gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    return await call_tool(gw, "get_cart", {"cart_id": cart_id}, owner)


@router.put("/v1/carts/{cart_id}", summary="Replace the cart's lines (full list)")
async def update_cart(
    cart_id: str,
    body: CartLinesBody,
    owner: Shopper,
    gw: GatewayState = Depends(state),
) -> dict[str, Any]:
    return await call_tool(gw, "update_cart", {"cart_id": cart_id, **body.model_dump()}, owner)


@router.delete("/v1/carts/{cart_id}", summary="Cancel the cart")
async def cancel_cart(
    cart_id: str, owner: Shopper, gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    return await call_tool(gw, "cancel_cart", {"cart_id": cart_id}, owner)


@router.post("/v1/carts/{cart_id}/checkout", summary="A signed payment link for the cart")
async def checkout(
    cart_id: str,
    owner: Shopper,
    body: CheckoutBody | None = None,
    gw: GatewayState = Depends(state),
) -> dict[str, Any]:
    args = {"cart_id": cart_id, **(body.model_dump() if body else {})}
    return await call_tool(gw, "get_checkout_url", args, owner)


@router.get("/v1/orders", summary="The caller's recent orders")
async def orders(
    owner: Shopper, gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    return await call_tool(gw, "order_status", {}, owner)


@router.get("/v1/orders/{order_id}", summary="One of the caller's orders")
async def order(
    order_id: str, owner: Shopper, gw: GatewayState = Depends(state)
) -> dict[str, Any]:
    result = await call_tool(gw, "order_status", {"order_id": order_id}, owner)
    return {"order": result["orders"][0]}


@router.post("/v1/ask", summary="Ask about a product or the shop's policies")
async def ask(body: AskBody, gw: GatewayState = Depends(state)) -> dict[str, Any]:
    return await call_tool(gw, "ask_business", body.model_dump())


def setup(app: FastAPI) -> None:
    @app.exception_handler(StorefrontError)
    async def _failed(_: Request, exc: StorefrontError) -> JSONResponse:
        extra = {"details": exc.details} if exc.details else {}
        response = problem(exc.status, exc.code, exc.message, **extra)
        if exc.status == 503:  # a dependency (payments, markets) is down: ask to come back
            response.headers["Retry-After"] = "5"
        return response
