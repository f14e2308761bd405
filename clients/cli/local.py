"""Where a local `make run` system listens, from the same variables the launcher reads.

A developer who moved the gateway (`MUSEO_PORT`) or the metrics ports (`MUSEO_METRICS_BASE_PORT`)
for `make run` gets a `museo` that finds them without a flag; `MUSEO_GATEWAY_URL` still wins.
"""

from __future__ import annotations

import os


def gateway_url() -> str:
    """`MUSEO_GATEWAY_URL`, else the local gateway on `MUSEO_PORT` (3300)."""
    explicit = os.environ.get("MUSEO_GATEWAY_URL")
    return explicit or f"http://127.0.0.1:{os.environ.get('MUSEO_PORT', '3300')}"


def mcp_metrics_url() -> str:
    """The launcher's mcp_workers metrics: `MUSEO_METRICS_BASE_PORT` (9301) + 1."""
    base = int(os.environ.get("MUSEO_METRICS_BASE_PORT", "9301"))
    return f"http://127.0.0.1:{base + 1}/metrics"
