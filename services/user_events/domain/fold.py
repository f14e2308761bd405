"""`fold` one `UserEvent` into a `Profile`, and `stitch` an anonymous profile into a customer's.

Folding is idempotent by event id: Kafka redelivers after a crash and the consumer commits after
handling, so the same event can arrive twice. A bounded FIFO of seen ids (default 1000 per
profile) catches redeliveries, which in practice arrive within seconds; an id evicted from the
FIFO long ago could count twice, an accepted trade-off against unbounded profiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from libs.contracts.catalog import Product
from libs.contracts.events import ProductDetail, UserEvent
from libs.profiles.model import (
    Affinity,
    Consent,
    Profile,
    ProfileConfig,
    Purchase,
    SessionContext,
    price_band,
)

ProductLookup = Callable[[str], Product | None]


def _bump(
    table: dict[str, Affinity], key: str | None, delta: float, now: datetime, cfg: ProfileConfig
) -> None:
    if not key or delta == 0:
        return
    current = table.get(key)
    value = current.value(now, cfg.half_life) if current else 0.0
    table[key] = Affinity(score=max(value + delta, 0.0), at=now)
    if len(table) > cfg.max_affinity_keys:
        weakest = min(table, key=lambda k: table[k].value(now, cfg.half_life))
        del table[weakest]


def _enrich(
    detail: ProductDetail, lookup: ProductLookup | None
) -> tuple[str | None, str | None, int | None]:
    product = lookup(detail.id) if lookup else None
    category = detail.category or (product.category if product else None)
    vendor = detail.vendor or (product.vendor if product and product.vendor else None)
    price = detail.price if detail.price is not None else (product.price if product else None)
    return category, vendor, price


def _session(profile: Profile, event: UserEvent, cfg: ProfileConfig) -> SessionContext:
    """Sessionise by inactivity gap when the event carries no session id (pixels do not)."""
    current = profile.session
    last = current.last_seen
    same = (
        event.session_id == current.session_id
        if event.session_id
        else last is not None and event.event_time - last <= cfg.session_gap
    )
    if same and current.session_id is not None:
        return current  # `profile` is the caller's own copy; `_apply` reassigns, never mutates
    sid = event.session_id or f"{event.visitor_id}:{int(event.event_time.timestamp())}"
    return SessionContext(session_id=sid, started_at=event.event_time)


def _add_purchases(purchases: list[Purchase], event: UserEvent, cap: int) -> list[Purchase]:
    """One entry per product (last time, totals) so the cap bounds distinct products, not lines:
    a wholesaler re-buying the same 20 items weekly must not push out the rest of the history."""
    by_id = {x.product_id: x for x in purchases}
    for d in event.product_details:
        prev = by_id.get(d.id)
        at = max(prev.at, event.event_time) if prev else event.event_time
        first = event.event_time if prev is None else min(prev.first_at or prev.at,
                                                          event.event_time)
        by_id[d.id] = Purchase(
            product_id=d.id,
            at=at,
            quantity=(prev.quantity if prev else 0) + d.quantity,
            orders=(prev.orders if prev else 0) + 1,
            first_at=first,
        )
    return sorted(by_id.values(), key=lambda x: x.at)[-cap:]


def fold(
    profile: Profile,
    event: UserEvent,
    now: datetime,
    *,
    config: ProfileConfig | None = None,
    lookup: ProductLookup | None = None,
) -> Profile:
    """Return a new profile with `event` applied (the input is not mutated)."""
    return fold_many(profile, [event], now, config=config, lookup=lookup)


def fold_many(
    profile: Profile,
    events: Iterable[UserEvent],
    now: datetime,
    *,
    config: ProfileConfig | None = None,
    lookup: ProductLookup | None = None,
) -> Profile:
    """`fold` each event in order, copying the profile once for the whole batch.

    Same result as chained `fold`s: the input is not mutated, already-seen ids (including a
    duplicate inside `events`) are skipped, and the input itself is returned when nothing is new.
    """
    cfg = config or ProfileConfig()
    seen = set(profile.seen_event_ids)
    fresh = []
    for e in events:
        if e.event_id not in seen:
            seen.add(e.event_id)
            fresh.append(e)
    if not fresh:
        return profile
    p = _own_copy(profile)
    for e in fresh:
        _apply(p, e, now, cfg, lookup)
    p.seen_event_ids = p.seen_event_ids[-cfg.max_seen_ids :]
    p.recent_events = sorted(p.recent_events, key=lambda e: e.event_time)[-cfg.max_recent_events :]
    return p


def _own_copy(profile: Profile) -> Profile:
    """A copy whose containers are new; the leaves `_apply` never mutates in place (events,
    affinities, purchases, consent) are shared, which is what makes a batch cheap: no deep
    copy of the 50 recent events."""
    p = profile.model_copy()
    p.visitor_ids = list(profile.visitor_ids)
    p.recent_events = list(profile.recent_events)
    for facet in ("categories", "vendors", "price_bands", "products"):
        setattr(p, facet, dict(getattr(profile, facet)))
    p.purchases = list(profile.purchases)
    p.session = profile.session.model_copy()  # its lists are reassigned, never mutated
    p.seen_event_ids = list(profile.seen_event_ids)
    return p


def _apply(
    p: Profile, event: UserEvent, now: datetime, cfg: ProfileConfig, lookup: ProductLookup | None
) -> None:
    """Apply one new event to `p` in place (`p` is owned by the caller)."""
    p.seen_event_ids.append(event.event_id)
    p.event_count += 1
    p.visitor_id = p.visitor_id or event.visitor_id
    if event.visitor_id not in p.visitor_ids:
        p.visitor_ids.append(event.visitor_id)
    p.user_id = p.user_id or event.user_id
    p.market = event.market or p.market
    p.country = event.country or p.country
    # Affinities age from the event's time, capped at `now` (clock skew never inflates them).
    at = min(event.event_time, now)
    weight = cfg.weights.get(event.event_type, 0.0)
    for detail in event.product_details:
        category, vendor, price = _enrich(detail, lookup)
        _bump(p.products, detail.id, weight, at, cfg)
        _bump(p.categories, category, weight, at, cfg)
        _bump(p.vendors, vendor, weight, at, cfg)
        _bump(p.price_bands, price_band(price) if price is not None else None, weight, at, cfg)
    if event.category:
        _bump(p.categories, event.category, weight, at, cfg)
    if event.event_type == "purchase-complete":
        p.purchases = _add_purchases(p.purchases, event, cfg.max_purchases)
    p.recent_events.append(event)
    if len(p.recent_events) > 2 * cfg.max_recent_events:  # bound the working list
        p.recent_events = sorted(p.recent_events, key=lambda e: e.event_time)[-cfg.max_recent_events :]
    s = _session(p, event, cfg)
    s.last_seen = max(s.last_seen or event.event_time, event.event_time)
    if event.event_type != "remove-from-cart":
        s.product_ids = [i for i in s.product_ids if i not in event.product_ids]
        s.product_ids = (s.product_ids + event.product_ids)[-cfg.max_session_items :]
    s.event_types = (s.event_types + [event.event_type])[-cfg.max_session_items :]
    if event.search_query:
        s.search_queries = (s.search_queries + [event.search_query])[-10:]
    s.intent_name = event.intent_name or s.intent_name
    s.intent_type = event.intent_type or s.intent_type
    p.session = s
    p.last_seen = max(p.last_seen or event.event_time, event.event_time)
    ttl = cfg.ttl_customer if p.user_id else cfg.ttl_anonymous
    p.expires_at = p.last_seen + ttl


def _merge_affinity(
    a: dict[str, Affinity], b: dict[str, Affinity], now: datetime, cfg: ProfileConfig
) -> dict[str, Affinity]:
    out = {k: Affinity(score=v.value(now, cfg.half_life), at=now) for k, v in a.items()}
    for k, v in b.items():
        prev = out[k].score if k in out else 0.0
        out[k] = Affinity(score=prev + v.value(now, cfg.half_life), at=now)
    top = sorted(out, key=lambda k: out[k].score, reverse=True)[: cfg.max_affinity_keys]
    return {k: out[k] for k in top}


def _strictest(a: bool | None, b: bool | None) -> bool | None:
    # A "no" on either identity wins: merging must never widen what the person allowed.
    if a is False or b is False:
        return False
    return a if a is not None else b


def stitch(
    anonymous: Profile, customer: Profile, now: datetime, *, config: ProfileConfig | None = None
) -> Profile:
    """Merge an anonymous (clientId) profile into the customer's once the two are linked."""
    cfg = config or ProfileConfig()
    c = customer.model_copy(deep=True)
    c.user_id = customer.user_id or anonymous.user_id
    c.visitor_ids = list(dict.fromkeys(customer.visitor_ids + anonymous.visitor_ids))
    c.visitor_id = customer.visitor_id or anonymous.visitor_id
    for facet in ("categories", "vendors", "price_bands", "products"):
        setattr(
            c, facet, _merge_affinity(getattr(customer, facet), getattr(anonymous, facet), now, cfg)
        )
    events = {e.event_id: e for e in customer.recent_events + anonymous.recent_events}
    c.recent_events = sorted(events.values(), key=lambda e: e.event_time)[-cfg.max_recent_events :]
    bought: dict[str, Purchase] = {}
    for x in customer.purchases + anonymous.purchases:
        prev = bought.get(x.product_id)
        bought[x.product_id] = (
            x
            if prev is None
            else Purchase(
                product_id=x.product_id,
                at=max(prev.at, x.at),
                quantity=prev.quantity + x.quantity,
                orders=prev.orders + x.orders,
                first_at=min(prev.first_at or prev.at, x.first_at or x.at),
            )
        )
    c.purchases = sorted(bought.values(), key=lambda x: x.at)[-cfg.max_purchases :]
    seen = list(dict.fromkeys(customer.seen_event_ids + anonymous.seen_event_ids))
    c.seen_event_ids = seen[-cfg.max_seen_ids :]
    c.event_count = customer.event_count + anonymous.event_count
    newer = max(
        (customer, anonymous), key=lambda x: x.last_seen or datetime.min.replace(tzinfo=now.tzinfo)
    )
    c.session = newer.session.model_copy(deep=True)
    c.market, c.country = newer.market or c.market, newer.country or c.country
    c.consent = Consent(
        **{
            f: _strictest(getattr(customer.consent, f), getattr(anonymous.consent, f))
            for f in ("analytics", "personalization", "marketing")
        }
    )
    stamps = [t for t in (customer.last_seen, anonymous.last_seen) if t]
    c.last_seen = max(stamps) if stamps else None
    c.expires_at = c.last_seen + cfg.ttl_customer if c.last_seen else None
    return c
