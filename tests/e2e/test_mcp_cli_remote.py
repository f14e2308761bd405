"""`museo mcp` against the running system: a remote call to the gateway's `/mcp`, and `inspect`
reading the live worker's state and restart counts from its metrics endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import System

ROOT = Path(__file__).resolve().parents[2]


def museo(system: System, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clients.cli.main", "mcp", *args],
        cwd=ROOT, env={**system.env, "COLUMNS": "200"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_call_reaches_the_gateway_mcp_endpoint(system: System) -> None:
    found = museo(system, "call", f"{system.base_url}/mcp", "search_catalog", "--arg", "query=mug")
    assert found.returncode == 0, found.stderr
    products = json.loads(found.stdout)["products"]
    assert products and all(p["price"]["currency"] == "GBP" for p in products)


def test_inspect_shows_the_running_workers_servers(system: System) -> None:
    metrics = f"http://127.0.0.1:{int(system.env['MUSEO_METRICS_BASE_PORT']) + 1}/metrics"
    shown = museo(system, "inspect", "--no-spawn", "--json", "--metrics", metrics)
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["worker"]["reachable"] is True
    servers = {s["name"]: s for s in report["servers"]}
    assert servers["intent"]["live_up"] is True and servers["storefront"]["live_up"] is True
    assert servers["storefront"]["restarts"] == 0
