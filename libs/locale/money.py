"""Money helpers shared by every service.

Money travels through the system as integer minor units plus an ISO 4217 code (the storefront
contract), so these helpers are the only place that knows how many minor units a currency has
and how a locale writes an amount. All arithmetic is Decimal; floats are refused because a
binary float cannot represent most prices exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_territory_currencies,
    is_currency,
)

from libs.locale.text import normalise_spaces

__all__ = [
    "UnknownCurrencyError",
    "format_money",
    "from_minor",
    "minor_units",
    "territory_currency",
    "to_minor",
]


class UnknownCurrencyError(ValueError):
    """Raised for a code that is not an ISO 4217 currency known to CLDR.

    Babel silently assumes two decimals for codes it does not know, which would hide typos
    such as "EUE" until a shopper saw a wrong price; we fail loudly instead.
    """


def _checked(currency: str) -> str:
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if len(code) != 3 or not is_currency(code):
        raise UnknownCurrencyError(f"Unknown currency code: {currency!r}")
    return code


def minor_units(currency: str) -> int:
    """Number of decimal digits of the currency's minor unit (JPY 0, EUR 2, KWD 3), from CLDR."""
    return int(get_currency_precision(_checked(currency)))


def from_minor(amount_minor: int, currency: str) -> Decimal:
    """Exact major-unit Decimal for an integer amount of minor units."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise TypeError("amount_minor must be an int (minor units)")
    return Decimal(amount_minor).scaleb(-minor_units(currency))


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Integer minor units for a major-unit amount, rounding half up at the minor unit.

    Half-up (not banker's rounding) because that is what shoppers and most tax authorities
    expect for displayed prices.
    """
    if isinstance(amount, float | bool):
        raise TypeError("money must not be a float; pass a Decimal, int or str")
    scaled = Decimal(amount).scaleb(minor_units(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(amount_minor: int, currency: str, locale: str) -> str:
    """The amount as the locale writes it, e.g. es_ES 123450 EUR -> "1.234,50\u00a0€".

    CLDR output is kept except that the narrow no-break space (U+202F, used e.g. as the French
    group separator) becomes a no-break space (U+00A0): both keep an amount on one line, but
    U+202F is missing from fonts on older phones and some chat clients (WhatsApp, SMS gateways),
    where it shows as a box. So fr_FR gives "1\u00a0234,50\u00a0€".
    """
    code = _checked(currency)
    text = format_currency(from_minor(amount_minor, code), code, locale=locale)
    return normalise_spaces(text)


def territory_currency(country: str | None) -> str | None:
    """The currency legal tender in an ISO 3166 country today (CLDR), e.g. ES -> EUR; None
    for no country, an unknown code, or a territory with several. A hint for skipping work
    (a cart already in the buyer's currency), never a price decision: markets decides those."""
    code = (country or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        return None
    found = get_territory_currencies(code, tender=True)
    return str(found[0]) if len(found) == 1 else None
