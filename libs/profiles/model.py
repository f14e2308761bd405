"""The user profile: what the recommender needs to know about one visitor/customer.

Affinities decay exponentially (half-life configurable) and are stored as (score, as-of time)
pairs; decay is applied lazily when read or updated, so a profile never needs a background job to
age. Everything is bounded (recent events, purchases, seen ids, affinity keys) because profiles
live in Redis and are loaded on every recommendation.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from libs.contracts.events import UserEvent


class ProfileConfig(BaseModel):
    half_life: timedelta = timedelta(days=7)
    max_recent_events: int = 50
    max_seen_ids: int = 1000
    max_purchases: int = 300
    max_affinity_keys: int = 50
    max_session_items: int = 30
    session_gap: timedelta = timedelta(minutes=30)
    ttl_anonymous: timedelta = timedelta(days=90)
    ttl_customer: timedelta = timedelta(days=400)
    # How much each event type says about taste; a purchase is the strongest signal.
    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "detail-page-view": 1.0,
            "add-to-cart": 3.0,
            "remove-from-cart": -1.0,
            "shopping-cart-page-view": 0.5,
            "checkout-start": 2.0,
            "purchase-complete": 5.0,
            "category-page-view": 1.0,
            "conversation": 1.5,
            "search": 0.5,
        }
    )


def decayed(score: float, since: datetime, now: datetime, half_life: timedelta) -> float:
    """`score` aged from `since` to `now`; never grows when `now` is earlier (late events)."""
    age = max((now - since).total_seconds(), 0.0)
    return score * math.pow(0.5, age / half_life.total_seconds())


class Affinity(BaseModel):
    score: float
    at: datetime

    def value(self, now: datetime, half_life: timedelta) -> float:
        return decayed(self.score, self.at, now, half_life)


class Purchase(BaseModel):
    """One per product: `at` is the latest purchase, `quantity`/`orders` are totals."""

    product_id: str
    at: datetime
    quantity: int = 1
    orders: int = 1
    # The first purchase: with `at` and `orders` it gives the person's own repeat cycle for the
    # item ((at - first_at) / (orders - 1)), which the buy-again kind ranks by.
    first_at: datetime | None = None


class SessionContext(BaseModel):
    session_id: str | None = None
    started_at: datetime | None = None
    last_seen: datetime | None = None
    product_ids: list[str] = Field(default_factory=list)  # most recent last
    event_types: list[str] = Field(default_factory=list)
    intent_name: str | None = None
    intent_type: str | None = None
    search_queries: list[str] = Field(default_factory=list)


class Consent(BaseModel):
    """Placeholder until the privacy service owns it; None = not asked yet."""

    analytics: bool | None = None
    personalization: bool | None = None
    marketing: bool | None = None

    @property
    def allows_personalization(self) -> bool:
        return self.personalization is not False


class Profile(BaseModel):
    schema_version: int = 1
    visitor_id: str | None = None
    visitor_ids: list[str] = Field(default_factory=list)  # every clientId stitched in
    user_id: str | None = None
    recent_events: list[UserEvent] = Field(default_factory=list)  # oldest first
    categories: dict[str, Affinity] = Field(default_factory=dict)
    vendors: dict[str, Affinity] = Field(default_factory=dict)
    price_bands: dict[str, Affinity] = Field(default_factory=dict)
    products: dict[str, Affinity] = Field(default_factory=dict)
    purchases: list[Purchase] = Field(default_factory=list)  # by last purchase, oldest first
    session: SessionContext = Field(default_factory=SessionContext)
    consent: Consent = Field(default_factory=Consent)
    market: str | None = None
    country: str | None = None
    seen_event_ids: list[str] = Field(default_factory=list)  # FIFO, bounded
    event_count: int = 0
    last_seen: datetime | None = None
    expires_at: datetime | None = None

    @property
    def key(self) -> str:
        """Store key: the customer id once known, else the visitor id."""
        return self.user_id or self.visitor_id or ""

    def affinity_values(self, name: str, now: datetime, half_life: timedelta) -> dict[str, float]:
        """Decayed affinities of one facet ("categories", "vendors", "price_bands", "products")."""
        table: dict[str, Affinity] = getattr(self, name)
        return {k: a.value(now, half_life) for k, a in table.items()}

    def purchased_within(self, now: datetime, window: timedelta) -> set[str]:
        return {p.product_id for p in self.purchases if now - p.at <= window}


_BANDS = ((500, "under-5"), (1500, "5-15"), (4000, "15-40"), (10000, "40-100"))


def price_band(price_minor: int) -> str:
    """Coarse price band (minor units of a 2-decimal currency) used for price affinity."""
    for limit, name in _BANDS:
        if price_minor < limit:
            return name
    return "100-plus"
