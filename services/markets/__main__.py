"""Composition root of the markets service: `python -m services.markets`."""

from __future__ import annotations

import asyncio

from faststream.kafka import KafkaBroker
from pydantic import AliasChoices, Field, TypeAdapter

from libs.contracts.markets import MARKETS_REQUESTS, MarketsRequest
from libs.messaging.broker import make_broker
from libs.messaging.service import run_worker
from libs.messaging.worker import register_request_handler
from libs.settings import ServiceSettings
from services.markets.domain.config import load_markets_config
from services.markets.handlers import MarketsHandlers


class MarketsSettings(ServiceSettings):
    service_name: str = "markets"
    # MUSEO_MARKETS_CONFIG (the documented name; MUSEO_MARKETS_CONFIG_PATH, the field's own
    # name, is read first as it always was); unset or empty: the bundled file.
    markets_config_path: str | None = Field(default=None, validation_alias=AliasChoices(
        "MUSEO_MARKETS_CONFIG_PATH", "MUSEO_MARKETS_CONFIG"))
    markets_topic: str = MARKETS_REQUESTS  # MUSEO_MARKETS_TOPIC: tests run on their own topic


def build(settings: MarketsSettings) -> KafkaBroker:
    """Wire the broker and handlers; connects nothing (AsyncAPI generation uses this too)."""
    handlers = MarketsHandlers(load_markets_config(settings.markets_config_path))
    broker = make_broker(settings, durable=False)
    register_request_handler(
        broker,
        topic=settings.markets_topic,
        service="markets",
        adapter=TypeAdapter(MarketsRequest),
        handler=handlers.handle,
        # A test's own topic gets its own group: joining "markets" would rebalance a running
        # system's markets workers.
        group_id="markets" if settings.markets_topic == MARKETS_REQUESTS
        else f"markets.{settings.markets_topic}",
        description="Resolve a market (country, phone, Accept-Language) or localise prices for it.",
    )
    return broker


def main() -> None:
    settings = MarketsSettings()
    asyncio.run(run_worker(settings, build(settings)))


if __name__ == "__main__":
    main()
