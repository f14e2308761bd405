"""Composition root of the chat service: `python -m services.chat`.

It consumes `chat.requests`, keeps conversation memory in Redis, and calls intent, markets,
storefront and recommend through its own reply topic (`RpcClient`); the principal of the turn
travels on with each call. Conversation turns are published to `events.raw` (acks=all).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from pydantic import TypeAdapter
from redis.asyncio import Redis

from libs.contracts.base import H_CONTENT_TYPE, H_MESSAGE_ID
from libs.contracts.chat import CHAT_REQUESTS, ChatRequest
from libs.contracts.events import EVENTS_RAW, UserEvent
from libs.messaging.breaker import Breakers
from libs.messaging.broker import make_broker
from libs.messaging.rpc import RpcClient
from libs.messaging.service import run_worker
from libs.messaging.worker import register_request_handler
from libs.settings import ServiceSettings
from services.chat.downstream import Downstream
from services.chat.handlers import ChatHandlers
from services.chat.orchestrator import ChatOrchestrator
from services.chat.store import ConversationStore


class ChatSettings(ServiceSettings):
    service_name: str = "chat"
    requests_topic: str = CHAT_REQUESTS
    group_id: str = "chat"
    events_topic: str = EVENTS_RAW
    conversation_ttl_s: int = 24 * 3600
    intent_timeout_s: float = 3.0
    service_timeout_s: float = 8.0
    max_workers: int = 64


@dataclass
class ChatApp:
    broker: KafkaBroker
    redis: Redis
    rpc: RpcClient
    orchestrator: ChatOrchestrator

    async def start(self) -> None:
        await self.rpc.start()

    async def stop(self) -> None:
        await self.rpc.stop()
        await self.redis.aclose()


def build(settings: ChatSettings) -> ChatApp:
    """Wire broker, Redis, the RPC client and handlers; connects nothing."""
    broker = make_broker(settings, durable=True)  # conversation events are facts (acks=all)
    redis = Redis.from_url(settings.redis_url)
    rpc = RpcClient(
        settings.kafka_bootstrap_servers, f"chat-{settings.instance_id}", settings.service_timeout_s
    )
    breakers = Breakers(failure_threshold=3, reset_timeout_s=10.0, slow_call_s=2.0)
    down = Downstream(rpc, breakers, settings.intent_timeout_s, settings.service_timeout_s)

    async def publish(events: list[UserEvent]) -> None:
        for event in events:
            await broker.publish(
                event.model_dump_json().encode(),
                settings.events_topic,
                key=event.visitor_id.encode(),
                headers={H_MESSAGE_ID: event.event_id, H_CONTENT_TYPE: "application/json"},
            )

    store = ConversationStore(redis, settings.conversation_ttl_s)
    orchestrator = ChatOrchestrator(store, down, publish)
    register_request_handler(
        broker,
        topic=settings.requests_topic,
        service="chat",
        adapter=TypeAdapter(ChatRequest),
        handler=ChatHandlers(orchestrator, down).handle,
        group_id=settings.group_id,
        description="A chat turn (conversation memory, intent, dispatch) or an intent analysis.",
        max_workers=settings.max_workers,
    )
    return ChatApp(broker, redis, rpc, orchestrator)


def main() -> None:
    settings = ChatSettings()
    app = build(settings)
    asyncio.run(run_worker(settings, app.broker, on_start=app.start, on_stop=app.stop))


if __name__ == "__main__":
    main()
