"""Who a request acts for: the verified principal the gateway forwards to services.

The gateway turns every credential (anonymous session, customer token, service-account JWT, API
key, signed channel webhook) into one `Principal`. It travels to services in the Kafka header
`x-museo-principal`, sealed with an HMAC only the gateway (and services it calls through) can
make (`libs.messaging.principal`), so a service trusts it and never an id from a body or query.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

H_PRINCIPAL = "x-museo-principal"

PrincipalKind = Literal["anonymous", "customer", "service_account", "api_key", "channel"]


class Principal(BaseModel):
    """`subject` is the owner key of personal data: `anon:<session>`, `customer:<sub>`,
    the service account's client id, `apikey:<id>`, or `<channel>:<id>` (e.g. `whatsapp:<wa_id>`)."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1, max_length=200)
    kind: PrincipalKind
    scopes: frozenset[str] = frozenset()
    token_id: str | None = None
    email: str | None = Field(default=None, max_length=320)  # verified (customer token claim)
    phone: str | None = Field(default=None, max_length=40)  # verified (channel identity)

    @property
    def is_shopper(self) -> bool:
        return self.kind in ("anonymous", "customer", "channel")

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
