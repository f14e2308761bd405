"""Redis state of the notification service: idempotency claims, status, contacts, erasure.

Keys (all under `notif:`):
- `notif:claim:<notification id>`: set once when a (trigger, channel) is first handled; a
  redelivered fact finds it and sends nothing. It holds the send state (`sending`, `done`) so a
  crash between claim and send is retried rather than lost: a claim still `sending` after its
  lease may be taken again.
- `notif:status:<id>`: the current status (JSON) and `notif:history:<id>` every update (list).
- `notif:provider:<provider>:<message id>`: which notification a provider callback is about.
- `notif:owner:<subject>`: the ids of a person's notifications, so erasure can find them.
- `notif:contact:<subject>`: the last verified contact data seen for a person.
- `notif:order:<order id>`: whose order it is and its market (a shipment names only the
  order), and `notif:orders:<subject>` those ids, for erasure.
- `notif:cart:<cart id>`: `ordered` once the cart became an order, `cancelled`, or `reminded`
  once its abandoned-cart reminder went: what makes a reminder once per cart, and never after
  the order.
"""

from __future__ import annotations

import json
import time

from redis.asyncio import Redis

from libs.contracts.notifications import Contact, DeliveryStatus
from services.notifications.status import order_key

KEEP_S = 180 * 86400  # status and history: long enough to answer "did my order mail arrive?"
LEASE_S = 120  # a send in progress longer than this is taken to have crashed

# Sets the status only when the update is newer (by timestamp, then rank), atomically, so two
# callbacks racing on two consumers cannot leave the older one current.
_APPLY = """
local cur = redis.call('GET', KEYS[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if cur then
  local c = cjson.decode(cur)
  if tonumber(c['_ts']) > tonumber(ARGV[2]) or
     (tonumber(c['_ts']) == tonumber(ARGV[2]) and tonumber(c['_rank']) >= tonumber(ARGV[3])) then
    return 0
  end
end
local doc = cjson.decode(ARGV[1])
doc['_ts'] = ARGV[2]
doc['_rank'] = ARGV[3]
redis.call('SET', KEYS[1], cjson.encode(doc), 'EX', ARGV[4])
return 1
"""


def _s(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class NotificationStore:
    def __init__(self, redis: Redis, prefix: str = "notif:") -> None:
        self.redis = redis
        self.p = prefix
        self._apply = redis.register_script(_APPLY)

    async def claim(self, nid: str) -> bool:
        """First handler of this (trigger, channel) wins; a crashed send is re-claimable."""
        key = f"{self.p}claim:{nid}"
        return bool(await self.redis.set(key, "sending", nx=True, ex=LEASE_S))

    async def done(self, nid: str) -> None:
        await self.redis.set(f"{self.p}claim:{nid}", "done", ex=KEEP_S)

    async def release(self, nid: str) -> None:
        """Give the claim back (the send failed for good and went to the DLQ for a replay)."""
        await self.redis.delete(f"{self.p}claim:{nid}")

    async def apply(self, status: DeliveryStatus) -> bool:
        """Record the update; True when it became the current status."""
        ts, rank = order_key(status)
        changed = await self._apply(
            keys=[f"{self.p}status:{status.notification_id}",
                  f"{self.p}history:{status.notification_id}"],
            args=[status.model_dump_json(), repr(ts), rank, KEEP_S],
        )
        return bool(changed)

    async def current(self, nid: str) -> DeliveryStatus | None:
        raw = await self.redis.get(f"{self.p}status:{nid}")
        return DeliveryStatus.model_validate_json(raw) if raw else None

    async def history(self, nid: str) -> list[DeliveryStatus]:
        rows = await self.redis.lrange(f"{self.p}history:{nid}", 0, -1)  # type: ignore[misc]
        return [DeliveryStatus.model_validate_json(r) for r in rows]

    async def link_provider(self, provider: str, message_id: str, nid: str) -> None:
        await self.redis.set(f"{self.p}provider:{provider}:{message_id}", nid, ex=KEEP_S)

    async def by_provider(self, provider: str, message_id: str) -> str | None:
        return _s(await self.redis.get(f"{self.p}provider:{provider}:{message_id}"))

    async def open_window(self, wa_id: str, at_epoch: float, window_s: int = 24 * 3600) -> None:
        """The customer wrote at `at_epoch`: free text may be sent until the window closes."""
        left = int(at_epoch + window_s - time.time())
        if left > 0:
            await self.redis.set(f"{self.p}wa_window:{wa_id}", "1", ex=left)

    async def in_window(self, wa_id: str) -> bool:
        return bool(await self.redis.exists(f"{self.p}wa_window:{wa_id}"))

    async def remember(self, subject: str, nid: str, contact: Contact | None) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.sadd(f"{self.p}owner:{subject}", nid)
            pipe.expire(f"{self.p}owner:{subject}", KEEP_S)
            if contact is not None:
                pipe.set(f"{self.p}contact:{subject}", contact.model_dump_json(), ex=KEEP_S)
            await pipe.execute()

    async def contact(self, subject: str) -> Contact | None:
        raw = await self.redis.get(f"{self.p}contact:{subject}")
        return Contact.model_validate_json(raw) if raw else None

    async def remember_order(self, order_id: str, subject: str, market: str | None,
                             contact: Contact | None) -> None:
        doc = json.dumps({"subject": subject, "market": market})
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(f"{self.p}order:{order_id}", doc, ex=KEEP_S)
            pipe.sadd(f"{self.p}orders:{subject}", order_id)
            pipe.expire(f"{self.p}orders:{subject}", KEEP_S)
            if contact is not None:
                pipe.set(f"{self.p}contact:{subject}", contact.model_dump_json(), ex=KEEP_S)
            await pipe.execute()

    async def order(self, order_id: str) -> tuple[str, str | None] | None:
        """(subject, market) of an order this service saw, else None."""
        raw = await self.redis.get(f"{self.p}order:{order_id}")
        if raw is None:
            return None
        doc = json.loads(raw)
        return str(doc["subject"]), doc.get("market")

    async def cart_state(self, cart_id: str) -> str | None:
        return _s(await self.redis.get(f"{self.p}cart:{cart_id}"))

    async def set_cart_state(self, cart_id: str, state: str) -> None:
        await self.redis.set(f"{self.p}cart:{cart_id}", state, ex=KEEP_S)

    async def erase(self, subject: str) -> dict[str, int]:
        """Remove the person's contact data and the links from them to their notifications and
        orders.

        Status records hold no personal field (no address, no text), so they stay, now
        unlinked from anyone: the counts of what was sent remain true."""
        ids = [_s(i) for i in await self.redis.smembers(f"{self.p}owner:{subject}")]  # type: ignore[misc]
        orders = [_s(i) for i in await self.redis.smembers(f"{self.p}orders:{subject}")]  # type: ignore[misc]
        removed = await self.redis.delete(f"{self.p}contact:{subject}")
        links = await self.redis.delete(f"{self.p}owner:{subject}", f"{self.p}orders:{subject}",
                                        *(f"{self.p}order:{o}" for o in orders))
        return {"contacts": int(removed), "notification_links": int(links), "notifications": len(ids)}
