"""A service killed with SIGKILL comes back by itself: the launcher notices, restarts it with
backoff, counts it in its /metrics, and /readyz (its own and the gateway's) is ready again."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import httpx

from tests.e2e.conftest import System


def launcher_state(system: System) -> tuple[int, dict[str, Any]]:
    resp = httpx.get(f"{system.launcher_url}/readyz", timeout=5)
    return resp.status_code, resp.json()


def metric(system: System, line: str) -> float:
    text = httpx.get(f"{system.launcher_url}/metrics", timeout=5).text
    for row in text.splitlines():
        if row.startswith(line + " "):
            return float(row.split()[-1])
    raise AssertionError(f"{line} not in the launcher's metrics")


def test_a_killed_service_is_restarted_and_the_system_is_ready_again(
    system: System, client: httpx.Client
) -> None:
    code, state = launcher_state(system)
    assert code == 200 and state["status"] == "ready", state
    old_pid = state["services"]["markets"]["pid"]
    deaths = metric(system, 'museo_launcher_deaths_total{service="markets"}')
    os.kill(old_pid, signal.SIGKILL)

    seen_down = False
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        code, state = launcher_state(system)
        markets = state["services"]["markets"]
        seen_down = seen_down or code == 503
        if code == 200 and markets["pid"] != old_pid:
            break
        time.sleep(0.2)
    assert markets["pid"] != old_pid and markets["ready"], state
    assert seen_down, "/readyz never reported the dead service"
    assert markets["restarts"] >= 1
    assert metric(system, 'museo_launcher_deaths_total{service="markets"}') == deaths + 1
    assert metric(system, 'museo_launcher_restarts_total{service="markets"}') >= 1
    assert client.get("/readyz").status_code == 200
    reply = client.get("/v1/markets/resolve", params={"phone": "+33612345678"})
    assert reply.status_code == 200 and reply.json()["market"]["country"] == "FR"
    assert system.proc is not None and system.proc.poll() is None, "the launcher went down"
