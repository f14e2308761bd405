"""The WhatsApp chat channel: verified inbound messages on `whatsapp.inbound`.

The gateway checks Meta's `X-Hub-Signature-256`, then publishes one `InboundMessage` per
customer message of the webhook (key = wa_id, so one customer's messages stay in order) with
the channel principal `whatsapp:<wa_id>` sealed in the `x-museo-principal` header. The
`services/whatsapp` channel service trusts that header, never the body, for who speaks.
Statuses and the whole payload still go to `notifications.callbacks`.
"""

from __future__ import annotations

from pydantic import Field

from libs.contracts.base import Message
from libs.contracts.topics import WHATSAPP_INBOUND

__all__ = ["WHATSAPP_INBOUND", "InboundMessage"]


class InboundMessage(Message):
    """One customer message. `type` is Meta's (text, interactive, button, image, audio,
    location, ...); `text` is the text of a text message (or a template button's text);
    `reply_id`/`reply_title` the row or button a customer tapped (`interactive.list_reply` /
    `interactive.button_reply`)."""

    message_id: str = Field(min_length=1, max_length=256)  # Meta's wamid, idempotency key
    wa_id: str = Field(pattern=r"^[0-9]{5,20}$")
    timestamp: int = Field(ge=0)  # epoch seconds, Meta's
    type: str = Field(min_length=1, max_length=40)
    text: str | None = Field(default=None, max_length=4096)
    reply_kind: str | None = Field(default=None, max_length=40)  # list_reply | button_reply
    reply_id: str | None = Field(default=None, max_length=256)
    reply_title: str | None = Field(default=None, max_length=100)
    phone_number_id: str | None = Field(default=None, max_length=64)  # the shop's number
