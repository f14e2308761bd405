"""Exec probe for the Kafka workers (markets, mcp_workers, user_events, recommend).

    python /app/deploy/k8s/probe.py live               # the metrics endpoint answers
    python /app/deploy/k8s/probe.py ready <service>    # museo_worker_ready{service=...} is 1

Why exec and not httpGet: libs/telemetry/metrics.py serves the worker metrics on 127.0.0.1
only, and the kubelet's httpGet probes connect to the pod IP, so they could never succeed.
An exec probe runs inside the container and reaches 127.0.0.1. The port is MUSEO_METRICS_PORT
(the same variable the worker reads). Standard library only; exit 0 = healthy.
"""

from __future__ import annotations

import os
import sys
import urllib.request

TIMEOUT_S = 3.0


def fetch_metrics(port: int, host: str = "127.0.0.1", timeout: float = TIMEOUT_S) -> str:
    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=timeout) as resp:
        return resp.read().decode("utf-8", "replace")


def is_ready(body: str, service: str) -> bool:
    """True when the worker's readiness gauge for `service` is 1."""
    needle = f'museo_worker_ready{{service="{service}"}} '
    for line in body.splitlines():
        if line.startswith(needle):
            try:
                return float(line[len(needle) :].split()[0]) == 1.0
            except (ValueError, IndexError):
                return False
    return False


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("live", "ready") or (args[0] == "ready" and len(args) < 2):
        print("usage: probe.py live | probe.py ready <service>", file=sys.stderr)
        return 2
    port = int(os.environ.get("MUSEO_METRICS_PORT", "9300"))
    try:
        body = fetch_metrics(port)
    except OSError as exc:
        print(f"metrics on :{port} unreachable: {exc}", file=sys.stderr)
        return 1
    if args[0] == "live":
        return 0
    if is_ready(body, args[1]):
        return 0
    print(f"{args[1]} not ready", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
