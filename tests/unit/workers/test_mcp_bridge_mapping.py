"""How the bridge maps tool results and owners (no broker or subprocess needed)."""

from __future__ import annotations

import pytest
from mcp_types import CallToolResult, TextContent

from libs.contracts.principal import Principal
from libs.messaging.errors import HandlerError
from services.mcp_workers.bridge import contact_arguments, owner_arguments, tool_reply

OWNER_SCHEMA = {"properties": {"owner": {"type": "string"}, "cart_id": {"type": "string"}}}


def test_gateway_owner_replaces_a_client_sent_owner() -> None:
    args = owner_arguments(OWNER_SCHEMA, {"owner": "someone-else", "cart_id": "c1"}, "user-1")
    assert args == {"owner": "user-1", "cart_id": "c1"}


def test_owner_tool_without_owner_is_forbidden() -> None:
    with pytest.raises(HandlerError) as info:
        owner_arguments(OWNER_SCHEMA, {"cart_id": "c1"}, None)
    assert info.value.code == "forbidden"


def test_owner_is_not_passed_to_tools_that_do_not_take_it() -> None:
    schema = {"properties": {"query": {"type": "string"}}}
    assert owner_arguments(schema, {"query": "mugs", "owner": "x"}, "user-1") == {"query": "mugs"}


def test_tool_reply_carries_structured_text_and_error_flag() -> None:
    ok = CallToolResult(content=[TextContent(text="hi")], structured_content={"a": 1})
    assert tool_reply("t", ok).model_dump() == {
        "schema_version": 1, "tool": "t", "structured": {"a": 1}, "text": "hi", "is_error": False,
    }  # fmt: skip
    err = CallToolResult(content=[TextContent(text="no such cart")], is_error=True)
    reply = tool_reply("t", err)
    assert reply.is_error and reply.text == "no such cart" and reply.structured is None
    listy = CallToolResult(content=[], structured_content=[1, 2])
    assert tool_reply("t", listy).structured == {"result": [1, 2]}


CONTACT_SCHEMA = {"properties": {"owner": {}, "cart_id": {}, "contact": {}}}


def test_a_customers_verified_email_replaces_a_client_sent_contact() -> None:
    customer = Principal(subject="customer:lucia", kind="customer", email="lucia@example.com")
    sent = {"cart_id": "c1", "contact": {"email": "attacker@evil.example"}}
    assert contact_arguments(CONTACT_SCHEMA, sent, customer) == {
        "cart_id": "c1", "contact": {"email": "lucia@example.com"}}


def test_a_channel_principal_gives_its_phone_and_others_give_nothing() -> None:
    channel = Principal(subject="whatsapp:34612345678", kind="channel", phone="+34612345678")
    anonymous = Principal(subject="anon:s1", kind="anonymous")
    machine = Principal(subject="museo-admin", kind="service_account", email="ops@museo.example")
    sent = {"cart_id": "c1", "contact": {"email": "someone@example.com"}}
    assert contact_arguments(CONTACT_SCHEMA, sent, channel)["contact"] == {"phone": "+34612345678"}
    for nobody in (anonymous, machine, None):
        assert contact_arguments(CONTACT_SCHEMA, sent, nobody) == {"cart_id": "c1"}


def test_tools_that_take_no_contact_never_get_one() -> None:
    customer = Principal(subject="customer:lucia", kind="customer", email="lucia@example.com")
    assert contact_arguments(OWNER_SCHEMA, {"cart_id": "c1", "contact": {"email": "x@y.z"}},
                             customer) == {"cart_id": "c1"}


async def test_listing_is_the_servers_own_public_tools_without_injected_arguments() -> None:
    """What `/mcp` publishes comes from the storefront server's own declarations: the internal
    tools are left out, and no tool asks a client for `owner` or `contact`."""
    from typing import Any, cast

    from libs.catalog.read_model import CatalogReadModel
    from services.mcp_workers.bridge import public_tools
    from services.mcp_workers.storefront.basket import InMemoryBasketStore
    from services.mcp_workers.storefront.server import add_order_tools, build_server
    from services.mcp_workers.storefront.storefront import Storefront

    storefront = Storefront(CatalogReadModel(), InMemoryBasketStore(), "s" * 32, "http://x")
    server = build_server(storefront)
    add_order_tools(server, cast(Any, None))  # declarations only: no tool is called
    declared = await server.list_tools()
    listed = {t.name: t for t in public_tools(declared).tools}

    assert {"get_checkout", "complete_checkout"} <= {t.name for t in declared}
    assert not {"get_checkout", "complete_checkout"} & set(listed)
    assert {"search_catalog", "add_lines", "get_checkout_url", "order_status"} <= set(listed)
    for tool in listed.values():
        assert not {"owner", "contact"} & set(tool.input_schema["properties"]), tool.name
        assert not {"owner", "contact"} & set(tool.input_schema.get("required", [])), tool.name
    assert listed["add_lines"].needs_owner and not listed["search_catalog"].needs_owner
    original = next(t for t in declared if t.name == "search_catalog")
    assert listed["search_catalog"].description == original.description
    assert listed["search_catalog"].output_schema == original.output_schema
