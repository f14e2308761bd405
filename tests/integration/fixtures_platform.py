"""Fixtures of the platform integration tests (import them explicitly where used).

One markets worker and one gateway per test module (module event loop), so a module pays the
consumer-group join once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio

from tests.integration.helpers_platform import GatewayServer, MarketsWorker

WS_FRAME_LIMIT = 4_000  # small, so the oversize test is cheap; uvicorn allows twice this


@dataclass
class Stack:
    kafka: str
    redis: str
    worker: MarketsWorker
    gateway: GatewayServer


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[Stack]:
    worker = MarketsWorker(kafka_bootstrap, redis_url)
    await worker.start()
    gateway = GatewayServer(kafka_bootstrap, redis_url, max_body_bytes=10_000,
                            max_ws_frame_bytes=WS_FRAME_LIMIT, request_timeout_s=10.0)
    try:
        await gateway.start()
        yield Stack(kafka_bootstrap, redis_url, worker, gateway)
    finally:
        await gateway.stop()
        await worker.stop()
