"""Conversation memory in Redis: recent turns, products last shown, pending question, cart.

One JSON document per conversation under `conv:{id}` with a TTL refreshed on every turn
(default 24 h), so idle conversations clean themselves up. `user:{user_id}:conv` points a
returning user at their conversation, so their context is restored on a new connection.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field
from redis.asyncio import Redis

from libs.contracts.chat import conversation_key, user_conversation_key

MAX_TURNS = 20


class Turn(BaseModel):
    role: str  # "user" | "assistant"
    text: str
    intent: str | None = None
    at: float = Field(default_factory=time.time)


class Conversation(BaseModel):
    id: str
    user_id: str | None = None
    owner: str  # who owns the baskets of this conversation (user id or anonymous session)
    language: str | None = None
    country: str | None = None
    turns: list[Turn] = Field(default_factory=list)
    last_products: list[str] = Field(default_factory=list)
    last_intent: str | None = None
    last_entities: dict[str, Any] = Field(default_factory=dict)
    pending_question: str | None = None
    cart_id: str | None = None

    def add_turn(self, role: str, text: str, intent: str | None = None) -> None:
        self.turns.append(Turn(role=role, text=text[:2000], intent=intent))
        del self.turns[:-MAX_TURNS]

    def context(self) -> dict[str, Any]:
        """What intent analysis needs to resolve follow-ups."""
        return {
            "last_products": self.last_products,
            "last_intent": self.last_intent,
            "last_entities": self.last_entities,
            "pending_question": self.pending_question,
        }


class ConversationStore:
    def __init__(self, redis: Redis, ttl_s: int = 24 * 3600) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    key = staticmethod(conversation_key)
    user_key = staticmethod(user_conversation_key)

    async def load(self, conversation_id: str) -> Conversation | None:
        raw = await self.redis.get(self.key(conversation_id))
        return Conversation.model_validate_json(raw) if raw else None

    async def for_user(self, user_id: str) -> Conversation | None:
        cid = await self.redis.get(self.user_key(user_id))
        if not cid:
            return None
        return await self.load(cid.decode() if isinstance(cid, bytes) else cid)

    async def save(self, conv: Conversation) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.key(conv.id), conv.model_dump_json(), ex=self.ttl_s)
            if conv.user_id:
                pipe.set(self.user_key(conv.user_id), conv.id, ex=self.ttl_s)
            await pipe.execute()

    async def delete_user(self, user_id: str) -> int:
        """Erase a user's conversation (privacy erasure)."""
        conv = await self.for_user(user_id)
        keys = [self.user_key(user_id)] + ([self.key(conv.id)] if conv else [])
        return int(await self.redis.delete(*keys))
