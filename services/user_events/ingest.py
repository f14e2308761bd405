"""Fold a batch of `UserEvent`s into the Redis profiles: one read round trip, one atomic write.

Keying: an event with a customer id goes to `profile:{user_id}`; a client id already stitched
(`palias:{visitor}`) goes to its customer; otherwise to `profile:{visitor_id}`. The first event
that links a client id to a customer merges (`stitch`) the anonymous profile into the customer's
and leaves an alias, so later anonymous events of that client id land on the customer.
Events of an erased identity that happened before its erasure are dropped (`Tombstones`), so a
replay of `events.raw` cannot bring an erased profile back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from libs.contracts.events import UserEvent
from libs.profiles.redis_store import BatchWrite, RedisProfileStore, unique
from services.user_events.domain import Profile, ProfileConfig, fold_many, stitch
from services.user_events.domain.fold import ProductLookup
from services.user_events.tombstones import Tombstones


class Ingestor:
    def __init__(self, store: RedisProfileStore, config: ProfileConfig,
                 lookup: ProductLookup | None = None,
                 tombstones: Tombstones | None = None) -> None:
        self.store = store
        self.config = config
        self.lookup = lookup
        self.tombstones = tombstones

    def ttl(self, profile: Profile) -> int:
        span: timedelta = self.config.ttl_customer if profile.user_id else self.config.ttl_anonymous
        return max(int(span.total_seconds()), 1)

    async def ingest(self, events: Sequence[UserEvent], now: datetime | None = None) -> BatchWrite:
        """Fold `events` (in order) and persist; returns what was written."""
        now = now or datetime.now(UTC)
        if events and self.tombstones is not None:
            events = await self.tombstones.living(events)
        if not events:
            return BatchWrite()
        aliases = await self.store.aliases(unique(e.visitor_id for e in events))
        keys = unique(
            k for e in events
            for k in (e.user_id or aliases.get(e.visitor_id) or e.visitor_id, e.visitor_id)
        )
        profiles = await self.store.get_many(keys)
        out = BatchWrite()
        # Events are queued per profile and folded with one copy per profile (`fold_many`);
        # a stitch first flushes both profiles it merges, so the order of effects is unchanged.
        pending: dict[str, list[UserEvent]] = {}
        for event in events:
            key = event.user_id or aliases.get(event.visitor_id) or event.visitor_id
            if event.user_id and aliases.get(event.visitor_id) != event.user_id:
                self._flush(pending, key, profiles, out, now)
                self._flush(pending, event.visitor_id, profiles, out, now)
                self._stitch(event, profiles.get(key) or Profile(), profiles, aliases, out, now)
            pending.setdefault(key, []).append(event)
        for key in list(pending):
            self._flush(pending, key, profiles, out, now)
        for _visitor, (user, _ttl) in list(out.aliases.items()):
            out.aliases[_visitor] = (user, self.ttl(profiles[user]))
        await self.store.write(out)
        return out

    def _flush(self, pending: dict[str, list[UserEvent]], key: str, profiles: dict[str, Profile],
               out: BatchWrite, now: datetime) -> None:
        events = pending.pop(key, None)
        if not events:
            return
        current = profiles.get(key) or Profile()
        folded = fold_many(current, events, now, config=self.config, lookup=self.lookup)
        if folded is not current:
            out.folded += folded.event_count - current.event_count
            profiles[key] = folded
            out.profiles[key] = (folded, self.ttl(folded))

    def _stitch(self, event: UserEvent, customer: Profile, profiles: dict[str, Profile],
                aliases: dict[str, str], out: BatchWrite, now: datetime) -> Profile:
        assert event.user_id is not None
        user, visitor = event.user_id, event.visitor_id
        anonymous = profiles.pop(visitor, None) if visitor != user else None
        merged = customer
        if anonymous is not None and anonymous.user_id in (None, user):
            merged = stitch(anonymous, customer, now, config=self.config)
            out.deleted.add(visitor)
            out.profiles.pop(visitor, None)
        merged = merged.model_copy(update={"user_id": user})
        if visitor not in merged.visitor_ids:
            merged.visitor_ids.append(visitor)
        aliases[visitor] = user
        out.aliases[visitor] = (user, 1)
        out.profiles[user] = (merged, self.ttl(merged))
        profiles[user] = merged
        return merged
