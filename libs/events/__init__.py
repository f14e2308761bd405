"""User-event ingestion logic: validate Web Pixels payloads and map them to `UserEvent`."""

from libs.events.mapping import map_pixel_event, normalize_id, to_minor
from libs.events.validation import BatchResult, Rejection, validate_batch

__all__ = [
    "BatchResult",
    "Rejection",
    "map_pixel_event",
    "normalize_id",
    "to_minor",
    "validate_batch",
]
