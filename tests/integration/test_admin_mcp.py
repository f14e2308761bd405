"""The admin MCP server's tools call the real admin HTTP API with their own service account."""

from __future__ import annotations

import secrets
import string
from typing import Any

import pytest
from mcp import Client

from services.mcp_workers.admin.api_client import AdminApiClient
from services.mcp_workers.admin.server import build_server
from tests.integration import test_admin_support as support
from tests.integration.test_admin_support import FIXTURES, AdminStack

admin_stack = support.admin_stack  # the shared module fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")


def _server(stack: AdminStack, who: str = "admin", secret: str | None = None) -> Any:
    c = stack.clients[who]
    return build_server(AdminApiClient(stack.base_url, c.client_id, secret or c.secret))


async def test_parse_then_create_then_delete_through_mcp_tools(admin_stack: AdminStack) -> None:
    word = "Zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    async with Client(_server(admin_stack)) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert {
            "parse_product_command",
            "create_product",
            "update_product",
            "delete_product",
            "import_products",
            "import_status",
        } <= tools
        parsed = await client.call_tool(
            "parse_product_command", {"text": f"add a mug of Vexil {word} at 9.99 GBP in gifts"}
        )
        assert not parsed.is_error
        draft = parsed.structured_content
        assert draft is not None and draft["operation"]["product"]["variants"][0]["price"] == 999
        created = await client.call_tool(
            "create_product", {"confirmation_token": draft["confirmation_token"]}
        )
        assert not created.is_error and created.structured_content["created"] is True
        pid = draft["operation"]["product_id"]
        deleted = await client.call_tool("delete_product", {"product_id": pid})
        assert not deleted.is_error and deleted.structured_content["deleted"] is True


async def test_import_and_status_through_mcp_tools(admin_stack: AdminStack) -> None:
    async with Client(_server(admin_stack, "importer")) as client:
        started = await client.call_tool(
            "import_products", {"path": str(FIXTURES / "native_products.csv")}
        )
        assert not started.is_error, started.content
        job_id = started.structured_content["job_id"]
        for _ in range(200):
            status = await client.call_tool("import_status", {"job_id": job_id})
            if status.structured_content["state"] in ("done", "failed"):
                break
        assert status.structured_content["state"] == "done"
        assert status.structured_content["report"]["products_ok"] == 2


async def test_tool_errors_say_401_or_403(admin_stack: AdminStack) -> None:
    async with Client(_server(admin_stack, secret="wrong-secret")) as client:
        bad = await client.call_tool("import_status", {"job_id": "x"})
    assert bad.is_error and "401" in bad.content[0].text  # type: ignore[union-attr]
    async with Client(_server(admin_stack, "reader")) as client:
        denied = await client.call_tool("delete_product", {"product_id": "x"})
    assert denied.is_error and "403 Forbidden" in denied.content[0].text  # type: ignore[union-attr]
