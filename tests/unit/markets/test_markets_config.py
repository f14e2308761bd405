"""markets.json validation and the cached loader."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.numbers import is_currency
from pydantic import ValidationError

from libs.locale import format_money
from services.markets.__main__ import MarketsSettings
from services.markets.domain import MarketsConfig, load_markets_config
from services.markets.domain.config import DEFAULT_CONFIG_PATH

EU_MEMBERS = set(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()  # noqa: SIM905
)
OTHERS = set("GB US CA AU NZ JP SG CN IN KR MX BR AR CL CO CH NO".split())  # noqa: SIM905


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return json.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))


def test_required_countries_and_regions_are_configured() -> None:
    config = load_markets_config()
    assert set(config.countries) >= EU_MEMBERS | OTHERS
    assert {"US", "EU", "UK", "APAC", "LATAM", "ROW"} <= set(config.regions)
    assert all(config.countries[c].region == "EU" for c in EU_MEMBERS)
    assert all(config.countries[c].tax.included for c in EU_MEMBERS | {"GB"})


def test_every_country_has_valid_currency_locale_and_rate() -> None:
    config = load_markets_config()
    for code, tpl in config.countries.items():
        loc = Locale.parse(tpl.locale)
        assert is_currency(tpl.currency), code
        assert tpl.currency in config.exchange_rates, code
        assert loc.language == tpl.languages[0], code
        assert loc.territory == code, code
        assert format_money(123450, tpl.currency, tpl.locale)  # Babel can render it


def test_loader_is_cached_and_honours_the_configured_path(
    tmp_path: Path, raw: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_markets_config() is load_markets_config()
    custom = dict(raw, conversion_fee_rate="0.05")
    path = tmp_path / "markets.json"
    path.write_text(json.dumps(custom), encoding="utf-8")
    monkeypatch.delenv("MUSEO_MARKETS_CONFIG_PATH", raising=False)
    monkeypatch.setenv("MUSEO_MARKETS_CONFIG", str(path))  # the documented variable
    configured = MarketsSettings().markets_config_path
    assert str(load_markets_config(configured).conversion_fee_rate) == "0.05"
    assert str(load_markets_config(DEFAULT_CONFIG_PATH).conversion_fee_rate) == "0.02"
    monkeypatch.setenv("MUSEO_MARKETS_CONFIG", "")  # empty: the bundled file
    assert load_markets_config(MarketsSettings().markets_config_path) is load_markets_config()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["exchange_rates"].pop("JPY"), "no exchange rate for JPY"),
        (lambda d: d["countries"]["FR"].update(region="MARS"), "unknown region"),
        (lambda d: d["countries"]["FR"].update(currency="EUE"), "unknown ISO 4217"),
        (lambda d: d["countries"]["FR"].update(locale="xx_YY"), "Babel cannot format"),
        (lambda d: d["countries"]["FR"]["tax"].update(rate="1.5"), "less than or equal"),
        (lambda d: d["countries"]["FR"].update(colour="blue"), "Extra inputs"),
        (lambda d: d["language_countries"].update(en="ZW"), "ZW is referenced"),
    ],
)
def test_invalid_files_are_rejected_at_load(
    raw: dict[str, Any], mutate: Callable[[dict[str, Any]], object], message: str
) -> None:
    data = json.loads(json.dumps(raw))
    mutate(data)
    with pytest.raises(ValidationError, match=message):
        MarketsConfig.model_validate(data)
