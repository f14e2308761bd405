"""resolve_market: priority, phone / WhatsApp ids, Accept-Language and bad input."""

import pytest

from services.markets.domain import (
    InvalidPhoneError,
    MarketError,
    MarketsConfig,
    UnknownCountryError,
    load_markets_config,
    resolve_market,
)


@pytest.fixture(scope="module")
def config() -> MarketsConfig:
    return load_markets_config()


@pytest.mark.parametrize(
    "phone",
    [
        "+33612345678",
        "33612345678",
        "whatsapp:+33612345678",
        "0033 6 12 34 56 78",
        "+33 (6) 12-34-56-78",
    ],
)
def test_french_phone_and_whatsapp_ids_resolve_to_france(config: MarketsConfig, phone: str) -> None:
    res = resolve_market(phone=phone, config=config)
    assert res.source == "phone"
    assert res.decided_by == phone
    m = res.market
    assert (m.country, m.currency, m.language, m.locale) == ("FR", "EUR", "fr", "fr_FR")
    assert m.tax.label == "TVA" and m.tax.included


def test_us_phone(config: MarketsConfig) -> None:
    m = resolve_market(phone="+14155552671", config=config).market
    assert (m.country, m.currency, m.language, m.region) == ("US", "USD", "en", "US")
    assert not m.tax.included


def test_nanp_number_in_canada_is_not_taken_for_us(config: MarketsConfig) -> None:
    assert resolve_market(phone="+14165551234", config=config).market.country == "CA"


def test_mexican_whatsapp_id_with_legacy_mobile_1_resolves_to_mexico(config: MarketsConfig) -> None:
    # libphonenumber calls +52 1 ... invalid nowadays, but WhatsApp still sends it.
    m = resolve_market(phone="+5215512345678", config=config).market
    assert (m.country, m.currency, m.language, m.locale) == ("MX", "MXN", "es", "es_MX")


def test_accept_language_region_tag_decides_country_and_language(config: MarketsConfig) -> None:
    res = resolve_market(accept_language="fr-CA,fr;q=0.9,en;q=0.8", config=config)
    assert res.source == "accept_language" and res.decided_by == "fr-CA"
    m = res.market
    assert (m.country, m.currency, m.language, m.locale) == ("CA", "CAD", "fr", "fr_CA")


def test_accept_language_q_values_not_position_decide(config: MarketsConfig) -> None:
    res = resolve_market(accept_language="es;q=0.5, en;q=0.9", config=config)
    # "en" wins on q; a bare "en" maps to the shop's home market GB (config language_countries).
    assert res.decided_by == "en"
    assert (res.market.country, res.market.currency, res.market.language) == ("GB", "GBP", "en")


def test_bare_language_tags_map_to_most_likely_configured_country(config: MarketsConfig) -> None:
    got = {
        tag: resolve_market(accept_language=tag, config=config).market.country
        for tag in ("es", "fr", "ja", "pt", "ko")
    }
    assert got == {"es": "ES", "fr": "FR", "ja": "JP", "pt": "PT", "ko": "KR"}


def test_unusable_accept_language_falls_back_to_default(config: MarketsConfig) -> None:
    res = resolve_market(accept_language="xx;q=0.9, *;q=0.1, @@", config=config)
    assert res.source == "default" and res.decided_by is None
    assert res.market.country == "GB"


def test_explicit_country_beats_phone_and_header(config: MarketsConfig) -> None:
    res = resolve_market(country="de", phone="+33612345678", accept_language="es-MX", config=config)
    assert res.source == "country" and res.market.country == "DE"
    # The shop speaks Spanish, so the header's language is kept with German prices.
    assert (res.market.currency, res.market.language, res.market.shop_language) == (
        "EUR",
        "es",
        "es",
    )


def test_phone_beats_accept_language(config: MarketsConfig) -> None:
    res = resolve_market(phone="+33612345678", accept_language="en-US,en;q=0.9", config=config)
    m = res.market
    assert (res.source, m.country, m.currency, m.language, m.locale) == (
        "phone",
        "FR",
        "EUR",
        "en",
        "en_FR",
    )


def test_header_language_not_spoken_by_market_or_shop_is_ignored(config: MarketsConfig) -> None:
    m = resolve_market(country="JP", accept_language="de-DE,de;q=0.9", config=config).market
    assert (m.language, m.locale) == ("ja", "ja_JP")
    assert m.shop_language == "en"  # the shop answers in English when it cannot speak Japanese


def test_market_language_from_header_when_market_speaks_it(config: MarketsConfig) -> None:
    m = resolve_market(country="CH", accept_language="fr-CH,fr;q=0.8", config=config).market
    assert (m.language, m.locale, m.shop_language) == ("fr", "fr_CH", "fr")


def test_no_input_gives_default_gb(config: MarketsConfig) -> None:
    res = resolve_market(config=config)
    assert (res.source, res.market.country, res.market.currency) == ("default", "GB", "GBP")
    assert res.market.privacy_law == "uk_gdpr"


def test_alias_uk_is_gb(config: MarketsConfig) -> None:
    assert resolve_market(country="uk", config=config).market.country == "GB"


def test_real_but_unconfigured_country_gets_rest_of_world_market(config: MarketsConfig) -> None:
    m = resolve_market(phone="+79161234567", config=config).market
    assert (m.country, m.currency, m.region, m.configured) == ("RU", "GBP", "ROW", False)


@pytest.mark.parametrize("country", ["ZZ", "EU", "XYZ", "1", "fr-FR"])
def test_unknown_country_raises_readable_error(config: MarketsConfig, country: str) -> None:
    with pytest.raises(UnknownCountryError, match="not a country code"):
        resolve_market(country=country, config=config)


@pytest.mark.parametrize("phone", ["abc", "+12", "+999123", "+800 1234 5678", "33-abc"])
def test_malformed_phone_raises_readable_error(config: MarketsConfig, phone: str) -> None:
    with pytest.raises(InvalidPhoneError, match="international format") as info:
        resolve_market(phone=phone, config=config)
    assert isinstance(info.value, MarketError) and isinstance(info.value, ValueError)


def test_bad_lower_priority_input_is_ignored_when_country_decides(config: MarketsConfig) -> None:
    assert resolve_market(country="FR", phone="abc", config=config).market.country == "FR"
