"""The notifications MCP server's tools through the SDK's in-process client."""

from __future__ import annotations

from mcp import Client

from libs.contracts.mcp_notifications import EchoResult
from services.mcp_workers.notifications.server import build_server


async def test_lists_its_tools_with_output_schemas() -> None:
    async with Client(build_server()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"ping", "echo"}
    assert all(t.output_schema is not None for t in tools.values())


async def test_echo_returns_the_contract_as_structured_content() -> None:
    async with Client(build_server()) as client:
        result = await client.call_tool("echo", {"text": "hola"})
    assert not result.is_error
    assert EchoResult.model_validate(result.structured_content) == EchoResult(text="hola", length=4)


async def test_echo_refuses_an_empty_text() -> None:
    async with Client(build_server()) as client:
        result = await client.call_tool("echo", {"text": ""})
    assert result.is_error
