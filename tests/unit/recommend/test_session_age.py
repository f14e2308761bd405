"""A stored session counts as "the current session" only while it is live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from libs.contracts.privacy import ConsentSettings
from libs.contracts.recommend import RecommendRequest
from libs.profiles.model import Profile, SessionContext
from services.recommend.privacy import live_session
from services.recommend.runtime import RecommendRuntime

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def profile_seen(ago: timedelta) -> Profile:
    return Profile(user_id="u1", market="EU", session=SessionContext(
        session_id="s", started_at=NOW - ago, last_seen=NOW - ago, product_ids=["p1", "p2"]))


def test_a_session_seen_minutes_ago_is_live_and_one_seen_weeks_ago_is_not() -> None:
    assert live_session(profile_seen(timedelta(minutes=5)), NOW, 3600) == ["p1", "p2"]
    assert live_session(profile_seen(timedelta(weeks=3)), NOW, 3600) == []
    assert live_session(Profile(), NOW, 3600) == []


def test_without_consent_an_old_stored_session_is_not_used() -> None:
    req = RecommendRequest(request_id="r", user_id="u1", market="EU", request_time=NOW)
    consents: dict[str, dict[str, ConsentSettings]] = {}
    old = RecommendRuntime._apply_policy(req, {"u1": profile_seen(timedelta(days=20))},
                                         consents, 3600)
    assert old.personalized is False and old.session_product_ids == []
    live = RecommendRuntime._apply_policy(req, {"u1": profile_seen(timedelta(minutes=1))},
                                          consents, 3600)
    assert live.personalized is False and live.session_product_ids == ["p1", "p2"]
