"""Composition root of the notification service: `python -m services.notifications`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from faststream.kafka import KafkaBroker
from pydantic import Field, SecretStr
from redis.asyncio import Redis

from libs.contracts.notifications import Channel, DeliveryStatus, NotificationRequest
from libs.contracts.orders import ORDERS
from libs.contracts.privacy import PRIVACY_REQUESTS
from libs.contracts.topics import (
    NOTIFICATIONS_CALLBACKS,
    NOTIFICATIONS_REQUESTS,
    NOTIFICATIONS_STATUS,
    NOTIFY_REQUESTS,
)
from libs.dev_secrets import dev_secret
from libs.messaging.broker import make_broker
from libs.messaging.dlq import send_to_dlq
from libs.messaging.service import run_worker
from libs.settings import ServiceSettings
from services.notifications.channels.base import ChannelSender
from services.notifications.channels.email import SmtpEmailSender
from services.notifications.channels.twilio import TwilioSmsSender
from services.notifications.channels.whatsapp import WhatsAppCloudSender
from services.notifications.delivery import FallbackPolicy, Notifier, RetryPolicy
from services.notifications.handlers import register
from services.notifications.store import NotificationStore
from services.notifications.templating import TemplateRenderer


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    orders_topic: str = ORDERS
    requests_topic: str = NOTIFY_REQUESTS
    rpc_topic: str = NOTIFICATIONS_REQUESTS
    status_topic: str = NOTIFICATIONS_STATUS
    privacy_topic: str = PRIVACY_REQUESTS
    callbacks_topic: str = NOTIFICATIONS_CALLBACKS
    group_id: str = "notifications"
    redis_prefix: str = "notif:"
    # SMTP: Mailpit on :1025 in development; a relay with TLS and credentials in production.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_tls: bool = False
    mail_from: str = "Museo <shop@museo.example>"
    # SMS (Twilio Messages API) and WhatsApp (Meta Cloud API): off until a base URL is set
    # (https://api.twilio.com, https://graph.facebook.com; the simulator in development).
    # Tokens: MUSEO_TWILIO_AUTH_TOKEN, MUSEO_WHATSAPP_ACCESS_TOKEN (dev: files).
    twilio_base_url: str | None = None
    twilio_account_sid: str = "AC" + "0" * 32
    twilio_from: str = "+15005550006"
    whatsapp_base_url: str | None = None
    whatsapp_api_version: str = "v21.0"
    whatsapp_phone_number_id: str = "100000000000001"
    # Sends: tries per channel and the backoff between them (seconds).
    send_attempts: int = 4
    retry_base_s: float = 0.5
    retry_cap_s: float = 30.0
    # Channel order per market, e.g. {"EU": ["whatsapp", "sms", "email"]}; default elsewhere.
    fallback: dict[str, list[Channel]] = Field(default_factory=dict)
    fallback_default: list[Channel] = Field(default_factory=lambda: list[Channel](["email"]))
    public_base_url: str = "http://127.0.0.1:3300"


@dataclass
class NotificationsApp:
    broker: KafkaBroker
    redis: Redis
    http: httpx.AsyncClient
    store: NotificationStore
    notifier: Notifier

    async def stop(self) -> None:
        await self.http.aclose()
        await self.redis.aclose()


def build(settings: NotificationsSettings) -> NotificationsApp:
    """Wire the broker, Redis, SMTP and handlers; connects nothing."""
    redis = Redis.from_url(settings.redis_url)
    store = NotificationStore(redis, settings.redis_prefix)
    broker = make_broker(settings)
    email = SmtpEmailSender(
        settings.smtp_host, settings.smtp_port, settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls, use_tls=settings.smtp_tls,
    )
    senders: dict[Channel, ChannelSender] = {"email": email}
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))
    callback_base = settings.public_base_url.rstrip("/")
    if settings.twilio_base_url:
        senders["sms"] = TwilioSmsSender(
            http, settings.twilio_base_url, settings.twilio_account_sid,
            dev_secret("MUSEO_TWILIO_AUTH_TOKEN", "twilio-auth.token"), settings.twilio_from,
            f"{callback_base}/webhooks/twilio/status")
    if settings.whatsapp_base_url:
        senders["whatsapp"] = WhatsAppCloudSender(
            http, settings.whatsapp_base_url, settings.whatsapp_api_version,
            settings.whatsapp_phone_number_id,
            dev_secret("MUSEO_WHATSAPP_ACCESS_TOKEN", "whatsapp-access.token"), store.in_window)

    async def publish(status: DeliveryStatus) -> None:
        await broker.publish(status.model_dump(mode="json"), settings.status_topic,
                             key=status.notification_id.encode())

    async def dead_letter(request: NotificationRequest, error: str) -> None:
        await send_to_dlq(broker, settings.requests_topic, -1, -1,
                          request.model_dump_json().encode(), {}, RuntimeError(error),
                          request.subject.encode())

    notifier = Notifier(
        store, TemplateRenderer(), senders, publish, dead_letter,
        retry=RetryPolicy(settings.send_attempts, settings.retry_base_s, settings.retry_cap_s),
        fallback=FallbackPolicy({k.upper(): tuple(v) for k, v in settings.fallback.items()},
                                tuple(settings.fallback_default)),
    )
    register(broker, notifier, store, orders_topic=settings.orders_topic,
             requests_topic=settings.requests_topic, callbacks_topic=settings.callbacks_topic,
             rpc_topic=settings.rpc_topic,
             privacy_topic=settings.privacy_topic, group_id=settings.group_id)
    return NotificationsApp(broker, redis, http, store, notifier)


def main() -> None:
    settings = NotificationsSettings()
    app = build(settings)
    asyncio.run(run_worker(settings, app.broker, on_stop=app.stop))


if __name__ == "__main__":
    main()
