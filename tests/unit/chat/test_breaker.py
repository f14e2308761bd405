from __future__ import annotations

from libs.messaging.breaker import Breakers, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_threshold_and_refuses_calls() -> None:
    b = CircuitBreaker("intent", failure_threshold=3, clock=Clock())
    for _ in range(2):
        assert b.allow()
        b.record(False)
    assert b.state == "closed"
    b.record(False)
    assert b.state == "open" and not b.allow()


def test_half_open_lets_one_trial_through_and_success_closes() -> None:
    clock = Clock()
    b = CircuitBreaker("intent", failure_threshold=1, reset_timeout_s=10, clock=clock)
    b.record(False)
    clock.now = 10.5
    assert b.allow() and b.state == "half_open"
    assert not b.allow(), "only one trial while half-open"
    b.record(True, 0.01)
    assert b.state == "closed" and b.allow()


def test_failed_trial_reopens_and_slow_calls_count_as_failures() -> None:
    clock = Clock()
    b = CircuitBreaker("intent", failure_threshold=1, reset_timeout_s=5, slow_call_s=1.0, clock=clock)
    b.record(True, duration_s=3.0)  # slow
    assert b.state == "open"
    clock.now = 6
    assert b.allow()
    b.record(False)
    assert b.state == "open" and b.trips == 2  # each opening is a trip


def test_snapshot_names_every_breaker() -> None:
    breakers = Breakers(failure_threshold=1)
    breakers.get("intent").record(False)
    breakers.get("markets")
    snap = breakers.snapshot()
    assert snap["intent"]["state"] == "open" and snap["markets"]["state"] == "closed"
