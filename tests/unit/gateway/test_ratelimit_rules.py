"""Which requests draw on which rate-limit budget, and who a request counts against."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.requests import HTTPConnection

from services.gateway.ratelimit import bucket_for, budgets, principal_key
from services.gateway.settings import GatewaySettings


@pytest.mark.parametrize(("method", "path", "bucket"), [
    ("POST", "/v1/chat", "chat"),
    ("POST", "/v1/events", "events"),
    ("POST", "/v1/carts", "carts"),
    ("PUT", "/v1/carts/c-1", "carts"),
    ("POST", "/v1/carts/c-1/checkout", "carts"),
    ("POST", "/oauth/token", "token"),
    ("POST", "/v1/admin/imports", "uploads"),
    ("GET", "/v1/admin/imports/job-1", None),
    ("GET", "/v1/catalog/search", None),
    ("GET", "/v1/cartsx", None),
    ("GET", "/healthz", None),
])
def test_bucket_of_each_route(method: str, path: str, bucket: str | None) -> None:
    assert bucket_for(method, path) == bucket


def conn(headers: dict[str, str], ip: str = "10.0.0.1", principal: object = None) -> HTTPConnection:
    scope = {"type": "http", "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
             "client": (ip, 5555), "state": {}}
    c = HTTPConnection(scope)
    if principal is not None:
        c.state.principal = principal
    return c


def test_verified_principal_wins_over_the_credential() -> None:
    who = SimpleNamespace(subject="customer:alice")
    assert principal_key(conn({"x-museo-session": "s1"}, principal=who)) == "p:customer:alice"


def test_credentials_are_keyed_by_hash_and_never_stored_raw() -> None:
    a = principal_key(conn({"authorization": "Bearer secret-token"}))
    b = principal_key(conn({"authorization": "Bearer other-token"}))
    assert a != b and a.startswith("c:") and "secret" not in a
    assert principal_key(conn({"authorization": "Bearer secret-token"}, ip="10.9.9.9")) == a


def test_no_credential_counts_against_the_ip() -> None:
    assert principal_key(conn({}, ip="192.0.2.7")) == "ip:192.0.2.7"


def test_budgets_parse_from_settings() -> None:
    parsed = budgets(GatewaySettings(rate_limit_token="3/second", rate_limit_token_ip="9/hour"))
    assert (parsed["token"].per_principal.amount, parsed["token"].per_ip.amount) == (3, 9)
    assert set(parsed) == {"chat", "ws_frames", "events", "carts", "token", "uploads"}
