"""Value objects the markets service hands to the rest of the system.

They are frozen pydantic models so they serialise straight into Kafka replies and cannot be
altered by a caller after the domain computed them. Money is integer minor units, rates are
Decimal (serialised by pydantic as strings, so no float ever carries a price).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from libs.locale import ShopLanguage
from services.markets.domain.config import DutiesConfig, TaxConfig

ResolutionSource = Literal["country", "phone", "accept_language", "default"]


class Market(BaseModel):
    """Everything that changes with where the shopper is: money, language, tax, privacy."""

    model_config = ConfigDict(frozen=True)

    country: str
    currency: str
    languages: list[str]
    language: str
    shop_language: ShopLanguage
    locale: str
    region: str
    privacy_law: str
    tax: TaxConfig
    duties: DutiesConfig
    configured: bool


class MarketResolution(BaseModel):
    """A market plus why it was chosen, so logs and support can explain a surprising price."""

    model_config = ConfigDict(frozen=True)

    market: Market
    source: ResolutionSource
    decided_by: str | None


class LocalizedPrice(BaseModel):
    """A shop price as one market shows it.

    `amount` is what the product page shows for the line (tax inside it when `tax_included`);
    `estimated_total` adds what the shopper will also pay at checkout or at the border
    (excluded sales tax, duties), so chat answers can quote one honest number.
    """

    model_config = ConfigDict(frozen=True)

    amount: int
    currency: str
    quantity: int
    tax_included: bool
    tax_amount: int
    tax_rate: Decimal
    tax_label: str
    duties_amount: int
    fee_amount: int
    exchange_rate: Decimal
    estimated_total: int
    formatted: str
