"""The live panel's numbers from Prometheus text: rate and p95 over a window (as
`histogram_quantile` computes it), intent mix, recommendation variation and consumer lag; a
source that does not answer is flagged, not fatal."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from services.gateway.live_panel import LiveSampler, frame, quantile, samples, snapshot


def test_quantile_interpolates_inside_the_bucket_like_prometheus() -> None:
    # 100 observations: 50 under 0.1 s, 40 in (0.1, 0.25], 10 in (0.25, 0.5]
    buckets = {0.1: 50.0, 0.25: 90.0, 0.5: 100.0, float("inf"): 100.0}
    assert quantile(0.5, buckets) == 0.1
    assert abs(quantile(0.95, buckets) - 0.375) < 1e-9  # (95-90)/10 of the way 0.25 -> 0.5
    assert quantile(0.95, {0.1: 0.0, float("inf"): 0.0}) is None
    assert quantile(0.99, {1.0: 1.0, float("inf"): 10.0}) == 1.0  # beyond the last bound


def registry_text(turns: dict[str, int], variation: float, lag: dict[str, int]) -> str:
    reg = CollectorRegistry()
    counter = Counter("museo_chat_turns_total", "t", ["intent", "language"], registry=reg)
    for intent, n in turns.items():
        counter.labels(intent, "en").inc(n)
        counter.labels(intent, "es").inc(n)
    Gauge("museo_recs_variation", "v", registry=reg).set(variation)
    gauge = Gauge("kafka_consumergroup_lag", "l", ["consumergroup", "topic", "partition"],
                  registry=reg)
    for group, n in lag.items():
        gauge.labels(group, "events.raw", "0").set(n)
        gauge.labels(group, "events.raw", "1").set(1)
    return generate_latest(reg).decode()


def gateway_text(observations: list[float]) -> str:
    reg = CollectorRegistry()
    hist = Histogram("museo_rpc_seconds", "r", ["topic", "outcome"], registry=reg,
                     buckets=(0.01, 0.1, 1.0))
    for i, value in enumerate(observations):
        hist.labels("chat.requests" if i % 2 else "markets.requests", "ok").observe(value)
    return generate_latest(reg).decode()


def test_a_frame_between_two_snapshots() -> None:
    others = samples(registry_text({"search_products": 3, "greeting": 1}, 0.72, {"chat": 4}))
    old = snapshot(100.0, samples(gateway_text([0.005] * 10)), others, {"gateway": True})
    new = snapshot(110.0, samples(gateway_text([0.005] * 10 + [0.05] * 18 + [0.5] * 2)),
                   others, {"gateway": True, "chat": True})
    out = frame(old, new)
    assert out["type"] == "admin.live" and out["window_s"] == 10.0
    assert (out["requests_total"], out["requests_per_s"]) == (30, 2.0)
    # 20 new observations: 18 in (0.01, 0.1], 2 in (0.1, 1]; rank 19 -> 0.1 + 0.9 * 1/2
    assert out["p95_ms"] == 550.0
    assert out["intent_mix"] == [{"intent": "search_products", "count": 6, "share": 0.75},
                                 {"intent": "greeting", "count": 2, "share": 0.25}]
    assert out["recs_variation"] == 0.72
    assert out["consumer_lag"] == {"total": 5, "groups": {"chat": 5}}


async def test_the_sampler_flags_a_silent_source_and_keeps_going() -> None:
    text = registry_text({"help": 1}, 0.5, {})

    async def fetch(url: str) -> str:
        if "down" in url:
            raise OSError("connection refused")
        return text

    sampler = LiveSampler({"chat": "http://ok/metrics", "recommend": "http://down/metrics"},
                          fetch, min_gap_s=0.0)
    first = await sampler.sample()
    assert first["sources"] == {"gateway": True, "chat": True, "recommend": False}
    assert first["requests_per_s"] == 0.0 and first["intent_mix"][0]["intent"] == "help"
    second = await sampler.sample()
    assert second["window_s"] > 0 and len(sampler.history) == 2
