"""The public storefront tools over MCP Streamable HTTP at `/mcp`, for remote agents.

An MCP server (official SDK) inside the gateway: each tool forwards to the storefront over Kafka
(`ToolCallRequest` on `storefront.requests`) and returns its structuredContent. The owner of
carts and orders never comes from tool arguments nor from a client-chosen id (`mcp_auth`): it
is the principal of `Authorization: Bearer <customer token | Museo session>` or a signed
`X-Museo-Session`, else, on the stateful (handshake) protocol versions, an anonymous owner bound
to the live MCP session the session manager issued (it refuses unknown and closed ids). The
session manager's task group runs from a gateway startup hook to the matching shutdown hook.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp_types import CallToolResult, TextContent
from pydantic import Field
from starlette.requests import Request
from starlette.routing import Route

from libs.contracts.principal import Principal
from libs.contracts.recommend import (
    IntentContext,
    RecommendKind,
    RecommendReply,
    RecommendRequest,
)
from libs.contracts.storefront import CartLineIn
from libs.messaging.errors import RemoteError, RequestTimeout
from services.gateway.deps import GatewayState, user_id_of
from services.gateway.mcp_auth import METADATA_PATH, McpAuth, mcp_principal, resource_metadata
from services.gateway.routes.storefront import forward_tool

router = APIRouter()  # discovery marker; the MCP endpoint is added by `setup`
Language = Annotated[str, Field(description="answer language: en, es or fr")]
Lines = Annotated[list[CartLineIn], Field(description="full line list; quantity 0 removes")]


def _failure(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def owner_from(gw: GatewayState, ctx: Context) -> Principal | None:
    request = ctx.request_context.request
    return mcp_principal(gw, request.scope) if isinstance(request, Request) else None


def build_mcp(app: FastAPI) -> MCPServer:
    server: MCPServer = MCPServer(
        "museo-storefront",
        instructions="Museo gift shop: search the catalog, manage your cart, "
        "get a checkout link, check orders, ask about products and policies. Money is "
        "{amount (minor units), currency}. Your cart belongs to this MCP session.",
    )

    async def forward(
        tool: str, args: dict[str, Any], ctx: Context | None = None
    ) -> CallToolResult:
        gw: GatewayState = app.state.gw
        owner = owner_from(gw, ctx) if ctx is not None else None
        if ctx is not None and owner is None:
            return _failure("no verified session: use a stateful MCP session, or send "
                            "Authorization: Bearer <customer token or Museo session>")
        try:
            reply = await forward_tool(gw, tool, args, owner)
        except (RemoteError, RequestTimeout) as exc:
            return _failure(f"storefront unavailable: {exc}")
        text = reply.text or json.dumps(reply.structured)
        return CallToolResult(
            content=[TextContent(type="text", text=text)],
            structured_content=reply.structured,
            is_error=reply.is_error,
        )

    @server.tool()
    async def search_catalog(
        query: str = "",
        category: str | None = None,
        price_min: Annotated[int | None, Field(description="minor units")] = None,
        price_max: Annotated[int | None, Field(description="minor units")] = None,
        available: bool | None = None,
        country: str | None = None,
        language: Language = "en",
        cursor: str | None = None,
        limit: Annotated[int, Field(ge=1, le=50)] = 10,
    ) -> CallToolResult:
        """Search products by words (en/es/fr) with filters; pass next_cursor for more."""
        return await forward(
            "search_catalog",
            {
                "query": query,
                "category": category,
                "price_min": price_min,
                "price_max": price_max,
                "available": available,
                "country": country,
                "language": language,
                "cursor": cursor,
                "limit": limit,
            },
        )

    @server.tool()
    async def get_product(product_id: str, language: Language = "en") -> CallToolResult:
        """One product by id, SKU or handle, with its variants."""
        return await forward("get_product", {"product_id": product_id, "language": language})

    @server.tool()
    async def lookup_catalog(
        ids: list[str] | None = None, skus: list[str] | None = None, language: Language = "en"
    ) -> CallToolResult:
        """Several products by ids and/or SKUs; unknown ones are listed in `missing`."""
        return await forward("lookup_catalog", {"ids": ids, "skus": skus, "language": language})

    @server.tool()
    async def create_cart(lines: Lines, ctx: Context) -> CallToolResult:
        """Create a cart for this session with lines of {sku or product_id, quantity}."""
        return await forward("create_cart", {"lines": _dump(lines)}, ctx)

    @server.tool()
    async def get_cart(cart_id: str, ctx: Context) -> CallToolResult:
        """This session's cart."""
        return await forward("get_cart", {"cart_id": cart_id}, ctx)

    @server.tool()
    async def update_cart(cart_id: str, lines: Lines, ctx: Context) -> CallToolResult:
        """Replace the cart's lines (send the full list; quantity 0 removes a line)."""
        return await forward("update_cart", {"cart_id": cart_id, "lines": _dump(lines)}, ctx)

    @server.tool()
    async def cancel_cart(cart_id: str, ctx: Context) -> CallToolResult:
        """Cancel (delete) the cart."""
        return await forward("cancel_cart", {"cart_id": cart_id}, ctx)

    @server.tool()
    async def get_checkout_url(
        cart_id: str, ctx: Context, country: str | None = None, language: str | None = None
    ) -> CallToolResult:
        """A signed payment link for the cart (valid 30 minutes); the order confirmation goes
        to the signed-in customer's email, in `language`."""
        args = {"cart_id": cart_id, "country": country, "language": language}
        return await forward("get_checkout_url", args, ctx)

    @server.tool()
    async def order_status(ctx: Context, order_id: str | None = None) -> CallToolResult:
        """One of this session's orders, or its recent orders."""
        return await forward("order_status", {"order_id": order_id}, ctx)

    @server.tool()
    async def ask_business(
        question: str, product_id: str | None = None, language: Language = "en"
    ) -> CallToolResult:
        """Answer a question about a product or the shop's policies."""
        return await forward(
            "ask_business", {"question": question, "product_id": product_id, "language": language}
        )

    @server.tool()
    async def get_recommendations(
        ctx: Context,
        kind: RecommendKind = "recommended_for_you",
        product_id: str | None = None,
        limit: Annotated[int, Field(ge=1, le=50)] = 10,
        country: str | None = None,
        intent: Literal["purchase", "comparison", "browsing", "research"] | None = None,
        interest: Annotated[str | None, Field(max_length=200)] = None,
    ) -> CallToolResult:
        """Products for this session (personalised from its events, per market and consent), or
        similar / frequently-bought-together items of a product. `kind="buy_again"` re-offers
        the person's usual items by their own repeat cycle ("order my usual"); `interest` is
        what the person said they want ("candles", "a gift for someone who loves Monet")."""
        gw: GatewayState = app.state.gw
        owner = owner_from(gw, ctx)
        user = user_id_of(owner) if owner else None
        req = RecommendRequest(
            user_id=user,
            visitor_id=None if user or owner is None else owner.subject,
            kind=kind,
            product_id=product_id,
            limit=limit,
            country=country,
            intent=IntentContext(type=intent or "browsing", query=interest)
            if intent or interest else None,
        )
        try:
            reply = await gw.rpc.request(
                gw.settings.recommend_topic, req, RecommendReply, key=req.profile_key, principal=owner
            )
        except (RemoteError, RequestTimeout) as exc:
            return _failure(f"recommendations unavailable: {exc}")
        data = reply.model_dump(mode="json")
        return CallToolResult(
            content=[TextContent(type="text", text=json.dumps(data))], structured_content=data
        )

    return server


def _dump(lines: list[CartLineIn]) -> list[dict[str, Any]]:
    return [line.model_dump(exclude_none=True) for line in lines]


def setup(app: FastAPI) -> None:
    server = build_mcp(app)
    # Builds the session manager; DNS-rebinding protection is on when bound to localhost.
    server.streamable_http_app(
        streamable_http_path="/mcp", host=os.environ.get("MUSEO_HOST", "127.0.0.1")
    )
    manager = server.session_manager
    endpoint = McpAuth(app, StreamableHTTPASGIApp(manager))
    app.router.routes.append(Route("/mcp", endpoint=endpoint, methods=["GET", "POST", "DELETE"]))
    stack = contextlib.AsyncExitStack()

    async def start(_: GatewayState) -> None:
        await stack.enter_async_context(manager.run())

    async def stop(_: GatewayState) -> None:
        await stack.aclose()

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)

    @app.get(METADATA_PATH, tags=["auth"], summary="RFC 9728 metadata of /mcp")
    @app.get(METADATA_PATH + "/mcp", tags=["auth"], include_in_schema=False)
    async def protected_resource() -> JSONResponse:
        return JSONResponse(resource_metadata(app.state.gw),
                            headers={"Cache-Control": "public, max-age=300"})
