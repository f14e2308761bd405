"""Customer messages are read from Meta's `messages` webhook (the documented shapes); anything
else in the payload is skipped, never a crash."""

from __future__ import annotations

from typing import Any

from libs.whatsapp.webhook import inbound_messages, whatsapp_principal


def payload(*messages: Any, statuses: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": "2", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": "1001"},
            "messages": list(messages), "statuses": statuses or []}}]}]}


def test_text_and_interactive_replies_are_read() -> None:
    text = {"from": "34612345678", "id": "wamid.A", "timestamp": "1700000000", "type": "text",
            "text": {"body": "busco velas"}}
    tapped = {"from": "34612345678", "id": "wamid.B", "timestamp": "1700000001",
              "type": "interactive", "context": {"from": "15550000000", "id": "wamid.X"},
              "interactive": {"type": "list_reply", "list_reply": {
                  "id": "add:p1", "title": "Vela", "description": "2,99 €"}}}
    image = {"from": "34612345678", "id": "wamid.C", "timestamp": "1700000002", "type": "image",
             "image": {"id": "9", "mime_type": "image/jpeg"}}
    first, second, third = inbound_messages(payload(text, tapped, image))
    assert (first.text, first.type, first.phone_number_id) == ("busco velas", "text", "1001")
    assert (second.reply_kind, second.reply_id, second.reply_title) == ("list_reply", "add:p1",
                                                                         "Vela")
    assert (third.type, third.text, third.reply_id) == ("image", None, None)


def test_statuses_only_or_malformed_items_give_no_message() -> None:
    assert inbound_messages(payload(statuses=[{"id": "wamid.S", "status": "read"}])) == []
    bad = [{"from": "not-a-number", "id": "x", "timestamp": "1", "type": "text"},
           {"from": "34612345678", "timestamp": "1", "type": "text"},  # no id
           {"from": "34612345678", "id": "y", "timestamp": "soon", "type": "text"},
           {"from": "34612345678", "id": "z", "timestamp": "1", "type": "text", "text": "flat"},
           "not an object"]
    assert [m.message_id for m in inbound_messages(payload(*bad))] == ["z"]
    assert inbound_messages({"entry": "nope"}) == []
    assert inbound_messages({"entry": [{"changes": [{"value": "nope"}]}]}) == []


def test_the_channel_principal_names_the_wa_id_not_a_body_field() -> None:
    who = whatsapp_principal("34612345678")
    assert (who.subject, who.kind, who.phone) == ("whatsapp:34612345678", "channel",
                                                  "+34612345678")
    assert who.is_shopper and not who.scopes
