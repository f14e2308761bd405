"""Recommendation contracts: `recommend.requests` (key = user or visitor id) and its reply."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from libs.contracts.topics import RECOMMEND_REQUESTS  # noqa: E402,F401 - the topic next to its models

RecommendKind = Literal[
    "recommended_for_you",
    "similar_items",
    "frequently_bought_together",
    "recently_viewed",
    "trending",
    "buy_again",  # the customer's own past items, ranked by their repeat cycle
]
IntentType = Literal["purchase", "comparison", "browsing", "research"]


class IntentContext(BaseModel):
    """What the conversation (MCP intent worker) says the person is doing right now."""

    name: str | None = None  # e.g. "find_gift", "compare_products"
    type: IntentType = "browsing"
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    # What the person said they want ("I'm looking for candles"): the intent worker's entities.
    category: str | None = Field(default=None, max_length=64)
    query: str | None = Field(default=None, max_length=200)


class RecommendRequest(BaseModel):
    request_id: str | None = None
    user_id: str | None = None
    visitor_id: str | None = None
    kind: RecommendKind = "recommended_for_you"
    product_id: str | None = None  # anchor for similar_items / frequently_bought_together
    limit: int = Field(default=10, ge=1, le=50)
    market: str | None = None  # region code, as in Product.markets ("UK", "EU", "US")
    country: str | None = None
    intent: IntentContext | None = None
    session_product_ids: list[str] = Field(default_factory=list)  # most recent last
    basket_product_ids: list[str] = Field(default_factory=list)
    exclude_product_ids: list[str] = Field(default_factory=list)
    # False when the person has not consented: only session and market-level data are used.
    personalized: bool = True
    request_time: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def profile_key(self) -> str | None:
        return self.user_id or self.visitor_id


class RecommendedItem(BaseModel):
    product_id: str
    score: float
    reasons: list[str] = Field(default_factory=list)


class RecommendReply(BaseModel):
    request_id: str | None = None
    kind: RecommendKind
    items: list[RecommendedItem] = Field(default_factory=list)
    personalized: bool = False
    strategy: str = ""
    latency_ms: float = 0.0
