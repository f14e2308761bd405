"""intent.requests round trip: Kafka -> bridge -> intent MCP server over stdio -> reply."""

from __future__ import annotations

import sys
import uuid

import pytest
from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from libs.contracts.intent import IntentRequest, IntentResult
from libs.contracts.topics import TopicSpec
from libs.messaging.errors import RemoteError
from libs.messaging.rpc import RpcClient
from libs.messaging.topics import ensure_topics
from services.mcp_workers.bridge import register_intent_bridge
from services.mcp_workers.settings import REPO_ROOT, module_exists
from services.mcp_workers.supervisor import McpSupervisor, ServerSpec

INTENT = "services.mcp_workers.intent.server"
pytestmark = pytest.mark.skipif(not module_exists(INTENT), reason=f"{INTENT} is absent")


async def test_intent_request_round_trip_through_kafka_and_mcp(kafka_bootstrap: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    topic, server = f"test.intent.{suffix}", f"intent-{suffix}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=1)])
    supervisor = McpSupervisor(
        [
            ServerSpec(
                name=server, argv=(sys.executable, "-m", INTENT), env={"PYTHONPATH": REPO_ROOT}
            )
        ]
    )
    broker = KafkaBroker(kafka_bootstrap, logger=None)
    register_intent_bridge(broker, supervisor, topic=topic, group_id=f"g-{topic}", server=server)
    client = RpcClient(kafka_bootstrap, f"test-intent-{suffix}", default_timeout=15)
    await supervisor.start()
    await broker.start()
    await client.start()
    try:
        result = await client.request(
            topic, IntentRequest(text="quiero tazas azules", language_hint="es-ES"), IntentResult
        )
        assert result.intent == "search_products"
        assert result.language == "es"
        assert result.entities.category == "mugs"

        class TooLong(BaseModel):
            text: str = "x" * 5000

        with pytest.raises(RemoteError) as info:
            await client.request(topic, TooLong(), IntentResult)
        assert info.value.code == "bad_request"
    finally:
        await client.stop()
        await broker.stop()
        await supervisor.stop()
