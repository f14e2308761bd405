"""The public storefront tools over MCP Streamable HTTP at `/mcp`, for remote agents.

An MCP server (official SDK) inside the gateway. It declares no storefront tool itself: it lists
the storefront's own public declarations (`ToolListRequest` on `storefront.requests`, answered by
the bridge from the server's tools/list, kept `DECLARATIONS_TTL_S`) and forwards each call
(`ToolCallRequest`), returning its structuredContent. Only listed tools are forwarded: internal
ones (payment completion, webhooks) are neither listed nor callable here. `get_recommendations`
is the gateway's own tool, a call to the recommend service. The owner of carts and orders never
comes from tool arguments nor from a client-chosen id (`mcp_auth`): it is the principal of
`Authorization: Bearer <customer token | Museo session>` or a signed `X-Museo-Session`, else, on
the stateful (handshake) protocol versions, an anonymous owner bound to the live MCP session the
session manager issued (it refuses unknown and closed ids). The session manager's task group runs
from a gateway startup hook to the matching shutdown hook.
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INTERNAL_ERROR,
    CallToolResult,
    InputRequiredResult,
    TextContent,
    ToolAnnotations,
)
from mcp_types import Tool as MCPTool
from pydantic import Field
from starlette.requests import Request
from starlette.routing import Route

from libs.contracts.mcp import ToolDeclaration, ToolListReply, ToolListRequest
from libs.contracts.principal import Principal
from libs.contracts.recommend import (
    IntentContext,
    RecommendKind,
    RecommendReply,
    RecommendRequest,
)
from libs.messaging.errors import RemoteError, RequestError
from services.gateway.deps import GatewayState, user_id_of
from services.gateway.mcp_auth import METADATA_PATH, McpAuth, mcp_principal, resource_metadata
from services.gateway.routes.storefront import forward_tool
from services.gateway.settings import GatewaySettings

router = APIRouter()  # discovery marker; the MCP endpoint is added by `setup`
DECLARATIONS_TTL_S = 60.0  # a redeployed storefront's new tools show up within a minute
INSTRUCTIONS = ("Museo gift shop: search the catalog, manage your cart, get a checkout link, "
                "check orders, ask about products and policies. Money is "
                "{amount (minor units), currency}. Your cart belongs to this MCP session.")


def _failure(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def owner_from(gw: GatewayState, ctx: Context | None) -> Principal | None:
    request = ctx.request_context.request if ctx is not None else None
    return mcp_principal(gw, request.scope) if isinstance(request, Request) else None


def as_mcp_tool(declared: ToolDeclaration) -> MCPTool:
    annotations = ToolAnnotations(**declared.annotations) if declared.annotations else None
    return MCPTool(name=declared.name, title=declared.title, description=declared.description,
                   input_schema=declared.input_schema, output_schema=declared.output_schema,
                   annotations=annotations)


class StorefrontDeclarations:
    """The storefront's public tools as it declares them, asked over Kafka and kept a while;
    a stale copy serves while the storefront does not answer."""

    def __init__(self, app: FastAPI, ttl_s: float = DECLARATIONS_TTL_S) -> None:
        self._app, self._ttl_s = app, ttl_s
        self._tools: dict[str, ToolDeclaration] = {}
        self._expires = 0.0

    async def get(self) -> dict[str, ToolDeclaration]:
        if self._tools and time.monotonic() < self._expires:
            return self._tools
        gw: GatewayState = self._app.state.gw
        try:
            reply = await gw.rpc.request(gw.settings.storefront_topic, ToolListRequest(),
                                         ToolListReply, key="tools/list")
        except RequestError:
            if self._tools:
                return self._tools
            raise
        self._tools = {t.name: t for t in reply.tools}
        self._expires = time.monotonic() + self._ttl_s
        return self._tools


class GatewayMcp(MCPServer):
    """The gateway's own tools, plus the storefront's declarations forwarded by name."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__("museo-storefront", instructions=INSTRUCTIONS)
        self._app = app
        self.storefront = StorefrontDeclarations(app)

    async def list_tools(self) -> list[MCPTool]:
        own = await super().list_tools()
        try:
            declared = await self.storefront.get()
        except RequestError as exc:
            raise MCPError(code=INTERNAL_ERROR, message=f"storefront unavailable: {exc}") from exc
        return [as_mcp_tool(d) for d in declared.values()] + own

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context | None = None
    ) -> CallToolResult | InputRequiredResult:
        if name in {t.name for t in await super().list_tools()}:
            return await super().call_tool(name, arguments, context)
        try:
            declared = await self.storefront.get()
        except RequestError as exc:
            return _failure(f"storefront unavailable: {exc}")
        if name not in declared:
            raise ToolError(f"Unknown tool: {name}")
        gw: GatewayState = self._app.state.gw
        owner = owner_from(gw, context)
        if declared[name].needs_owner and owner is None:
            return _failure("no verified session: use a stateful MCP session, or send "
                            "Authorization: Bearer <customer token or Museo session>")
        try:
            reply = await forward_tool(gw, name, arguments, owner)
        except RemoteError as exc:
            return _failure(exc.message if exc.code in ("bad_request", "not_found", "forbidden")
                            else f"storefront unavailable: {exc}")
        except RequestError as exc:
            return _failure(f"storefront unavailable: {exc}")
        text = reply.text or json.dumps(reply.structured)
        return CallToolResult(content=[TextContent(type="text", text=text)],
                              structured_content=reply.structured, is_error=reply.is_error)


def build_mcp(app: FastAPI) -> GatewayMcp:
    server = GatewayMcp(app)

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
        except RequestError as exc:
            return _failure(f"recommendations unavailable: {exc}")
        data = reply.model_dump(mode="json")
        return CallToolResult(
            content=[TextContent(type="text", text=json.dumps(data))], structured_content=data
        )

    return server


def setup(app: FastAPI) -> None:
    server = build_mcp(app)
    settings: GatewaySettings = app.state.settings
    # Builds the session manager; DNS-rebinding protection is on when bound to localhost.
    server.streamable_http_app(streamable_http_path="/mcp", host=settings.host)
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
