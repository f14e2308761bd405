"""Checkout in the buyer's market currency, without Kafka: the storefront's pricing step with the
markets service's own handler standing in for the request/reply (same pricing code, no broker)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest

from libs.catalog.read_model import CatalogReadModel
from libs.catalog.samples import sample_products
from libs.contracts.markets import (
    LocalizePriceReply,
    LocalizePriceRequest,
    MarketOut,
    PriceItem,
)
from libs.locale import format_money
from services.markets.domain.config import load_markets_config
from services.markets.handlers import MarketsHandlers
from services.mcp_workers.storefront.basket import CartLineInput, InMemoryBasketStore
from services.mcp_workers.storefront.basket_store import Cart, CartLine
from services.mcp_workers.storefront.checkout import (
    TestModePaymentProvider,
    order_from_claims,
    verify_checkout_token,
)
from services.mcp_workers.storefront.market_prices import (
    CheckoutPricer,
    MarketUnsupportedError,
    PricingUnavailableError,
    apply_quote,
)
from services.mcp_workers.storefront.orders import _same_lines
from services.mcp_workers.storefront.storefront import Storefront

SECRET = "s3cret"


class HandlerQuoter:
    """Prices through the markets service's handler (what its Kafka worker runs)."""

    def __init__(self) -> None:
        self.handlers = MarketsHandlers(load_markets_config(None))
        self.asked: list[str] = []

    async def localize(self, country: str, items: list[PriceItem]) -> LocalizePriceReply:
        from libs.messaging.errors import HandlerError

        self.asked.append(country)
        try:
            reply = await self.handlers.handle(LocalizePriceRequest(country=country, items=items))
        except HandlerError as exc:
            raise MarketUnsupportedError(str(exc)) from exc
        assert isinstance(reply, LocalizePriceReply)
        return reply


class DownQuoter:
    async def localize(self, country: str, items: list[PriceItem]) -> LocalizePriceReply:
        raise PricingUnavailableError("markets did not answer")


def token_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def shop(quoter: object) -> Storefront:
    catalog = CatalogReadModel.from_products(sample_products())
    return Storefront(catalog, InMemoryBasketStore(), SECRET, "https://shop.example",
                      pricer=CheckoutPricer(quoter))  # type: ignore[arg-type]


async def test_a_spanish_buyer_gets_a_link_in_euros_priced_by_markets() -> None:
    quoter = HandlerQuoter()
    store = shop(quoter)
    cart = (await store.create_cart("u1", [CartLineInput(sku="H-1", quantity=2),
                                            CartLineInput(sku="L-1", quantity=1)])).cart
    assert cart is not None and cart.subtotal.currency == "GBP"
    link = await store.get_checkout_url("u1", cart.id, country="ES", language="es")
    assert link.checkout_url and not link.errors and quoter.asked == ["ES"]
    claims = verify_checkout_token(token_of(link.checkout_url), SECRET)
    # 2.95 GBP incl. UK VAT -> net 2.4583 x 1.15 x 1.02 fee x 1.21 IVA = 3.49 EUR a unit.
    assert claims.currency == "EUR" and claims.lines[0] == ("P1", "H-1", 2, 349)
    assert claims.total == sum(qty * unit for _, _, qty, unit in claims.lines)
    assert link.total is not None and link.total.model_dump() == {"amount": claims.total,
                                                                    "currency": "EUR"}
    assert claims.quote is not None and claims.quote.source_units == [295, 495]
    pricing = claims.quote.pricing
    assert (pricing.country, pricing.source_currency, pricing.source_subtotal) == ("ES", "GBP",
                                                                                    2 * 295 + 495)
    assert (pricing.exchange_rate, pricing.tax_rate, pricing.tax_label) == ("1.15", "0.21", "IVA")
    assert pricing.tax_included and 0 < pricing.tax_amount < claims.total

    order = order_from_claims(claims, "u1", "test", "ref")
    assert (order.currency, order.total, order.subtotal) == ("EUR", claims.total, claims.total)
    assert order.pricing == pricing
    assert sum(ln.line_total for ln in order.lines) == order.total
    assert format_money(order.total, order.currency, "es_ES").endswith("\u00a0€")


async def test_the_cart_is_still_checked_at_its_own_prices_when_the_link_is_paid() -> None:
    store = shop(HandlerQuoter())
    cart = (await store.create_cart("u1", [CartLineInput(sku="H-1", quantity=2)])).cart
    assert cart is not None
    link = await store.get_checkout_url("u1", cart.id, country="FR")
    claims = verify_checkout_token(token_of(str(link.checkout_url)), SECRET)
    stored = await store.baskets.get_cart("u1", cart.id)
    assert stored.currency == "GBP" and _same_lines(stored, claims)  # the cart stays in GBP
    changed = stored.model_copy(update={"lines": [stored.lines[0].model_copy(
        update={"quantity": 3, "line_total": 885})]})
    assert not _same_lines(changed, claims)


async def test_same_currency_or_no_country_asks_nobody_and_changes_nothing() -> None:
    quoter = HandlerQuoter()
    store = shop(quoter)
    cart = (await store.create_cart("u1", [CartLineInput(sku="H-1", quantity=1)])).cart
    assert cart is not None
    for country in ("GB", None, ""):
        link = await store.get_checkout_url("u1", cart.id, country=country)
        claims = verify_checkout_token(token_of(str(link.checkout_url)), SECRET)
        assert (claims.currency, claims.total, claims.quote) == ("GBP", 295, None)
    assert quoter.asked == []
    # A country CLDR cannot place is asked; markets answers in the cart's currency: unchanged.
    link = await store.get_checkout_url("u1", cart.id, country="UK")
    assert quoter.asked == ["UK"] and link.total is not None and link.total.amount == 295
    assert verify_checkout_token(token_of(str(link.checkout_url)), SECRET).quote is None


async def test_markets_down_is_a_clear_refusal_and_no_link() -> None:
    store = shop(DownQuoter())
    cart = (await store.create_cart("u1", [CartLineInput(sku="H-1", quantity=1)])).cart
    assert cart is not None
    link = await store.get_checkout_url("u1", cart.id, country="ES")
    assert link.checkout_url is None and link.total is None
    assert link.errors[0].code == "pricing_unavailable"
    home = await store.get_checkout_url("u1", cart.id, country="GB")  # GBP needs no markets
    assert home.checkout_url is not None


async def test_a_country_markets_does_not_know_is_refused() -> None:
    store = shop(HandlerQuoter())
    cart = (await store.create_cart("u1", [CartLineInput(sku="H-1", quantity=1)])).cart
    assert cart is not None
    link = await store.get_checkout_url("u1", cart.id, country="XQ")
    assert link.checkout_url is None and link.errors[0].code == "market_unsupported"


def _cart() -> Cart:
    now = datetime.now(UTC)
    return Cart(id="c1", owner="u1", currency="GBP", subtotal=590, total_quantity=2,
                created_at=now, updated_at=now,
                lines=[CartLine(product_id="P1", sku="H-1", title="Heart", quantity=2,
                                unit_price=295, line_total=590)])


def _reply(currency: str, ids: list[str | None], quantity: int = 1) -> LocalizePriceReply:
    market = MarketOut(country="ES", currency=currency, languages=["es"], language="es",
                       shop_language="es", locale="es_ES", region="EU", privacy_law="gdpr")
    prices = [{"id": i, "amount": 349, "currency": currency, "quantity": quantity,
               "tax_included": True, "tax_amount": 61, "tax_rate": "0.21", "tax_label": "IVA",
               "duties_amount": 0, "fee_amount": 6, "exchange_rate": "1.15",
               "estimated_total": 349, "formatted": "3,49 €"} for i in ids]
    return LocalizePriceReply.model_validate({"market": market.model_dump(), "prices": prices})


def test_a_reply_for_other_items_is_never_charged() -> None:
    with pytest.raises(PricingUnavailableError):
        apply_quote(_cart(), _reply("EUR", ["OTHER"]))
    with pytest.raises(PricingUnavailableError):
        apply_quote(_cart(), _reply("EUR", ["H-1", "H-1"]))
    with pytest.raises(PricingUnavailableError):
        apply_quote(_cart(), _reply("EUR", ["H-1"], quantity=2))
    priced, quote = apply_quote(_cart(), _reply("EUR", ["H-1"]))
    assert priced.subtotal == 698 and priced.lines[0].line_total == 698 and quote is not None
    assert (quote.pricing.tax_amount, quote.pricing.fee_amount) == (122, 12)
    same, none = apply_quote(_cart(), _reply("GBP", ["H-1"]))
    assert none is None and same == _cart().model_copy(update={"created_at": same.created_at,
                                                               "updated_at": same.updated_at})


async def test_the_test_mode_provider_signs_the_priced_cart() -> None:
    priced, quote = apply_quote(_cart(), _reply("EUR", ["H-1"]))
    link = await TestModePaymentProvider("https://s", SECRET).create_payment_link(
        priced, "EU", quote)
    claims = verify_checkout_token(link.provider_ref, SECRET)
    assert (claims.currency, claims.total, claims.quote) == ("EUR", 698, quote)
