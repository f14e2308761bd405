"""Validated, cached view of services/markets/data/markets.json.

Market data (rates, taxes, locales) changes without code changes, so it lives in one JSON
file that ops edit; this module refuses a file that would produce wrong prices at start-up
(unknown currency, missing exchange rate, locale Babel cannot format) instead of at checkout.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "data" / "markets.json"

Rate = Annotated[Decimal, Field(ge=0, le=1)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaxConfig(_Strict):
    """How a market shows consumption tax: inside the price (VAT/GST) or added later (US)."""

    included: bool
    rate: Rate
    label: str = Field(min_length=1)
    subdivision_rates: dict[str, Rate] = Field(default_factory=dict)

    def rate_for(self, subdivision: str | None) -> Decimal:
        """State/province rate when known, else the market default (an estimate)."""
        if subdivision:
            return self.subdivision_rates.get(subdivision.strip().upper(), self.rate)
        return self.rate


class DutiesConfig(_Strict):
    """Import duty estimate; `de_minimis` is in the destination currency's major units."""

    rate: Annotated[Decimal, Field(ge=0, le=5)] = Decimal(0)
    de_minimis: Annotated[Decimal, Field(ge=0)] = Decimal(0)


class MarketTemplate(_Strict):
    currency: CurrencyCode
    languages: list[str] = Field(min_length=1)
    locale: str
    region: str
    tax: TaxConfig
    duties: DutiesConfig = Field(default_factory=DutiesConfig)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError(f"unknown ISO 4217 currency {value!r}")
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"Babel cannot format for locale {value!r}") from exc
        return value


class RegionConfig(_Strict):
    name: str
    privacy_law: str


class ShopConfig(_Strict):
    country: CountryCode
    currency: CurrencyCode
    tax_rate: Rate
    prices_include_tax: bool
    languages: list[str] = Field(min_length=1)
    default_country: CountryCode


class MarketsConfig(_Strict):
    version: int
    notes: str | None = None
    shop: ShopConfig
    conversion_fee_rate: Rate
    exchange_rates: dict[CurrencyCode, Annotated[Decimal, Field(gt=0)]]
    rounding: dict[CurrencyCode, Annotated[Decimal, Field(gt=0)]] = Field(default_factory=dict)
    regions: dict[str, RegionConfig]
    language_countries: dict[str, CountryCode] = Field(default_factory=dict)
    country_aliases: dict[str, CountryCode] = Field(default_factory=dict)
    fallback: MarketTemplate
    countries: dict[CountryCode, MarketTemplate]

    @model_validator(mode="after")
    def _consistent(self) -> MarketsConfig:
        problems: list[str] = []
        if self.exchange_rates.get(self.shop.currency) != Decimal(1):
            problems.append(
                f"exchange_rates[{self.shop.currency}] must be 1 (rates are per shop unit)"
            )
        for where, tpl in [("fallback", self.fallback), *self.countries.items()]:
            if tpl.currency not in self.exchange_rates:
                problems.append(f"{where}: no exchange rate for {tpl.currency}")
            if tpl.region not in self.regions:
                problems.append(f"{where}: unknown region {tpl.region!r}")
            if Locale.parse(tpl.locale).language != tpl.languages[0]:
                problems.append(f"{where}: locale {tpl.locale} does not match default language")
        referenced = [self.shop.country, self.shop.default_country]
        for code in [*referenced, *self.language_countries.values()]:
            if code not in self.countries:
                problems.append(f"country {code} is referenced but not configured")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def template_for(self, country: str) -> MarketTemplate:
        """The configured market for a country, or the rest-of-world fallback."""
        return self.countries.get(country, self.fallback)


def load_markets_config(path: str | Path | None = None) -> MarketsConfig:
    """Load and validate the markets file: `path` (the service's settings give
    MUSEO_MARKETS_CONFIG), else the bundled one.

    Cached per resolved path because every price request needs it and the file only changes
    with a deploy; call `load_markets_config.cache_clear()` after editing it in a test.
    """
    chosen = path or DEFAULT_CONFIG_PATH
    return _load_cached(str(Path(chosen).resolve()))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> MarketsConfig:
    return MarketsConfig.model_validate_json(Path(path).read_text(encoding="utf-8"))


load_markets_config.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]
