"""Consent: who may be sent what, on which channel, in which market.

Three sources, most specific first:
- an **address opt-out**: an SMS "STOP" from a number, or an email's unsubscribe link. It is kept
  under a keyed hash of the address (HMAC, so the key names no one and cannot be reversed by
  trying numbers), and it stops every message on that channel to that address, transactional
  ones included (Twilio itself refuses to text a number that sent STOP, error 21610);
- the person's **choices** from `privacy.requests` consent commands (`PUT /v1/users/me/consent`):
  `channels` ({"whatsapp": true, "sms": false}) and `marketing`, per market, a market's own
  record winning over the all-markets (`*`) one;
- the **market policy** per channel: `opt_out` (allowed until refused) or `opt_in` (only after a
  yes). WhatsApp is opt-in everywhere by default (Meta requires a business to collect opt-in
  before it messages a person; a customer who wrote in the last 24 hours started the
  conversation and may be answered). `MUSEO_CHANNEL_POLICY` overrides it per market.

Marketing messages (abandoned-cart reminders) need `marketing: true` on top of the channel.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from redis.asyncio import Redis

from libs.contracts.notifications import Channel, Contact
from libs.contracts.privacy import ALL_MARKETS, ConsentSettings

Policy = Literal["opt_in", "opt_out"]
DEFAULT_POLICY: dict[Channel, Policy] = {"email": "opt_out", "sms": "opt_out",
                                         "whatsapp": "opt_in"}
# Twilio's default opt-out and opt-in keywords: a message that is only the word, any case.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
                        "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})


def keyword(body: str) -> Literal["stop", "start"] | None:
    word = body.strip().upper()
    return "stop" if word in STOP_WORDS else "start" if word in START_WORDS else None


def address_of(contact: Contact, channel: Channel) -> str | None:
    """The address a channel reaches: the email (case-folded) or the E.164 phone."""
    if channel == "email":
        return contact.email.strip().lower() if contact.email else None
    return contact.phone.strip() if contact.phone else None


@dataclass(frozen=True)
class ChannelPolicy:
    """Per market (UK, EU, US...) the policy of each channel; `*` is every other market."""

    by_market: Mapping[str, Mapping[Channel, Policy]] = field(default_factory=dict)

    def of(self, market: str | None, channel: Channel) -> Policy:
        for key in ((market or "").upper(), ALL_MARKETS):
            policy = self.by_market.get(key, {}).get(channel)
            if policy is not None:
                return policy
        return DEFAULT_POLICY[channel]


@dataclass(frozen=True)
class Choices:
    """A person's recorded choices for one market (the market's record over the `*` one)."""

    marketing: bool | None = None
    channels: Mapping[Channel, bool] = field(default_factory=dict)

    @classmethod
    def merge(cls, records: Mapping[str, ConsentSettings], market: str | None) -> Choices:
        base, own = records.get(ALL_MARKETS), records.get((market or "").upper())
        marketing, channels = None, {}
        for record in (base, own):
            if record is None:
                continue
            if record.marketing is not None:
                marketing = record.marketing
            channels.update(record.channels or {})
        return cls(marketing, channels)


def channel_refusal(policy: Policy, choice: bool | None, opted_out: bool,
                    conversation_open: bool) -> str | None:
    """Why this channel may not be used (None: it may)."""
    if opted_out or choice is False:
        return "opted_out"
    if policy == "opt_in" and choice is not True and not conversation_open:
        return "needs_opt_in"
    return None


class ConsentStore:
    """Keys: `<p>consent:<subject>` (hash market -> choices JSON), `<p>optout:<channel>:<hash>`."""

    def __init__(self, redis: Redis, key: bytes, prefix: str = "notif:") -> None:
        self.redis, self.key, self.p = redis, key, prefix

    def address_hash(self, channel: Channel, address: str) -> str:
        return hmac.new(self.key, f"{channel}:{address}".encode(), hashlib.sha256).hexdigest()[:32]

    async def record(self, subject: str, market: str, settings: ConsentSettings) -> None:
        kept = ConsentSettings(marketing=settings.marketing, channels=settings.channels)
        await self.redis.hset(f"{self.p}consent:{subject}", market.upper() if market != ALL_MARKETS
                              else market, kept.model_dump_json(exclude_none=True))  # type: ignore[misc]

    async def choices(self, subject: str, market: str | None) -> Choices:
        raw = await self.redis.hgetall(f"{self.p}consent:{subject}")  # type: ignore[misc]
        records = {(k.decode() if isinstance(k, bytes) else k): ConsentSettings.model_validate_json(v)
                   for k, v in raw.items()}
        return Choices.merge(records, market)

    async def opt_out(self, channel: Channel, address_hash: str) -> None:
        await self.redis.set(f"{self.p}optout:{channel}:{address_hash}", "1")

    async def opt_in(self, channel: Channel, address_hash: str) -> None:
        await self.redis.delete(f"{self.p}optout:{channel}:{address_hash}")

    async def opted_out(self, channel: Channel, address: str) -> bool:
        key = f"{self.p}optout:{channel}:{self.address_hash(channel, address)}"
        return bool(await self.redis.exists(key))

    async def erase(self, subject: str) -> int:
        """The person's choices go; address opt-outs stay (a suppression list names no one and
        is what keeps an erased person from being texted again)."""
        return int(await self.redis.delete(f"{self.p}consent:{subject}"))
