"""The Storefront facade: the same calls the MCP tools and the Kafka worker make."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from libs.catalog.read_model import CatalogReadModel
from libs.catalog.samples import sample_products
from libs.contracts.catalog import Variant
from services.mcp_workers.storefront.basket import CartLineInput, InMemoryBasketStore
from services.mcp_workers.storefront.checkout import verify_checkout_token
from services.mcp_workers.storefront.storefront import Storefront

SECRET = "s3cret"


@pytest.fixture
def shop() -> Storefront:
    catalog = CatalogReadModel.from_products(sample_products())
    return Storefront(catalog, InMemoryBasketStore(), SECRET, "https://shop.example")


def test_search_and_lookups_are_localised(shop: Storefront) -> None:
    result = shop.search_catalog("lumières", language="fr", country="FR")
    assert result.products[0].title == "Lumières étoile de Noël"
    assert result.products[0].price.model_dump() == {"amount": 495, "currency": "GBP"}
    assert shop.search_catalog("heart", country="US").total == 1  # P1 is UK/EU only
    assert shop.get_product("B-1").product.id == "P3"  # type: ignore[union-attr]
    assert shop.get_product("nope").error
    lookup = shop.lookup_catalog(ids=["P1", "PX"], skus=["M-RED", "P1-missing"])
    assert [p.id for p in lookup.products] == ["P1", "P2"]
    assert lookup.missing == ["PX", "P1-missing"]
    assert shop.search_catalog("x", cursor="bad!").error


async def test_cart_flow_to_a_signed_checkout_url(shop: Storefront) -> None:
    created = await shop.create_cart("u1", [CartLineInput(sku="H-1", quantity=2)])
    assert created.cart is not None and not created.errors
    cart_id = created.cart.id
    other = await shop.get_cart("u2", cart_id)
    assert other.cart is None and other.errors[0].code == "forbidden"
    updated = await shop.update_cart("u1", cart_id, [CartLineInput(sku="H-1", quantity=1),
                                                     CartLineInput(sku="L-1", quantity=1)])
    assert updated.cart is not None and updated.cart.subtotal.amount == 295 + 495
    link = await shop.get_checkout_url("u1", cart_id, country="GB")
    assert link.checkout_url and link.total and link.total.amount == 790
    token = parse_qs(urlparse(link.checkout_url).query)["token"][0]
    assert verify_checkout_token(token, SECRET).cart_id == cart_id
    cancelled = await shop.cancel_cart("u1", cart_id)
    assert cancelled.cart is not None and cancelled.cart.status == "cancelled"
    assert (await shop.get_cart("u1", cart_id)).errors[0].code == "not_found"


async def test_checkout_revalidates_against_the_current_catalog(shop: Storefront) -> None:
    created = await shop.create_cart("u1", [CartLineInput(sku="W-1", quantity=3)])
    assert created.cart is not None
    wicker = shop.catalog.get("P5")
    assert wicker is not None
    shop.catalog.apply("P5", wicker.model_copy(
        update={"variants": [Variant(sku="W-1", price=165, stock=1)]}))
    link = await shop.get_checkout_url("u1", created.cart.id)
    assert link.checkout_url is None and link.errors[0].code == "insufficient_stock"


async def test_bad_lines_come_back_as_structured_errors(shop: Storefront) -> None:
    result = await shop.create_cart("u1", [CartLineInput(sku="NOPE", quantity=1)])
    assert result.cart is None and result.errors[0].code == "unknown_product"


def test_ask_business_uses_product_and_policies(shop: Storefront) -> None:
    assert shop.ask_business("how much?", "P3").answer == "Jumbo Bag Red Retrospot costs £1.95."
    assert shop.ask_business("¿Aceptan PayPal?", language="es").kind == "policy"
