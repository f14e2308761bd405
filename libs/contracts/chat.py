"""Chat: `POST /v1/chat` and the WebSocket `chat` frame, served by `services/chat` on
`chat.requests`.

The gateway validates the body (`ChatMessage`), forwards it as a `ChatTurnRequest` with the
verified principal in the `x-museo-principal` header, and returns the `ChatReply`. Intent
analysis for `POST /v1/intent` goes the same way (`AnalyseRequest` → `IntentResult`), so the
breaker and the pattern fallback live in one place, the chat service. Sign-in asks which
conversation the anonymous session owns (`ConversationQuery`) and hands it over to the customer
(`HandoverRequest`); both answer `ConversationInfo`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from libs.contracts.base import Message
from libs.contracts.intent import IntentResult
from libs.contracts.topics import CHAT_REQUESTS

__all__ = [
    "CHAT_REQUESTS",
    "AnalyseRequest",
    "ChatAction",
    "ChatMessage",
    "ChatReply",
    "ChatRequest",
    "ChatTurnRequest",
    "ConversationInfo",
    "ConversationQuery",
    "HandoverRequest",
    "conversation_key",
    "user_conversation_key",
]


class ChatMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    conversation_id: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    user_id: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=20, description="locale hint, e.g. es-ES")


class ChatAction(BaseModel):
    """A choice the shopper tapped (a WhatsApp button or list row) rather than typed: the turn
    acts on it as it stands, without intent analysis of the words."""

    intent: Literal["add_to_basket", "remove_from_basket", "view_basket", "checkout",
                    "product_details", "help"]
    product_id: str | None = Field(default=None, max_length=64)
    quantity: int | None = Field(default=None, ge=1, le=99)


class ChatTurnRequest(Message, ChatMessage):
    """One chat turn; who speaks comes from the sealed principal header, not from here.
    `text` is what the shopper saw or typed; `action`, when set, is what they chose."""

    op: Literal["turn"] = "turn"
    action: ChatAction | None = None


class AnalyseRequest(Message):
    """Intent analysis of one text (breaker + pattern fallback in the chat service)."""

    op: Literal["analyse"] = "analyse"
    text: str = Field(min_length=1, max_length=4000)
    language: str | None = Field(default=None, max_length=20)


class ConversationQuery(Message):
    """Which conversation (and basket) `conversation_id` is, if the caller owns it."""

    op: Literal["conversation"] = "conversation"
    conversation_id: str = Field(max_length=100)


class HandoverRequest(Message):
    """Give the caller's conversation to `to_principal` (sign-in: anonymous → customer).

    The new owner is a principal sealed by the gateway (the `x-museo-principal` format), never
    a plain id; the current owner is the request's own principal."""

    op: Literal["handover"] = "handover"
    conversation_id: str = Field(max_length=100)
    to_principal: str = Field(max_length=4000)
    cart_id: str | None = Field(default=None, max_length=100)


class ConversationInfo(BaseModel):
    """Empty when the conversation does not exist or is not the caller's."""

    conversation_id: str | None = None
    cart_id: str | None = None


ChatRequest = Annotated[
    ChatTurnRequest | AnalyseRequest | ConversationQuery | HandoverRequest,
    Field(discriminator="op"),
]


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


def conversation_key(conversation_id: str) -> str:
    """Redis key of a conversation (owned by the chat service; erasure deletes it too)."""
    return f"conv:{conversation_id}"


def user_conversation_key(user_id: str) -> str:
    """Redis key pointing a returning user at their conversation."""
    return f"user:{user_id}:conv"
