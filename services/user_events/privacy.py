"""Erasure, consent and export of one person's data held in Redis.

Erasure removes the customer's profile and every stitched client id's profile and alias, their
consent records, their conversations (`conv:*` owned by them and the `user:{id}:conv` pointer)
and their baskets (`basket:*` whose owner is them); anonymises their orders (`order:{id}` listed
under `orders:{owner}`: kept as bookkeeping records, with the owner replaced and contact fields
removed); leaves a tombstone per identity so a replay of `events.raw` cannot rebuild the
profile; then writes an audit record that names no one. Running it twice is harmless, so
redelivery of the command is fine.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from libs.auth.scopes import USERS_ADMIN
from libs.contracts.chat import user_conversation_key
from libs.contracts.principal import Principal
from libs.contracts.privacy import (
    ExportReply,
    ExportRequest,
    PrivacyAudit,
    PrivacyCommand,
    audit_key,
    consent_key,
)
from libs.messaging.errors import HandlerError
from libs.messaging.principal import current_principal
from libs.profiles.redis_store import alias_key
from libs.profiles.store import redis_key
from services.user_events.domain import from_redis
from services.user_events.tombstones import Tombstones

AUDIT_TTL_S = 3 * 365 * 86400
ERASED_OWNER = "erased"
#: Order fields that name or reach a person (the contract may gain contact fields): dropped.
PERSONAL_ORDER_FIELDS = ("email", "phone", "contact", "customer_email", "customer_phone",
                         "customer_name", "shipping_address", "billing_address", "locale")


def anonymised_order(doc: dict[str, Any]) -> dict[str, Any]:
    """The order as a bookkeeping record: lines, amounts, dates and payment ref, nobody's."""
    kept = {k: v for k, v in doc.items() if k not in PERSONAL_ORDER_FIELDS}
    return {**kept, "owner": ERASED_OWNER}


def _owner_forms(identities: list[str]) -> list[str]:
    """The owner strings the storefront may have used for these identities."""
    return list(dict.fromkeys([*identities, *(f"user:{i}" for i in identities)]))


def _owned_by(doc: dict[str, Any], identities: list[str]) -> bool:
    """Owned by the user or any identity linked to them (pixel client ids, chat sessions)."""
    owners = {*identities, *(f"user:{i}" for i in identities)}
    return doc.get("user_id") in owners or doc.get("owner") in owners


class PrivacyService:
    def __init__(self, redis: Redis, service: str = "user_events",
                 consent_ttl_s: int = 400 * 86400, *,
                 tombstones: Tombstones | None = None) -> None:
        self.redis = redis
        self.service = service
        self.consent_ttl_s = consent_ttl_s
        self.tombstones = tombstones

    async def handle(self, command: PrivacyCommand) -> PrivacyAudit | None:
        if command.kind == "erase":
            return await self.erase(command)
        await self.set_consent(command)
        return None

    async def set_consent(self, command: PrivacyCommand) -> None:
        if command.consent is None:
            return
        value = command.consent.model_dump_json()
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in [command.user_id, *command.visitor_ids]:
                pipe.hset(consent_key(key), command.market, value)
                pipe.expire(consent_key(key), self.consent_ttl_s)
            await pipe.execute()

    async def _identities(self, user_id: str, extra: list[str]) -> list[str]:
        ids = [user_id, *extra]
        profile = from_redis(await self.redis.hgetall(redis_key(user_id)))  # type: ignore[misc]
        if profile is not None:
            ids.extend(profile.visitor_ids)
        return list(dict.fromkeys(ids))

    async def _documents(self, pattern: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        batch: list[str] = []
        async for key in self.redis.scan_iter(match=pattern, count=1000):
            batch.append(key.decode() if isinstance(key, bytes) else key)
            if len(batch) >= 500:
                async for item in self._load(batch):
                    yield item
                batch = []
        async for item in self._load(batch):
            yield item

    async def _load(self, keys: list[str]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        if not keys:
            return
        for key, raw in zip(keys, await self.redis.mget(keys), strict=True):
            try:
                doc = json.loads(raw) if raw else None
            except ValueError:
                continue
            if isinstance(doc, dict):
                yield key, doc

    async def owned(self, pattern: str, identities: list[str]) -> list[tuple[str, dict[str, Any]]]:
        return [(k, d) async for k, d in self._documents(pattern) if _owned_by(d, identities)]

    async def erase(self, command: PrivacyCommand) -> PrivacyAudit:
        ids = await self._identities(command.user_id, command.visitor_ids)
        if self.tombstones is not None:  # first: events folded from now on are already dropped
            await self.tombstones.bury(ids, datetime.now(UTC))
        anonymised = await self._anonymise_orders(ids)
        conversations = await self.owned("conv:*", ids)
        baskets = await self.owned("basket:*", ids)
        groups = {
            "profiles": [redis_key(i) for i in ids],
            "aliases": [alias_key(i) for i in ids],
            "consents": [consent_key(i) for i in ids],
            "conversations": [k for k, _ in conversations]
            + [user_conversation_key(command.user_id)],
            "baskets": [k for k, _ in baskets],
            "order_lists": [f"orders:{o}" for o in _owner_forms(ids)],
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            for keys in groups.values():
                pipe.delete(*keys) if keys else pipe.ping()
            counts = await pipe.execute()
        removed = {name: int(n) if not isinstance(n, bool) else 0
                   for name, n in zip(groups, counts, strict=True)}
        removed["orders_anonymised"] = anonymised
        audit = PrivacyAudit(request_id=command.request_id, kind="erase",
                             requested_at=command.requested_at,
                             completed_at=datetime.now(UTC), service=self.service,
                             removed=removed)
        await self.redis.set(audit_key(command.request_id), audit.model_dump_json(),
                             ex=AUDIT_TTL_S)
        return audit

    async def _anonymise_orders(self, ids: list[str]) -> int:
        """Rewrite every order listed for these owners without its owner (TTL kept)."""
        done = 0
        async for key, doc in self._load([f"order:{i}" for i in await self._order_ids(ids)]):
            if doc.get("owner") != ERASED_OWNER:
                await self.redis.set(key, json.dumps(anonymised_order(doc)), keepttl=True)
                done += 1
        return done

    async def export(self, request: ExportRequest) -> ExportReply:
        """Everything held about `request.user_id`, as stored, for that person or an operator
        with `users:admin` (checked here too, not only at the gateway: the principal is the
        sealed one the gateway verified)."""
        if not may_read(current_principal(), request.user_id):
            raise HandlerError("forbidden", "an export is for its subject or users:admin")
        ids = await self._identities(request.user_id, [])
        profiles = []
        consent = {}
        for key in ids:
            profile = from_redis(await self.redis.hgetall(redis_key(key)))  # type: ignore[misc]
            if profile is not None:
                profiles.append(profile.model_dump(mode="json"))
            for market, raw in (await self.redis.hgetall(consent_key(key))).items():  # type: ignore[misc]
                name = market.decode() if isinstance(market, bytes) else market
                consent[name] = json.loads(raw)
        return ExportReply(
            user_id=request.user_id, profiles=profiles, consent=consent,
            conversations=[d for _, d in await self.owned("conv:*", ids)],
            baskets=[d for _, d in await self.owned("basket:*", ids)],
            orders=await self._orders(ids),
        )

    async def _order_ids(self, ids: list[str]) -> list[str]:
        """Every order listed under the person's owner forms (`orders:{owner}`, the storefront's
        index), once each."""
        order_ids: list[str] = []
        for owner in _owner_forms(ids):
            listed = await self.redis.lrange(f"orders:{owner}", 0, -1)  # type: ignore[misc]
            order_ids.extend(i.decode() if isinstance(i, bytes) else i for i in listed)
        return list(dict.fromkeys(order_ids))

    async def _orders(self, ids: list[str]) -> list[dict[str, Any]]:
        return [doc async for _, doc in self._load([f"order:{i}" for i in
                                                      await self._order_ids(ids)])]


def may_read(who: Principal | None, user_id: str) -> bool:
    if who is None:
        return False
    if who.is_shopper:
        return who.subject == user_id
    return who.has_scope(USERS_ADMIN)
