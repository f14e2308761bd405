"""Create Kafka ACLs over the wire (CreateAcls v2/v3), for the local 3-broker mode.

Why by hand: aiokafka's admin client has no ACL call, its protocol module only knows
CreateAcls v0/v1, which Kafka 4 no longer accepts (KIP-896), and the Kafka jars the launcher
fetches do not include `kafka-acls` (it lives in the separate kafka-tools artifact). CreateAcls
v2+ is a small flexible-version request, so it is declared here with aiokafka's own protocol
types and sent through its client: one request creates every ACL, and creating an ACL that
exists is a no-op, so this runs on every start.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiokafka.client import AIOKafkaClient
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

from libs.contracts.access import Grant

# Kafka's wire codes (org.apache.kafka.common.resource / acl)
RESOURCE = {"topic": 2, "group": 3}
PATTERN = {False: 3, True: 4}  # LITERAL, PREFIXED
OPERATION = {"Read": 3, "Write": 4, "Create": 5, "Delete": 6, "Describe": 8}
ALLOW = 3


class CreateAclsResponse_v2(Response):  # noqa: N801 - aiokafka's naming
    API_KEY = 30
    API_VERSION = 2
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("results", CompactArray(("error_code", Int16), ("error_message", CompactString("utf-8")),
                                 ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class CreateAclsResponse_v3(Response):  # noqa: N801
    API_KEY = 30
    API_VERSION = 3
    SCHEMA = CreateAclsResponse_v2.SCHEMA


_CREATIONS = Schema(
    ("creations", CompactArray(
        ("resource_type", Int8), ("resource_name", CompactString("utf-8")),
        ("resource_pattern_type", Int8), ("principal", CompactString("utf-8")),
        ("host", CompactString("utf-8")), ("operation", Int8), ("permission_type", Int8),
        ("tags", TaggedFields))),
    ("tags", TaggedFields),
)


class CreateAclsRequest_v2(RequestStruct):  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = 30
    API_VERSION = 2
    RESPONSE_TYPE = CreateAclsResponse_v2
    SCHEMA = _CREATIONS


class CreateAclsRequest_v3(RequestStruct):  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = 30
    API_VERSION = 3
    RESPONSE_TYPE = CreateAclsResponse_v3
    SCHEMA = _CREATIONS


class CreateAcls(Request[CreateAclsRequest_v2 | CreateAclsRequest_v3]):
    API_KEY = 30

    def __init__(self, grants: Iterable[Grant]) -> None:
        self.rows: list[tuple[Any, ...]] = [
            (RESOURCE[g.resource], g.name, PATTERN[g.prefixed], f"User:{g.user}", "*",
             OPERATION[g.operation], ALLOW, {}) for g in grants]

    def build(self, request_struct_class: type[CreateAclsRequest_v2 | CreateAclsRequest_v3]
              ) -> CreateAclsRequest_v2 | CreateAclsRequest_v3:
        return request_struct_class(self.rows, {})


async def create_acls(bootstrap: str, grants: list[Grant], auth: dict[str, Any]) -> None:
    """Create `grants` as ALLOW ACLs for any host; raise on the first refusal."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=15000, **auth)
    await client.bootstrap()
    try:
        node = next(iter(client.cluster.brokers())).nodeId
        response = await client.send(node, CreateAcls(grants))
        errors = [(g, r[0], r[1]) for g, r in zip(grants, response.results, strict=True) if r[0]]
        if errors:
            grant, code, message = errors[0]
            raise RuntimeError(f"CreateAcls refused {len(errors)} ACLs, first {grant}: "
                               f"error {code} {message}")
    finally:
        await client.close()
