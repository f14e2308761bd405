"""Send one notification: per-market channel fallback, retries with backoff, status, DLQ.

For each channel of the market's policy that can reach the recipient, in order, the
(trigger, channel) pair is claimed once (its idempotency key), rendered, and sent with up to
`attempts` tries spaced by exponential backoff with full jitter. The first channel that accepts
ends the job; a channel that fails for good moves on to the next. When every channel failed, the
request goes to `notify.requests.dlq`, from where it can be replayed as it is.

Before any of that, `Respect` is asked: a marketing message needs the person's consent and
waits out their quiet hours (`defer`); a channel they opted out of, or one their market makes
opt-in and they never opted into, is skipped as if it could not reach them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jinja2
from prometheus_client import Counter

from libs.contracts.notifications import (
    Channel,
    Contact,
    DeliveryState,
    DeliveryStatus,
    NotificationRequest,
    notification_id,
)
from services.notifications.callbacks import ProviderStatus
from services.notifications.channels.base import ChannelSender, SendError
from services.notifications.respect import Respect
from services.notifications.store import NotificationStore
from services.notifications.templating import TemplateRenderer

log = logging.getLogger(__name__)
FAILED = Counter("museo_notifications_failed_total",
                 "Notifications that failed for good on a channel", ["channel"])

StatusSink = Callable[[DeliveryStatus], Awaitable[None]]
DeadLetterSink = Callable[[NotificationRequest, str], Awaitable[None]]
UnsubscribeLink = Callable[[NotificationRequest, Channel, Contact], str | None]
DeferSink = Callable[[NotificationRequest, Contact, datetime], Awaitable[None]]
UNKNOWN_GRACE_S = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_s: float = 0.5
    cap_s: float = 30.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter (uniform in [0, min(cap, base·2^(n-1))]): retries of many messages that
        failed together spread out instead of hitting the provider again in step."""
        ceiling = min(self.cap_s, self.base_s * 2 ** (attempt - 1))
        return (rng or random).uniform(0, ceiling)


@dataclass(frozen=True)
class FallbackPolicy:
    """Channel order per market (e.g. EU: whatsapp → sms → email); `default` elsewhere."""

    by_market: Mapping[str, tuple[Channel, ...]] = field(default_factory=dict)
    default: tuple[Channel, ...] = ("email",)

    def channels(self, market: str | None, requested: list[Channel] | None = None) -> list[Channel]:
        if requested:
            return list(dict.fromkeys(requested))
        return list(self.by_market.get((market or "").upper(), self.default))


@dataclass
class Outcome:
    notification_id: str | None
    channel: Channel | None
    state: str  # sent | duplicate | failed | unreachable | refused | deferred


class Notifier:
    def __init__(self, store: NotificationStore, renderer: TemplateRenderer,
                 senders: Mapping[Channel, ChannelSender], publish: StatusSink,
                 dead_letter: DeadLetterSink, retry: RetryPolicy | None = None,
                 fallback: FallbackPolicy | None = None,
                 unsubscribe: UnsubscribeLink | None = None, respect: Respect | None = None,
                 defer: DeferSink | None = None) -> None:
        self.store, self.renderer, self.senders = store, renderer, senders
        self.publish, self.dead_letter = publish, dead_letter
        self.retry = retry or RetryPolicy()
        self.fallback = fallback or FallbackPolicy()
        self.unsubscribe = unsubscribe or (lambda _r, _ch, _co: None)
        self.respect, self.defer = respect, defer

    async def _status(self, nid: str, request: NotificationRequest, channel: Channel,
                      state: DeliveryState, **kw: Any) -> DeliveryStatus:
        status = DeliveryStatus(notification_id=nid, trigger=request.trigger, kind=request.kind,
                                channel=channel, state=state, at=datetime.now(UTC), **kw)
        await self.store.apply(status)
        await self.publish(status)
        return status

    async def notify(self, request: NotificationRequest, contact: Contact | None) -> Outcome:
        """Deliver `request` to `contact` on the first channel that works; never raises for a
        provider failure (that is a status), only for a bug or Kafka/Redis being down."""
        if contact is None:
            return Outcome(None, None, "unreachable")
        if self.respect is not None:
            if refusal := await self.respect.marketing_refusal(request):
                log.info("not sent: %s", refusal, extra={"trigger": request.trigger})
                return Outcome(None, None, "refused")
            if self.defer and (until := self.respect.defer_until(request, contact)):
                await self.defer(request, contact, until)  # quiet hours where they are
                return Outcome(None, None, "deferred")
        errors: list[str] = []
        for channel in self.fallback.channels(request.market, request.channels):
            sender = self.senders.get(channel)
            if sender is None or not sender.can_reach(contact):
                continue
            if self.respect and (refusal := await self.respect.channel_refusal(
                    request, channel, contact)):
                log.info("channel %s skipped: %s", channel, refusal,
                         extra={"trigger": request.trigger})
                continue
            nid = notification_id(request.trigger, channel)
            if not await self.store.claim(nid):
                log.info("already handled", extra={"notification_id": nid})
                return Outcome(nid, channel, "duplicate")
            await self.store.remember(request.subject, nid, contact)
            await self._status(nid, request, channel, "queued")
            error = await self._send(nid, request, channel, sender, contact)
            if error is None:
                await self.store.done(nid)
                return Outcome(nid, channel, "sent")
            errors.append(f"{channel}: {error}")
        if not errors:
            return Outcome(None, None, "unreachable")
        await self.dead_letter(request, "; ".join(errors))
        return Outcome(None, None, "failed")

    async def record(self, update: ProviderStatus, received_at: datetime | None = None
                     ) -> DeliveryStatus | None:
        """Apply a vendor's status callback; publish it when it changed the current status.

        A callback can beat the send's own bookkeeping (the vendor calls back before its API
        answer was processed): a fresh one about an unknown message raises, so the consumer
        tries it again shortly; an old one (not ours, or erased) is ignored."""
        nid = await self.store.by_provider(update.provider, update.message_id)
        current = await self.store.current(nid) if nid else None
        if nid is None or current is None:
            age = (datetime.now(UTC) - (received_at or datetime.now(UTC))).total_seconds()
            if age < UNKNOWN_GRACE_S:
                raise LookupError("status callback for a message not recorded yet")
            log.info("status for an unknown message", extra={"provider": update.provider})
            return None
        status = DeliveryStatus(
            notification_id=nid, trigger=current.trigger, kind=current.kind,
            channel=current.channel, state=update.state,  # type: ignore[arg-type]
            at=update.at or current.at, attempt=current.attempt, provider=update.provider,
            provider_message_id=update.message_id, error=update.error)
        if await self.store.apply(status):
            await self.publish(status)
            return status
        return None

    async def _send(self, nid: str, request: NotificationRequest, channel: Channel,
                    sender: ChannelSender, contact: Contact) -> str | None:
        """Returns None once sent, else the last error (after the status `failed`)."""
        link = self.unsubscribe(request, channel, contact) if channel == "email" else None
        try:
            message = self.renderer.render(request.kind, contact, request.data, link,
                                           short=channel != "email")
        except (KeyError, jinja2.TemplateError) as exc:  # an unknown kind or missing data
            error = f"template {request.kind}: {type(exc).__name__}: {exc}"[:500]
            await self._status(nid, request, channel, "failed", error=error)
            await self.store.release(nid)
            return error
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                accepted = await sender.send(nid, contact, message, link)
            except SendError as exc:
                last = str(exc)
                log.warning("send failed (attempt %d): %s", attempt, last,
                            extra={"notification_id": nid, "channel": channel})
                if not exc.retryable or attempt == self.retry.attempts:
                    break
                await asyncio.sleep(self.retry.delay(attempt))
                continue
            if accepted.message_id:
                await self.store.link_provider(accepted.provider, accepted.message_id, nid)
            await self._status(nid, request, channel, "sent", attempt=attempt,
                               provider=accepted.provider,
                               provider_message_id=accepted.message_id)
            return None
        FAILED.labels(channel).inc()  # read by the MuseoNotificationFailures alert rule
        await self._status(nid, request, channel, "failed", attempt=attempt, error=last[:500])
        await self.store.release(nid)  # a replay from the DLQ may try this channel again
        return last
