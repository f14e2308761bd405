"""`make docs`: the AsyncAPI document of every topic, generated from the services' brokers.

Each service's composition root exposes `build(settings)`, which wires handlers without
connecting; FastStream turns the brokers into AsyncAPI, and the pydantic contract of each topic
(recorded by the handler wrappers) replaces FastStream's view of the raw-bytes handlers.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from faststream.specification import AsyncAPI
from pydantic import TypeAdapter

COMPOSITION_ROOTS = (
    ("services.markets.__main__", "MarketsSettings"),
    ("services.mcp_workers.__main__", "McpWorkersSettings"),
    ("services.user_events.__main__", "UserEventsSettings"),
    ("services.recommend.__main__", "RecommendSettings"),
    ("services.notifications.__main__", "NotificationsSettings"),
    ("services.chat.__main__", "ChatSettings"),
    ("services.whatsapp.__main__", "WhatsAppSettings"),
)
# Topics produced by the gateway or external producers rather than consumed by a handler here.
EXTRA_SCHEMAS = (
    ("libs.contracts.events", "EVENTS_RAW", "UserEvent"),
    ("libs.contracts.orders", "ORDERS", "Order"),
    ("libs.contracts.catalog", "CATALOG_PRODUCTS", "Product"),
    ("libs.contracts.privacy", "PRIVACY_REQUESTS", "PrivacyCommand"),
    ("libs.contracts.recommend", "RECOMMEND_REQUESTS", "RecommendRequest"),
    ("libs.contracts.mcp", "STOREFRONT_REQUESTS", "ToolCallRequest"),
    ("libs.contracts.admin", "ADMIN_REQUESTS", "AdminRequest"),
    ("libs.contracts.notifications", "NOTIFICATIONS_STATUS", "DeliveryStatus"),
    ("libs.contracts.whatsapp", "WHATSAPP_INBOUND", "InboundMessage"),
)


def _brokers() -> list[Any]:
    brokers = []
    for module_name, settings_name in COMPOSITION_ROOTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        built = module.build(getattr(module, settings_name)())
        brokers.append(getattr(built, "broker", built))  # some roots return an app holding it
    return brokers


def _extra_schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for module_name, topic_attr, model_name in EXTRA_SCHEMAS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        model = getattr(module, model_name, None)
        topic = getattr(module, topic_attr, None)
        if model is None or topic is None:
            continue
        schema = (
            model.model_json_schema()
            if hasattr(model, "model_json_schema")
            else TypeAdapter(model).json_schema()
        )
        out[topic] = schema
    return out


def generate() -> dict[str, Any]:
    from libs.messaging.worker import DOC_SCHEMAS

    # FastStream's factory documents one broker; each service has its own, so merge them.
    doc: dict[str, Any] = {}
    for broker in _brokers():
        part = (
            AsyncAPI(
                broker,
                title="Museo Commerce",
                version="0.1.0",
                description="Every Kafka topic of Museo Commerce and the contract it carries.",
            )
            .to_specification()
            .to_jsonable()
        )
        if not doc:
            doc = part
            continue
        for section in ("channels", "operations"):
            doc.setdefault(section, {}).update(part.get(section, {}))
        for kind, items in part.get("components", {}).items():
            doc.setdefault("components", {}).setdefault(kind, {}).update(items)
    schemas = {**_extra_schemas(), **DOC_SCHEMAS}
    doc["x-museo-topic-schemas"] = schemas
    for channel in doc.get("channels", {}).values():
        topic = channel.get("address")
        if topic in schemas:
            channel["x-payload-schema"] = schemas[topic]
    return doc


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/asyncapi.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = generate()
    out.write_text(json.dumps(doc, indent=2, default=str))
    print(
        f"wrote {out} ({len(doc.get('channels', {}))} channels, "
        f"{len(doc['x-museo-topic-schemas'])} topic schemas)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
