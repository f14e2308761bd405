"""Ingest bounds: an event no profile can fold (year 9999, year 0001, a price of 1e300, NaN) is
refused with its reason at the edge, and the rest of its batch is kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from libs.events import validate_batch

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def viewed(event_id: str, timestamp: str = "2026-11-20T10:00:00Z", price: Any = 12.5) -> dict[str, Any]:
    variant = {"id": "gid://shopify/ProductVariant/1", "price": {"amount": price, "currencyCode": "GBP"},
               "product": {"id": "gid://shopify/Product/5"}}
    return {"id": event_id, "name": "product_viewed", "timestamp": timestamp, "clientId": "c-1",
            "data": {"productVariant": variant}}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (viewed("far-future", "9999-12-31T23:59:59Z"), "future"),
        (viewed("tomorrow-and-more", "2026-11-22T12:00:00Z"), "future"),
        (viewed("year-one", "0001-01-01T00:00:00Z"), "before 2000"),
        (viewed("huge-price", price=1e300), "out of range"),
        (viewed("nan-price", price=float("nan")), "NaN"),
        (viewed("inf-price", price=float("inf")), "NaN or infinite"),
    ],
    ids=lambda v: v["id"] if isinstance(v, dict) else "",
)
def test_out_of_bounds_event_is_refused_and_the_batch_kept(bad: dict[str, Any], reason: str) -> None:
    result = validate_batch([viewed("good-1"), bad, viewed("good-2")], now=NOW)
    assert [e.event_id for e in result.accepted] == ["good-1", "good-2"]
    assert len(result.rejected) == 1
    rejection = result.rejected[0]
    assert (rejection.index, rejection.id) == (1, bad["id"])
    assert reason in rejection.reason


def test_an_hour_of_clock_skew_is_accepted() -> None:
    result = validate_batch(viewed("skewed", "2026-11-20T13:00:00Z"), now=NOW)
    assert [e.event_id for e in result.accepted] == ["skewed"]
