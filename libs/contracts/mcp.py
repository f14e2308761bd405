"""Generic MCP tool-call contracts bridged over Kafka (e.g. on `storefront.requests`).

A `ToolCallRequest` names one tool of the MCP server behind the topic and its arguments. `owner`
is the user or anonymous session id the gateway injects from the authenticated connection; it is
never taken from the client, and the bridge passes it as the tool's `owner` argument, overriding
any `owner` found in `arguments`. `intent.requests` does not use these: it carries
`libs.contracts.intent.IntentRequest` and replies `IntentResult`.

A `ToolListRequest` on the same topic asks for the server's own tool declarations, so the
gateway's `/mcp` publishes them instead of declaring a second copy: only the public tools (not
those whose `_meta` carries `INTERNAL_TOOL`), and without the arguments the bridge fills in from
the verified caller (`INJECTED_ARGUMENTS`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from libs.contracts.base import Message
from libs.contracts.topics import STOREFRONT_REQUESTS

__all__ = [
    "INJECTED_ARGUMENTS",
    "INTERNAL_TOOL",
    "STOREFRONT_REQUESTS",
    "BridgeRequest",
    "ToolCallReply",
    "ToolCallRequest",
    "ToolDeclaration",
    "ToolListReply",
    "ToolListRequest",
]

# `_meta` key of a tool only the system's own routes call (payment completion, webhooks): the
# bridge leaves it out of `ToolListReply`, so `/mcp` neither lists nor forwards it.
INTERNAL_TOOL = "museo/internal"
# Arguments the bridge sets from the verified principal, replacing any the caller sent.
INJECTED_ARGUMENTS = ("owner", "contact")


class ToolCallRequest(Message):
    """Call `tool` with `arguments` on the MCP server bridged to the topic."""

    tool: str = Field(min_length=1, max_length=128)
    arguments: dict[str, Any] = Field(default_factory=dict)
    owner: str | None = None  # user/session id, injected by the gateway, never from the client


class ToolCallReply(Message):
    """The tool's result: `structured` is its structuredContent, `text` its text content.

    `is_error` is true when the tool itself reported an error (the MCP `isError` result, e.g. a
    cart that does not belong to the owner); transport failures are `ErrorReply`s instead.
    """

    tool: str
    structured: dict[str, Any] | None = None
    text: str | None = None
    is_error: bool = False


class ToolListRequest(Message):
    """List the public tools of the MCP server bridged to the topic."""

    op: Literal["list_tools"] = "list_tools"


class ToolDeclaration(Message):
    """One tool as its server declares it (MCP `Tool`), minus the injected arguments."""

    name: str
    title: str | None = None
    description: str | None = None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None
    needs_owner: bool = False  # it acts for the caller: a verified user or session is required


class ToolListReply(Message):
    tools: list[ToolDeclaration]


def _bridge_tag(value: Any) -> str:
    op = value.get("op") if isinstance(value, dict) else getattr(value, "op", None)
    return "list" if op == "list_tools" else "call"


# What a tool bridge topic carries: a call (the default: it names no `op`) or a listing.
BridgeRequest = Annotated[
    Annotated[ToolCallRequest, Tag("call")] | Annotated[ToolListRequest, Tag("list")],
    Discriminator(_bridge_tag),
]
