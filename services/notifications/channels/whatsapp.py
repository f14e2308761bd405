"""WhatsApp through Meta's Cloud API: `POST /{version}/{phone-number-id}/messages`, Bearer token.

Free text is allowed only inside the customer-service window (24 h after the customer last wrote
to the shop, which the service learns from inbound-message webhooks); outside it, an approved
template named after the message kind, in the recipient's language, with the text's key values
as body parameters. Meta answers with `messages[0].id` (a wamid) and later POSTs status
webhooks for it. The HTTP call and the reading of Meta's errors are the shared Graph client
(`libs/whatsapp/graph.py`), which the chat channel (`services/whatsapp`) uses too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from libs.contracts.notifications import Channel, Contact
from libs.whatsapp.graph import GraphClient, GraphError
from services.notifications.channels.base import Accepted, SendError
from services.notifications.templating import Rendered

WindowCheck = Callable[[str], Awaitable[bool]]


def wa_id(phone: str) -> str:
    """Meta's id of a WhatsApp user: the E.164 number without the plus."""
    return phone.lstrip("+")


class WhatsAppCloudSender:
    channel: Channel = "whatsapp"
    provider = "whatsapp"

    def __init__(self, http: httpx.AsyncClient, base_url: str, version: str,
                 phone_number_id: str, access_token: str, in_window: WindowCheck) -> None:
        self.graph = GraphClient(http, base_url, version, phone_number_id, access_token)
        self.in_window = in_window

    def can_reach(self, contact: Contact) -> bool:
        return bool(contact.phone)

    async def payload(self, kind: str, contact: Contact, message: Rendered) -> dict[str, Any]:
        to = wa_id(contact.phone or "")
        base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        if await self.in_window(to):
            return {**base, "type": "text", "text": {"preview_url": False, "body": message.text}}
        return {**base, "type": "template", "template": {
            "name": kind, "language": {"code": message.language},
            "components": [{"type": "body", "parameters": [
                {"type": "text", "text": value} for value in message.params]}]}}

    async def send(self, nid: str, contact: Contact, message: Rendered,
                   unsubscribe_url: str | None) -> Accepted:
        body = await self.payload(message.kind, contact, message)
        try:
            return Accepted(self.provider, await self.graph.send(body))
        except GraphError as exc:
            raise SendError(str(exc), retryable=exc.retryable) from exc
