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
