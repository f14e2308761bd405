"""Locale helpers: money and dates in the shopper's locale, and the shop's languages."""

from libs.locale.dates import format_date
from libs.locale.language import (
    SHOP_LANGUAGES,
    ShopLanguage,
    normalise_language,
    parse_accept_language,
)
from libs.locale.money import (
    UnknownCurrencyError,
    format_money,
    from_minor,
    minor_units,
    territory_currency,
    to_minor,
)

__all__ = [
    "SHOP_LANGUAGES",
    "ShopLanguage",
    "UnknownCurrencyError",
    "format_date",
    "format_money",
    "from_minor",
    "minor_units",
    "normalise_language",
    "parse_accept_language",
    "territory_currency",
    "to_minor",
]
