"""Run a worker process: broker, metrics endpoint, logs, graceful stop on SIGINT/SIGTERM.

Start-up time matters: a worker killed under load is down until this returns ready, so the
ready line says where the time went (imports, topics, on_start, group joins), the consumer
groups are joined all at once rather than one after another, and, when the launcher names this
process (MUSEO_GROUP_INSTANCE_ID), as a static member that takes its partitions back at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable

from faststream.kafka import KafkaBroker

from libs.contracts.topics import ALL_TOPICS
from libs.messaging.broker import use_static_membership
from libs.messaging.topics import ensure_topics
from libs.settings import ServiceSettings
from libs.telemetry.logging import setup_logging
from libs.telemetry.metrics import WORKER_READY, serve_metrics
from libs.telemetry.tracing import setup_tracing, shutdown_tracing

log = logging.getLogger(__name__)


async def run_worker(
    settings: ServiceSettings,
    broker: KafkaBroker,
    on_start: Callable[[], Awaitable[None]] | None = None,
    on_stop: Callable[[], Awaitable[None]] | None = None,
) -> None:
    phases = {"imports+build": process_age_s()}  # interpreter, imports, composition root
    setup_logging(settings.service_name, settings.log_level)
    setup_tracing(settings.service_name)
    serve_metrics(settings.metrics_port, settings.metrics_host)
    mark = time.monotonic()
    await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS)
    phases["topics"], mark = time.monotonic() - mark, time.monotonic()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if on_start:
        await on_start()
    phases["on_start"], mark = time.monotonic() - mark, time.monotonic()
    use_static_membership(broker, settings.group_instance_id)
    await start_broker(broker)
    phases["subscribers"] = time.monotonic() - mark
    WORKER_READY.labels(settings.service_name).set(1)
    log.info("%s ready in %.1fs (%s)", settings.service_name, sum(phases.values()),
             ", ".join(f"{k} {v:.1f}s" for k, v in phases.items()))
    await stop.wait()
    log.info("%s stopping", settings.service_name)
    WORKER_READY.labels(settings.service_name).set(0)
    await _bounded("broker stop", broker.stop(), settings.shutdown_timeout_s)
    if on_stop:
        await _bounded("on_stop", on_stop(), settings.shutdown_timeout_s)
    shutdown_tracing()


async def start_broker(broker: KafkaBroker) -> None:
    """`broker.start()` with the subscribers started together: FastStream starts them one after
    another, and each group subscriber waits in `start()` until its group has assigned it
    partitions, so a worker's start-up was the sum of its group joins; now it is the longest."""
    await broker.connect()
    await asyncio.gather(*(sub.start() for sub in broker.subscribers))
    for pub in broker.publishers:
        await pub.start()
    broker.running = True


def process_age_s() -> float:
    """Seconds since this process started (Linux /proc; 0 elsewhere): its interpreter start-up
    and imports, which a restart pays before any of our code runs."""
    try:
        with open("/proc/self/stat") as fh:
            started_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


async def _bounded(what: str, step: Awaitable[None], timeout_s: float) -> None:
    """A graceful stop that cannot hang: with Kafka gone, leaving a group or committing would
    retry for minutes, and a worker that ignores SIGTERM is worse than one that exits."""
    try:
        await asyncio.wait_for(step, timeout_s)
    except Exception as exc:  # noqa: BLE001 - log and go on stopping
        log.warning("%s did not finish cleanly: %s", what, type(exc).__name__)
