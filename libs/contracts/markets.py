"""Markets: resolve a request's market and localise prices. Topic `markets.requests`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from libs.contracts.base import MAX_MINOR_UNITS, Message
from libs.contracts.topics import MARKETS_REQUESTS

__all__ = [
    "MARKETS_REQUESTS",
    "LocalizePriceRequest",
    "LocalizePriceReply",
    "MarketOut",
    "MarketsRequest",
    "PriceItem",
    "PrivacyLawsReply",
    "PrivacyLawsRequest",
    "ResolveMarketReply",
    "ResolveMarketRequest",
]


class MarketInputs(BaseModel):
    """What identifies a market; explicit country beats phone beats Accept-Language."""

    country: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=40)
    accept_language: str | None = Field(default=None, max_length=500)


class ResolveMarketRequest(Message, MarketInputs):
    op: Literal["resolve"] = "resolve"


class PriceItem(BaseModel):
    id: str | None = None
    amount: int = Field(ge=0, le=MAX_MINOR_UNITS, description="minor units of `currency`")
    currency: str = Field(default="GBP", min_length=3, max_length=3)
    quantity: int = Field(default=1, ge=1, le=10_000)


class LocalizePriceRequest(Message, MarketInputs):
    op: Literal["localize"] = "localize"
    items: list[PriceItem] = Field(min_length=1, max_length=500)
    subdivision: str | None = Field(default=None, max_length=10)


class PrivacyLawsRequest(Message):
    """The privacy law of every market, for services that decide what personal data they may
    use (recommend): one table from the markets data, not a country list of their own."""

    op: Literal["privacy_laws"] = "privacy_laws"


class PrivacyLawsReply(Message):
    laws: dict[str, str]  # region (market) code -> privacy law, e.g. "EU" -> "gdpr"
    regions: dict[str, str]  # ISO country -> region, e.g. "FR" -> "EU"
    aliases: dict[str, str] = Field(default_factory=dict)  # e.g. "UK" -> "GB"
    fallback_region: str  # the region of a country not listed


MarketsRequest = Annotated[
    ResolveMarketRequest | LocalizePriceRequest | PrivacyLawsRequest, Field(discriminator="op")
]


class MarketOut(BaseModel):
    country: str
    currency: str
    languages: list[str]
    language: str
    shop_language: str
    locale: str
    region: str
    privacy_law: str
    tax: dict[str, Any] = Field(default_factory=dict)
    duties: dict[str, Any] = Field(default_factory=dict)


class ResolveMarketReply(Message):
    market: MarketOut
    source: Literal["country", "phone", "accept_language", "default"]
    decided_by: str | None = None


class LocalizedPriceOut(BaseModel):
    id: str | None = None
    amount: int
    currency: str
    quantity: int
    tax_included: bool
    tax_amount: int
    tax_rate: str
    tax_label: str
    duties_amount: int
    fee_amount: int
    exchange_rate: str
    estimated_total: int
    formatted: str


class LocalizePriceReply(Message):
    market: MarketOut
    prices: list[LocalizedPriceOut]
