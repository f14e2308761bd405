"""The mcp_workers process counts the intent analyser's cache hits and misses (the cache itself
lives in the stdio MCP subprocess, which has no metrics endpoint)."""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, TextContent

from libs.contracts.intent import IntentRequest, IntentResult
from libs.telemetry.metrics import CACHE_LOOKUPS
from services.mcp_workers.bridge import intent_handler


class Supervisor:
    def __init__(self, cached: bool | None) -> None:
        self.cached = cached

    async def call_tool(self, server: str, tool: str, arguments: dict[str, Any],
                        timeout: float | None = None) -> CallToolResult:
        result = IntentResult(intent="greeting", confidence=1.0, cached=self.cached)
        return CallToolResult(content=[TextContent(type="text", text="")],
                              structuredContent=result.model_dump(mode="json"))


def count(outcome: str) -> float:
    return CACHE_LOOKUPS.labels("intent", outcome)._value.get()  # type: ignore[attr-defined,no-any-return]


async def test_hits_and_misses_are_counted_and_follow_ups_are_not() -> None:
    hits, misses = count("hit"), count("miss")
    for cached in (True, False, None, True):
        handle = intent_handler(Supervisor(cached))  # type: ignore[arg-type]
        await handle(IntentRequest(text="hello"))
    assert (count("hit") - hits, count("miss") - misses) == (2, 1)
