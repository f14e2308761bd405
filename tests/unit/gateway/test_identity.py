"""Sessions, customer tokens and event trust: the pieces the gateway's principal is made of."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import jwt
import pytest

from libs.auth.customer import CustomerAuthSettings, CustomerTokens
from libs.auth.errors import Unauthenticated
from libs.contracts.events import UserEvent
from libs.contracts.principal import Principal
from services.gateway.event_trust import apply_trust
from services.gateway.sessions import customer_session, new_session, verify_session

KEY = b"k" * 32
SECRET = "customer-secret-for-tests-0123456789"


def tokens() -> CustomerTokens:
    return CustomerTokens(CustomerAuthSettings(), secret=SECRET)


def test_anonymous_session_verifies_and_a_tampered_one_does_not() -> None:
    session = new_session(KEY)
    principal = verify_session(session, KEY)
    assert principal is not None and principal.kind == "anonymous"
    assert principal.subject == f"anon:{session.split('.')[0]}"
    assert verify_session("alice." + session.split(".")[1], KEY) is None
    assert verify_session(session, b"other" * 8) is None
    assert verify_session("x.y\udcff", KEY) is None


def test_customer_session_carries_the_customer_until_it_expires() -> None:
    alice = Principal(subject="customer:alice", kind="customer", email="a@example.com")
    session = customer_session(alice, KEY, ttl_s=60)
    assert verify_session(session, KEY) == alice
    assert verify_session(customer_session(alice, KEY, ttl_s=-1), KEY) is None
    forged = session.replace("c1.", "c1.x", 1)
    assert verify_session(forged, KEY) is None


def test_customer_token_round_trip_and_refusals() -> None:
    t = tokens()
    principal = t.verify(t.issue("alice", "a@example.com"))
    assert principal.subject == "customer:alice" and principal.email == "a@example.com"
    other = CustomerTokens(CustomerAuthSettings(), secret="another-secret-0123456789abcdefghij")
    with pytest.raises(Unauthenticated):
        t.verify(other.issue("alice", None))
    expired = jwt.encode({"sub": "alice", "exp": int(time.time()) - 600}, SECRET, "HS256")
    with pytest.raises(Unauthenticated) as info:
        t.verify(expired)
    assert info.value.code == "expired"
    no_exp = jwt.encode({"sub": "alice"}, SECRET, "HS256")
    with pytest.raises(Unauthenticated):
        t.verify(no_exp)
    for garbage in ("a.b.c", "eyJhbGciOiJIUzI1NiIsImtpZCI6N30.e30.x", "\udcff.x.y"):
        with pytest.raises(Unauthenticated):  # a 401, never a crash
            t.verify(garbage)
    with pytest.raises(Unauthenticated):
        t.verify(jwt.encode({"sub": 5, "exp": int(time.time()) + 60}, SECRET, "HS256"))


def event(user_id: str | None) -> UserEvent:
    return UserEvent(event_id="e1", event_type="purchase-complete", visitor_id="client-1",
                     user_id=user_id, event_time=datetime.now(UTC))


def test_event_customer_ids_need_proof() -> None:
    anon = Principal(subject="anon:s1", kind="anonymous")
    kept, dropped, refused = apply_trust(anon, [event("alice")])
    assert kept[0].user_id is None and dropped == 1 and not refused

    alice = Principal(subject="customer:alice", kind="customer")
    kept, dropped, refused = apply_trust(alice, [event("alice"), event("bob"), event(None)])
    assert [e.user_id for e in kept] == ["customer:alice", "customer:alice"]
    assert len(refused) == 1 and refused[0].index == 1

    backend = Principal(subject="apikey:k1", kind="api_key", scopes=frozenset({"events:write"}))
    kept, _, _ = apply_trust(backend, [event("bob")])
    assert kept[0].user_id == "customer:bob"
    plain = Principal(subject="apikey:k2", kind="api_key")
    kept, dropped, _ = apply_trust(plain, [event("bob")])
    assert kept[0].user_id is None and dropped == 1
