"""One inbound WhatsApp message → one chat turn (or a polite refusal) → replies through Meta.

Meta retries a webhook until it gets a 2xx, and the gateway may publish a message twice after a
partial failure, so a message id is claimed in Redis (`SET NX` with a TTL) before anything is
sent: a second copy finds the claim and is skipped. The claim says "processing" while the turn
runs and "done" after the replies went out; a failure deletes it, so the redelivered record is
handled again (at least once). A message older than the customer-service window (24 h) cannot be
answered with free-form messages any more: it is recorded and skipped, as are replays of an id
whose claim has expired.

Who speaks is the principal the gateway sealed after checking Meta's signature; its wa_id must
be the message's. The market and language come from the phone number (the chat service resolves
them for a turn; a refusal asks the markets service).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter
from redis.asyncio import Redis

from libs.contracts.chat import CHAT_REQUESTS, ChatReply, ChatTurnRequest
from libs.contracts.markets import MARKETS_REQUESTS, ResolveMarketReply, ResolveMarketRequest
from libs.contracts.principal import Principal
from libs.contracts.whatsapp import InboundMessage
from libs.messaging.errors import RemoteError, RequestError
from libs.messaging.rpc import RpcClient
from libs.whatsapp.graph import GraphError
from services.whatsapp.render import action_of, render, text_message
from services.whatsapp.texts import say

log = logging.getLogger(__name__)
MESSAGES = Counter("museo_whatsapp_messages_total", "Inbound WhatsApp messages by type and outcome",
                   ["type", "outcome"])
SENDS = Counter("museo_whatsapp_sends_total", "Replies sent through the Graph API",
                ["kind", "outcome"])
IGNORED_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})
Send = Callable[[dict[str, Any]], Awaitable[str]]


class NotTheSender(Exception):
    """The sealed principal is not the message's sender: a poison record, for the DLQ."""


class WhatsAppChannel:
    def __init__(self, redis: Redis, rpc: RpcClient, send: Send, *, claim_ttl_s: int = 48 * 3600,
                 max_age_s: int = 24 * 3600, chat_timeout_s: float = 20.0,
                 send_attempts: int = 3, retry_base_s: float = 0.5,
                 chat_topic: str = CHAT_REQUESTS, markets_topic: str = MARKETS_REQUESTS,
                 prefix: str = "wa:") -> None:
        self.redis, self.rpc, self.send = redis, rpc, send
        self.claim_ttl_s, self.max_age_s = claim_ttl_s, max_age_s
        self.chat_timeout_s = chat_timeout_s
        self.send_attempts, self.retry_base_s = send_attempts, retry_base_s
        self.chat_topic, self.markets_topic, self.prefix = chat_topic, markets_topic, prefix

    def _claim_key(self, message_id: str) -> str:
        return f"{self.prefix}msg:{hashlib.sha256(message_id.encode()).hexdigest()[:32]}"

    async def handle(self, message: InboundMessage, principal: Principal | None) -> str:
        """Handle one message; returns the outcome (replied, duplicate, stale, ignored...)."""
        if principal is None or principal.subject != f"whatsapp:{message.wa_id}":
            raise NotTheSender("no principal sealed for this message's sender")
        outcome = await self._handle(message, principal)
        MESSAGES.labels(message.type, outcome).inc()
        return outcome

    async def _handle(self, message: InboundMessage, principal: Principal) -> str:
        if message.type in IGNORED_TYPES:
            return "ignored"
        if time.time() - message.timestamp > self.max_age_s:
            log.info("stale WhatsApp message skipped", extra={"age_s": time.time() - message.timestamp})
            return "stale"
        key = self._claim_key(message.message_id)
        claimed = await self.redis.set(key, "processing", nx=True, ex=self.claim_ttl_s)
        # Not claimed and not "done": "processing" left by a consumer that died mid-turn; one
        # customer's records are handled in order (key = wa_id), so nobody else is at it.
        if not claimed and await self.redis.get(key) == b"done":
            return "duplicate"
        try:
            outcome = await self._answer(message, principal)
        except BaseException:
            await self.redis.delete(key)
            raise
        await self.redis.set(key, "done", ex=self.claim_ttl_s)
        return outcome

    async def _answer(self, message: InboundMessage, principal: Principal) -> str:
        to = message.wa_id
        action = action_of(message.reply_id) if message.type == "interactive" else None
        # what the shopper typed, or the title of what they tapped (kept in the conversation)
        words = (message.text or message.reply_title or "").strip()
        if action is None and not words:
            lang = await self._language(principal)
            await self._send(text_message(to, say("unsupported", lang)))
            return "unsupported"
        turn = ChatTurnRequest(text=(words or str(action and action.intent))[:4000],
                               phone=principal.phone, action=action,
                               conversation_id=conversation_id(message.wa_id))
        reply = await self.rpc.request(self.chat_topic, turn, ChatReply, key=turn.conversation_id,
                                       timeout=self.chat_timeout_s, principal=principal)
        for payload in render(to, reply):
            await self._send(payload)
        return "replied"

    async def _language(self, principal: Principal) -> str:
        """The shop language of the customer's phone number (markets), else English."""
        try:
            reply = await self.rpc.request(
                self.markets_topic, ResolveMarketRequest(phone=principal.phone),
                ResolveMarketReply, key=principal.phone, timeout=3.0)
        except (RemoteError, RequestError):
            return "en"
        return reply.market.shop_language

    async def _send(self, payload: dict[str, Any]) -> str:
        """Send with a few tries on 429/5xx; a 4xx (a message Meta will never take) is logged
        and dropped, since retrying the whole turn would only repeat it."""
        kind = str(payload.get("interactive", {}).get("type") or payload["type"])
        for attempt in range(1, self.send_attempts + 1):
            try:
                wamid = await self.send(payload)
                SENDS.labels(kind, "sent").inc()
                return wamid
            except GraphError as exc:
                if not exc.retryable:
                    SENDS.labels(kind, "refused").inc()
                    log.error("WhatsApp refused a %s reply: %s", kind, exc)
                    return ""
                if attempt == self.send_attempts:
                    SENDS.labels(kind, "failed").inc()
                    raise
                await asyncio.sleep(self.retry_base_s * 2 ** (attempt - 1))
        return ""


def conversation_id(wa_id: str) -> str:
    """One conversation per WhatsApp user, named without the phone number."""
    return "wa-" + hashlib.sha256(f"whatsapp:{wa_id}".encode()).hexdigest()[:24]
