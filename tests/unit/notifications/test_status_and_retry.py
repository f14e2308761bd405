"""Status ordering by timestamp, channel fallback policy, and backoff with jitter."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from libs.contracts.notifications import DeliveryStatus, notification_id
from services.notifications.delivery import FallbackPolicy, RetryPolicy
from services.notifications.status import fold, newer

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _st(state: str, seconds: int) -> DeliveryStatus:
    return DeliveryStatus(notification_id="ntf_1", trigger="order:1", kind="k", channel="whatsapp",
                          state=state, at=T0 + timedelta(seconds=seconds))  # type: ignore[arg-type]


def test_callbacks_in_any_order_end_on_the_latest_state() -> None:
    updates = [_st("queued", 0), _st("sent", 1), _st("delivered", 5), _st("read", 9)]
    for order in itertools.permutations(updates):
        current = fold(list(order))
        assert current is not None and current.state == "read"


def test_an_older_callback_does_not_move_status_back() -> None:
    assert not newer(_st("delivered", 5), _st("read", 9))
    assert newer(_st("failed", 12), _st("sent", 1))


def test_same_timestamp_the_further_state_wins() -> None:
    assert newer(_st("read", 5), _st("delivered", 5))
    assert not newer(_st("delivered", 5), _st("read", 5))
    assert not newer(_st("read", 5), _st("read", 5))  # a duplicate changes nothing


def test_idempotency_key_is_per_trigger_and_channel() -> None:
    assert notification_id("order:1", "email") == notification_id("order:1", "email")
    assert notification_id("order:1", "email") != notification_id("order:1", "sms")
    assert notification_id("order:1", "email") != notification_id("order:2", "email")


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(attempts=6, base_s=0.5, cap_s=4.0)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0)]:
        delays = [policy.delay(attempt, rng) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.9 and min(delays) < ceiling * 0.1  # spread, not fixed


def test_fallback_policy_per_market_else_default_and_explicit_channels_win() -> None:
    policy = FallbackPolicy({"EU": ("whatsapp", "sms", "email")}, ("email",))
    assert policy.channels("eu") == ["whatsapp", "sms", "email"]
    assert policy.channels("US") == ["email"]
    assert policy.channels(None) == ["email"]
    assert policy.channels("EU", ["sms", "sms", "email"]) == ["sms", "email"]
