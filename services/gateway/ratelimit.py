"""Rate limits: 429 with `Retry-After`, per client IP and per principal, counted in Redis.

The counting is the `limits` library's sliding-window counter over the gateway's Redis, so every
gateway instance shares one budget per client. Limits are checked in an ASGI middleware, before
the body is read and before any handler runs: a flood of `/oauth/token` calls costs one Redis
round trip each, never a scrypt. Two budgets apply to each limited request: one per client IP
(generous: many shoppers share an office or mobile NAT) and one per principal (the verified
principal when a middleware set it, else the credential presented, else the IP). WebSocket
frames are limited per frame by `ws.py` through `FrameLimiter`.

Redis down or stalled makes `check` raise `RateLimitUnavailable` within the Redis timeout; the
gateway answers 503 then, rather than letting unmetered traffic through or hanging.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass

from fastapi import FastAPI
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.deps import GatewayState
from services.gateway.errors import problem
from services.gateway.settings import GatewaySettings

LIMITER = "rate_limiter"
CREDENTIAL_HEADERS = ("x-museo-session", "authorization", "x-api-key", "cookie")


class RateLimited(Exception):
    def __init__(self, bucket: str, scope: str, limit: str, retry_after: int) -> None:
        super().__init__(f"rate limit of {limit} per {scope} on {bucket} exceeded")
        self.bucket, self.scope, self.limit, self.retry_after = bucket, scope, limit, retry_after


class RateLimitUnavailable(Exception):
    """The rate-limit store (Redis) did not answer in time."""


@dataclass(frozen=True)
class Budget:
    per_principal: RateLimitItem
    per_ip: RateLimitItem


def budgets(settings: GatewaySettings) -> dict[str, Budget]:
    """Each limited bucket with its two budgets, parsed from settings ("30/minute" strings)."""
    pairs = {
        "chat": (settings.rate_limit_chat, settings.rate_limit_chat_ip),
        "ws_frames": (settings.rate_limit_ws_frames, settings.rate_limit_ws_frames_ip),
        "events": (settings.rate_limit_events, settings.rate_limit_events_ip),
        "carts": (settings.rate_limit_carts, settings.rate_limit_carts_ip),
        "token": (settings.rate_limit_token, settings.rate_limit_token_ip),
        "uploads": (settings.rate_limit_uploads, settings.rate_limit_uploads_ip),
    }
    return {name: Budget(parse(p), parse(ip)) for name, (p, ip) in pairs.items()}


def bucket_for(method: str, path: str) -> str | None:
    """Which budget an HTTP request draws on, or None when it is not limited."""
    if path == "/v1/chat" and method == "POST":
        return "chat"
    if path == "/v1/events" and method == "POST":
        return "events"
    if path == "/v1/carts" or path.startswith("/v1/carts/"):
        return "carts"
    if path == "/oauth/token" and method == "POST":
        return "token"
    if path.startswith("/v1/admin/imports") and method == "POST":
        return "uploads"
    return None


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def principal_key(conn: HTTPConnection) -> str:
    """The verified principal's subject when set; else a hash of the credential presented (a
    fresh anonymous caller without one is keyed by IP, so it cannot dodge by omitting it)."""
    principal = getattr(conn.state, "principal", None)
    subject = getattr(principal, "subject", None)
    if isinstance(subject, str) and subject:
        return f"p:{subject}"
    raw = b"\0".join(
        value for name, value in conn.scope.get("headers", []) if name in _CREDENTIAL_BYTES
    )
    if raw:
        return "c:" + hashlib.sha256(raw).hexdigest()[:32]
    return f"ip:{client_ip(conn)}"


_CREDENTIAL_BYTES = {name.encode() for name in CREDENTIAL_HEADERS}


class RateLimiter:
    def __init__(self, settings: GatewaySettings) -> None:
        self.enabled = settings.rate_limits_enabled
        self.timeout_s = settings.redis_timeout_s
        self.budgets = budgets(settings)
        uri = "async+" + settings.redis_url
        self.storage = RedisStorage(
            uri,
            implementation="redispy",
            key_prefix="museo:ratelimit",
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)

    async def _hit(self, item: RateLimitItem, *ids: str) -> int:
        """0 when within budget, else the seconds until the window lets one more in."""
        if await self.strategy.hit(item, *ids):
            return 0
        stats = await self.strategy.get_window_stats(item, *ids)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check(self, bucket: str, conn: HTTPConnection) -> None:
        """Count one request of `conn` against `bucket`; `RateLimited` when over a budget."""
        if not self.enabled:
            return
        budget = self.budgets[bucket]
        checks = (("ip", client_ip(conn), budget.per_ip),
                  ("principal", principal_key(conn), budget.per_principal))
        for scope, ident, item in checks:
            try:
                wait = await asyncio.wait_for(self._hit(item, bucket, scope, ident), self.timeout_s)
            except (TimeoutError, OSError, RedisError) as exc:
                raise RateLimitUnavailable(
                    f"rate-limit store unavailable: {type(exc).__name__}") from exc
            if wait:
                raise RateLimited(bucket, scope, str(item), wait)


class RateLimitMiddleware:
    """Checks `bucket_for(method, path)` before the app reads anything of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bucket = (
            bucket_for(scope.get("method", ""), scope.get("path", ""))
            if scope["type"] == "http" else None
        )
        gw = getattr(scope["app"].state, "gw", None) if "app" in scope else None
        limiter = gw.limiter if gw is not None else None
        if bucket is None or limiter is None:
            await self.app(scope, receive, send)
            return
        try:
            await limiter.check(bucket, HTTPConnection(scope))
        except RateLimited as exc:
            response = problem(429, "rate_limited", str(exc), retry_after=exc.retry_after)
            response.headers["Retry-After"] = str(exc.retry_after)
            await response(scope, receive, send)
            return
        except RateLimitUnavailable as exc:
            response = problem(503, "unavailable", str(exc))
            response.headers["Retry-After"] = "1"
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def setup_rate_limits(app: FastAPI) -> None:
    """The limiter lives in the gateway state (built at start-up, closed at shutdown)."""

    async def start(gw: GatewayState) -> None:
        gw.limiter = RateLimiter(gw.settings)

    app.state.startup_hooks.append(start)
    app.add_middleware(RateLimitMiddleware)
