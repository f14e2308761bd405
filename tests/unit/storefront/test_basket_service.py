"""Baskets: UCP-like operations, per-line validation, ownership, TTL, price localisation."""

from __future__ import annotations

import pytest

from libs.catalog.read_model import CatalogReadModel
from libs.catalog.samples import sample_products
from libs.contracts.catalog import Money, Product, Variant
from services.mcp_workers.storefront.basket import (
    BasketAccessError,
    BasketNotFoundError,
    BasketService,
    CartLineInput,
    CartValidationError,
    InMemoryBasketStore,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(clock: Clock) -> BasketService:
    catalog = CatalogReadModel.from_products(sample_products())
    return BasketService(catalog, InMemoryBasketStore(clock), ttl_seconds=60)


def line(sku: str | None = None, quantity: int = 1, product_id: str | None = None) -> CartLineInput:
    return CartLineInput(sku=sku, product_id=product_id, quantity=quantity)


async def test_create_prices_lines_and_totals(service: BasketService) -> None:
    cart = await service.create_cart("user-1", [line("H-1", 2), line(product_id="P3")])
    assert cart.id.startswith("cart_") and cart.owner == "user-1" and cart.status == "open"
    assert [(ln.sku, ln.quantity, ln.line_total) for ln in cart.lines] == [
        ("H-1", 2, 590), ("B-1", 1, 195)]
    assert cart.subtotal == 785 and cart.total_quantity == 3 and cart.currency == "GBP"
    assert (await service.get_cart("user-1", cart.id)).subtotal == 785


async def test_update_replaces_lines_and_zero_removes(service: BasketService) -> None:
    cart = await service.create_cart("s-1", [line("H-1", 1), line("B-1", 1)])
    cart = await service.update_cart("s-1", cart.id, [line("H-1", 0), line("B-1", 3)])
    assert [(ln.sku, ln.quantity) for ln in cart.lines] == [("B-1", 3)]
    assert cart.subtotal == 585


async def test_every_bad_line_is_reported(service: BasketService) -> None:
    with pytest.raises(CartValidationError) as info:
        await service.create_cart("u", [
            line("NOPE"), line("M-BLUE"), line("W-1", 4), line(product_id="P2"), line("B-1", 6),
            line("H-1", 1),
        ])
    codes = [(e.line, e.code) for e in info.value.errors]
    assert codes == [(0, "unknown_product"), (1, "out_of_stock"), (2, "insufficient_stock"),
                     (3, "variant_required"), (4, "quantity_limit")]
    assert info.value.errors[2].available == 3


async def test_duplicate_skus_are_merged_and_limited(service: BasketService) -> None:
    cart = await service.create_cart("u", [line("H-1", 2), line("H-1", 3)])
    assert [(ln.sku, ln.quantity) for ln in cart.lines] == [("H-1", 5)]
    with pytest.raises(CartValidationError):
        await service.create_cart("u", [line("B-1", 3), line("B-1", 3)])  # max_per_order 5


async def test_global_per_line_maximum() -> None:
    big = Product.model_validate({"id": "X", "handle": "x", "title": {"en": "X"},
                                  "variants": [Variant(sku="X", price=1, stock=1000)]})
    service = BasketService(CatalogReadModel.from_products([big]), InMemoryBasketStore())
    assert (await service.create_cart("u", [line("X", 99)])).total_quantity == 99
    with pytest.raises(CartValidationError, match="at most 99"):
        await service.create_cart("u", [line("X", 100)])


async def test_nobody_touches_another_owners_cart(service: BasketService) -> None:
    cart = await service.create_cart("alice", [line("H-1")])
    for call in (service.get_cart("bob", cart.id), service.update_cart("bob", cart.id, []),
                 service.cancel_cart("bob", cart.id)):
        with pytest.raises(BasketAccessError):
            await call
    assert (await service.get_cart("alice", cart.id)).total_quantity == 1


async def test_cancel_and_expiry(service: BasketService, clock: Clock) -> None:
    cart = await service.create_cart("u", [line("H-1")])
    cancelled = await service.cancel_cart("u", cart.id)
    assert cancelled.status == "cancelled"
    with pytest.raises(BasketNotFoundError):
        await service.get_cart("u", cart.id)
    cart = await service.create_cart("u", [line("H-1")])
    clock.now += 61
    with pytest.raises(BasketNotFoundError):
        await service.get_cart("u", cart.id)


async def test_price_fn_localises_prices() -> None:
    def in_euros(product: Product, variant: Variant) -> Money:
        return Money(amount=round(variant.price * 1.17), currency="EUR")

    catalog = CatalogReadModel.from_products(sample_products())
    service = BasketService(catalog, InMemoryBasketStore(), price_fn=in_euros)
    cart = await service.create_cart("u", [line("H-1", 2)])
    assert cart.currency == "EUR" and cart.subtotal == 2 * 345


async def test_an_owner_is_required(service: BasketService) -> None:
    with pytest.raises(BasketAccessError):
        await service.create_cart("", [line("H-1")])


async def test_add_lines_adds_up_and_names_the_callers_own_bad_line(service: BasketService) -> None:
    cart = await service.create_cart("s-1", [line("H-1", 1)])
    cart = await service.add_lines("s-1", cart.id, [line("H-1", 2), line("B-1", 1)])
    assert [(ln.sku, ln.quantity) for ln in cart.lines] == [("H-1", 3), ("B-1", 1)]
    with pytest.raises(CartValidationError) as info:
        await service.add_lines("s-1", cart.id, [line("B-1", 1), line("NOPE", 1)])
    assert [(e.line, e.code) for e in info.value.errors] == [(1, "unknown_product")]
    assert (await service.get_cart("s-1", cart.id)).total_quantity == 4, "nothing written"


async def test_remove_lines_by_sku_or_product(service: BasketService) -> None:
    cart = await service.create_cart("s-1", [line("H-1", 1), line("B-1", 2)])
    cart = await service.remove_lines("s-1", cart.id, ["H-1"], [])
    assert [ln.sku for ln in cart.lines] == ["B-1"]
    cart = await service.remove_lines("s-1", cart.id, [], ["P3"])
    assert cart.lines == [] and cart.subtotal == 0


async def test_line_changes_check_the_owner_and_the_status(service: BasketService) -> None:
    cart = await service.create_cart("s-1", [line("H-1", 1)])
    with pytest.raises(BasketAccessError):
        await service.add_lines("someone-else", cart.id, [line("B-1", 1)])
    with pytest.raises(BasketAccessError):
        await service.remove_lines("someone-else", cart.id, ["H-1"], [])
    await service.mark_checked_out("s-1", cart.id)
    with pytest.raises(CartValidationError):
        await service.add_lines("s-1", cart.id, [line("B-1", 1)])
    with pytest.raises(BasketNotFoundError):
        await service.add_lines("s-1", "cart_missing", [line("B-1", 1)])
