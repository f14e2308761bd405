"""Who may read and write which Kafka topic: one table, turned into ACLs locally and on k8s.

Why a table: in the 3-broker mode (and in `deploy/k8s`) every service is its own SCRAM user and
the brokers deny what no ACL allows (`allow.everyone.if.no.acl.found=false`). The rows follow
what the code really does (docs/architecture.md, "Processes"): the gateway is the only writer
of the principal-bearing facts it verifies (privacy commands, vendor webhooks, WhatsApp
inbound) and of most `*.requests`; an internal caller may write only the request topics of the
services it calls (chat calls intent/markets/storefront/recommend, whatsapp calls chat and
markets, the storefront MCP server prices through markets, the notifications MCP server queues
notifications, recommend asks markets for privacy laws); chat also records conversation events
in `events.raw`. Every consumer may dead-letter what it reads; every request handler may write
replies (`gateway.replies.*`, named by the caller); an RPC caller may read, create and delete
only its own reply topics (`gateway.replies.<caller>-...`).

`deploy/local/kafka_cluster.py` creates these ACLs on the local cluster; `deploy/k8s/gen_users.py`
renders the same grants as Strimzi `KafkaUser`s, and a unit test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from libs.contracts import topics as t

Resource = Literal["topic", "group"]
Operation = Literal["Read", "Write", "Describe", "Create", "Delete"]
#: the brokers' and the launcher's own user (super user: topics, users, ACLs, consumer lag)
ADMIN_USER = "admin"
_DLQS = {s.name for s in t.ALL_TOPICS if s.name.endswith(".dlq")}


@dataclass(frozen=True, order=True)
class Grant:
    """One ACL: ALLOW `operation` on `resource` `name` (a prefix when `prefixed`)."""

    user: str
    resource: Resource
    name: str
    prefixed: bool
    operation: Operation


@dataclass(frozen=True)
class ServiceAccess:
    user: str
    reads: tuple[str, ...] = ()  # topics consumed (each may be dead-lettered)
    writes: tuple[str, ...] = ()  # topics produced
    groups: tuple[str, ...] = ()  # consumer groups joined
    replies: bool = False  # answers requests: writes to its callers' reply topics
    reply_prefixes: tuple[str, ...] = ()  # its own reply topics: gateway.replies.<prefix>...
    describes: tuple[str, ...] = ()  # topics it only checks exist (the gateway's /readyz)

    def grants(self) -> list[Grant]:
        out: set[Grant] = set()

        def add(res: Resource, name: str, ops: tuple[Operation, ...], prefixed: bool = False
                ) -> None:
            out.update(Grant(self.user, res, name, prefixed, op) for op in ops)

        for topic in self.reads:
            add("topic", topic, ("Read", "Describe"))
            if t.dlq(topic) in _DLQS:
                add("topic", t.dlq(topic), ("Write", "Describe"))
        for topic in self.writes:
            add("topic", topic, ("Write", "Describe"))
        for topic in self.describes:
            add("topic", topic, ("Describe",))
        for group in self.groups:
            add("group", group, ("Read",))
        if self.replies:
            add("topic", t.GATEWAY_REPLIES_PREFIX, ("Write", "Describe"), prefixed=True)
        for prefix in self.reply_prefixes:
            add("topic", t.GATEWAY_REPLIES_PREFIX + prefix,
                ("Read", "Describe", "Create", "Delete"), prefixed=True)
        return sorted(out)


_PRINCIPAL_FACTS = (t.EVENTS_RAW, t.PRIVACY_REQUESTS, t.NOTIFICATIONS_CALLBACKS,
                    t.WHATSAPP_INBOUND, t.SHIPMENTS)
ACCESS: tuple[ServiceAccess, ...] = (
    ServiceAccess("gateway", writes=(*t.REQUEST_TOPICS, *_PRINCIPAL_FACTS),
                  reply_prefixes=("gateway-",), describes=tuple(s.name for s in t.ALL_TOPICS)),
    ServiceAccess("markets", reads=(t.MARKETS_REQUESTS,), groups=("markets",), replies=True),
    ServiceAccess(
        "mcp_workers",
        reads=(t.INTENT_REQUESTS, t.STOREFRONT_REQUESTS, t.ADMIN_REQUESTS, t.CATALOG_PRODUCTS),
        # catalog (admin + the seeder), orders and checkouts (storefront), the notifications
        # MCP server's commands and queries, the storefront's market prices
        writes=(t.CATALOG_PRODUCTS, t.ORDERS, t.CHECKOUTS, t.NOTIFY_REQUESTS,
                t.NOTIFICATIONS_REQUESTS, t.SHIPMENTS, t.MARKETS_REQUESTS),
        groups=("intent", "storefront", "admin-worker"), replies=True,
        reply_prefixes=("storefront-", "mcp-notifications-"),
    ),
    ServiceAccess("user_events",
                  reads=(t.EVENTS_RAW, t.PRIVACY_REQUESTS, t.USER_EVENTS_REQUESTS,
                         t.CATALOG_PRODUCTS),
                  groups=("user_events", "user_events.privacy"), replies=True),
    # recommend asks markets for each market's privacy law (main since 7f0ac4a)
    ServiceAccess("recommend", reads=(t.RECOMMEND_REQUESTS, t.CATALOG_PRODUCTS),
                  writes=(t.MARKETS_REQUESTS,), groups=("recommend",), replies=True,
                  reply_prefixes=("recommend-",)),
    ServiceAccess("notifications",
                  reads=(t.ORDERS, t.SHIPMENTS, t.CHECKOUTS, t.NOTIFY_REQUESTS,
                         t.NOTIFICATIONS_CALLBACKS, t.PRIVACY_REQUESTS,
                         t.NOTIFICATIONS_REQUESTS),
                  writes=(t.NOTIFICATIONS_STATUS,),
                  groups=("notifications", "notifications.privacy"), replies=True),
    ServiceAccess("chat", reads=(t.CHAT_REQUESTS,),
                  writes=(t.INTENT_REQUESTS, t.MARKETS_REQUESTS, t.STOREFRONT_REQUESTS,
                          t.RECOMMEND_REQUESTS, t.EVENTS_RAW),
                  groups=("chat",), replies=True, reply_prefixes=("chat-",)),
    ServiceAccess("whatsapp", reads=(t.WHATSAPP_INBOUND,),
                  writes=(t.CHAT_REQUESTS, t.MARKETS_REQUESTS),
                  groups=("whatsapp",), reply_prefixes=("whatsapp-",)),
)
USERS: tuple[str, ...] = tuple(a.user for a in ACCESS)


def all_grants() -> list[Grant]:
    return sorted(g for a in ACCESS for g in a.grants())


def writers(topic: str) -> set[str]:
    """The users allowed to write `topic` (literal grants only)."""
    return {g.user for g in all_grants()
            if g.resource == "topic" and not g.prefixed and g.name == topic
            and g.operation == "Write"}
