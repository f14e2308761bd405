"""Which market a shopper is in, from the strongest signal we have.

Priority: explicit country > phone > Accept-Language > shop default. An explicit country is
what the shopper or an agent chose; a phone number's country code is where the SIM was issued;
Accept-Language is only a browser hint. A lower-priority input is not even validated when a
higher one decided, so a stale header cannot break a request that named its country.
"""

from __future__ import annotations

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.core import get_global

from libs.locale import SHOP_LANGUAGES, ShopLanguage, normalise_language, parse_accept_language
from services.markets.domain.config import MarketsConfig
from services.markets.domain.errors import InvalidPhoneError, UnknownCountryError
from services.markets.domain.models import Market, MarketResolution

# CLDR lists these as territories but they are groupings or placeholders, not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})


def _iso_countries() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


_ISO_COUNTRIES = _iso_countries()


def normalise_country(country: str, config: MarketsConfig) -> str:
    """Upper-cased ISO alpha-2 code, with aliases such as UK -> GB; raises for anything else."""
    code = country.strip().upper()
    code = config.country_aliases.get(code, code)
    if code not in _ISO_COUNTRIES:
        raise UnknownCountryError(
            f"'{country}' is not a country code we recognise (use e.g. FR, US)."
        )
    return code


def country_from_phone(phone: str) -> str:
    """ISO country of an E.164 number or a WhatsApp id ("33612345678", "whatsapp:+336...").

    Only the country code is trusted, not full validity: WhatsApp still sends Mexican mobiles
    with the retired "1" prefix (+52 1 ...), which libphonenumber rejects as invalid but whose
    country is certain. Shared codes (+1) are split by number range (415 -> US, 416 -> CA).
    """
    raw = phone.strip()
    if raw.lower().startswith("whatsapp:"):
        raw = raw[len("whatsapp:") :].strip()
    compact = "".join(ch for ch in raw if ch not in " -().")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.isdigit():
        compact = "+" + compact
    error = InvalidPhoneError(
        f"'{phone}' is not a phone number we can read; "
        "use the international format, e.g. +33612345678."
    )
    if not compact.startswith("+") or not compact[1:].isdigit():
        raise error
    try:
        number = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException as exc:
        raise error from exc
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (
        phonenumbers.ValidationResult.TOO_SHORT,
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE,
    ):
        raise error
    region = phonenumbers.region_code_for_number(number) or (
        phonenumbers.region_code_for_country_code(number.country_code or 0)
    )
    if not region or region not in _ISO_COUNTRIES:  # "ZZ" or "001" (non-geographic numbers)
        raise error
    return str(region)


def _country_for_language(language: str, config: MarketsConfig) -> str | None:
    """Best configured country for a bare language tag.

    The config decides first (en -> GB: a bare "en" says nothing about location, so we assume
    the shop's home market and avoid a currency conversion); then CLDR's likely subtags
    (pt -> BR if configured); then any country whose default language it is.
    """
    if language in config.language_countries:
        return config.language_countries[language]
    likely = get_global("likely_subtags").get(language)
    if likely:
        territory = str(likely).split("_")[-1]
        if territory in config.countries:
            return territory
    for code, tpl in config.countries.items():
        if tpl.languages[0] == language:
            return code
    return None


def _country_from_accept_language(header: str, config: MarketsConfig) -> tuple[str, str] | None:
    for tag, _q in parse_accept_language(header):
        if tag == "*":
            continue
        try:
            loc = Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
        if loc.territory and loc.territory in _ISO_COUNTRIES:
            return loc.territory, tag
        country = _country_for_language(loc.language, config)
        if country:
            return country, tag
    return None


def _locale_for(language: str, country: str, default: str) -> str:
    for candidate in (f"{language}_{country}", language):
        try:
            Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        return candidate
    return default


def build_market(country: str, config: MarketsConfig, accept_language: str | None = None) -> Market:
    """The market for a known country, its language taken from Accept-Language when suitable.

    A header language is used when the market speaks it or the shop writes it (en/es/fr), so a
    French speaker in Germany is answered in French with German prices; otherwise the market's
    default language.
    """
    tpl = config.template_for(country)
    shop_langs = set(config.shop.languages)
    language = tpl.languages[0]
    for tag, _q in parse_accept_language(accept_language):
        primary = tag.split("-")[0].lower()
        if primary in tpl.languages or primary in shop_langs:
            language = primary
            break
    locale = tpl.locale
    if language != tpl.languages[0]:
        locale = _locale_for(language, country, tpl.locale)
    spoken = [normalise_language(lang) for lang in [language, *tpl.languages]]
    shop_language: ShopLanguage = next((lang for lang in spoken if lang), SHOP_LANGUAGES[0])
    return Market(
        country=country,
        currency=tpl.currency,
        languages=list(tpl.languages),
        language=language,
        shop_language=shop_language,
        locale=locale,
        region=tpl.region,
        privacy_law=config.regions[tpl.region].privacy_law,
        tax=tpl.tax,
        duties=tpl.duties,
        configured=country in config.countries,
    )


def resolve_market(
    *,
    country: str | None = None,
    phone: str | None = None,
    accept_language: str | None = None,
    config: MarketsConfig,
) -> MarketResolution:
    """Resolve the shopper's market; raises MarketError for an unusable country or phone.

    A real country the shop has not configured (e.g. RU) gets the rest-of-world market (GBP,
    English, no UK VAT) rather than an error: the shop still sells there.
    """
    if country is not None and country.strip():
        code = normalise_country(country, config)
        return MarketResolution(
            market=build_market(code, config, accept_language), source="country", decided_by=country
        )
    if phone is not None and phone.strip():
        code = country_from_phone(phone)
        return MarketResolution(
            market=build_market(code, config, accept_language), source="phone", decided_by=phone
        )
    found = _country_from_accept_language(accept_language or "", config)
    if found:
        code, tag = found
        # Re-rank so the deciding tag's language is preferred for the language choice.
        header = f"{tag},{accept_language}"
        return MarketResolution(
            market=build_market(code, config, header), source="accept_language", decided_by=tag
        )
    code = config.shop.default_country
    return MarketResolution(
        market=build_market(code, config, accept_language), source="default", decided_by=None
    )
