"""Attack tests run against a real gateway (uvicorn) on the real Kafka and Redis, with the real
storefront MCP worker behind it: the `gateway` fixture of the storefront integration tests."""

from __future__ import annotations

import pytest

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
