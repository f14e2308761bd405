"""Which data a recommendation may use, by market law and the person's consent.

- EU/EEA and UK (GDPR, UK GDPR): personalisation from stored data is opt-in; without a "yes"
  the answer uses only the current session and market-level data.
- California (CCPA/CPRA): an opt-out of sale/sharing (`sale_sharing=False`) is honoured, and so
  is an explicit "no" to personalisation.
- Elsewhere: personalised unless the person said no.
"""

from __future__ import annotations

from typing import Literal

from libs.contracts.privacy import ALL_MARKETS, ConsentSettings

Regime = Literal["gdpr", "ccpa", "default"]
GDPR_MARKETS = {"UK", "EU", "GB"}
GDPR_COUNTRIES = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    "GB", "UK",
}
CALIFORNIA = {"US-CA", "CA-US"}


def regime(market: str | None, country: str | None) -> Regime:
    code = (country or "").upper()
    if (market or "").upper() in GDPR_MARKETS or code.split("-")[0] in GDPR_COUNTRIES:
        return "gdpr"
    if code in CALIFORNIA or (market or "").upper() in CALIFORNIA:
        return "ccpa"
    return "default"


def consent_for(consents: dict[str, ConsentSettings], market: str | None) -> ConsentSettings:
    """The market's own record wins over the all-markets one, field by field."""
    base = consents.get(ALL_MARKETS, ConsentSettings())
    own = consents.get(market or "")
    if own is None:
        return base
    return base.model_copy(update=own.model_dump(exclude_none=True))


def may_personalize(consent: ConsentSettings, market: str | None, country: str | None) -> bool:
    law = regime(market, country)
    if law == "gdpr":
        return consent.personalization is True
    if consent.personalization is False:
        return False
    return not (law == "ccpa" and consent.sale_sharing is False)
