"""The law that applies is the stored market's: a query cannot lift a EU/UK shopper's opt-in."""

from __future__ import annotations

from libs.contracts.privacy import ConsentSettings
from libs.contracts.recommend import RecommendRequest
from libs.profiles.model import Profile
from services.markets.domain.config import load_markets_config
from services.markets.handlers import MarketsHandlers
from services.recommend.laws import PrivacyLaws
from services.recommend.runtime import RecommendRuntime

# The laws as the markets service gives them, from the bundled markets data.
LAWS = PrivacyLaws.from_reply(MarketsHandlers(load_markets_config(None)).privacy_laws())


def policy(req: RecommendRequest, profile: Profile,
           consents: dict[str, ConsentSettings] | None = None) -> RecommendRequest:
    key = req.profile_key or ""
    return RecommendRuntime._apply_policy(req, {key: profile}, {key: consents or {}},
                                          laws=LAWS)


def test_market_us_in_the_query_does_not_skip_a_eu_shoppers_opt_in() -> None:
    eu = Profile(visitor_id="anon:s1", market="EU", country="FR")
    asked = RecommendRequest(visitor_id="anon:s1", market="US", country="US")
    assert policy(asked, eu).personalized is False


def test_consent_given_still_personalises_and_us_shoppers_default_to_yes() -> None:
    eu = Profile(visitor_id="anon:s1", market="EU", country="FR")
    asked = RecommendRequest(visitor_id="anon:s1", market="US")
    assert policy(asked, eu, {"*": ConsentSettings(personalization=True)}).personalized is True
    us = Profile(visitor_id="anon:s2", market="US", country="US")
    assert policy(RecommendRequest(visitor_id="anon:s2", market="US"), us).personalized is True


def test_before_the_laws_are_known_every_market_needs_a_yes() -> None:
    us = Profile(visitor_id="anon:s3", market="US", country="US")
    req = RecommendRequest(visitor_id="anon:s3", market="US")
    assert RecommendRuntime._apply_policy(req, {"anon:s3": us}, {}).personalized is False
