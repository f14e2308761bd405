"""Composition root of the mcp_workers process: `python -m services.mcp_workers`.

Supervises the MCP servers (stdio subprocesses) and bridges `intent.requests` and
`storefront.requests` to their tools; also wires the optional admin worker
(`services.mcp_workers.admin.worker.register(broker, settings) -> [on_start, on_stop] | None`).
The supervisor starts before the broker consumes, and stops after it.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker

from libs.messaging.broker import make_broker
from libs.messaging.service import run_worker
from services.mcp_workers.bridge import register_intent_bridge, register_tool_bridge
from services.mcp_workers.settings import McpWorkersSettings, policy_from, server_specs
from services.mcp_workers.supervisor import McpSupervisor

log = logging.getLogger(__name__)
Hook = Callable[[], Awaitable[None]]
ADMIN_MODULE = "services.mcp_workers.admin.worker"


@dataclass
class McpWorkers:
    broker: KafkaBroker
    supervisor: McpSupervisor
    starts: list[Hook] = field(default_factory=list)
    stops: list[Hook] = field(default_factory=list)

    async def on_start(self) -> None:
        await self.supervisor.start()
        for hook in self.starts:
            await hook()

    async def on_stop(self) -> None:
        for hook in self.stops:
            await hook()
        await self.supervisor.stop()


def admin_hooks(broker: KafkaBroker, settings: McpWorkersSettings) -> tuple[list[Hook], list[Hook]]:
    """Register the admin worker if its module exists; its (on_start, on_stop) hooks."""
    try:
        if importlib.util.find_spec(ADMIN_MODULE) is None:
            return [], []
    except ModuleNotFoundError:
        return [], []
    hooks = importlib.import_module(ADMIN_MODULE).register(broker, settings) or []
    starts = [hooks[0]] if len(hooks) > 0 and hooks[0] else []
    stops = [hooks[1]] if len(hooks) > 1 and hooks[1] else []
    return starts, stops


def assemble(settings: McpWorkersSettings) -> McpWorkers:
    """Wire broker, supervisor, bridges and hooks; connects and spawns nothing yet."""
    broker = make_broker(settings, durable=False)
    supervisor = McpSupervisor(server_specs(settings), policy_from(settings))
    servers = supervisor.status()
    if "intent" in servers:
        register_intent_bridge(broker, supervisor)
    if "storefront" in servers:
        register_tool_bridge(broker, supervisor)
    starts, stops = admin_hooks(broker, settings)
    return McpWorkers(broker, supervisor, starts, stops)


def build(settings: McpWorkersSettings) -> KafkaBroker:
    return assemble(settings).broker


def main() -> None:
    settings = McpWorkersSettings()
    workers = assemble(settings)
    asyncio.run(run_worker(settings, workers.broker, workers.on_start, workers.on_stop))


if __name__ == "__main__":
    main()
