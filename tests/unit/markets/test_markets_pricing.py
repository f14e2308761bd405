"""localize_price with pinned exchange rates so the expected numbers can be checked by hand.

Tax and duty rates come from the real markets.json (DE 19 %, FR 20 %, JP 10 %, CH 8.1 %,
US 7 % default / CA 7.25 %, US duties 10 %); the shop price is GBP including 20 % UK VAT;
conversion fee 2 %.
"""

from decimal import Decimal

import pytest

from services.markets.domain import (
    MarketError,
    MarketsConfig,
    UnsupportedCurrencyError,
    load_markets_config,
    localize_price,
    resolve_market,
)
from services.markets.domain.models import Market


@pytest.fixture(scope="module")
def config() -> MarketsConfig:
    base = load_markets_config()
    pinned = {
        "EUR": Decimal("1.20"),
        "USD": Decimal("1.25"),
        "JPY": Decimal(190),
        "CHF": Decimal("1.10"),
    }
    return base.model_copy(
        update={
            "exchange_rates": {**base.exchange_rates, **pinned},
            "conversion_fee_rate": Decimal("0.02"),
        }
    )


def market(config: MarketsConfig, country: str) -> Market:
    return resolve_market(country=country, config=config).market


def test_uk_price_is_shown_as_listed_with_vat_inside(config: MarketsConfig) -> None:
    # £12.50 incl. 20 % VAT; VAT = 12.50 - 12.50/1.2 = 12.50 - 10.4167 -> 10.42 -> £2.08.
    p = localize_price(1250, "GBP", market(config, "GB"), config)
    assert (p.amount, p.currency, p.tax_included, p.tax_amount, p.tax_label) == (
        1250,
        "GBP",
        True,
        208,
        "VAT",
    )
    assert (p.fee_amount, p.duties_amount, p.exchange_rate, p.estimated_total) == (
        0,
        0,
        Decimal(1),
        1250,
    )
    assert p.formatted == "£12.50"


def test_uk_quantity_multiplies_before_rounding(config: MarketsConfig) -> None:
    # 3 x £12.50 = £37.50; VAT = 37.50 - 31.25 = £6.25 (not 3 x 2.08 = 6.24).
    p = localize_price(1250, "GBP", market(config, "GB"), config, quantity=3)
    assert (p.amount, p.tax_amount, p.quantity) == (3750, 625, 3)


def test_germany_swaps_uk_vat_for_german_vat(config: MarketsConfig) -> None:
    # £120.00 incl. UK VAT -> net £100.00 -> x1.20 = €120.00; fee 2 % = €2.40 -> €122.40 net
    # -> x1.19 MwSt = €145.656 -> €145.66. MwSt = 145.66 - 145.66/1.19 (=122.40) = €23.26.
    p = localize_price(12000, "GBP", market(config, "DE"), config)
    assert (p.amount, p.currency, p.tax_included, p.tax_rate) == (
        14566,
        "EUR",
        True,
        Decimal("0.19"),
    )
    assert (p.tax_amount, p.tax_label, p.fee_amount, p.duties_amount) == (2326, "MwSt.", 240, 0)
    assert p.exchange_rate == Decimal("1.20")
    assert p.formatted == "145,66\u00a0€"


def test_france_same_net_price_but_20_percent_tva(config: MarketsConfig) -> None:
    # €122.40 net (as for DE) x 1.20 = €146.88; TVA = 146.88 - 122.40 = €24.48.
    p = localize_price(12000, "GBP", market(config, "FR"), config)
    assert (p.amount, p.tax_amount, p.tax_label) == (14688, 2448, "TVA")
    assert p.formatted == "146,88\u00a0€"


def test_us_price_excludes_sales_tax_and_shows_estimates(config: MarketsConfig) -> None:
    # £12.50 -> net £10.416667 -> x1.25 = $13.020833; fee = $0.260417 (26 ¢) -> $13.28125
    # -> $13.28 shown. Sales tax estimate 7 % = 92.96 -> 93 ¢; duties 10 % = 132.8 -> 133 ¢.
    # Estimated total = 1328 + 93 + 133 = 1554.
    p = localize_price(1250, "GBP", market(config, "US"), config)
    assert (p.amount, p.currency, p.tax_included) == (1328, "USD", False)
    assert (p.tax_amount, p.tax_rate, p.tax_label) == (93, Decimal("0.07"), "sales tax")
    assert (p.fee_amount, p.duties_amount, p.estimated_total) == (26, 133, 1554)
    assert p.formatted == "$13.28"


def test_us_state_rate_sharpens_the_estimate(config: MarketsConfig) -> None:
    # California 7.25 % of $13.28 = 96.28 -> 96 ¢; the shown price does not change.
    p = localize_price(1250, "GBP", market(config, "US"), config, subdivision="ca")
    assert (p.amount, p.tax_amount, p.tax_rate) == (1328, 96, Decimal("0.0725"))


def test_japan_rounds_to_whole_yen(config: MarketsConfig) -> None:
    # £12.34 -> net £10.283333 -> x190 = ¥1953.8333; fee ¥39.0767 (39) -> ¥1992.91
    # -> x1.10 = ¥2192.20 -> ¥2192. Tax = 2192 - round(2192/1.1 = 1992.73) = 2192 - 1993 = 199.
    p = localize_price(1234, "GBP", market(config, "JP"), config)
    assert (p.amount, p.currency, p.tax_amount, p.fee_amount) == (2192, "JPY", 199, 39)
    assert p.tax_label == "consumption tax"
    assert p.formatted == "￥2,192"


def test_swiss_franc_rounds_to_five_rappen(config: MarketsConfig) -> None:
    # £12.34 -> £10.283333 x1.10 = CHF 11.311667; fee 0.226233 -> 11.5379 x1.081 = 12.47247
    # -> nearest 0.05 = CHF 12.45. MWST = 12.45 - round(12.45/1.081 = 11.517) = 12.45 - 11.52.
    p = localize_price(1234, "GBP", market(config, "CH"), config)
    assert (p.amount, p.tax_amount, p.fee_amount) == (1245, 93, 23)
    assert p.amount % 5 == 0


def test_rest_of_world_gets_export_price_without_uk_vat(config: MarketsConfig) -> None:
    # £50.00 incl. UK VAT -> £41.666.. -> £41.67; no conversion, no fee, local taxes unknown.
    p = localize_price(5000, "GBP", market(config, "RU"), config)
    assert (p.amount, p.currency, p.tax_amount, p.fee_amount) == (4167, "GBP", 0, 0)


def test_duties_waived_under_de_minimis(config: MarketsConfig) -> None:
    jp = market(config, "JP")  # 5 % duty above ¥10,000 net
    assert localize_price(1234, "GBP", jp, config).duties_amount == 0
    assert localize_price(12340, "GBP", jp, config).duties_amount > 0


@pytest.mark.parametrize(("amount", "quantity"), [(-1, 1), (100, 0)])
def test_bad_amounts_raise_market_error(config: MarketsConfig, amount: int, quantity: int) -> None:
    with pytest.raises(MarketError):
        localize_price(amount, "GBP", market(config, "GB"), config, quantity=quantity)


def test_currency_without_rate_raises(config: MarketsConfig) -> None:
    with pytest.raises(UnsupportedCurrencyError, match="XAU"):
        localize_price(100, "XAU", market(config, "DE"), config)
