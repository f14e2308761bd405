"""A circuit breaker per downstream service.

Closed: calls go through. After `failure_threshold` consecutive failures (errors, timeouts or calls
slower than `slow_call_s`) it opens: calls are refused at once and the caller uses its fallback.
After `reset_timeout_s` one trial call is let through (half-open); success closes it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from libs.telemetry.metrics import BREAKER_STATE

State = Literal["closed", "open", "half_open"]


@dataclass
class CircuitBreaker:
    name: str
    failure_threshold: int = 3
    reset_timeout_s: float = 10.0
    slow_call_s: float = 2.0
    clock: Callable[[], float] = time.monotonic
    state: State = "closed"
    failures: int = 0
    opened_at: float = 0.0
    trips: int = 0
    _trial_in_flight: bool = field(default=False, repr=False)

    def allow(self) -> bool:
        if self.state == "open" and self.clock() - self.opened_at >= self.reset_timeout_s:
            self.state = "half_open"
            self._trial_in_flight = False
        if self.state == "closed":
            return True
        if self.state == "half_open" and not self._trial_in_flight:
            self._trial_in_flight = True
            return True
        return False

    def record(self, ok: bool, duration_s: float = 0.0) -> None:
        if ok and duration_s <= self.slow_call_s:
            self.failures = 0
            self._set("closed")
            return
        self.failures += 1
        if self.state == "half_open" or self.failures >= self.failure_threshold:
            self.opened_at = self.clock()
            if self.state != "open":
                self.trips += 1
            self._set("open")

    def _set(self, state: State) -> None:
        self.state = state
        self._trial_in_flight = False
        BREAKER_STATE.labels(self.name).set(1 if state == "open" else 0)

    def snapshot(self) -> dict[str, Any]:
        return {"state": self.state, "failures": self.failures, "trips": self.trips}


class Breakers:
    def __init__(self, **defaults: Any) -> None:
        self._defaults = defaults
        self._by_name: dict[str, CircuitBreaker] = {}

    def get(self, name: str) -> CircuitBreaker:
        if name not in self._by_name:
            self._by_name[name] = CircuitBreaker(name, **self._defaults)
            BREAKER_STATE.labels(name).set(0)
        return self._by_name[name]

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: b.snapshot() for name, b in sorted(self._by_name.items())}
