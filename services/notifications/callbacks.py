"""Vendor status callbacks → delivery status updates.

Meta's status webhooks carry a timestamp per status, so they are ordered by it. Twilio's status
callbacks carry none; they are stamped with the time of the status they follow, so they tie and
the further state wins (a late "sent" after "delivered" changes nothing). Inbound WhatsApp
messages open the customer-service window (24 h) in which free text may be sent. An inbound
SMS that is only "STOP" (or START) opts the number out of (back into) texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from libs.contracts.notifications import ProviderCallback
from services.notifications.consent import keyword

TWILIO_STATES = {"sent": "sent", "delivered": "delivered", "read": "read",
                 "undelivered": "undelivered", "failed": "failed"}
META_STATES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}


@dataclass(frozen=True)
class ProviderStatus:
    provider: str
    message_id: str
    state: str
    at: datetime | None  # None: the vendor gave no time
    error: str | None = None


@dataclass(frozen=True)
class Inbound:
    wa_id: str
    at: datetime


def parse(callback: ProviderCallback) -> tuple[list[ProviderStatus], list[Inbound]]:
    """Statuses and inbound messages in a verified webhook; unknown shapes give nothing."""
    if callback.provider == "twilio":
        return _twilio(callback.payload), []
    return _meta(callback.payload)


@dataclass(frozen=True)
class Keyword:
    """A text that is only an opt-out or opt-in keyword, from `phone` on `channel`."""

    channel: Literal["sms", "whatsapp"]
    phone: str
    action: Literal["stop", "start"]


def twilio_keyword(callback: ProviderCallback) -> Keyword | None:
    """An inbound Twilio message (`/webhooks/twilio/inbound`) that says STOP or START. Twilio
    names it in `OptOutType` when Advanced Opt-Out is on; else the body is matched as Twilio's
    default keywords are: the whole message, any case."""
    form = callback.payload
    if callback.provider != "twilio" or form.get("MessageStatus") or not form.get("From"):
        return None
    kind = str(form.get("OptOutType") or "").upper()
    action = {"STOP": "stop", "START": "start"}.get(kind) or keyword(str(form.get("Body", "")))
    if action not in ("stop", "start"):
        return None
    sender = str(form["From"])
    channel: Literal["sms", "whatsapp"] = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    return Keyword(channel, sender.removeprefix("whatsapp:"), action)  # type: ignore[arg-type]


def _twilio(form: dict[str, Any]) -> list[ProviderStatus]:
    state = TWILIO_STATES.get(str(form.get("MessageStatus", "")))
    sid = form.get("MessageSid")
    if not state or not sid:
        return []
    error = f"twilio error {form['ErrorCode']}" if form.get("ErrorCode") else None
    return [ProviderStatus("twilio", str(sid), state, None, error)]


def _meta(body: dict[str, Any]) -> tuple[list[ProviderStatus], list[Inbound]]:
    statuses: list[ProviderStatus] = []
    inbound: list[Inbound] = []
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            for item in value.get("statuses") or []:
                state = META_STATES.get(str(item.get("status")))
                if not state or not item.get("id"):
                    continue
                errors = item.get("errors") or []
                error = (f"whatsapp error {errors[0].get('code')}: {errors[0].get('title')}"
                         if errors else None)
                statuses.append(ProviderStatus("whatsapp", str(item["id"]), state,
                                               _ts(item.get("timestamp")), error))
            for message in value.get("messages") or []:
                if message.get("from"):
                    inbound.append(Inbound(str(message["from"]),
                                           _ts(message.get("timestamp")) or datetime.now(UTC)))
    return statuses, inbound


def _ts(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None
