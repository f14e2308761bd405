"""Kafka -> MCP bridge: request handlers that call a supervised MCP server's tools.

`intent.requests` carries `IntentRequest` and is answered with `IntentResult` (the structured
result of `analyze_intent`). `storefront.requests` carries the generic `ToolCallRequest`, answered
with `ToolCallReply`. The owner of carts and orders is the subject of the verified principal the
gateway sealed into `x-museo-principal` (`current_principal()`), never a body field: any `owner`
argument and the request's `owner` field are ignored. Likewise a tool that takes `contact` (the
storefront's `get_checkout_url`) gets the principal's verified email/phone, never the client's.
A server that is down, restarting or too slow becomes an `unavailable` (retryable) error reply.
A `ToolListRequest` is answered with the server's own public declarations (`public_tools`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker
from mcp_types import INVALID_PARAMS, METHOD_NOT_FOUND, CallToolResult, TextContent, Tool
from pydantic import TypeAdapter, ValidationError

from libs.contracts.intent import IntentRequest, IntentResult
from libs.contracts.mcp import (
    INJECTED_ARGUMENTS,
    INTERNAL_TOOL,
    BridgeRequest,
    ToolCallReply,
    ToolCallRequest,
    ToolDeclaration,
    ToolListReply,
    ToolListRequest,
)
from libs.contracts.notifications import contact_from_principal
from libs.contracts.principal import Principal
from libs.contracts.topics import INTENT_REQUESTS, STOREFRONT_REQUESTS
from libs.messaging.errors import HandlerError
from libs.messaging.principal import current_principal
from libs.messaging.worker import register_request_handler
from libs.telemetry.metrics import CACHE_LOOKUPS
from services.mcp_workers.supervisor import McpSupervisor, ServerUnavailable, ToolCallFailed

log = logging.getLogger(__name__)


def result_text(result: CallToolResult) -> str | None:
    texts = [c.text for c in result.content if isinstance(c, TextContent)]
    return "\n".join(texts) if texts else None


def tool_reply(tool: str, result: CallToolResult) -> ToolCallReply:
    structured = result.structured_content
    if structured is not None and not isinstance(structured, dict):
        structured = {"result": structured}
    return ToolCallReply(
        tool=tool, structured=structured, text=result_text(result), is_error=result.is_error
    )


def owner_arguments(
    schema: dict[str, Any] | None, arguments: dict[str, Any], owner: str | None
) -> dict[str, Any]:
    """Arguments without any client-sent `owner`, plus the gateway's when the tool takes one."""
    args = {k: v for k, v in arguments.items() if k != "owner"}
    if schema is not None and "owner" in (schema.get("properties") or {}):
        if not owner:
            raise HandlerError("forbidden", "this tool needs a signed-in user or session")
        args["owner"] = owner
    return args


def contact_arguments(
    schema: dict[str, Any] | None, arguments: dict[str, Any], principal: Principal | None
) -> dict[str, Any]:
    """Arguments without any client-sent `contact`, plus the verified contact of the caller
    (a customer token's email, a channel's phone) when the tool takes one and there is one."""
    args = {k: v for k, v in arguments.items() if k != "contact"}
    if schema is not None and "contact" in (schema.get("properties") or {}):
        contact = contact_from_principal(principal)
        if contact is not None:
            args["contact"] = contact.model_dump(exclude_none=True)
    return args


def public_tools(tools: list[Tool]) -> ToolListReply:
    """The tools a caller may see and call, as declared, minus the internal ones and minus the
    arguments the bridge injects from the verified caller (so no client is asked for them)."""
    public = []
    for tool in tools:
        if (tool.meta or {}).get(INTERNAL_TOOL):
            continue
        schema = dict(tool.input_schema or {})
        props = {k: v for k, v in (schema.get("properties") or {}).items()
                 if k not in INJECTED_ARGUMENTS}
        schema["properties"] = props
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r not in INJECTED_ARGUMENTS]
        annotations = tool.annotations.model_dump(exclude_none=True) if tool.annotations else None
        public.append(ToolDeclaration(
            name=tool.name, title=tool.title, description=tool.description, input_schema=schema,
            output_schema=tool.output_schema, annotations=annotations,
            needs_owner="owner" in (tool.input_schema or {}).get("properties", {})))
    return ToolListReply(tools=public)


def principal_owner() -> str | None:
    """The owner key of the shopper this request acts for: a sealed shopper principal only."""
    principal = current_principal()
    return principal.subject if principal is not None and principal.is_shopper else None


async def call(
    supervisor: McpSupervisor,
    server: str,
    tool: str,
    arguments: dict[str, Any],
    timeout: float | None = None,
) -> CallToolResult:
    """Call a tool, turning supervision failures into the error codes of error replies."""
    try:
        return await supervisor.call_tool(server, tool, arguments, timeout=timeout)
    except ServerUnavailable as exc:
        log.warning("tool call unavailable", extra={"mcp_server": server, "tool": tool})
        raise HandlerError("unavailable", str(exc), retryable=exc.retryable) from exc
    except ToolCallFailed as exc:
        code = "bad_request" if exc.code in (INVALID_PARAMS, METHOD_NOT_FOUND) else "internal"
        raise HandlerError(code, exc.message) from exc


def intent_handler(
    supervisor: McpSupervisor, server: str = "intent", timeout: float | None = None
) -> Callable[[IntentRequest], Awaitable[IntentResult]]:
    async def handle_intent(request: IntentRequest) -> IntentResult:
        """Analyse one utterance with the intent MCP server's `analyze_intent` tool."""
        arguments = request.model_dump(include={"text", "language_hint", "context", "audience"})
        result = await call(
            supervisor,
            server,
            "analyze_intent",
            {k: v for k, v in arguments.items() if v is not None},
            timeout,
        )
        if result.is_error:
            raise HandlerError("internal", result_text(result) or "analyze_intent failed")
        try:
            analysed = IntentResult.model_validate(result.structured_content)
        except ValidationError as exc:
            raise HandlerError("internal", f"bad analyze_intent result: {exc}") from exc
        if analysed.cached is not None:  # the analyser's cache lives in the MCP subprocess
            CACHE_LOOKUPS.labels("intent", "hit" if analysed.cached else "miss").inc()
        return analysed

    return handle_intent


def tool_handler(
    supervisor: McpSupervisor, server: str, timeout: float | None = None
) -> Callable[[ToolCallRequest | ToolListRequest], Awaitable[ToolCallReply | ToolListReply]]:
    async def handle_tool_call(
        request: ToolCallRequest | ToolListRequest,
    ) -> ToolCallReply | ToolListReply:
        """Call the named tool of the MCP server (the owner comes from the gateway), or list
        the server's public tools."""
        if isinstance(request, ToolListRequest):
            if not supervisor.declarations(server):
                raise HandlerError("unavailable", f"{server} has not listed its tools yet",
                                   retryable=True)
            return public_tools(supervisor.declarations(server))
        known = supervisor.tools(server)
        if known and request.tool not in known:
            raise HandlerError("not_found", f"no tool {request.tool!r} on {server}")
        schema = supervisor.tool_schema(server, request.tool)
        args = owner_arguments(schema, request.arguments, principal_owner())
        args = contact_arguments(schema, args, current_principal())
        return tool_reply(request.tool, await call(supervisor, server, request.tool, args, timeout))

    return handle_tool_call


def register_intent_bridge(
    broker: KafkaBroker,
    supervisor: McpSupervisor,
    *,
    topic: str = INTENT_REQUESTS,
    group_id: str = "intent",
    server: str = "intent",
    timeout: float | None = None,
) -> None:
    register_request_handler(
        broker,
        topic=topic,
        service="intent",
        adapter=TypeAdapter(IntentRequest),
        handler=intent_handler(supervisor, server, timeout),
        group_id=group_id,
        description="Intent analysis (en/es/fr) by the intent MCP server's analyze_intent tool.",
    )


def register_tool_bridge(
    broker: KafkaBroker,
    supervisor: McpSupervisor,
    *,
    topic: str = STOREFRONT_REQUESTS,
    group_id: str = "storefront",
    server: str = "storefront",
    timeout: float | None = None,
) -> None:
    register_request_handler(
        broker,
        topic=topic,
        service=server,
        adapter=TypeAdapter(BridgeRequest),
        handler=tool_handler(supervisor, server, timeout),
        group_id=group_id,
        description=f"Call a tool of the {server} MCP server (ToolCallRequest -> ToolCallReply), "
        "or list its public tools (ToolListRequest -> ToolListReply).",
    )
