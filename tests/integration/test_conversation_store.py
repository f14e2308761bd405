"""Conversation memory against real Redis: TTL, returning users, erasure."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from services.chat.store import Conversation, ConversationStore


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_saved_conversation_expires_after_its_ttl(redis: Redis) -> None:
    store = ConversationStore(redis, ttl_s=120)
    conv = Conversation(id=uuid.uuid4().hex, owner="anon:x", last_products=["a", "b"])
    await store.save(conv)
    ttl = await redis.ttl(store.key(conv.id))
    assert 0 < ttl <= 120
    loaded = await store.load(conv.id)
    assert loaded is not None and loaded.last_products == ["a", "b"]


async def test_returning_user_gets_their_context_back_and_erasure_removes_it(redis: Redis) -> None:
    store = ConversationStore(redis)
    user = f"u-{uuid.uuid4().hex[:8]}"
    conv = Conversation(id=uuid.uuid4().hex, user_id=user, owner=f"user:{user}")
    conv.add_turn("user", "show me mugs", "search_products")
    await store.save(conv)
    restored = await store.for_user(user)
    assert restored is not None and restored.turns[0].text == "show me mugs"
    assert await store.delete_user(user) == 2
    assert await store.for_user(user) is None
    assert await redis.exists(store.key(conv.id)) == 0
