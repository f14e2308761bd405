"""Generic MCP tool-call contracts bridged over Kafka (e.g. on `storefront.requests`).

A `ToolCallRequest` names one tool of the MCP server behind the topic and its arguments. `owner`
is the user or anonymous session id the gateway injects from the authenticated connection; it is
never taken from the client, and the bridge passes it as the tool's `owner` argument, overriding
any `owner` found in `arguments`. `intent.requests` does not use these: it carries
`libs.contracts.intent.IntentRequest` and replies `IntentResult`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from libs.contracts.base import Message
from libs.contracts.topics import STOREFRONT_REQUESTS

__all__ = ["STOREFRONT_REQUESTS", "ToolCallReply", "ToolCallRequest"]


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
