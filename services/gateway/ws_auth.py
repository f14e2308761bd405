"""Who a WebSocket connection acts for, and which web pages may open one.

Browsers send `Origin` on every WebSocket handshake and carry cookies with it, so a page on
another site could otherwise talk to `/ws` as the visitor (cross-site WebSocket hijacking): an
`Origin` outside `MUSEO_WS_ALLOWED_ORIGINS` (default: the gateway's own origins) is refused.
Clients that are not browsers send no `Origin` and prove themselves with a header or an `auth`
frame like any API client.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from libs.auth.errors import Unauthenticated
from libs.contracts.principal import Principal
from services.gateway.deps import GatewayState, authenticate, identity
from services.gateway.sessions import new_session, verify_session


def own_origins(gw: GatewayState) -> set[str]:
    s = gw.settings
    origins = {f"http://127.0.0.1:{s.port}", f"http://localhost:{s.port}"}
    base = urlsplit(s.public_base_url)
    if base.scheme and base.netloc:
        origins.add(f"{base.scheme}://{base.netloc}")
    return origins


def allowed_origin(gw: GatewayState, origin: str | None) -> bool:
    if origin is None:
        return True  # not a browser: it authenticates like any API client
    allowed = set(gw.settings.ws_allowed_origins) or own_origins(gw)
    return origin.rstrip("/") in allowed


def connect_principal(gw: GatewayState, conn: HTTPConnection) -> tuple[Principal, str | None]:
    """The connection's principal from its cookie/headers; else a new anonymous session
    (returned too, so the client can keep it). A forged credential raises `Unauthenticated`."""
    principal = authenticate(conn, gw)
    if principal is not None:
        return principal, None
    session = new_session(identity(gw).session_key)
    issued = verify_session(session, identity(gw).session_key)
    assert issued is not None
    return issued, session


def frame_principal(gw: GatewayState, token: object) -> Principal:
    """The principal of an `auth` frame's token: a gateway session or a customer token."""
    if not isinstance(token, str) or not token or len(token) > 4000:
        raise Unauthenticated("malformed", "auth frame needs a string 'token'")
    ident = identity(gw)
    if (session := verify_session(token, ident.session_key)) is not None:
        return session
    return ident.customers.verify(token)
