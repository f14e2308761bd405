"""Validate an ingest payload one event at a time, so one bad event never sinks its batch.

A pixel posts either one event or `{"events": [...]}` (we also accept a bare list). Each event is
validated against the discriminated `PixelEvent` union and mapped; failures are reported with the
event's index and id and a one-line reason a developer can act on.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from libs.contracts.base import MAX_MINOR_UNITS
from libs.contracts.events import PixelEvent, UserEvent
from libs.events.mapping import map_pixel_event

_ADAPTER: TypeAdapter[Any] = TypeAdapter(PixelEvent)
MAX_BATCH = 500
_KNOWN = set(_ADAPTER.json_schema()["discriminator"]["mapping"])

# Bounds applied at ingest, so what reaches `events.raw` folds without overflow: a pixel's clock
# may be a little ahead, never a day; history older than EARLIEST is not a real shopper's.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_FUTURE = timedelta(days=1)
MAX_MINOR = MAX_MINOR_UNITS
MAX_QUANTITY = 100_000


def bound_problem(event: UserEvent, now: datetime) -> str | None:
    """Why `event` is outside what the profiles can fold, or None when it is within bounds."""
    when = event.event_time if event.event_time.tzinfo else event.event_time.replace(tzinfo=UTC)
    if when < EARLIEST:
        return f"timestamp: {when.isoformat()} is before {EARLIEST.date().isoformat()}"
    if when > now + MAX_FUTURE:
        return f"timestamp: {when.isoformat()} is more than a day in the future"
    if event.revenue is not None and abs(event.revenue) > MAX_MINOR:
        return f"order total {event.revenue} is out of range"
    for detail in event.product_details:
        if detail.price is not None and abs(detail.price) > MAX_MINOR:
            return f"price {detail.price} of product {detail.id[:40]} is out of range"
        if not 0 <= detail.quantity <= MAX_QUANTITY:
            return f"quantity {detail.quantity} of product {detail.id[:40]} is out of range"
    return None


def _bad_number(value: Any) -> bool:
    """A NaN/infinite float anywhere in the raw event (the pixel contract takes floats)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class Rejection(BaseModel):
    index: int
    id: str | None = None
    reason: str


class BatchResult(BaseModel):
    accepted: list[UserEvent] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    # Valid events with no internal equivalent (e.g. custom pixel events): not errors.
    skipped: list[Rejection] = Field(default_factory=list)


def _reason(error: ValidationError) -> str:
    parts = []
    for err in error.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "event"
        parts.append(f"{loc}: {err['msg']}")
    more = error.error_count() - 3
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def _events(payload: dict[str, Any] | list[Any]) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("events"), list):
        return list(payload["events"])
    return [payload]


def validate_batch(
    payload: dict[str, Any] | list[Any],
    *,
    market: str | None = None,
    country: str | None = None,
    max_batch: int = MAX_BATCH,
    now: datetime | None = None,
) -> BatchResult:
    """Validate and map every event of `payload`; see the module docstring."""
    result = BatchResult()
    now = now or datetime.now(UTC)
    events = _events(payload)
    for index, raw in enumerate(events):
        event_id = raw.get("id") if isinstance(raw, dict) else None
        event_id = str(event_id) if event_id is not None else None
        if index >= max_batch:
            result.rejected.append(
                Rejection(index=index, id=event_id, reason=f"batch larger than {max_batch}")
            )
            continue
        if not isinstance(raw, dict):
            result.rejected.append(Rejection(index=index, id=None, reason="event is not an object"))
            continue
        if raw.get("type") in ("custom", "dom") and raw.get("name") not in _KNOWN:
            reason = f"no internal event for {raw.get('type')} event {raw.get('name')!r}"
            result.skipped.append(Rejection(index=index, id=event_id, reason=reason))
            continue
        if _bad_number(raw):
            result.rejected.append(Rejection(index=index, id=event_id, reason="a number is NaN or infinite"))
            continue
        try:
            event = _ADAPTER.validate_python(raw)
            mapped = map_pixel_event(event, market=market, country=country)
        except ValidationError as exc:
            result.rejected.append(Rejection(index=index, id=event_id, reason=_reason(exc)))
            continue
        except (ArithmeticError, ValueError) as exc:  # e.g. an amount beyond Decimal's range
            reason = f"a number is out of range ({type(exc).__name__})"
            result.rejected.append(Rejection(index=index, id=event_id, reason=reason))
            continue
        problem = bound_problem(mapped, now) if mapped is not None else None
        if problem is not None:
            result.rejected.append(Rejection(index=index, id=event_id, reason=problem))
        elif mapped is None:
            result.skipped.append(
                Rejection(index=index, id=event_id, reason=f"no internal event for {raw['name']}")
            )
        else:
            result.accepted.append(mapped)
    return result
