"""Composition root of the WhatsApp channel: `python -m services.whatsapp`.

Consumes `whatsapp.inbound` (customer messages the gateway verified), asks the chat service
for each turn over Kafka (`chat.requests`, with the customer's channel principal), and answers
through Meta's Graph API (`MUSEO_WHATSAPP_BASE_URL`: https://graph.facebook.com in production,
the provider simulator in development and tests).

Why a service of its own rather than part of `services/chat`: the conversation logic is the same
for every channel and stays in chat; what is WhatsApp's (idempotency by Meta's message ids,
interactive message shapes and their limits, the Graph API and its errors) lives here, and the
web chat does not pay for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from faststream.kafka import KafkaBroker
from redis.asyncio import Redis

from libs.contracts.chat import CHAT_REQUESTS
from libs.contracts.markets import MARKETS_REQUESTS
from libs.contracts.whatsapp import WHATSAPP_INBOUND
from libs.dev_secrets import dev_secret
from libs.messaging.broker import make_broker
from libs.messaging.rpc import RpcClient
from libs.messaging.service import run_worker
from libs.settings import ServiceSettings
from libs.whatsapp.graph import GraphClient
from services.whatsapp.channel import WhatsAppChannel
from services.whatsapp.handlers import register


class WhatsAppSettings(ServiceSettings):
    service_name: str = "whatsapp"
    inbound_topic: str = WHATSAPP_INBOUND
    chat_topic: str = CHAT_REQUESTS
    markets_topic: str = MARKETS_REQUESTS
    group_id: str = "whatsapp"
    redis_prefix: str = "wa:"
    # Meta's Graph API; the access token is MUSEO_WHATSAPP_ACCESS_TOKEN (dev: a file).
    whatsapp_base_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"
    whatsapp_phone_number_id: str = "100000000000001"
    claim_ttl_s: int = 48 * 3600  # how long a message id is remembered (> max age)
    max_age_s: int = 24 * 3600  # older messages are past the customer-service window
    chat_timeout_s: float = 20.0
    send_attempts: int = 3


@dataclass
class WhatsAppApp:
    broker: KafkaBroker
    redis: Redis
    rpc: RpcClient
    http: httpx.AsyncClient
    channel: WhatsAppChannel

    async def start(self) -> None:
        await self.rpc.start()

    async def stop(self) -> None:
        await self.rpc.stop()
        await self.http.aclose()
        await self.redis.aclose()


def build(settings: WhatsAppSettings) -> WhatsAppApp:
    """Wire broker, Redis, the RPC client, the Graph client and the handler; connects nothing."""
    broker = make_broker(settings)
    redis = Redis.from_url(settings.redis_url)
    rpc = RpcClient(settings.kafka_bootstrap_servers, f"whatsapp-{settings.instance_id}",
                    settings.chat_timeout_s)
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))
    graph = GraphClient(http, settings.whatsapp_base_url, settings.whatsapp_api_version,
                        settings.whatsapp_phone_number_id,
                        dev_secret("MUSEO_WHATSAPP_ACCESS_TOKEN", "whatsapp-access.token"))
    channel = WhatsAppChannel(
        redis, rpc, graph.send, claim_ttl_s=settings.claim_ttl_s, max_age_s=settings.max_age_s,
        chat_timeout_s=settings.chat_timeout_s, send_attempts=settings.send_attempts,
        chat_topic=settings.chat_topic, markets_topic=settings.markets_topic,
        prefix=settings.redis_prefix)
    register(broker, channel, topic=settings.inbound_topic, group_id=settings.group_id)
    return WhatsAppApp(broker, redis, rpc, http, channel)


def main() -> None:
    settings = WhatsAppSettings()
    app = build(settings)
    asyncio.run(run_worker(settings, app.broker, on_start=app.start, on_stop=app.stop))


if __name__ == "__main__":
    main()
