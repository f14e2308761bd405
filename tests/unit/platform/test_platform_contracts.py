"""Contracts: the error envelope and the markets request union as workers decode them."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from libs.contracts.base import DeadLetter, ErrorReply
from libs.contracts.markets import (
    LocalizePriceRequest,
    MarketsRequest,
    PriceItem,
    ResolveMarketRequest,
)
from libs.contracts.topics import ALL_TOPICS, dlq, reply_topic

ADAPTER: TypeAdapter[ResolveMarketRequest | LocalizePriceRequest] = TypeAdapter(MarketsRequest)


def test_error_reply_defaults_and_round_trip() -> None:
    err = ErrorReply(code="not_found", message="no such product")
    assert err.kind == "error"
    assert err.retryable is False
    assert err.schema_version == 1
    again = ErrorReply.model_validate_json(err.model_dump_json())
    assert again == err


def test_error_reply_needs_code_and_message() -> None:
    with pytest.raises(ValidationError) as info:
        ErrorReply.model_validate({"message": "x"})
    assert "code" in str(info.value)


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    err = ErrorReply.model_validate({"code": "internal", "message": "m", "added_later": 1})
    assert not hasattr(err, "added_later")


def test_union_picks_resolve_by_op() -> None:
    req = ADAPTER.validate_json(b'{"op": "resolve", "phone": "+33612345678"}')
    assert isinstance(req, ResolveMarketRequest)
    assert req.phone == "+33612345678"


def test_union_picks_localize_by_op() -> None:
    req = ADAPTER.validate_json(b'{"op": "localize", "country": "FR", "items": [{"amount": 1000}]}')
    assert isinstance(req, LocalizePriceRequest)
    assert req.items[0].currency == "GBP"
    assert req.items[0].quantity == 1


def test_union_rejects_unknown_or_missing_op() -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_json(b'{"op": "delete"}')
    with pytest.raises(ValidationError):
        ADAPTER.validate_json(b'{"phone": "+33612345678"}')


def test_localize_needs_between_1_and_500_items() -> None:
    item = {"amount": 1}
    assert len(ADAPTER.validate_python({"op": "localize", "items": [item] * 500}).items) == 500  # type: ignore[union-attr]
    for items in ([], [item] * 501):
        with pytest.raises(ValidationError) as info:
            ADAPTER.validate_python({"op": "localize", "items": items})
        assert "items" in str(info.value)


def test_price_item_limits() -> None:
    assert PriceItem(amount=0).amount == 0
    with pytest.raises(ValidationError, match="amount"):
        PriceItem(amount=-1)
    with pytest.raises(ValidationError, match="currency"):
        PriceItem(amount=1, currency="EU")
    with pytest.raises(ValidationError, match="quantity"):
        PriceItem(amount=1, quantity=0)


def test_market_inputs_are_bounded() -> None:
    with pytest.raises(ValidationError, match="phone"):
        ResolveMarketRequest(phone="1" * 41)
    with pytest.raises(ValidationError, match="accept_language"):
        ResolveMarketRequest(accept_language="a" * 501)


def test_dead_letter_carries_the_original() -> None:
    letter = DeadLetter(original_topic="orders", partition=0, offset=7, error="bad",
                        error_type="ValidationError", payload="{", failed_at="2026-01-01T00:00:00Z")
    assert DeadLetter.model_validate_json(letter.model_dump_json()) == letter


def test_every_fact_and_request_topic_has_a_dlq() -> None:
    names = {t.name for t in ALL_TOPICS}
    for name in list(names):
        if not name.endswith(".dlq"):
            assert dlq(name) in names
    assert reply_topic("abc") == "gateway.replies.abc"
