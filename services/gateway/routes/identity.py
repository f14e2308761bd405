"""Shopper identity: anonymous sessions, the customer sign-in exchange, who am I, sign-out.

`POST /v1/auth/customer-session` takes a customer token (the shop's login signs it; see
`libs.auth.customer`) and answers a customer session. What the shopper did anonymously comes
along: the basket is re-created under the customer (a storefront request acting for each
principal in turn), the chat conversation changes owner, and a sign-in event stitches the
anonymous profile into the customer's (user_events merges profiles on the first event that links
a client id to a customer).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.auth.customer import CustomerAuthSettings, CustomerTokens
from libs.auth.errors import Unauthenticated
from libs.contracts.events import UserEvent
from libs.contracts.principal import Principal
from libs.contracts.storefront import SESSION_HEADER
from services.gateway.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    GatewayState,
    Identity,
    NotYours,
    State,
    identity,
    set_session,
)
from services.gateway.errors import problem
from services.gateway.sessions import customer_session, session_secret, verify_session
from services.gateway.signin_merge import carry_cart, carry_conversation, own_conversation

log = logging.getLogger(__name__)
router = APIRouter(tags=["identity"])


class SignIn(BaseModel):
    token: str | None = Field(default=None, max_length=8000,
                              description="customer token; else Authorization: Bearer")
    cart_id: str | None = Field(default=None, max_length=100, description="anonymous cart")
    conversation_id: str | None = Field(default=None, max_length=100,
                                        pattern=r"^[A-Za-z0-9_.:-]+$")


def describe(p: Principal) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": p.kind, "subject": p.subject, "scopes": sorted(p.scopes)}
    if p.email:
        out["email"] = p.email
    return out


@router.post("/v1/sessions", status_code=201, summary="A new anonymous shopper session")
async def anonymous_session(request: Request, response: Response, who: CurrentPrincipal) -> Any:
    session = getattr(request.state, "issued_session", None)
    return {"session": session, "principal": describe(who)}


@router.get("/v1/me", summary="Who the request's credential says the caller is")
async def me(who: CurrentPrincipal) -> Any:
    return describe(who)


@router.post("/v1/auth/customer-session",
             summary="Exchange a customer token for a customer session; carry the basket over")
async def customer_sign_in(body: SignIn, request: Request, gw: State) -> Any:
    ident = identity(gw)
    token = body.token
    if token is None:
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("missing", "send the customer token in `token` or as Bearer")
    customer = ident.customers.verify(token.strip())
    anonymous = _anonymous_caller(request, gw)
    cart = conversation = None
    if anonymous is not None:
        conv_id, cart_hint = await own_conversation(gw, body.conversation_id, anonymous)
        cart = await carry_cart(gw, body.cart_id or cart_hint, anonymous, customer)
        conversation = await carry_conversation(gw, conv_id, anonymous, customer,
                                                cart["id"] if cart else None)
        await _stitch(gw, anonymous, customer)
    session = customer_session(customer, ident.session_key,
                               ident.customer_settings.customer_session_ttl_s)
    response = JSONResponse({"session": session, "principal": describe(customer),
                             "cart": cart, "conversation_id": conversation})
    set_session(response, session, ident.customer_settings.customer_session_ttl_s)
    return response


@router.post("/v1/auth/sign-out", status_code=204, summary="Forget the session cookie")
async def sign_out() -> Response:
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _anonymous_caller(request: Request, gw: GatewayState) -> Principal | None:
    """The anonymous session the shopper had before signing in (header or cookie), if any."""
    value = request.headers.get(SESSION_HEADER) or request.cookies.get(SESSION_COOKIE)
    principal = verify_session(value, identity(gw).session_key)
    return principal if principal is not None and principal.kind == "anonymous" else None


async def _stitch(gw: GatewayState, anonymous: Principal, customer: Principal) -> None:
    """One event linking the anonymous client id to the customer: user_events merges them."""
    from services.gateway.routes.events import publish_events

    if gw.producer is None:
        return
    event = UserEvent(event_id=f"signin-{uuid.uuid4().hex}", event_type="page-view",
                      visitor_id=anonymous.subject, user_id=customer.subject,
                      event_time=datetime.now(UTC), page_path="/signin", source="sign_in")
    try:
        await publish_events(gw, [event])
    except Exception as exc:  # the sign-in stands; the profile merges on the next linked event
        log.warning("sign-in stitch event not published: %s", type(exc).__name__)


def setup(app: FastAPI) -> None:
    async def start(gw: GatewayState) -> None:
        settings = CustomerAuthSettings()
        gw.identity = Identity(session_key=session_secret(),
                                       customers=CustomerTokens(settings),
                                       customer_settings=settings)

    app.state.startup_hooks.insert(0, start)

    @app.exception_handler(NotYours)
    async def _not_yours(_: Request, exc: NotYours) -> JSONResponse:
        return problem(403, "forbidden", exc.message)
