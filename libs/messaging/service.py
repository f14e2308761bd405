"""Run a worker process: broker, metrics endpoint, logs, graceful stop on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from faststream.kafka import KafkaBroker

from libs.contracts.topics import ALL_TOPICS
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
    setup_logging(settings.service_name, settings.log_level)
    setup_tracing(settings.service_name)
    serve_metrics(settings.metrics_port, settings.metrics_host)
    await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if on_start:
        await on_start()
    await broker.start()
    WORKER_READY.labels(settings.service_name).set(1)
    log.info("%s ready", settings.service_name)
    await stop.wait()
    log.info("%s stopping", settings.service_name)
    WORKER_READY.labels(settings.service_name).set(0)
    await _bounded("broker stop", broker.stop(), settings.shutdown_timeout_s)
    if on_stop:
        await _bounded("on_stop", on_stop(), settings.shutdown_timeout_s)
    shutdown_tracing()


async def _bounded(what: str, step: Awaitable[None], timeout_s: float) -> None:
    """A graceful stop that cannot hang: with Kafka gone, leaving a group or committing would
    retry for minutes, and a worker that ignores SIGTERM is worse than one that exits."""
    try:
        await asyncio.wait_for(step, timeout_s)
    except Exception as exc:  # noqa: BLE001 - log and go on stopping
        log.warning("%s did not finish cleanly: %s", what, type(exc).__name__)
