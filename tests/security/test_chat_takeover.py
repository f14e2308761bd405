"""Attack: act on someone else's conversation by naming their user id or conversation id."""

from __future__ import annotations

import json

import httpx
import websockets
from redis.asyncio import Redis

from deploy.local.system import RunningSystem
from libs.auth.customer import CustomerTokens
from services.chat.store import Conversation, ConversationStore
from tests.integration.helpers_platform import unique
from tests.security.helpers import bearer, ws_url


async def test_chat_user_id_of_someone_else_is_refused(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        resp = await http.post("/v1/chat", json={"text": "where is my order", "user_id": "alice"})
    assert resp.status_code == 403, resp.text
    assert "user_id" in resp.json()["error"]["message"]


async def test_a_customer_may_name_themself(secure_system: RunningSystem,
                                            customer_tokens: CustomerTokens) -> None:
    """A whole system: answering a turn takes the chat service and what it calls."""
    token = customer_tokens.issue("alice", "alice@example.com")
    async with httpx.AsyncClient(base_url=secure_system.base_url, timeout=30,
                                 headers=bearer(token)) as http:
        resp = await http.post("/v1/chat", json={"text": "hello", "user_id": "alice"})
    assert resp.status_code == 200, resp.text


async def test_another_owners_conversation_id_is_not_resumed(secure_system: RunningSystem,
                                                             redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    store = ConversationStore(redis)
    cid = unique("alice-conv")
    secret = Conversation(id=cid, owner="customer:alice", user_id="customer:alice",
                          cart_id="cart_alice", last_products=["P1"])
    await store.save(secret)
    try:
        async with httpx.AsyncClient(base_url=secure_system.base_url, timeout=60) as http:
            resp = await http.post("/v1/chat", json={"text": "show my basket",
                                                     "conversation_id": cid})
        assert resp.status_code == 200, resp.text
        assert resp.json()["conversation_id"] != cid
        kept = await store.load(cid)
        assert kept is not None and kept.owner == "customer:alice" and kept.cart_id == "cart_alice"
    finally:
        await redis.delete(store.key(cid))
        await redis.aclose()


async def test_ws_chat_frame_with_someone_elses_user_id_is_refused(gateway: str) -> None:
    async with websockets.connect(ws_url(gateway)) as ws:
        welcome = json.loads(await ws.recv())
        assert welcome["principal"]["kind"] == "anonymous"
        await ws.send(json.dumps({"type": "chat", "id": "m1", "text": "my orders",
                                  "user_id": "alice"}))
        reply = json.loads(await ws.recv())
    assert reply["type"] == "error" and reply["error"]["code"] == "forbidden", reply
