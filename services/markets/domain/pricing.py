"""Shop prices as each market shows them.

The shop sells from the UK in GBP with prices that include UK VAT. For the home market the
price is shown as is. For any other market the sale is an export, zero-rated for UK VAT, so
UK VAT is stripped first; the net price is converted with the configured rate, the conversion
fee is added (it is part of what we charge, so destination tax applies to it too), and then:

- tax-inclusive markets (EU/UK VAT, AU/NZ/SG/IN GST, JP consumption tax, ...) get the
  destination rate added into the displayed price, e.g. a German price carries 19 % MwSt.;
- tax-exclusive markets (US sales tax, CA GST/HST) show the net price and a tax estimate line;
- duties, where configured and above the de minimis, are an estimate on the net line value and
  are never inside the displayed price (the carrier or checkout collects them).

All arithmetic is Decimal on exact values; rounding happens once, at the end, half up to the
currency's rounding increment (minor unit from CLDR, or the configured cash-style increment
such as CHF 0.05), so no intermediate rounding error is ever multiplied by a quantity.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from libs.locale import format_money, from_minor, minor_units
from services.markets.domain.config import MarketsConfig
from services.markets.domain.errors import MarketError, UnsupportedCurrencyError
from services.markets.domain.models import LocalizedPrice, Market


def _rate(currency: str, config: MarketsConfig) -> Decimal:
    try:
        return config.exchange_rates[currency]
    except KeyError:
        raise UnsupportedCurrencyError(f"We cannot price in {currency} yet.") from None


def _round_minor(amount_major: Decimal, currency: str, increment: Decimal | None) -> int:
    """Round a major-unit amount to the currency's increment; return integer minor units."""
    unit = Decimal(1).scaleb(-minor_units(currency))
    step = increment if increment is not None and increment > unit else unit
    rounded = (amount_major / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return int(rounded.scaleb(minor_units(currency)))


def _minor(amount_major: Decimal, currency: str) -> int:
    return _round_minor(amount_major, currency, None)


def localize_price(
    amount_minor: int,
    shop_currency: str,
    market: Market,
    config: MarketsConfig,
    *,
    quantity: int = 1,
    subdivision: str | None = None,
) -> LocalizedPrice:
    """Price `quantity` units of an item listed at `amount_minor` (shop currency, incl. UK VAT).

    `subdivision` (US state, CA province) sharpens the sales-tax estimate where rates differ.
    Raises MarketError for a negative amount, a non-positive quantity, or a currency without
    an exchange rate.
    """
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor < 0:
        raise MarketError("A price must be a whole, non-negative number of minor units.")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise MarketError("Quantity must be at least 1.")
    shop_rate = _rate(shop_currency, config)
    target_rate = _rate(market.currency, config)
    exchange_rate = target_rate / shop_rate
    gross_shop = from_minor(amount_minor, shop_currency) * quantity
    tax = market.tax
    tax_rate = tax.rate_for(subdivision)
    increment = config.rounding.get(market.currency)

    shop = config.shop
    net_shop = gross_shop / (1 + shop.tax_rate) if shop.prices_include_tax else gross_shop
    fee = Decimal(0)
    if market.country == shop.country and market.currency == shop_currency:
        # Home market: the listed price is already the shelf price (UK VAT inside it).
        amount = _round_minor(
            gross_shop if shop.prices_include_tax else net_shop * (1 + tax_rate),
            market.currency,
            increment,
        )
    else:
        converted = net_shop * exchange_rate
        if market.currency != shop_currency:
            fee = converted * config.conversion_fee_rate
        net_local = converted + fee
        shelf = net_local * (1 + tax_rate) if tax.included else net_local
        amount = _round_minor(shelf, market.currency, increment)

    amount_major = from_minor(amount, market.currency)
    if tax.included:
        # Tax is read back from the rounded shelf price, so amount = net + tax exactly.
        tax_amount = amount - _minor(amount_major / (1 + tax_rate), market.currency)
    else:
        tax_amount = _minor(amount_major * tax_rate, market.currency)
    customs_value = amount_major / (1 + tax_rate) if tax.included else amount_major
    duties_amount = 0
    if market.duties.rate > 0 and customs_value > market.duties.de_minimis:
        duties_amount = _minor(customs_value * market.duties.rate, market.currency)

    extra = (0 if tax.included else tax_amount) + duties_amount
    return LocalizedPrice(
        amount=amount,
        currency=market.currency,
        quantity=quantity,
        tax_included=tax.included,
        tax_amount=tax_amount,
        tax_rate=tax_rate,
        tax_label=tax.label,
        duties_amount=duties_amount,
        fee_amount=_minor(fee, market.currency),
        exchange_rate=exchange_rate,
        estimated_total=amount + extra,
        formatted=format_money(amount, market.currency, market.locale),
    )
