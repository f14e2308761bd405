"""libs.locale: money/date formatting, minor units and language helpers."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from libs.locale import (
    UnknownCurrencyError,
    format_date,
    format_money,
    from_minor,
    minor_units,
    normalise_language,
    parse_accept_language,
    to_minor,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (123450, "EUR", "es_ES", f"1.234,50{NBSP}€"),
        # CLDR's French group separator U+202F is normalised to U+00A0 (see format_money).
        (123450, "EUR", "fr_FR", f"1{NBSP}234,50{NBSP}€"),
        (123450, "USD", "en_US", "$1,234.50"),
        (123450, "GBP", "en_GB", "£1,234.50"),
        (1234, "JPY", "ja_JP", "￥1,234"),
        (-500, "EUR", "de_DE", f"-5,00{NBSP}€"),
    ],
)
def test_format_money_exact_strings(amount: int, currency: str, locale: str, expected: str) -> None:
    assert format_money(amount, currency, locale) == expected


def test_swiss_german_groups_thousands_with_an_apostrophe() -> None:
    """The rule, not one CLDR release: de_CH groups with an apostrophe. CLDR 47 (Babel 2.17)
    used U+2019, CLDR 48 (Babel 2.19, pinned in uv.lock) uses U+0027; both are correct Swiss
    typography, so either passes and everything else is exact."""
    text = format_money(123455, "CHF", "de_CH")
    assert text in (f"CHF{NBSP}1’234.55", f"CHF{NBSP}1'234.55")


def test_format_money_never_emits_narrow_nbsp() -> None:
    assert "\u202f" not in format_money(987654321, "EUR", "fr_FR")


def test_minor_units_follow_cldr() -> None:
    assert [minor_units(c) for c in ("EUR", "JPY", "KWD", "CLP", "gbp")] == [2, 0, 3, 0, 2]


def test_unknown_currency_is_rejected_not_assumed_two_decimals() -> None:
    with pytest.raises(UnknownCurrencyError, match="EUE"):
        minor_units("EUE")
    with pytest.raises(ValueError):
        format_money(100, "XX", "en_GB")


def test_to_and_from_minor_round_trip_with_half_up() -> None:
    assert from_minor(123450, "EUR") == Decimal("1234.50")
    assert from_minor(1234, "KWD") == Decimal("1.234")
    assert from_minor(1234, "JPY") == Decimal(1234)
    assert to_minor("12.345", "EUR") == 1235  # half up, not banker's (which gives 1234)
    assert to_minor(Decimal("1234.5"), "JPY") == 1235
    assert to_minor(3, "USD") == 300


def test_floats_are_refused_as_money() -> None:
    with pytest.raises(TypeError):
        to_minor(12.34, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_minor(12.0, "EUR")  # type: ignore[arg-type]


def test_format_date_per_locale() -> None:
    day = date(2026, 3, 5)
    assert format_date(day, "fr_FR") == "5 mars 2026"
    assert format_date(day, "en_US") == "Mar 5, 2026"
    assert format_date(day, "es_ES", format="long") == "5 de marzo de 2026"
    # A datetime keeps its time; en_US's U+202F before PM becomes U+00A0.
    assert format_date(datetime(2026, 3, 5, 14, 30), "en_US") == f"Mar 5, 2026, 2:30:00{NBSP}PM"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("es-MX", "es"),
        ("fr_CA", "fr"),
        ("EN-gb", "en"),
        ("es", "es"),
        ("de-DE", None),
        ("", None),
        (None, None),
        ("*", None),
        ("english", None),
    ],
)
def test_normalise_language(tag: str | None, expected: str | None) -> None:
    assert normalise_language(tag) == expected


def test_parse_accept_language_orders_by_q_then_position() -> None:
    assert parse_accept_language("es;q=0.5, en;q=0.9") == [("en", 0.9), ("es", 0.5)]
    assert parse_accept_language("fr-CA,fr;q=0.9,en;q=0.8,de;q=0.8") == [
        ("fr-CA", 1.0),
        ("fr", 0.9),
        ("en", 0.8),
        ("de", 0.8),
    ]


def test_parse_accept_language_drops_q0_and_garbage() -> None:
    assert parse_accept_language("de;q=0, @@@, en_GB;q=0.7, ;q=1") == [("en-GB", 0.7)]
    assert parse_accept_language(None) == []
    assert parse_accept_language("") == []
