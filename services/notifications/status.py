"""Delivery status: queued → sent → delivered → read, or failed / undelivered.

Provider callbacks arrive late, twice, or out of order (a "delivered" after its "read"). Each
update carries the provider's timestamp, and the current status is the latest by that
timestamp; on a tie the further state wins (a "read" and a "delivered" stamped the same second
means read). An update older than the current one is still kept in the history but does not
change the current status, so applying the same callbacks in any order gives the same result.
"""

from __future__ import annotations

from libs.contracts.notifications import STATE_RANK, DeliveryStatus


def order_key(status: DeliveryStatus) -> tuple[float, int]:
    return (status.at.timestamp(), STATE_RANK[status.state])


def newer(update: DeliveryStatus, current: DeliveryStatus | None) -> bool:
    """True when `update` should become the current status."""
    return current is None or order_key(update) > order_key(current)


def fold(updates: list[DeliveryStatus]) -> DeliveryStatus | None:
    """The current status after all `updates`, whatever order they came in."""
    current: DeliveryStatus | None = None
    for update in updates:
        if newer(update, current):
            current = update
    return current
