"""Composition root of the notification service: `python -m services.notifications`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from faststream.kafka import KafkaBroker
from pydantic import Field, SecretStr
from redis.asyncio import Redis

from libs.contracts.notifications import Channel, Contact, DeliveryStatus, NotificationRequest
from libs.contracts.orders import ORDERS
from libs.contracts.privacy import PRIVACY_REQUESTS
from libs.contracts.topics import (
    CHECKOUTS,
    NOTIFICATIONS_CALLBACKS,
    NOTIFICATIONS_REQUESTS,
    NOTIFICATIONS_STATUS,
    NOTIFY_REQUESTS,
    SHIPMENTS,
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
from services.notifications.consent import ChannelPolicy, ConsentStore, Policy, address_of
from services.notifications.delivery import FallbackPolicy, Notifier, RetryPolicy
from services.notifications.handlers import Parts, Topics, register
from services.notifications.queries import QueryDesk
from services.notifications.quiet import QuietHours
from services.notifications.respect import Respect
from services.notifications.scheduler import Job, Scheduler
from services.notifications.store import NotificationStore
from services.notifications.templating import TemplateRenderer, language_for
from services.notifications.triggers import Flows
from services.notifications.unsubscribe import UnsubscribeClaims, UnsubscribeTokens, mask


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
    public_base_url: str = "http://127.0.0.1:3300"  # unsubscribe links and vendor callbacks
    shipments_topic: str = SHIPMENTS
    checkouts_topic: str = CHECKOUTS
    # Abandoned-cart reminders: once per cart, this long after its checkout link was made,
    # to a verified contact who said yes to marketing (MUSEO_ABANDONED_CART_DELAY_S).
    abandoned_cart_reminders: bool = True
    abandoned_cart_delay_s: float = 3600.0
    shop_url: str | None = None  # where a reminder sends people; default <public base>/chat
    # Marketing waits out the night where the recipient is ("off" sends any time).
    quiet_hours: str = "21:00-08:00"
    # Channel policy per market, e.g. {"EU": {"sms": "opt_in"}}; default: WhatsApp opt-in,
    # SMS and email opt-out (see consent.py).
    channel_policy: dict[str, dict[Channel, Policy]] = Field(default_factory=dict)
    scheduler_interval_s: float = 1.0


@dataclass
class NotificationsApp:
    broker: KafkaBroker
    redis: Redis
    http: httpx.AsyncClient
    store: NotificationStore
    notifier: Notifier
    parts: Parts
    settings: NotificationsSettings

    async def start(self) -> None:
        """The scheduler's poller (reminders, quiet-hours deferrals); the broker is separate."""
        self.parts.scheduler.start(self.parts.flows.run_job, self._give_up,
                                   self.settings.scheduler_interval_s)

    async def _give_up(self, job: Job, error: str) -> None:
        await self.notifier.dead_letter(job.request, f"scheduled job failed: {error}")

    async def stop(self) -> None:
        await self.parts.scheduler.stop()
        await self.http.aclose()
        await self.redis.aclose()


def _senders(settings: NotificationsSettings, http: httpx.AsyncClient,
             store: NotificationStore) -> dict[Channel, ChannelSender]:
    senders: dict[Channel, ChannelSender] = {"email": SmtpEmailSender(
        settings.smtp_host, settings.smtp_port, settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls, use_tls=settings.smtp_tls,
    )}
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
    return senders


def build(settings: NotificationsSettings) -> NotificationsApp:
    """Wire the broker, Redis, SMTP/HTTP clients and handlers; connects nothing."""
    redis = Redis.from_url(settings.redis_url)
    store = NotificationStore(redis, settings.redis_prefix)
    broker = make_broker(settings)
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))
    key = dev_secret("MUSEO_UNSUBSCRIBE_SECRET", "unsubscribe.secret").encode()
    consent = ConsentStore(redis, key, settings.redis_prefix)
    tokens = UnsubscribeTokens(key, settings.public_base_url)
    scheduler = Scheduler(redis, settings.redis_prefix)
    renderer = TemplateRenderer()

    async def publish(status: DeliveryStatus) -> None:
        await broker.publish(status.model_dump(mode="json"), settings.status_topic,
                             key=status.notification_id.encode())

    async def dead_letter(request: NotificationRequest, error: str) -> None:
        await send_to_dlq(broker, settings.requests_topic, -1, -1,
                          request.model_dump_json().encode(), {}, RuntimeError(error),
                          request.subject.encode())

    def unsubscribe(request: NotificationRequest, channel: Channel, contact: Contact) -> str:
        address = address_of(contact, channel) or ""
        return tokens.url(UnsubscribeClaims(
            s=request.subject, c=channel, h=consent.address_hash(channel, address),
            m=mask(address), l=language_for(contact)))

    respect = Respect(consent, ChannelPolicy({k.upper(): v for k, v in
                                              settings.channel_policy.items()}),
                      QuietHours.parse(settings.quiet_hours), store.in_window)
    notifier = Notifier(
        store, renderer, _senders(settings, http, store), publish, dead_letter,
        retry=RetryPolicy(settings.send_attempts, settings.retry_base_s, settings.retry_cap_s),
        fallback=FallbackPolicy({k.upper(): tuple(v) for k, v in settings.fallback.items()},
                                tuple(settings.fallback_default)),
        unsubscribe=unsubscribe, respect=respect,
    )
    flows = Flows(notifier, store, scheduler, reminder_delay_s=settings.abandoned_cart_delay_s,
                  reminders=settings.abandoned_cart_reminders,
                  shop_url=settings.shop_url or f"{settings.public_base_url.rstrip('/')}/chat")
    notifier.defer = flows.defer
    parts = Parts(notifier, store, consent, scheduler, flows,
                  QueryDesk(store, renderer, consent, tokens))
    register(broker, parts, Topics(
        orders=settings.orders_topic, requests=settings.requests_topic,
        callbacks=settings.callbacks_topic, rpc=settings.rpc_topic,
        privacy=settings.privacy_topic, shipments=settings.shipments_topic,
        checkouts=settings.checkouts_topic), settings.group_id)
    return NotificationsApp(broker, redis, http, store, notifier, parts, settings)


def main() -> None:
    settings = NotificationsSettings()
    app = build(settings)
    asyncio.run(run_worker(settings, app.broker, on_start=app.start, on_stop=app.stop))


if __name__ == "__main__":
    main()
