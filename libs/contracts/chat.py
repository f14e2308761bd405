"""Chat over HTTP (`POST /v1/chat`) and the WebSocket `chat` frame."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from libs.contracts.intent import IntentResult


class ChatMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    conversation_id: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    user_id: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=20, description="locale hint, e.g. es-ES")


class ChatReply(BaseModel):
    conversation_id: str
    text: str
    intent: IntentResult
    fallback_used: bool = False
    products: list[dict[str, Any]] = Field(default_factory=list)
    cart: dict[str, Any] | None = None
    checkout_url: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    market: dict[str, Any] | None = None
