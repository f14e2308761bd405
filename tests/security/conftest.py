"""Attack tests run against a real gateway on the real Kafka and Redis, two ways:

- `gateway`: a gateway (uvicorn, in-process) with the real storefront MCP worker behind it, the
  fixture of the storefront integration tests (rate limits off: its tests share one IP);
- `secure_system`: the whole system as `make run` starts it (launcher, default settings and
  default rate limits), attacked from outside through its port. Tests that exercise per-IP
  limits connect from their own loopback source address (127.0.0.0/8 is all loopback on
  Linux), so each starts with a fresh per-IP budget.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterator

import httpx
import pytest

from deploy.local.system import RunningSystem, start_system
from libs.auth.customer import CustomerAuthSettings, CustomerTokens, customer_secret
from libs.contracts.topics import ALL_TOPICS
from libs.messaging.topics import ensure_topics
from tests.integration.test_storefront_gateway import gateway  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
async def _topics(kafka_bootstrap: str) -> None:
    """The project's topics exist, as the launcher makes them (a fresh broker has none)."""
    await ensure_topics(kafka_bootstrap, ALL_TOPICS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/security/" in str(item.fspath):
            item.add_marker(pytest.mark.security)


@pytest.fixture
def customer_tokens() -> CustomerTokens:
    """Signs customer tokens as the shop's login would (the dev shared secret the gateway uses)."""
    return CustomerTokens(CustomerAuthSettings(), secret=customer_secret())


# A random start: rate-limit counters live an hour in Redis, so a rerun against the same Redis
# must not inherit the budgets the previous run's addresses spent.
_next_ip = itertools.count(random.randrange(10, 50_000))


# Package scope: the system stops when pytest leaves tests/security. At session scope it lived
# on through tests/e2e beside the e2e system, in the same consumer groups, and answered half of
# their storefront requests and took half of their orders (links to the wrong gateway, emails
# to the wrong Mailpit).
@pytest.fixture(scope="package")
def secure_system(infra: dict[str, str]) -> Iterator[RunningSystem]:
    """MUSEO_GATEWAY_URL points the tests at a system already running (with its
    MUSEO_METRICS_BASE_PORT and MUSEO_AUTH_STATE_DIR); else the launcher starts one."""
    if url := os.environ.get("MUSEO_GATEWAY_URL"):
        yield RunningSystem(url.rstrip("/"), env=dict(os.environ))
        return
    try:
        running = start_system(timeout=420)
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(str(exc))
    yield running
    running.stop()


def fresh_ip() -> str:
    """A loopback source address no other test used in this session."""
    n = next(_next_ip)
    return f"127.0.{n // 250}.{n % 250 + 2}"


def client_from(system: RunningSystem, ip: str | None = None, **kw: object) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=ip or fresh_ip())
    return httpx.Client(base_url=system.base_url, transport=transport, timeout=30, **kw)  # type: ignore[arg-type]


@pytest.fixture
def client(secure_system: RunningSystem) -> Iterator[httpx.Client]:
    with client_from(secure_system) as c:
        yield c


@pytest.fixture(scope="package")
def admin_token(secure_system: RunningSystem) -> str:
    """A bearer token of the demo service account (fetched once: /oauth/token is limited)."""
    secret = (secure_system.auth_dir / "museo-admin.secret").read_text().strip()
    with client_from(secure_system) as c:
        resp = c.post("/oauth/token", auth=("museo-admin", secret),
                      data={"grant_type": "client_credentials"})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


@pytest.fixture(scope="package")
def shopper_session(secure_system: RunningSystem) -> str:
    """A shopper's signed anonymous session, as the gateway issues it."""
    return new_session(secure_system)


def new_session(system: RunningSystem) -> str:
    with client_from(system) as c:
        resp = c.post("/v1/sessions")
    assert resp.status_code == 201, resp.text
    return str(resp.json()["session"])
