"""What route handlers get from the app state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from redis.asyncio import Redis

from libs.messaging.rpc import RpcClient
from services.gateway.settings import GatewaySettings


@dataclass
class GatewayState:
    settings: GatewaySettings
    rpc: RpcClient
    redis: Redis
    extras: dict[str, Any] = field(default_factory=dict)


def state(request: Request) -> GatewayState:
    return request.app.state.gw  # type: ignore[no-any-return]
