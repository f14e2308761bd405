"""Where a local `make run` system listens, from the same variables the launcher reads.

A developer who moved the gateway (`MUSEO_PORT`) or the metrics ports (`MUSEO_METRICS_BASE_PORT`)
for `make run` gets a `museo` that finds them without a flag; `MUSEO_GATEWAY_URL` still wins.
"""

from __future__ import annotations

import os

from libs.dev_secrets import local_redis_url


def gateway_url() -> str:
    """`MUSEO_GATEWAY_URL`, else the local gateway on `MUSEO_PORT` (3300)."""
    explicit = os.environ.get("MUSEO_GATEWAY_URL")
    return explicit or f"http://127.0.0.1:{os.environ.get('MUSEO_PORT', '3300')}"


def mcp_metrics_url() -> str:
    """The launcher's mcp_workers metrics: `MUSEO_METRICS_BASE_PORT` (9301) + 1."""
    base = int(os.environ.get("MUSEO_METRICS_BASE_PORT", "9301"))
    return f"http://127.0.0.1:{base + 1}/metrics"


def infra_env() -> dict[str, str]:
    """Kafka and Redis of the local system, as the launcher hands them to its children:
    `KAFKA_BOOTSTRAP_SERVERS` / `REDIS_URL` when set, else `MUSEO_KAFKA_PORT` / `MUSEO_REDIS_PORT`
    with the local Redis password (`MUSEO_REDIS_PASSWORD`, else the launcher's dev file)."""
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or (
        f"127.0.0.1:{os.environ.get('MUSEO_KAFKA_PORT', '9092')}"
    )
    redis = os.environ.get("REDIS_URL") or local_redis_url(
        int(os.environ.get("MUSEO_REDIS_PORT", "6379"))
    )
    return {"KAFKA_BOOTSTRAP_SERVERS": kafka, "REDIS_URL": redis}
