"""Web Pixels validation and mapping to the internal UserEvent vocabulary."""

from __future__ import annotations

from typing import Any

import pytest

from libs.contracts.events import EVENTS_RAW
from libs.events import map_pixel_event, normalize_id, to_minor, validate_batch

TS = "2026-11-20T10:00:00.000Z"


def variant(pid: str = "123", price: float = 12.5) -> dict[str, Any]:
    return {
        "id": "gid://shopify/ProductVariant/999",
        "price": {"amount": price, "currencyCode": "GBP"},
        "product": {"id": f"gid://shopify/Product/{pid}", "title": "Star print",
                    "vendor": "Museo", "type": "prints"},
        "sku": "SKU-1", "title": "A3",
    }


def event(name: str, data: dict[str, Any] | None = None, path: str = "/products/x",
          **extra: Any) -> dict[str, Any]:
    return {"id": f"ev-{name}", "name": name, "timestamp": TS, "clientId": "client-1", "seq": 1,
            "type": "standard", "context": {"document": {"location": {"pathname": path}}},
            "data": data or {}, **extra}


def checkout() -> dict[str, Any]:
    return {"checkout": {
        "currencyCode": "GBP", "email": "a@b.c",
        "lineItems": [{"id": "l1", "quantity": 2, "title": "Star", "variant": variant("5", 3.99)}],
        "totalPrice": {"amount": 7.98, "currencyCode": "GBP"},
        "order": {"id": "gid://shopify/Order/77", "customer": {"id": "gid://shopify/Customer/8"}},
        "shippingAddress": {"countryCode": "FR"},
    }}


CASES = [
    (event("page_viewed", path="/"), "home-page-view"),
    (event("page_viewed", path="/pages/about"), "page-view"),
    (event("product_viewed", {"productVariant": variant()}), "detail-page-view"),
    (event("collection_viewed", {"collection": {"id": "gid://shopify/Collection/4",
                                                "title": "Prints", "productVariants": []}}),
     "category-page-view"),
    (event("search_submitted", {"searchResult": {"query": " blue mug "}}), "search"),
    (event("product_added_to_cart", {"cartLine": {"merchandise": variant(), "quantity": 1}}),
     "add-to-cart"),
    (event("product_removed_from_cart", {"cartLine": {"merchandise": variant(), "quantity": 1}}),
     "remove-from-cart"),
    (event("cart_viewed", {"cart": {"lines": [{"merchandise": variant(), "quantity": 3}]}}),
     "shopping-cart-page-view"),
    (event("checkout_started", checkout()), "checkout-start"),
    (event("checkout_completed", checkout()), "purchase-complete"),
    ({"id": "c1", "name": "conversation_turn", "timestamp": TS, "clientId": "v", "context": {},
      "conversation_id": "conv-1", "intent_type": "comparison", "product_ids": ["5"]},
     "conversation"),
    ({"id": "o1", "name": "order_completed", "timestamp": TS, "clientId": "v", "order_id": "o-9",
      "lines": [{"product_id": "5", "quantity": 1, "price": 399, "currency": "GBP"}]},
     "purchase-complete"),
]


def test_topic_name() -> None:
    assert EVENTS_RAW == "events.raw"


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0]["name"] + str(i)
                                                          for i, c in enumerate(CASES)])
def test_each_event_name_maps_to_the_internal_vocabulary(raw: dict[str, Any],
                                                         expected: str) -> None:
    result = validate_batch(raw)
    assert result.rejected == []
    assert [e.event_type for e in result.accepted] == [expected]
    assert result.accepted[0].visitor_id == raw["clientId"]


def test_product_view_normalises_ids_prices_and_carries_taste_fields() -> None:
    ev = validate_batch(event("product_viewed", {"productVariant": variant()})).accepted[0]
    detail = ev.product_details[0]
    assert (detail.id, detail.price, detail.currency) == ("123", 1250, "GBP")
    assert (detail.category, detail.vendor) == ("prints", "Museo")
    assert ev.event_time.tzinfo is not None


def test_checkout_completed_carries_order_customer_revenue_and_country() -> None:
    ev = validate_batch(event("checkout_completed", checkout())).accepted[0]
    assert (ev.order_id, ev.user_id, ev.revenue, ev.country) == ("77", "8", 798, "FR")
    assert ev.product_details[0].quantity == 2
    assert ev.product_ids == ["5"]


def test_search_query_is_trimmed() -> None:
    ev = validate_batch(event("search_submitted", {"searchResult": {"query": " blue mug "}}))
    assert ev.accepted[0].search_query == "blue mug"


def test_batch_keeps_good_events_and_explains_bad_ones() -> None:
    good = event("product_viewed", {"productVariant": variant()})
    no_client = {k: v for k, v in event("page_viewed").items() if k != "clientId"}
    bad_price = event("product_viewed", {"productVariant": variant()}, id="bad")
    bad_price["data"]["productVariant"]["price"] = {"amount": "lots", "currencyCode": "GBP"}
    unknown = event("teleported")
    result = validate_batch({"events": [good, no_client, bad_price, unknown, "junk"]})
    assert [e.event_id for e in result.accepted] == ["ev-product_viewed"]
    reasons = {r.index: r.reason for r in result.rejected}
    assert set(reasons) == {1, 2, 3, 4}
    assert "clientId" in reasons[1]
    assert "price.amount" in reasons[2]
    assert "teleported" in reasons[3] or "tag" in reasons[3]
    assert reasons[4] == "event is not an object"
    assert result.rejected[1].id == "bad"


def test_a_bare_list_is_a_batch_and_custom_events_are_skipped_not_rejected() -> None:
    custom = event("newsletter_signup", type="custom")
    result = validate_batch([event("page_viewed", path="/"), custom])
    assert len(result.accepted) == 1
    assert result.rejected == []
    assert [s.index for s in result.skipped] == [1]


def test_oversized_batch_rejects_the_excess_only() -> None:
    events = [dict(event("page_viewed"), id=f"e{i}") for i in range(5)]
    result = validate_batch(events, max_batch=3)
    assert len(result.accepted) == 3
    assert [r.id for r in result.rejected] == ["e3", "e4"]


def test_market_defaults_fill_what_the_pixel_lacks() -> None:
    result = validate_batch(event("page_viewed"), market="EU", country="ES")
    assert (result.accepted[0].market, result.accepted[0].country) == ("EU", "ES")


def test_id_and_money_helpers() -> None:
    assert normalize_id("gid://shopify/Product/123") == "123"
    assert normalize_id("gid://shopify/Product/123?variant=4") == "123"
    assert normalize_id(" 85048 ") == "85048"
    assert to_minor(12.345, "GBP") == 1235
    assert to_minor(0.1 + 0.2, "EUR") == 30
    assert to_minor(1500, "JPY") == 1500
    assert to_minor(1.2345, "KWD") == 1235


def test_map_returns_none_for_product_view_without_any_id() -> None:
    from libs.contracts.events import ProductViewed

    pv = ProductViewed.model_validate(event("product_viewed", {"productVariant": {"title": "x"}}))
    assert map_pixel_event(pv) is None
