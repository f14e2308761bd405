"""Which payment provider the storefront runs, from settings, and the refusal rules.

- `MUSEO_PAYMENT_PROVIDER=test` (default): the test-mode provider, which marks a link paid when
  its holder presses "Pay". It runs only with `MUSEO_ENV=dev` (the local launcher's default);
  anywhere else the storefront starts with a `RefusedPaymentProvider` and logs why, so checkout
  links and the pay endpoint answer 503 `payments_unavailable` instead of free orders.
- `MUSEO_PAYMENT_PROVIDER=stripe`: Stripe Checkout Sessions; needs `MUSEO_STRIPE_API_KEY` and
  `MUSEO_STRIPE_WEBHOOK_SECRET`; `MUSEO_STRIPE_API_BASE` points the SDK at stripe-mock in tests.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from pydantic import SecretStr
from redis.asyncio import Redis

from libs.settings import ServiceSettings
from services.mcp_workers.storefront.checkout import (
    PaymentProvider,
    RefusedPaymentProvider,
    TestModePaymentProvider,
)
from services.mcp_workers.storefront.orders import OrderDesk

if TYPE_CHECKING:  # the Stripe SDK is a slow import: only a Stripe shop pays for it
    from services.mcp_workers.storefront.stripe_provider import StripeWebhooks

log = logging.getLogger(__name__)


class PaymentSettings(ServiceSettings):
    payment_provider: Literal["test", "stripe"] = "test"
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = None  # e.g. http://127.0.0.1:12111 for stripe-mock
    stripe_webhook_tolerance_s: int = 300
    stripe_timeout_s: float = 5.0  # below the MCP call timeout: a slow Stripe is an error reply


class PaymentConfigError(RuntimeError):
    """The configured provider may not run here; the message says what to set."""


def check_payment_settings(settings: PaymentSettings) -> None:
    if settings.payment_provider == "test" and not settings.is_dev:
        raise PaymentConfigError(
            f"the test-mode payment provider runs only with MUSEO_ENV=dev (MUSEO_ENV is "
            f"{settings.env!r}); set MUSEO_PAYMENT_PROVIDER=stripe with MUSEO_STRIPE_API_KEY "
            "and MUSEO_STRIPE_WEBHOOK_SECRET")
    if settings.payment_provider == "stripe" and not (
        settings.stripe_api_key and settings.stripe_webhook_secret
    ):
        raise PaymentConfigError(
            "MUSEO_PAYMENT_PROVIDER=stripe needs MUSEO_STRIPE_API_KEY and "
            "MUSEO_STRIPE_WEBHOOK_SECRET")


def build_payment_provider(settings: PaymentSettings, *, base_url: str, secret: str,
                           redis: Redis, prefix: str = "") -> PaymentProvider:
    """The configured provider, or a `RefusedPaymentProvider` (logged) when it may not run."""
    try:
        check_payment_settings(settings)
    except PaymentConfigError as exc:
        log.error("payments disabled: %s", exc)
        return RefusedPaymentProvider(str(exc))
    if settings.payment_provider == "test":
        return TestModePaymentProvider(base_url, secret)
    assert settings.stripe_api_key and settings.stripe_webhook_secret  # checked above
    import stripe

    from services.mcp_workers.storefront.stripe_provider import StripePaymentProvider

    client = stripe.StripeClient(
        settings.stripe_api_key.get_secret_value(),
        base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else None,
        http_client=stripe.HTTPXClient(timeout=settings.stripe_timeout_s),
        max_network_retries=1,
    )
    return StripePaymentProvider(
        client, base_url=base_url, secret=secret, redis=redis, prefix=prefix,
        webhook_secret=settings.stripe_webhook_secret.get_secret_value(),
        tolerance_s=settings.stripe_webhook_tolerance_s)


def stripe_webhooks(payment: PaymentProvider, desk: OrderDesk) -> StripeWebhooks | None:
    """The webhook handler when the provider is Stripe, else None (no webhook tool)."""
    if payment.name != "stripe":
        return None
    from services.mcp_workers.storefront.stripe_provider import (
        StripePaymentProvider,
        StripeWebhooks,
    )

    assert isinstance(payment, StripePaymentProvider)
    return StripeWebhooks(payment, desk)
