"""Validate an ingest payload one event at a time, so one bad event never sinks its batch.

A pixel posts either one event or `{"events": [...]}` (we also accept a bare list). Each event is
validated against the discriminated `PixelEvent` union and mapped; failures are reported with the
event's index and id and a one-line reason a developer can act on.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from libs.contracts.events import PixelEvent, UserEvent
from libs.events.mapping import map_pixel_event

_ADAPTER: TypeAdapter[Any] = TypeAdapter(PixelEvent)
MAX_BATCH = 500
_KNOWN = set(_ADAPTER.json_schema()["discriminator"]["mapping"])


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
) -> BatchResult:
    """Validate and map every event of `payload`; see the module docstring."""
    result = BatchResult()
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
        try:
            event = _ADAPTER.validate_python(raw)
        except ValidationError as exc:
            result.rejected.append(Rejection(index=index, id=event_id, reason=_reason(exc)))
            continue
        mapped = map_pixel_event(event, market=market, country=country)
        if mapped is None:
            result.skipped.append(
                Rejection(index=index, id=event_id, reason=f"no internal event for {raw['name']}")
            )
        else:
            result.accepted.append(mapped)
    return result
