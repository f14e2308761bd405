"""Interaction log: the columnar input the hybrid model is fitted on.

Columnar (parallel lists) rather than one object per interaction because a fit reads hundreds of
thousands of rows; built from `UserEvent`s in production and straight from a DataFrame offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from libs.contracts.events import UserEvent

# How strongly each event type says "these items belong together / this person wants this".
EVENT_WEIGHTS: dict[str, float] = {
    "detail-page-view": 1.0,
    "add-to-cart": 2.0,
    "checkout-start": 2.0,
    "purchase-complete": 3.0,
    "conversation": 1.0,
}


@dataclass
class InteractionLog:
    """`users` may be "" for guest checkouts (basket + popularity signal only)."""

    users: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    baskets: list[str] = field(default_factory=list)  # order id, else session/visitor-day
    times: list[float] = field(default_factory=list)  # epoch seconds
    weights: list[float] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)  # "" when unknown
    # Whether the row is a completed purchase (repeat cycles count only those); an empty
    # column means every row is one (an order history loaded offline).
    purchases: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, user: str, item: str, basket: str, time: float, weight: float = 1.0,
            market: str | None = None, purchase: bool = True) -> None:
        self.users.append(user)
        self.items.append(item)
        self.baskets.append(basket)
        self.times.append(time)
        self.weights.append(weight)
        self.markets.append(market or "")
        self.purchases.append(purchase)

    def is_purchase(self, row: int) -> bool:
        return self.purchases[row] if len(self.purchases) == len(self.items) else True

    @classmethod
    def from_events(cls, events: Iterable[UserEvent]) -> InteractionLog:
        log = cls()
        for e in events:
            weight = EVENT_WEIGHTS.get(e.event_type)
            if not weight or not e.product_details:
                continue
            user = e.user_id or e.visitor_id
            day = e.event_time.strftime("%Y%m%d")
            basket = e.order_id or e.session_id or f"{e.visitor_id}:{day}"
            for d in e.product_details:
                log.add(user, d.id, basket, e.event_time.timestamp(), weight, e.market,
                        purchase=e.event_type == "purchase-complete")
        return log
