"""What route handlers get from the app: the gateway state and the verified caller.

`CurrentPrincipal` is the one way a route learns who calls it. Credentials, in order:
- `Authorization: Bearer <x>` where x is a gateway session (anonymous or customer), a customer
  token (JWT verified against the shop's JWKS / shared secret), a service-account JWT, or an
  `mk_` API key; `X-API-Key: mk_...`;
- `X-Museo-Session: <session>` header, else the `museo_session` cookie.
A credential that is present but not genuine is a 401 (a stale cookie is ignored instead). With
none, the caller is a new anonymous shopper: a session is issued in the `X-Museo-Session`
response header and the cookie. The principal is also put on `request.state.principal` (for
middleware such as rate limiting) and in the context every `RpcClient` request reads, so calls
to services carry it sealed in `x-museo-principal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import httpx
import jwt
from aiokafka import AIOKafkaProducer
from fastapi import Depends, Request, Response
from redis.asyncio import Redis
from starlette.requests import HTTPConnection

from libs.auth.customer import CustomerAuthSettings, CustomerTokens
from libs.auth.errors import Forbidden, Unauthenticated
from libs.contracts.principal import Principal
from libs.contracts.storefront import SESSION_HEADER
from libs.messaging.principal import principal_var
from libs.messaging.rpc import RpcClient
from services.gateway.sessions import new_session, verify_session
from services.gateway.settings import GatewaySettings

if TYPE_CHECKING:  # built by the modules that own them, which import this one
    from services.gateway.admin_auth import GatewayAuth
    from services.gateway.live_panel import LiveSampler
    from services.gateway.ratelimit import RateLimiter

SESSION_COOKIE = "museo_session"


class NotYours(Exception):
    """403: the request names another person's data (a `user_id`, a conversation...)."""

    def __init__(self, message: str = "you may only act on your own data") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class GatewayState:
    """What the gateway holds for its lifetime, each part typed (built by `app.py`'s lifespan
    and the start-up hooks of the modules that own them)."""

    settings: GatewaySettings
    rpc: RpcClient
    redis: Redis
    # The one producer of facts (acks=all): events, webhooks, privacy commands, shipments.
    producer: AIOKafkaProducer | None = None
    auth: GatewayAuth | None = None  # machine credentials (routes/oauth.py)
    identity: Identity | None = None  # shopper session keys, customer tokens (routes/identity.py)
    limiter: RateLimiter | None = None  # ratelimit.py; None = limits off
    live: LiveSampler | None = None  # the admin live panel (routes/admin_live.py)
    live_http: httpx.AsyncClient | None = None

    def facts(self) -> AIOKafkaProducer:
        if self.producer is None:
            raise RuntimeError("the gateway's Kafka producer is not started (app.py lifespan)")
        return self.producer


def state(request: HTTPConnection) -> GatewayState:
    return request.app.state.gw  # type: ignore[no-any-return]


@dataclass
class Identity:
    """The keys and verifiers the gateway authenticates shoppers with (built at start-up)."""

    session_key: bytes
    customers: CustomerTokens
    customer_settings: CustomerAuthSettings


def identity(gw: GatewayState) -> Identity:
    assert gw.identity is not None, "routes/identity.py's start-up hook builds it"
    return gw.identity


def _machine(gw: GatewayState, authorization: str | None, api_key: str | None) -> Principal:
    auth = gw.auth
    if auth is None:
        raise Unauthenticated("unavailable", "machine credentials are not configured")
    try:
        principal: Principal = auth.authenticator.authenticate(authorization, api_key)
    except Unauthenticated:
        raise
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise Unauthenticated("invalid_token", type(exc).__name__) from None
    return principal


def _bearer(gw: GatewayState, authorization: str) -> Principal:
    ident = identity(gw)
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential or " " in credential:
        raise Unauthenticated("malformed", "expected 'Authorization: Bearer <token>'")
    if (session := verify_session(credential, ident.session_key)) is not None:
        return session
    if credential.startswith("mk_") or credential.count(".") != 2:
        return _machine(gw, authorization, None)
    try:
        return _machine(gw, authorization, None)  # a service-account JWT...
    except Unauthenticated as machine_error:
        try:
            return ident.customers.verify(credential)  # ...or a customer token
        except Unauthenticated as customer_error:
            if customer_error.code == "expired":
                raise
            raise machine_error from None


def authenticate(conn: HTTPConnection, gw: GatewayState) -> Principal | None:
    """The principal proven by the request's credentials; None without any; 401 if forged."""
    headers = conn.headers
    authorization, api_key = headers.get("authorization"), headers.get("x-api-key")
    if authorization and api_key:
        raise Unauthenticated("malformed", "send either Authorization or X-API-Key, not both")
    if authorization:
        return _bearer(gw, authorization)
    if api_key:
        return _machine(gw, None, api_key)
    key = identity(gw).session_key
    if (value := headers.get(SESSION_HEADER)) is not None:
        if (principal := verify_session(value, key)) is None:
            raise Unauthenticated("invalid_session", f"invalid {SESSION_HEADER} header")
        return principal
    return verify_session(conn.cookies.get(SESSION_COOKIE), key)  # a stale cookie: ignored


def set_session(response: Response, session: str, max_age: int | None = None) -> None:
    """Hand a session to the client: header for API clients, HttpOnly cookie for browsers."""
    response.headers[SESSION_HEADER] = session
    response.set_cookie(SESSION_COOKIE, session, max_age=max_age, httponly=True,
                        samesite="lax", path="/")


async def get_principal(request: Request, response: Response) -> Principal:
    """The verified caller; a new anonymous session when the request carries no credential."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        principal_var.set(cached)
        return cached
    gw = state(request)
    principal = authenticate(request, gw)
    if principal is None:
        session = new_session(identity(gw).session_key)
        principal = verify_session(session, identity(gw).session_key)
        assert principal is not None
        set_session(response, session)
        request.state.issued_session = session
    request.state.principal = principal
    principal_var.set(principal)
    return principal


async def get_shopper(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """A shopper (anonymous, customer or channel identity); machines get 403."""
    if not principal.is_shopper:
        raise Forbidden("shopper")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
Shopper = Annotated[Principal, Depends(get_shopper)]
State = Annotated[GatewayState, Depends(state)]


def user_id_of(principal: Principal) -> str | None:
    """The profile / conversation key of a signed-in principal (None for anonymous ones)."""
    return principal.subject if principal.kind in ("customer", "channel") else None
