"""user_events serves an export only to its subject or an operator with users:admin: the
gateway checks this too, but the service does not rely on it alone."""

from __future__ import annotations

import pytest

from libs.contracts.principal import Principal
from services.user_events.privacy import may_read


@pytest.mark.parametrize(("who", "user_id", "allowed"), [
    (None, "customer:alice", False),
    (Principal(kind="customer", subject="customer:alice"), "customer:alice", True),
    (Principal(kind="customer", subject="customer:mallory"), "customer:alice", False),
    (Principal(kind="anonymous", subject="anon:abc"), "anon:abc", True),
    (Principal(kind="channel", subject="whatsapp:34600"), "customer:alice", False),
    (Principal(kind="service_account", subject="svc", scopes=frozenset({"users:admin"})),
     "customer:alice", True),
    (Principal(kind="api_key", subject="key", scopes=frozenset({"catalog:read"})),
     "customer:alice", False),
])
def test_only_the_subject_or_users_admin_may_export(who: Principal | None, user_id: str,
                                                    allowed: bool) -> None:
    assert may_read(who, user_id) is allowed
