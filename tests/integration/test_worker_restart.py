"""A worker that was SIGKILLed comes back into its consumer groups without waiting out its dead
self's session: static membership (the launcher names each process) and groups joined at once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from libs.contracts.topics import TopicSpec
from libs.messaging.broker import use_static_membership
from libs.messaging.service import start_broker
from libs.messaging.topics import ensure_topics
from tests.integration.helpers_platform import unique

# The killed member's session outlives the whole test: only a static member's rejoin can take
# its partition before the session ends (a dynamic member would wait the full minute).
DEAD_SESSION_MS = 60_000

MEMBER = textwrap.dedent("""
    import asyncio, sys
    from aiokafka import AIOKafkaConsumer

    async def main(bootstrap, topic, group, instance):
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                    group_instance_id=instance or None,
                                    session_timeout_ms=SESSION_MS, rebalance_timeout_ms=SESSION_MS)
        await consumer.start()
        print("joined", consumer.assignment(), flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main(*sys.argv[1:]))
""").replace("SESSION_MS", str(DEAD_SESSION_MS))


def start_and_kill_a_member(bootstrap: str, topic: str, group: str, instance: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", MEMBER, bootstrap, topic, group, instance],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("joined") and topic in line, line
    finally:
        proc.send_signal(signal.SIGKILL)  # no LeaveGroup: the coordinator still counts it
        proc.wait(10)


def broker_with(bootstrap: str, topics: list[str], group: str, seen: list[str]) -> KafkaBroker:
    broker = KafkaBroker(bootstrap, logger=None)
    for topic in topics:
        @broker.subscriber(topic, group_id=group, auto_offset_reset="earliest")
        async def on_message(body: bytes, msg: KafkaMessage) -> None:
            seen.append(f"{msg.raw_message.topic}:{body.decode()}")  # type: ignore[union-attr]
    return broker


async def test_a_restarted_static_member_takes_its_partitions_back_while_the_dead_one_is_still_in_session(
    kafka_bootstrap: str,
) -> None:
    topic, group = f"test.static.{unique('t')}", unique("test-static")
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=2)])
    seen: list[str] = []
    broker = broker_with(kafka_bootstrap, [topic], group, seen)
    member = f"worker@{unique('host')}"
    assert use_static_membership(broker, member) == 1
    await asyncio.to_thread(start_and_kill_a_member, kafka_bootstrap, topic, group,
                            f"{member}.{topic}")
    try:
        # Well under the dead member's 60 s session: a dynamic join could not finish here.
        await asyncio.wait_for(start_broker(broker), timeout=30)
        (sub,) = broker.subscribers
        assert {tp.partition for tp in sub.consumer.assignment()} == {0, 1}  # type: ignore[attr-defined]
        await broker.publish(b"after-restart", topic)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.1)
        assert seen == [f"{topic}:after-restart"]
    finally:
        await broker.stop()


async def test_every_subscriber_is_started_and_consumes(kafka_bootstrap: str) -> None:
    topics = [f"test.together.{unique(str(i))}" for i in range(3)]
    await ensure_topics(kafka_bootstrap, [TopicSpec(t, partitions=1) for t in topics])
    seen: list[str] = []
    broker = broker_with(kafka_bootstrap, topics, unique("test-together"), seen)
    await start_broker(broker)
    try:
        assert broker.running
        for t in topics:
            await broker.publish(b"x", t)
        for _ in range(100):
            if len(seen) == 3:
                break
            await asyncio.sleep(0.1)
        assert sorted(seen) == sorted(f"{t}:x" for t in topics)
    finally:
        await broker.stop()


def test_without_a_name_membership_stays_dynamic() -> None:
    broker = broker_with("127.0.0.1:1", ["test.a"], "g", [])
    assert use_static_membership(broker, None) == 0
    (sub,) = broker.subscribers
    assert sub._connection_args.get("group_instance_id") is None  # type: ignore[attr-defined]


async def test_control_a_dynamic_member_waits_for_the_dead_members_session(
    kafka_bootstrap: str,
) -> None:
    """What the first test would see without static membership (so it can fail)."""
    topic, group = f"test.dynamic.{unique('t')}", unique("test-dynamic")
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=1)])
    broker = broker_with(kafka_bootstrap, [topic], group, [])
    await asyncio.to_thread(start_and_kill_a_member, kafka_bootstrap, topic, group, "")
    try:
        try:
            await asyncio.wait_for(start_broker(broker), timeout=12)
            joined = True
        except TimeoutError:
            joined = False
        assert not joined, "a dynamic member joined while the dead one was in session"
    finally:
        await broker.stop()
