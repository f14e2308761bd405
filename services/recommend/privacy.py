"""Which data a recommendation may use, by market law and the person's consent. The law of a
market comes from the markets data (`laws.py`):

- opt-in laws (GDPR, UK GDPR, the EFTA equivalents): personalisation from stored data needs a
  "yes"; without it the answer uses only the current session and market-level data.
- opt-out laws (CCPA/CPRA, the US market): an opt-out of sale/sharing (`sale_sharing=False`) is
  honoured, and so is an explicit "no" to personalisation.
- Elsewhere: personalised unless the person said no.

"The current session" is the request's own items, or the stored session only while it is live
(last seen within `session_max_age_s`, setting `MUSEO_SESSION_MAX_AGE_S`): a stored session that
is really the last order of weeks ago is history, not the current visit.
"""

from __future__ import annotations

from datetime import datetime

from libs.contracts.privacy import ALL_MARKETS, ConsentSettings
from libs.profiles.model import Profile
from services.recommend.laws import PrivacyLaws, regime

DEFAULT_SESSION_MAX_AGE_S = 3600.0


def consent_for(consents: dict[str, ConsentSettings], market: str | None) -> ConsentSettings:
    """The market's own record wins over the all-markets one, field by field."""
    base = consents.get(ALL_MARKETS, ConsentSettings())
    own = consents.get(market or "")
    if own is None:
        return base
    return base.model_copy(update=own.model_dump(exclude_none=True))


def may_personalize(consent: ConsentSettings, market: str | None, country: str | None,
                    laws: PrivacyLaws | None) -> bool:
    law = regime(laws, market, country)
    if law == "opt_in":
        return consent.personalization is True
    if consent.personalization is False:
        return False
    return not (law == "opt_out" and consent.sale_sharing is False)


def live_session(profile: Profile, now: datetime, max_age_s: float) -> list[str]:
    """The stored session's product ids if it was active within `max_age_s`, else nothing."""
    last = profile.session.last_seen
    if last is None or (now - last).total_seconds() > max_age_s:
        return []
    return list(profile.session.product_ids)
