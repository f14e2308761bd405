"""The admin page's live panel: request rate, p95, intent mix, recommendation variation and
consumer lag, from the Prometheus metrics the processes already export.

- request rate and p95: this gateway's `museo_rpc_seconds` histogram (every request it sends to
  a service and the reply it waits for; its own registry, what its ops `/metrics` serves), over
  the last `window_s` seconds, the quantile interpolated in its bucket as Prometheus'
  `histogram_quantile` does;
- intent mix: the chat service's `museo_chat_turns_total{intent}` since it started;
- recommendation variation: the recommender's `museo_recs_variation` gauge;
- consumer lag: `kafka_consumergroup_lag` (the local launcher's, or Kafka Exporter's in a
  cluster), summed per consumer group.

The other processes' endpoints come from `MUSEO_ADMIN_METRICS_SOURCES` (a JSON object name → URL;
the launcher sets it). A source that does not answer leaves its values out (`null`) and is
flagged in `sources`; the panel never fails because of it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, dict[str, str], float]
Fetch = Callable[[str], Awaitable[str]]


def samples(text: str) -> list[Sample]:
    return [(s.name, dict(s.labels), float(s.value))
            for family in text_string_to_metric_families(text) for s in family.samples]


@dataclass
class Snapshot:
    at: float
    requests: float = 0.0
    buckets: dict[float, float] = field(default_factory=dict)  # le -> cumulative count
    intents: dict[str, float] = field(default_factory=dict)
    variation: float | None = None
    lag: dict[str, float] | None = None
    sources: dict[str, bool] = field(default_factory=dict)


def snapshot(at: float, gateway: Iterable[Sample], others: Iterable[Sample],
             sources: dict[str, bool]) -> Snapshot:
    snap = Snapshot(at=at, sources=sources)
    for name, labels, value in gateway:
        if name == "museo_rpc_seconds_count":
            snap.requests += value
        elif name == "museo_rpc_seconds_bucket":
            le = float(labels["le"])
            snap.buckets[le] = snap.buckets.get(le, 0.0) + value
    for name, labels, value in others:
        if name == "museo_chat_turns_total":
            intent = labels.get("intent", "?")
            snap.intents[intent] = snap.intents.get(intent, 0.0) + value
        elif name == "museo_recs_variation":
            snap.variation = value
        elif name == "kafka_consumergroup_lag":
            snap.lag = snap.lag or {}
            group = labels.get("consumergroup", "?")
            snap.lag[group] = snap.lag.get(group, 0.0) + value
    return snap


def quantile(q: float, buckets: dict[float, float]) -> float | None:
    """`histogram_quantile(q, ...)` over cumulative bucket counts; None without observations."""
    ordered = sorted(buckets.items())
    total = ordered[-1][1] if ordered else 0.0
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for le, count in ordered:
        if count >= rank:
            if math.isinf(le):
                return lower  # above the highest finite bound: that bound is all we know
            inside = count - below
            return lower + (le - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = le, count
    return lower


def frame(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    span = max(new.at - old.at, 1e-9)
    delta = {le: new.buckets.get(le, 0.0) - old.buckets.get(le, 0.0) for le in new.buckets}
    p95 = quantile(0.95, delta)
    total_turns = sum(new.intents.values())
    mix = [{"intent": k, "count": int(v), "share": round(v / total_turns, 4)}
           for k, v in sorted(new.intents.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0]
    lag = None if new.lag is None else {"total": int(sum(new.lag.values())),
                                        "groups": {k: int(v) for k, v in sorted(new.lag.items())}}
    return {
        "type": "admin.live", "at": round(new.at, 3), "window_s": round(new.at - old.at, 3),
        "requests_total": int(new.requests),
        "requests_per_s": round((new.requests - old.requests) / span, 3),
        "p95_ms": None if p95 is None else round(p95 * 1000, 1),
        "intent_mix": mix, "recs_variation": new.variation, "consumer_lag": lag,
        "sources": new.sources,
    }


class LiveSampler:
    """Scrapes on demand (at most every `min_gap_s`, however many admins watch) and keeps the
    snapshots of the last `window_s` seconds to compute rates from."""

    def __init__(self, sources: dict[str, str], fetch: Fetch, window_s: float = 60.0,
                 min_gap_s: float = 0.5) -> None:
        self.sources, self.fetch = sources, fetch
        self.window_s, self.min_gap_s = window_s, min_gap_s
        self.history: deque[Snapshot] = deque()
        self._lock = asyncio.Lock()

    async def _scrape(self, name: str, url: str) -> tuple[str, list[Sample] | None]:
        try:
            return name, samples(await self.fetch(url))
        except Exception:  # noqa: BLE001 - a silent source is shown as down, not an error
            return name, None

    async def sample(self) -> dict[str, Any]:
        async with self._lock:
            now = time.time()
            if not self.history or now - self.history[-1].at >= self.min_gap_s:
                scraped = await asyncio.gather(*(self._scrape(n, u)
                                                 for n, u in sorted(self.sources.items())))
                others = [s for _, got in scraped for s in got or []]
                status = {"gateway": True, **{n: got is not None for n, got in scraped}}
                own = samples(generate_latest(REGISTRY).decode())
                self.history.append(snapshot(now, own, others, status))
            while len(self.history) > 2 and now - self.history[1].at >= self.window_s:
                self.history.popleft()
            return frame(self.history[0], self.history[-1])
