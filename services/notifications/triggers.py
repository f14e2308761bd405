"""Facts that trigger notifications, turned into `NotificationRequest`s (plain functions), and the
flows that need memory between facts: shipping updates (a shipment names only its order) and
abandoned-cart reminders (a checkout that no order followed within the delay).

Triggers are the idempotency keys' first half: `order:<id>`, `shipment:<id>`, `cart:<id>`, so a
fact delivered twice maps to the same notification ids and is sent once.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from libs.contracts.notifications import Contact, NotificationRequest
from libs.contracts.orders import CheckoutEvent, Order
from libs.contracts.shipments import Shipment
from services.notifications.delivery import Notifier
from services.notifications.scheduler import Job, Scheduler
from services.notifications.store import NotificationStore

log = logging.getLogger(__name__)
REMINDER = "abandoned_cart"


def order_request(order: Order) -> NotificationRequest:
    """The order confirmation for an `orders` fact."""
    return NotificationRequest(
        request_id=f"order:{order.order_id}", kind="order_confirmation",
        trigger=f"order:{order.order_id}", subject=order.owner, market=order.market,
        transactional=True,
        data=order.model_dump(mode="json", include={
            "order_id", "lines", "subtotal", "shipping", "tax", "total", "currency", "created_at",
        }),
    )


def shipment_request(shipment: Shipment, subject: str, market: str | None) -> NotificationRequest:
    """A shipping update: transactional (the person is waiting for the parcel)."""
    return NotificationRequest(
        request_id=f"shipment:{shipment.shipment_id}", kind="shipping_update",
        trigger=f"shipment:{shipment.shipment_id}", subject=subject, market=market,
        transactional=True,
        data=shipment.model_dump(mode="json", include={
            "order_id", "carrier", "tracking_url", "tracking_number", "shipped_at"}),
    )


def reminder_request(event: CheckoutEvent, shop_url: str) -> NotificationRequest:
    """An abandoned-cart reminder: marketing (opt-in, quiet hours), one per cart."""
    return NotificationRequest(
        request_id=f"cart:{event.cart_id}", kind=REMINDER, trigger=f"cart:{event.cart_id}",
        subject=event.owner, market=event.market, transactional=False,
        data={"cart_id": event.cart_id, "lines": [ln.model_dump(mode="json") for ln in event.lines],
              "total": event.total or 0, "currency": event.currency or "GBP",
              "started_at": event.at.isoformat(), "shop_url": shop_url},
    )


class Flows:
    def __init__(self, notifier: Notifier, store: NotificationStore, scheduler: Scheduler, *,
                 reminder_delay_s: float, reminders: bool = True,
                 shop_url: str = "http://127.0.0.1:3300/chat") -> None:
        self.notifier, self.store, self.scheduler = notifier, store, scheduler
        self.reminder_delay_s, self.reminders, self.shop_url = reminder_delay_s, reminders, shop_url

    async def on_order(self, order: Order) -> None:
        """Remember whose order it is (for its shipments), end its cart's story, confirm it."""
        await self.store.remember_order(order.order_id, order.owner, order.market, order.contact)
        await self.store.set_cart_state(order.cart_id, "ordered")
        await self.scheduler.cancel(f"cart:{order.cart_id}")
        await self.notifier.notify(order_request(order), order.contact)

    async def on_shipment(self, shipment: Shipment) -> None:
        """Send the shipping update to the order's buyer. An order not seen yet raises, so the
        fact is retried and then dead-lettered (replayable), never dropped."""
        owner = await self.store.order(shipment.order_id)
        if owner is None:
            raise LookupError(f"shipment {shipment.shipment_id}: order {shipment.order_id} "
                              "unknown (not on `orders` yet, or its buyer was erased)")
        subject, market = owner
        contact = await self.store.contact(subject)
        await self.notifier.notify(shipment_request(shipment, subject, market), contact)

    async def on_checkout(self, event: CheckoutEvent) -> None:
        """`started`: (re)schedule the cart's reminder after the delay; `cancelled`: drop it."""
        job_id = f"cart:{event.cart_id}"
        if event.kind == "cancelled":
            await self.store.set_cart_state(event.cart_id, "cancelled")
            await self.scheduler.cancel(job_id)
            return
        if not self.reminders or event.contact is None or await self.store.cart_state(
                event.cart_id):
            return  # no verified contact, or already ordered, cancelled or reminded
        job = Job(job_id=job_id, request=reminder_request(event, self.shop_url),
                  contact=event.contact)
        await self.scheduler.schedule(job, event.at.timestamp() + self.reminder_delay_s)

    async def run_job(self, job: Job) -> None:
        """A scheduled job is due: a cart reminder (unless the cart moved on meanwhile) or a
        message that waited for the end of the recipient's quiet hours."""
        request = job.request
        cart_id = request.trigger.removeprefix("cart:") if request.kind == REMINDER else None
        if cart_id is not None and await self.store.cart_state(cart_id):
            return
        outcome = await self.notifier.notify(request, job.contact)
        if cart_id is not None and outcome.state in ("sent", "duplicate"):
            await self.store.set_cart_state(cart_id, "reminded")
        log.info("scheduled %s: %s", request.kind, outcome.state,
                 extra={"trigger": request.trigger})

    async def defer(self, request: NotificationRequest, contact: Contact, until: datetime) -> None:
        """Run `request` again when the recipient's quiet hours end."""
        job = Job(job_id=f"defer:{request.trigger}", request=request, contact=contact)
        await self.scheduler.schedule(job, max(until.timestamp(), time.time()))
