"""Minor units come from one table (CLDR through libs.locale) for events and admin prices alike."""

from __future__ import annotations

import pytest

from libs.events.mapping import to_minor
from services.mcp_workers.admin.money import parse_price


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("12.5", "GBP", 1250), ("1200", "JPY", 1200), ("1.234", "KWD", 1234), ("9.995", "EUR", 1000),
])
def test_event_amounts_use_the_currencys_own_exponent(amount: str, currency: str, minor: int) -> None:
    assert to_minor(amount, currency) == minor


def test_admin_prices_agree_with_events() -> None:
    assert parse_price("1.234", "KWD") == to_minor("1.234", "KWD") == 1234
    assert parse_price("1200", "JPY") == 1200
    with pytest.raises(ValueError, match="too many decimals"):
        parse_price("12.5", "JPY")


def test_an_unknown_currency_is_an_error_not_two_decimals() -> None:
    with pytest.raises(ValueError):
        to_minor("1.00", "EUE")
    with pytest.raises(ValueError, match="unknown currency"):
        parse_price("1.00", "EUE")
