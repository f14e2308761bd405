"""Checkout in the buyer's market currency, priced by the markets service.

The catalog and carts are in the shop's own currency (the demo shop is a UK shop: GBP). A buyer
in Spain pays in euros, as a UK shop selling to the EU charges: when a checkout link is made for
a country whose currency is not the cart's, every line is priced by the markets service
(`LocalizePriceRequest` on `markets.requests`, over Kafka request/reply: UK VAT stripped,
converted at the configured rate plus the conversion fee, destination VAT added, rounded in the
currency's minor units). The signed link, the payment session, the `Order` and so the
confirmation email all carry those amounts, and the order records the rate and taxes quoted
(`MarketPricing`), so the amount paid = the link page's total = the order total = the email's.

Lines are quoted one unit at a time (the shelf price a shopper sees) and multiplied by the
quantity, so `unit_price * quantity == line_total` holds in the market currency as it does in
the cart's. For a tax-exclusive market (US sales tax) the charged price is the net shelf price
and `tax_amount` is the estimate shown beside it, as markets quotes it.

Markets is never guessed around: when it does not answer the link is refused with
`pricing_unavailable` (503, retry later) and nothing can be charged; when it refuses the country
(unknown code, a currency without a rate) the link is refused with `market_unsupported` (422).
When the buyer's currency is the cart's (or no country is given) nothing is asked and nothing
changes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

from aiokafka.errors import KafkaError

from libs.contracts.markets import (
    MARKETS_REQUESTS,
    LocalizePriceReply,
    LocalizePriceRequest,
    PriceItem,
)
from libs.contracts.orders import MarketPricing
from libs.locale import territory_currency
from libs.messaging.errors import BrokerUnavailable, RemoteError, RequestTimeout
from libs.messaging.rpc import RpcClient
from services.mcp_workers.storefront.basket_store import Cart
from services.mcp_workers.storefront.checkout import CheckoutQuote, PaymentError

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT_S = 3.0  # well inside the MCP call timeout (8 s): a slow markets is a clear 503


class PricingUnavailableError(PaymentError):
    """Markets did not answer: no link, since a price we cannot quote must never be charged."""

    code = "pricing_unavailable"


class MarketUnsupportedError(PaymentError):
    """Markets refused the buyer's country (unknown code, or no exchange rate for it)."""

    code = "market_unsupported"


class PriceQuoter(Protocol):
    """Who prices shop-currency amounts for a country (the markets service, or a test double)."""

    async def localize(self, country: str, items: list[PriceItem]) -> LocalizePriceReply: ...


class MarketsRpcQuoter:
    """`LocalizePriceRequest` → `LocalizePriceReply` over Kafka with the storefront's RpcClient."""

    def __init__(self, rpc: RpcClient, topic: str = MARKETS_REQUESTS,
                 timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.rpc, self.topic, self.timeout = rpc, topic, timeout

    async def localize(self, country: str, items: list[PriceItem]) -> LocalizePriceReply:
        request = LocalizePriceRequest(country=country, items=items)
        try:
            return await self.rpc.request(self.topic, request, LocalizePriceReply,
                                          key=country, timeout=self.timeout)
        except RemoteError as exc:
            if exc.code == "bad_request":
                raise MarketUnsupportedError(exc.message) from exc
            log.warning("markets could not price a checkout: %s %s", exc.code, exc.message)
            raise PricingUnavailableError(
                "prices for your country are not available right now; try again shortly") from exc
        except (RequestTimeout, BrokerUnavailable, KafkaError) as exc:
            log.warning("markets did not answer a checkout price request: %s",
                        type(exc).__name__)
            raise PricingUnavailableError(
                "prices for your country are not available right now; try again shortly") from exc


def apply_quote(cart: Cart, reply: LocalizePriceReply,
                now: datetime | None = None) -> tuple[Cart, CheckoutQuote | None]:
    """The cart in the market's currency and the quote to sign with it; the cart unchanged
    (and no quote) when the market's currency is the cart's. Each price of `reply` answers the
    line of the same position and SKU, for one unit."""
    currency = reply.market.currency.upper()
    if currency == cart.currency.upper():
        return cart, None
    prices = reply.prices
    if len(prices) != len(cart.lines) or any(
            p.id != ln.sku or p.quantity != 1 or p.currency.upper() != currency
            for p, ln in zip(prices, cart.lines, strict=True)):
        raise PricingUnavailableError("the markets service answered for other items")
    lines = [ln.model_copy(update={"unit_price": p.amount, "line_total": p.amount * ln.quantity})
             for p, ln in zip(prices, cart.lines, strict=True)]
    first = prices[0]
    pricing = MarketPricing(
        country=reply.market.country, source_currency=cart.currency.upper(),
        source_subtotal=cart.subtotal, currency=currency, exchange_rate=first.exchange_rate,
        tax_included=first.tax_included, tax_rate=first.tax_rate, tax_label=first.tax_label,
        tax_amount=sum(p.tax_amount * ln.quantity for p, ln in zip(prices, cart.lines,
                                                                    strict=True)),
        fee_amount=sum(p.fee_amount * ln.quantity for p, ln in zip(prices, cart.lines,
                                                                    strict=True)),
        quoted_at=now or datetime.now(UTC),
    )
    priced = cart.model_copy(update={"lines": lines, "currency": currency,
                                     "subtotal": sum(ln.line_total for ln in lines)})
    return priced, CheckoutQuote(pricing=pricing,
                                 source_units=[ln.unit_price for ln in cart.lines])


class CheckoutPricer:
    """Prices a cart for the buyer's country at checkout (see the module docstring)."""

    def __init__(self, quoter: PriceQuoter) -> None:
        self.quoter = quoter

    async def price(self, cart: Cart, country: str | None) -> tuple[Cart, CheckoutQuote | None]:
        code = (country or "").strip().upper()
        if not code or not cart.lines or territory_currency(code) == cart.currency.upper():
            return cart, None
        items = [PriceItem(id=ln.sku, amount=ln.unit_price, currency=cart.currency)
                 for ln in cart.lines]
        return apply_quote(cart, await self.quoter.localize(code, items))

