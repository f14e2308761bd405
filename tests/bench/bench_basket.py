"""Basket update latency: `PUT /v1/carts/{id}` through a running gateway (HTTP -> Kafka ->
mcp_workers -> storefront MCP server -> Redis -> back).

Run: `.venv/bin/python tests/bench/bench_basket.py [--updates 300] [--max-seconds 60]`.
Uses MUSEO_GATEWAY_URL when set; else starts the whole system with the launcher on free ports
(as tests/e2e do) and stops it afterwards. Prints p50/p95/max. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from deploy.local.system import running_system

ROOT = Path(__file__).resolve().parents[2]
SESSION = "X-Museo-Session"


@contextmanager
def gateway_url(timeout: float = 240) -> Iterator[str]:
    # One session updating its cart as fast as it can: above the carts rate limit on purpose.
    with running_system(timeout, extra_env={"MUSEO_RATE_LIMITS_ENABLED": "false"}) as system:
        yield system.base_url


def skus(client: httpx.Client, count: int = 3) -> list[str]:
    found = client.get(
        "/v1/catalog/search", params={"q": "heart", "available": "true", "limit": 20}
    ).json()["products"]
    out = [v["sku"] for p in found for v in p["variants"] if v["stock"] >= 5]
    if len(out) < count:
        raise SystemExit("demo catalog has too few in-stock products")
    return out[:count]


def bench(base: str, updates: int, max_seconds: float) -> None:
    with httpx.Client(base_url=base, timeout=20) as client:
        lines = skus(client)
        made = client.post("/v1/carts", json={"lines": [{"sku": lines[0], "quantity": 1}]})
        made.raise_for_status()
        headers = {SESSION: made.headers[SESSION]}
        path = f"/v1/carts/{made.json()['cart']['id']}"
        for _ in range(10):  # warm-up: connections, JIT-free but caches and consumer fetches
            client.put(path, headers=headers, json={"lines": [{"sku": lines[0], "quantity": 1}]})
        timings: list[float] = []
        stop_at = time.monotonic() + max_seconds
        for i in range(updates):
            if time.monotonic() > stop_at:
                break
            body = {
                "lines": [
                    {"sku": s, "quantity": 1 + (i + n) % 4}
                    for n, s in enumerate(lines[: 1 + i % len(lines)])
                ]
            }
            t0 = time.perf_counter()
            reply = client.put(path, headers=headers, json=body)
            timings.append((time.perf_counter() - t0) * 1000)
            reply.raise_for_status()
        client.delete(path, headers=headers)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"PUT /v1/carts/{{id}}: {len(timings)} updates, p50 {statistics.median(timings):.1f} ms,"
        f" p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()
    with gateway_url() as base:
        bench(base, args.updates, args.max_seconds)


if __name__ == "__main__":
    main()
