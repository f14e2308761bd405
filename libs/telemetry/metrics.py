"""Prometheus metrics shared by services; each process exposes its own registry."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

REQUESTS = Counter(
    "museo_requests_total", "Requests handled by a worker", ["service", "topic", "status"]
)
REQUEST_SECONDS = Histogram(
    "museo_request_seconds",
    "Worker handling time",
    ["service", "topic"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
RPC_SECONDS = Histogram(
    "museo_rpc_seconds",
    "Gateway request/reply round trip",
    ["topic", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LATE_REPLIES = Counter(
    "museo_late_replies_total", "Replies that arrived after their caller gave up"
)
DLQ_MESSAGES = Counter(
    "museo_dlq_messages_total", "Messages sent to a dead-letter topic", ["topic"]
)
DUPLICATES = Counter(
    "museo_duplicates_skipped_total", "Messages skipped as already handled", ["topic"]
)
WORKER_READY = Gauge("museo_worker_ready", "1 once the worker consumes its topics", ["service"])
BREAKER_STATE = Gauge(
    "museo_circuit_breaker_open", "1 when the circuit breaker to a service is open", ["service"]
)


def serve_metrics(port: int | None, host: str = "127.0.0.1") -> None:
    """Loopback by default; in a pod set MUSEO_METRICS_HOST=0.0.0.0 for probes and scraping."""
    if port:
        start_http_server(port, addr=host)
CACHE_LOOKUPS = Counter(
    "museo_cache_lookups_total", "Cache look-ups by cache and outcome (hit, miss)",
    ["cache", "outcome"],
)
