"""The principal header: sealed by the gateway, trusted by a worker only when the seal verifies."""

from __future__ import annotations

from libs.contracts.principal import Principal
from libs.messaging.principal import seal, unseal

KEY = b"k" * 32
ALICE = Principal(subject="customer:alice", kind="customer", email="alice@example.com")


def test_a_sealed_principal_round_trips() -> None:
    assert unseal(seal(ALICE, KEY), KEY) == ALICE


def test_a_principal_sealed_with_another_key_is_refused() -> None:
    assert unseal(seal(ALICE, b"x" * 32), KEY) is None


def test_a_tampered_payload_is_refused() -> None:
    forged = seal(Principal(subject="customer:mallory", kind="customer"), KEY)
    payload, _ = forged.split(".")
    _, mac = seal(ALICE, KEY).split(".")
    assert unseal(f"{payload}.{mac}", KEY) is None


def test_garbage_is_no_principal_not_an_error() -> None:
    for value in (None, "", "abc", "a.b.c", "!!!.???", "é.ü", "e30.e30"):
        assert unseal(value, KEY) is None


def test_scopes_survive_the_trip() -> None:
    svc = Principal(subject="shop-backend", kind="service_account", scopes=frozenset({"recs:read"}))
    back = unseal(seal(svc, KEY), KEY)
    assert back is not None and back.has_scope("recs:read") and not back.is_shopper
