"""Reading Meta's `messages` webhook: the customer messages in a verified payload.

`entry[].changes[].value.messages[]` holds what customers wrote (statuses of what the shop sent
are in `value.statuses[]` and are the notification service's business). An item that does not
have Meta's documented shape is skipped here; the whole payload still reaches
`notifications.callbacks`, so nothing is lost from the record.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from libs.contracts.principal import Principal
from libs.contracts.whatsapp import InboundMessage


def whatsapp_principal(wa_id: str) -> Principal:
    """The channel identity of a WhatsApp user, proven by Meta's signature on the webhook."""
    return Principal(subject=f"whatsapp:{wa_id}", kind="channel", phone=f"+{wa_id}")


def inbound_messages(payload: dict[str, Any]) -> list[InboundMessage]:
    found: list[InboundMessage] = []
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            phone_number_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            for item in _list(value.get("messages")):
                message = _message(item, phone_number_id)
                if message is not None:
                    found.append(message)
    return found


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _message(item: dict[str, Any], phone_number_id: Any) -> InboundMessage | None:
    kind = str(item.get("type") or "")
    text: str | None = None
    reply_kind = reply_id = reply_title = None
    if kind == "text":
        text = _obj(item.get("text")).get("body")
    elif kind == "button":  # a quick-reply button of a template message
        text = _obj(item.get("button")).get("text")
    elif kind == "interactive":
        interactive = _obj(item.get("interactive"))
        reply_kind = interactive.get("type")
        reply = interactive.get(reply_kind) if isinstance(reply_kind, str) else None
        if isinstance(reply, dict):
            reply_id, reply_title = reply.get("id"), reply.get("title")
    try:
        return InboundMessage(
            message_id=str(item.get("id") or ""), wa_id=str(item.get("from") or ""),
            timestamp=int(item.get("timestamp") or 0), type=kind, text=text,
            reply_kind=reply_kind, reply_id=reply_id, reply_title=reply_title,
            phone_number_id=str(phone_number_id) if phone_number_id else None,
        )
    except (ValidationError, ValueError, TypeError, OverflowError):
        return None
