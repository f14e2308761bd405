"""The chat service on real Kafka and Redis: gateway → chat.requests → chat → markets, and back.

Intent analysis and the storefront are not running here, so this also shows the breaker's
fallback: the chat service answers from its own pattern stage, marked `fallback_used`. Its turn
events go to a test topic (deleted afterwards); tests/e2e/test_chat.py follows one to a profile.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from libs.contracts.chat import ChatReply, ChatTurnRequest
from libs.contracts.topics import TopicSpec
from libs.messaging.errors import RemoteError
from libs.messaging.topics import delete_topics, ensure_topics
from services.chat.__main__ import ChatApp, ChatSettings, build
from tests.integration.helpers_platform import GatewayServer, MarketsWorker, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class ChatStack:
    gateway: GatewayServer
    chat: ChatApp
    redis: Redis
    events_topic: str


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[ChatStack]:
    events_topic = unique("test-chat-events")
    await ensure_topics(kafka_bootstrap, [TopicSpec(events_topic, partitions=1)])
    markets = MarketsWorker(kafka_bootstrap, redis_url)
    await markets.start()
    settings = ChatSettings(kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
                            instance_id=unique("test-chat"), events_topic=events_topic,
                            intent_timeout_s=0.5, service_timeout_s=1.0)
    chat = build(settings)
    await chat.start()
    await chat.broker.start()
    gateway = GatewayServer(kafka_bootstrap, redis_url)
    redis = Redis.from_url(redis_url)
    try:
        await gateway.start()
        yield ChatStack(gateway, chat, redis, events_topic)
    finally:
        await gateway.stop()
        await chat.broker.stop()
        await chat.stop()
        await markets.stop()
        await redis.aclose()
        await delete_topics(kafka_bootstrap, [events_topic])


async def frame(ws: Any, body: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps(body))
    reply = json.loads(await asyncio.wait_for(ws.recv(), 20))
    assert isinstance(reply, dict)
    return reply


async def test_a_websocket_turn_is_served_by_the_chat_service(stack: ChatStack) -> None:
    async with connect(stack.gateway.ws_url) as ws:
        welcome = json.loads(await ws.recv())
        session, owner = welcome["session_id"], welcome["principal"]["subject"]
        try:
            out = await frame(ws, {"type": "chat", "id": "1", "text": "bonjour", "country": "FR"})
            assert out["type"] == "reply", out
            reply = out["data"]
            assert reply["conversation_id"] == session
            assert reply["intent"]["intent"] == "greeting" and reply["text"].startswith("Bonjour")
            assert reply["fallback_used"], "no intent service here: the chat service's fallback"
            assert reply["market"]["country"] == "FR", "the chat service asked markets itself"
            raw = await stack.redis.get(f"conv:{session}")
            assert raw is not None, "the chat service keeps the conversation"
            stored = json.loads(raw)
            assert stored["owner"] == owner, "owner = the principal the gateway sealed"
            assert [t["role"] for t in stored["turns"]] == ["user", "assistant"]
        finally:
            await stack.redis.delete(f"conv:{session}")


async def test_another_sessions_conversation_is_neither_read_nor_written(stack: ChatStack) -> None:
    async with connect(stack.gateway.ws_url) as first, connect(stack.gateway.ws_url) as second:
        victim = json.loads(await first.recv())["session_id"]
        await second.recv()
        fresh = None
        try:
            assert (await frame(first, {"type": "chat", "text": "hello"}))["type"] == "reply"
            stolen = await frame(second, {"type": "chat", "text": "what's in my basket?",
                                          "conversation_id": victim})
            assert stolen["type"] == "reply", stolen
            fresh = stolen["data"]["conversation_id"]
            assert fresh != victim, "a fresh conversation, not the victim's"
            kept = json.loads(await stack.redis.get(f"conv:{victim}") or b"{}")
            assert [t["text"] for t in kept["turns"]][0] == "hello" and len(kept["turns"]) == 2
        finally:
            await stack.redis.delete(f"conv:{victim}", f"conv:{fresh}")


async def test_http_turns_continue_a_conversation(stack: ChatStack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.base_url, timeout=20) as client:
        first = await client.post("/v1/chat", json={"text": "show me mugs", "country": "GB"})
        assert first.status_code == 200, first.text
        cid = first.json()["conversation_id"]
        try:
            assert first.json()["intent"]["intent"] == "search_products"
            # storefront not running: an honest answer after its deadline, not a hang
            assert "not answering" in first.json()["text"]
            second = await client.post("/v1/chat", json={"text": "hola", "conversation_id": cid})
            assert second.status_code == 200 and second.json()["conversation_id"] == cid
            stored = json.loads(await stack.redis.get(f"conv:{cid}") or b"{}")
            assert len(stored["turns"]) == 4 and stored["country"] == "GB"
        finally:
            await stack.redis.delete(f"conv:{cid}")


async def test_intent_analysis_goes_through_the_chat_service(stack: ChatStack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.base_url, timeout=20) as client:
        resp = await client.post("/v1/intent", json={"text": "añade dos tazas a la cesta"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["intent"] == "add_to_basket" and body["language"] == "es"
    assert body["source"] == "fallback"


async def test_a_bad_chat_body_is_a_clear_4xx(stack: ChatStack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.base_url, timeout=20) as client:
        resp = await client.post("/v1/chat", json={"text": ""})
    assert resp.status_code == 422


async def test_sign_in_hands_the_conversation_over_through_kafka(stack: ChatStack) -> None:
    from libs.contracts.chat import CHAT_REQUESTS, ConversationInfo, HandoverRequest
    from libs.contracts.principal import Principal
    from libs.messaging.principal import seal
    from services.gateway.signin_merge import carry_conversation, own_conversation

    gw = stack.gateway.app.state.gw
    anon = Principal(subject=f"anon:{unique('s')}", kind="anonymous")
    alice = Principal(subject=f"customer:{unique('alice')}", kind="customer")
    reply = await stack.gateway.rpc.request(
        CHAT_REQUESTS, ChatTurnRequest(text="hello"), ChatReply, principal=anon)
    cid = reply.conversation_id
    try:
        assert await own_conversation(gw, cid, alice) == (None, None), "not alice's yet"
        assert (await own_conversation(gw, cid, anon))[0] == cid
        assert await carry_conversation(gw, cid, anon, alice, "cart_x") == cid
        stored = json.loads(await stack.redis.get(f"conv:{cid}") or b"{}")
        assert (stored["owner"], stored["user_id"], stored["cart_id"]) == (
            alice.subject, alice.subject, "cart_x")
        forged = HandoverRequest(conversation_id=cid, to_principal=seal(anon, key=b"not ours"))
        with pytest.raises(RemoteError) as err:
            await stack.gateway.rpc.request(CHAT_REQUESTS, forged, ConversationInfo,
                                            principal=alice)
        assert err.value.code == "bad_request"
    finally:
        await stack.redis.delete(f"conv:{cid}")
