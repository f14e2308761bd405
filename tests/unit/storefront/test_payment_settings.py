"""Which payment provider may run, and Stripe's webhook signature scheme."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
import stripe

from services.mcp_workers.storefront.checkout import (
    PaymentsUnavailableError,
    ProviderConfirmationRequiredError,
    RefusedPaymentProvider,
    TestModePaymentProvider,
)
from services.mcp_workers.storefront.payments import (
    PaymentConfigError,
    PaymentSettings,
    build_payment_provider,
    check_payment_settings,
)
from services.mcp_workers.storefront.stripe_provider import StripePaymentProvider

SECRET = "whsec_unit"


def settings(**kw: Any) -> PaymentSettings:
    return PaymentSettings(_env_file=None, **kw)  # type: ignore[call-arg]


def test_test_mode_runs_only_in_dev() -> None:
    check_payment_settings(settings(env="dev", payment_provider="test"))
    for env in ("production", "staging", ""):
        with pytest.raises(PaymentConfigError, match="MUSEO_ENV=dev"):
            check_payment_settings(settings(env=env, payment_provider="test"))


def test_stripe_needs_its_key_and_webhook_secret() -> None:
    with pytest.raises(PaymentConfigError, match="MUSEO_STRIPE_WEBHOOK_SECRET"):
        check_payment_settings(settings(payment_provider="stripe", stripe_api_key="sk_test_1"))
    check_payment_settings(settings(payment_provider="stripe", stripe_api_key="sk_test_1",
                                    stripe_webhook_secret=SECRET))


async def test_outside_dev_the_shop_gets_a_provider_that_refuses_with_the_reason() -> None:
    provider = build_payment_provider(settings(env="production"), base_url="http://x",
                                      secret="s", redis=None)  # type: ignore[arg-type]
    assert isinstance(provider, RefusedPaymentProvider)
    with pytest.raises(PaymentsUnavailableError, match="MUSEO_ENV=dev"):
        await provider.complete_payment("token", "anon:1")
    dev = build_payment_provider(settings(env="dev"), base_url="http://x", secret="s",
                                 redis=None)  # type: ignore[arg-type]
    assert isinstance(dev, TestModePaymentProvider)


def signed(payload: str, secret: str, t: int) -> str:
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def test_only_a_recent_signature_by_the_endpoint_secret_verifies() -> None:
    provider = StripePaymentProvider(stripe.StripeClient("sk_test_1"), base_url="http://x",
                                     secret="s", webhook_secret=SECRET,
                                     redis=None)  # type: ignore[arg-type]
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "checkout.session.completed",
                          "data": {"object": {"id": "cs_1"}}})
    now = int(time.time())
    assert provider.verify(payload, signed(payload, SECRET, now)).id == "evt_1"
    for bad in (signed(payload, "whsec_other", now), signed(payload, SECRET, now - 3600),
                "t=1,v1=00", ""):
        with pytest.raises(stripe.SignatureVerificationError):
            provider.verify(payload, bad)
    with pytest.raises(stripe.SignatureVerificationError):
        provider.verify(payload.replace("cs_1", "cs_2"), signed(payload, SECRET, now))


async def test_a_stripe_link_cannot_be_completed_by_its_holder() -> None:
    provider = StripePaymentProvider(stripe.StripeClient("sk_test_1"), base_url="http://x",
                                     secret="s", webhook_secret=SECRET,
                                     redis=None)  # type: ignore[arg-type]
    with pytest.raises(ProviderConfirmationRequiredError):
        await provider.complete_payment("anything", "anon:1")
