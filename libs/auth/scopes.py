"""Scope names shared by the gateway (which checks them) and the issuers (which grant them).

Scopes are flat strings; no scope implies another, so a token for catalog:write cannot read
orders by accident. Add new scopes here so every service agrees on the spelling.
"""

from __future__ import annotations

from collections.abc import Iterable

CATALOG_READ = "catalog:read"
CATALOG_WRITE = "catalog:write"
CATALOG_IMPORT = "catalog:import"
ORDERS_READ = "orders:read"
ORDERS_WRITE = "orders:write"
USERS_READ = "users:read"
USERS_ADMIN = "users:admin"
MARKETS_ADMIN = "markets:admin"
RECS_READ = "recs:read"  # recommendations for any user (the shop's backend)
EVENTS_WRITE = "events:write"  # server-side events that name a customer id
OPS_READ = "ops:read"  # the admin page's live panel (request rate, latency, intents, lag)

ALL_SCOPES: frozenset[str] = frozenset(
    {
        CATALOG_READ,
        CATALOG_WRITE,
        CATALOG_IMPORT,
        ORDERS_READ,
        ORDERS_WRITE,
        USERS_READ,
        USERS_ADMIN,
        MARKETS_ADMIN,
        RECS_READ,
        EVENTS_WRITE,
        OPS_READ,
    }
)


def parse_scopes(value: str | Iterable[str] | None) -> frozenset[str]:
    """Accept the OAuth wire form ("a b c") or any iterable; blank entries are dropped."""
    if value is None:
        return frozenset()
    items = value.split() if isinstance(value, str) else value
    return frozenset(s.strip() for s in items if s and s.strip())


def format_scopes(scopes: Iterable[str]) -> str:
    """Space-separated and sorted, so the same set always renders the same string."""
    return " ".join(sorted(set(scopes)))
