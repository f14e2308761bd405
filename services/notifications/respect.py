"""What the Notifier asks before it sends: may this person get this message, on this channel,
now? (consent in `consent.py`, quiet hours in `quiet.py`; this joins them to a request.)"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from libs.contracts.notifications import Channel, Contact, NotificationRequest
from services.notifications.channels.whatsapp import wa_id
from services.notifications.consent import ChannelPolicy, ConsentStore, address_of, channel_refusal
from services.notifications.quiet import QuietHours, zone_for

WindowCheck = Callable[[str], Awaitable[bool]]


class Respect:
    def __init__(self, consent: ConsentStore, policy: ChannelPolicy, quiet: QuietHours | None,
                 in_window: WindowCheck, clock: Callable[[], float] = time.time) -> None:
        self.consent, self.policy, self.quiet = consent, policy, quiet
        self.in_window, self.clock = in_window, clock

    async def marketing_refusal(self, request: NotificationRequest) -> str | None:
        """Marketing needs the person's yes (`marketing: true`) for the market."""
        if request.transactional:
            return None
        choices = await self.consent.choices(request.subject, request.market)
        return None if choices.marketing is True else "no_marketing_consent"

    def defer_until(self, request: NotificationRequest, contact: Contact) -> datetime | None:
        """When a marketing message due now may go, if now is night where the person is."""
        if request.transactional or self.quiet is None:
            return None
        return self.quiet.until(datetime.fromtimestamp(self.clock(), UTC), zone_for(contact))

    async def channel_refusal(self, request: NotificationRequest, channel: Channel,
                              contact: Contact) -> str | None:
        address = address_of(contact, channel)
        opted_out = bool(address) and await self.consent.opted_out(channel, address or "")
        choices = await self.consent.choices(request.subject, request.market)
        conversation = (channel == "whatsapp" and bool(contact.phone)
                        and await self.in_window(wa_id(contact.phone or "")))
        return channel_refusal(self.policy.of(request.market, channel),
                               choices.channels.get(channel), opted_out, conversation)
