"""Starts the real MCP server over stdio with the SDK's client and calls its tools."""

import os
import sys
from pathlib import Path

from mcp import Client, StdioServerParameters

from libs.contracts.intent import IntentResult
from services.mcp_workers.intent.model import default_model

ROOT = Path(__file__).resolve().parents[3]


async def test_analyze_intent_over_stdio() -> None:
    default_model()  # make sure the on-disk model cache exists so the server starts fast
    env = {"MUSEO_LLM_PROVIDER": "off"}
    if "MUSEO_CACHE_DIR" in os.environ:
        env["MUSEO_CACHE_DIR"] = os.environ["MUSEO_CACHE_DIR"]
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "services.mcp_workers.intent.server"],
        cwd=str(ROOT),
        env=env,
    )
    async with Client(params, read_timeout_seconds=60) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert {"analyze_intent", "ping"} <= set(tools)
        assert tools["analyze_intent"].output_schema is not None

        call = await client.call_tool(
            "analyze_intent",
            {
                "text": "añade el segundo",
                "language_hint": "es-ES",
                "context": {"last_products": ["p-1", "p-2"]},
            },
        )
        assert not call.is_error
        result = IntentResult.model_validate(call.structured_content)
        assert (result.intent, result.language, result.entities.product_id) == (
            "add_to_basket",
            "es",
            "p-2",
        )

        plain = await client.call_tool("analyze_intent", {"text": "where is my order #10234?"})
        assert IntentResult.model_validate(plain.structured_content).entities.order_id == "10234"

        health = await client.call_tool("ping", {})
        assert health.structured_content["status"] == "ok"
