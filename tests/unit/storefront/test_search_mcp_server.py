"""The storefront MCP server, run as a real subprocess over stdio with the SDK's client."""

from __future__ import annotations

import sys
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from libs.catalog.demo import write_jsonl
from libs.catalog.samples import sample_products

ROOT = Path(__file__).resolve().parents[3]
TOOLS = {"search_catalog", "get_product", "lookup_catalog", "create_cart", "get_cart",
         "update_cart", "add_lines", "remove_lines", "cancel_cart", "get_checkout_url",
         "ask_business"}


async def test_server_lists_tools_and_serves_search_and_carts(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.jsonl"
    write_jsonl(sample_products(), catalog)
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "services.mcp_workers.storefront.server", "--catalog", str(catalog)],
        env={"STOREFRONT_CHECKOUT_SECRET": "test-secret"}, cwd=str(ROOT),
    )
    async with Client(params, read_timeout_seconds=30) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        assert tools["search_catalog"].output_schema is not None

        found = await client.call_tool("search_catalog", {"query": "tazas", "language": "es"})
        assert not found.is_error and found.structured_content is not None
        first = found.structured_content["products"][0]
        assert first["id"] == "P2" and first["price"] == {"amount": 250, "currency": "GBP"}

        made = await client.call_tool(
            "create_cart", {"owner": "session-1", "lines": [{"sku": "H-1", "quantity": 2}]})
        assert made.structured_content is not None
        cart = made.structured_content["cart"]
        assert cart["subtotal"] == {"amount": 590, "currency": "GBP"}
        assert cart["lines"][0]["quantity"] == 2
