"""Rate limits through the real gateway with its default settings: 429 with `Retry-After`, per
principal and per client IP, on chat, WebSocket frames, events, carts, `/oauth/token` and
uploads. Each test connects from its own loopback address, so budgets do not leak between
tests. Requests are deliberately cheap (refused bodies) where the limit comes first anyway.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from websockets.sync.client import connect

from deploy.local.system import RunningSystem
from services.gateway.settings import GatewaySettings
from tests.security.conftest import client_from, fresh_ip

DEFAULTS = GatewaySettings()


def budget(spec: str) -> int:
    return int(spec.split("/")[0])


def until_limited(send: Callable[[int], httpx.Response], at_most: int) -> tuple[Counter[int], httpx.Response]:
    """Send until the first 429 (or `at_most` requests); the status counts and the last answer."""
    statuses: Counter[int] = Counter()
    resp = None
    for i in range(at_most):
        resp = send(i)
        statuses[resp.status_code] += 1
        if resp.status_code == 429:
            break
    assert resp is not None
    return statuses, resp


def assert_limited(resp: httpx.Response, statuses: Counter[int], allowed: int) -> None:
    assert resp.status_code == 429, statuses
    assert sum(statuses.values()) == allowed + 1, statuses  # exactly the budget got through
    retry_after = int(resp.headers["retry-after"])
    assert 1 <= retry_after <= 3600
    assert resp.json()["error"]["code"] == "rate_limited"
    assert resp.json()["error"]["retry_after"] == retry_after


def test_token_endpoint_is_limited_per_client_before_scrypt(secure_system: RunningSystem) -> None:
    allowed = budget(DEFAULTS.rate_limit_token)
    with client_from(secure_system) as client:
        statuses, resp = until_limited(lambda i: client.post(
            "/oauth/token", auth=("museo-admin", "wrong-secret"),
            data={"grant_type": "client_credentials"}), allowed + 5)
    assert statuses[401] == allowed
    assert_limited(resp, statuses, allowed)


def test_token_endpoint_is_limited_per_ip_whatever_the_credentials(secure_system: RunningSystem) -> None:
    allowed = budget(DEFAULTS.rate_limit_token_ip)
    with client_from(secure_system) as client:
        statuses, resp = until_limited(lambda i: client.post(
            "/oauth/token", auth=(f"client-{i}", "nope"),
            data={"grant_type": "client_credentials"}), allowed + 5)
    assert_limited(resp, statuses, allowed)


def test_events_are_limited_per_principal(secure_system: RunningSystem, shopper_session: str) -> None:
    allowed = budget(DEFAULTS.rate_limit_events)
    with client_from(secure_system, headers={"x-museo-session": shopper_session}) as client:
        statuses, resp = until_limited(lambda i: client.post("/v1/events", json=[]), allowed + 5)
    assert statuses[202] == allowed
    assert_limited(resp, statuses, allowed)


def test_chat_is_limited_per_principal_and_per_ip(secure_system: RunningSystem) -> None:
    allowed = budget(DEFAULTS.rate_limit_chat)
    ip = fresh_ip()
    with client_from(secure_system, ip, headers={"x-museo-session": "s-" + uuid.uuid4().hex}) as c:
        statuses, resp = until_limited(lambda i: c.post("/v1/chat", json={}), allowed + 5)
    assert_limited(resp, statuses, allowed)
    # Another principal from the same IP has its own budget, until the IP's is spent.
    allowed_ip = budget(DEFAULTS.rate_limit_chat_ip) - allowed - 1
    with client_from(secure_system, ip) as c:
        statuses, resp = until_limited(lambda i: c.post(
            "/v1/chat", json={}, headers={"x-museo-session": f"other-{i}"}), allowed_ip + 5)
    assert_limited(resp, statuses, allowed_ip)


def test_carts_are_limited_per_principal(secure_system: RunningSystem, shopper_session: str) -> None:
    allowed = budget(DEFAULTS.rate_limit_carts)
    with client_from(secure_system, headers={"x-museo-session": shopper_session}) as client:
        statuses, resp = until_limited(
            lambda i: client.put("/v1/carts/no-such-cart", content=b"{"), allowed + 5)
    assert_limited(resp, statuses, allowed)


def test_anonymous_uploads_are_limited(secure_system: RunningSystem) -> None:
    allowed = budget(DEFAULTS.rate_limit_uploads)
    with client_from(secure_system) as client:
        statuses, resp = until_limited(lambda i: client.post(
            "/v1/admin/imports", files={"file": ("a.csv", b"x", "text/csv")}), allowed + 5)
    assert statuses[401] == allowed
    assert_limited(resp, statuses, allowed)


def test_websocket_frames_are_limited_per_connection_principal(secure_system: RunningSystem) -> None:
    allowed = budget(DEFAULTS.rate_limit_ws_frames)
    url = secure_system.base_url.replace("http", "ws", 1) + "/ws"
    errors: Counter[str] = Counter()
    last: dict[str, object] = {}
    with connect(url, additional_headers={"x-museo-session": "ws-" + uuid.uuid4().hex}) as ws:
        json.loads(ws.recv(timeout=30))  # welcome
        for i in range(allowed + 1):
            ws.send(json.dumps({"type": "no-such-op", "id": i}))
            last = json.loads(ws.recv(timeout=30))
            errors[last["error"]["code"]] += 1  # type: ignore[index]
    assert errors == {"unknown_type": allowed, "rate_limited": 1}, errors
    assert last["error"]["retry_after"] >= 1  # type: ignore[index]


@pytest.mark.parametrize("path", ["/v1/catalog/search?q=mug", "/healthz"])
def test_unlimited_routes_are_not_counted(secure_system: RunningSystem, path: str) -> None:
    with client_from(secure_system) as client:
        statuses = Counter(client.get(path).status_code for _ in range(20))
    assert 429 not in statuses
