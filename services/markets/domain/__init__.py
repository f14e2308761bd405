"""Pure business logic of the markets service: market resolution and price localisation.

No Kafka, no Redis: adapters call these functions with a MarketsConfig they loaded once.
"""

from services.markets.domain.config import (
    DutiesConfig,
    MarketsConfig,
    MarketTemplate,
    TaxConfig,
    load_markets_config,
)
from services.markets.domain.errors import (
    InvalidPhoneError,
    MarketError,
    UnknownCountryError,
    UnsupportedCurrencyError,
)
from services.markets.domain.models import LocalizedPrice, Market, MarketResolution
from services.markets.domain.pricing import localize_price
from services.markets.domain.resolve import (
    build_market,
    country_from_phone,
    normalise_country,
    resolve_market,
)

__all__ = [
    "DutiesConfig",
    "InvalidPhoneError",
    "LocalizedPrice",
    "Market",
    "MarketError",
    "MarketResolution",
    "MarketTemplate",
    "MarketsConfig",
    "TaxConfig",
    "UnknownCountryError",
    "UnsupportedCurrencyError",
    "build_market",
    "country_from_phone",
    "load_markets_config",
    "localize_price",
    "normalise_country",
    "resolve_market",
]
