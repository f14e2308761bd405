"""Errors the markets domain raises for input it cannot use.

They subclass ValueError so generic handlers (FastAPI, the Kafka error reply) already treat
them as the caller's mistake, and their messages are written to be shown to a shopper or admin.
"""

from __future__ import annotations


class MarketError(ValueError):
    """Base class: the request cannot be mapped to a market or a price."""


class UnknownCountryError(MarketError):
    """The country is not an ISO 3166-1 alpha-2 code."""


class InvalidPhoneError(MarketError):
    """The phone number or WhatsApp id cannot be parsed or has no country."""


class UnsupportedCurrencyError(MarketError):
    """The config has no exchange rate for a currency a price needs."""
