"""The 3-broker mode's guarantees, on a real secured cluster of its own (3 KRaft nodes, SASL/SCRAM,
ACLs from libs/contracts/access.py): a service is refused what is not its own, a wrong password
is refused, the gateway may write requests, and acks=all loses nothing when a broker is killed.

One cluster for the module (about 30-60 s to start), on free ports and a temporary data folder,
stopped and removed afterwards. The broker kill runs last: it leaves two nodes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from aiokafka.protocol.metadata import MetadataRequest

from deploy.local import infra
from deploy.local.infra import InfraConfig
from deploy.local.kafka_cluster import client_kwargs, node_command, secure
from deploy.local.system import free_ports
from libs.contracts import topics as t
from libs.contracts.access import writers
from libs.messaging.topics import ensure_topics


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfraConfig]:
    base = free_ports(6)  # node i: client port base + 2i, controller port base + 1 + 2i
    data = tmp_path_factory.mktemp("kafka3")
    cfg = InfraConfig(kafka_port=base, controller_port=base + 1, data_dir=data, kafka_brokers=3)
    try:
        for i, port in enumerate(cfg.kafka_ports):
            infra.spawn(node_command(cfg, i), f"kafka-{port}", cfg)
        infra.wait_kafka(cfg, timeout=180)
        asyncio.run(secure(cfg))
        asyncio.run(ensure_topics(cfg.bootstrap, t.ALL_TOPICS, auth=cfg.admin_kwargs(),
                                  replication_factor=3))
        yield cfg
    finally:
        infra.down(cfg, only=[f"kafka-{port}" for port in cfg.kafka_ports])
        shutil.rmtree(data, ignore_errors=True)


def producer(cfg: InfraConfig, user: str, linger_ms: int = 0) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=cfg.bootstrap, acks="all", enable_idempotence=True,
                            request_timeout_ms=30000, linger_ms=linger_ms,
                            **client_kwargs(cfg, user))


async def test_a_service_may_not_write_a_topic_only_another_service_writes(
        cluster: InfraConfig) -> None:
    assert "markets" not in writers(t.CHAT_REQUESTS) | writers(t.EVENTS_RAW)
    p = producer(cluster, "markets")
    await p.start()
    try:
        for topic in (t.CHAT_REQUESTS, t.EVENTS_RAW):
            with pytest.raises(TopicAuthorizationFailedError):
                await p.send_and_wait(topic, b"forged")
        # ...while its own dead letters it may write
        await p.send_and_wait(t.dlq(t.MARKETS_REQUESTS), b"dead letter")
    finally:
        await p.stop()


async def test_a_service_may_not_read_another_services_topic(cluster: InfraConfig) -> None:
    # recommend reads recommend.requests; events.raw (visitors' events) is user_events'.
    # The broker will not even say where events.raw lives (no DESCRIBE, so no leader to fetch
    # from: TOPIC_AUTHORIZATION_FAILED), while recommend's own topic answers.
    client = AIOKafkaClient(bootstrap_servers=cluster.bootstrap,
                            **client_kwargs(cluster, "recommend"))
    await client.bootstrap()
    try:
        node = next(iter(client.cluster.brokers())).nodeId
        reply = await client.send(node, MetadataRequest([t.EVENTS_RAW, t.RECOMMEND_REQUESTS]))
        codes = {topic[1]: topic[0] for topic in reply.topics}
    finally:
        await client.close()
    assert codes == {t.EVENTS_RAW: TopicAuthorizationFailedError.errno, t.RECOMMEND_REQUESTS: 0}
    # nor may it read through user_events' consumer group
    consumer = AIOKafkaConsumer(t.EVENTS_RAW, bootstrap_servers=cluster.bootstrap,
                                group_id="user_events", **client_kwargs(cluster, "recommend"))
    with pytest.raises((GroupAuthorizationFailedError, TopicAuthorizationFailedError)):
        try:
            await consumer.start()  # refused here: it may not see the topic
            await asyncio.wait_for(consumer.getone(), 30)
        finally:
            await consumer.stop()


async def test_a_wrong_password_is_refused_at_authentication(cluster: InfraConfig) -> None:
    auth = {**client_kwargs(cluster, "gateway"), "sasl_plain_password": "not-the-password"}
    p = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap, request_timeout_ms=5000, **auth)
    with pytest.raises(KafkaConnectionError):  # every broker refused the SCRAM exchange
        await p.start()
    await p.stop()
    logs = "".join(
        (Path(cluster.data_dir) / f"kafka3-{port}" / "logs" / "server.log").read_text()
        for port in cluster.kafka_ports)
    assert "Failed authentication" in logs and "gateway" in logs


async def test_the_gateway_writes_requests_and_the_owner_reads_them(cluster: InfraConfig) -> None:
    marker = uuid.uuid4().hex.encode()
    p = producer(cluster, "gateway")
    await p.start()
    try:
        for topic in t.REQUEST_TOPICS:
            await p.send_and_wait(topic, marker, partition=0)
    finally:
        await p.stop()
    consumer = AIOKafkaConsumer(t.MARKETS_REQUESTS, bootstrap_servers=cluster.bootstrap,
                                group_id="markets", auto_offset_reset="earliest",
                                **client_kwargs(cluster, "markets"))
    await consumer.start()
    try:
        seen = []
        while marker not in seen:
            seen.append((await asyncio.wait_for(consumer.getone(), 60)).value)
    finally:
        await consumer.stop()


async def leader_of(cfg: InfraConfig, topic: str, partition: int) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=cfg.bootstrap, **cfg.admin_kwargs())
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        return next(p["leader"] for p in described["partitions"] if p["partition"] == partition)
    finally:
        await admin.close()


async def test_acks_all_loses_nothing_when_a_broker_is_killed(cluster: InfraConfig) -> None:
    """Runs last: it SIGKILLs the leader of events.raw/0 in the middle of a produce."""
    run = uuid.uuid4().hex[:8]
    sent: list[bytes] = []
    victim = await leader_of(cluster, t.EVENTS_RAW, 0)  # node ids are 1..3
    p = producer(cluster, "gateway", linger_ms=5)
    await p.start()
    try:
        for n in range(600):
            if n == 200:
                pid = int((cluster.run_dir / f"kafka-{cluster.kafka_ports[victim - 1]}.pid")
                          .read_text())
                os.killpg(pid, signal.SIGKILL)
            value = f"{run}-{n}".encode()
            await p.send_and_wait(t.EVENTS_RAW, value, partition=n % 3)  # acks=all, each one
            sent.append(value)
    finally:
        await p.stop()
    assert await leader_of(cluster, t.EVENTS_RAW, 0) != victim  # a failover really happened

    consumer = AIOKafkaConsumer(t.EVENTS_RAW, bootstrap_servers=cluster.bootstrap,
                                group_id="user_events", auto_offset_reset="earliest",
                                **client_kwargs(cluster, "user_events"))
    await consumer.start()
    got: list[bytes] = []
    deadline = time.monotonic() + 120
    try:
        while len(got) < len(sent) and time.monotonic() < deadline:
            batches = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 60)
            got += [r.value for rs in batches.values() for r in rs
                    if r.value and r.value.startswith(run.encode())]
            if not batches and len(got) < len(sent):
                await asyncio.sleep(0.2)
    finally:
        await consumer.stop()
    assert sorted(got) == sorted(sent)  # 0 lost, 0 duplicated
