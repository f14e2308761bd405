"""The runtime's request policy: market default and consent, before any scoring."""

from __future__ import annotations

from libs.contracts.privacy import ALL_MARKETS, ConsentSettings
from libs.contracts.recommend import RecommendRequest
from libs.profiles.model import Profile
from services.recommend.runtime import RecommendRuntime

PROFILES = {"u1": Profile(user_id="u1", market="UK")}


def test_a_request_without_market_gets_the_profiles() -> None:
    yes = {"u1": {ALL_MARKETS: ConsentSettings(personalization=True)}}
    req = RecommendRuntime._apply_policy(RecommendRequest(user_id="u1"), PROFILES, yes)
    assert req.market == "UK" and req.personalized


def test_a_named_market_is_kept_and_gdpr_needs_a_yes() -> None:
    req = RecommendRuntime._apply_policy(RecommendRequest(user_id="u1", market="EU"),
                                         PROFILES, {})
    assert req.market == "EU" and not req.personalized


def test_unknown_people_are_left_as_asked() -> None:
    req = RecommendRequest(user_id="nobody")
    assert RecommendRuntime._apply_policy(req, PROFILES, {}) == req
