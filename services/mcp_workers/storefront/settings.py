"""Settings of the storefront MCP server, a process of its own (started by the worker, by the
launcher's seeder, or by an MCP client such as Claude Desktop), read once in its `main()`.

`--from-kafka` mode (see `runtime.py`): the broker and Redis as every service finds them;
MUSEO_CATALOG_TOPIC, MUSEO_ORDERS_TOPIC, MUSEO_CHECKOUTS_TOPIC, MUSEO_REDIS_PREFIX (tests isolate
with them), MUSEO_PUBLIC_BASE_URL (where checkout links point), MUSEO_MARKETS_TOPIC and
MUSEO_MARKETS_TIMEOUT_S; the payment provider has its own `PaymentSettings`.
`--catalog FILE` mode keeps its older names: STOREFRONT_BASE_URL and STOREFRONT_CHECKOUT_SECRET.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from libs.contracts.catalog import CATALOG_PRODUCTS
from libs.contracts.markets import MARKETS_REQUESTS
from libs.contracts.orders import CHECKOUTS, ORDERS
from libs.settings import ServiceSettings


class StorefrontSettings(ServiceSettings):
    catalog_topic: str = CATALOG_PRODUCTS
    orders_topic: str = ORDERS
    checkouts_topic: str = CHECKOUTS
    redis_prefix: str = ""
    public_base_url: str = "http://127.0.0.1:3300"
    markets_topic: str = MARKETS_REQUESTS
    markets_timeout_s: float = 3.0
    # --catalog mode: the names predate the MUSEO_ prefix and users have them in their configs.
    storefront_base_url: str = Field(
        default="http://localhost:3300", validation_alias="STOREFRONT_BASE_URL")
    storefront_checkout_secret: SecretStr | None = Field(
        default=None, validation_alias="STOREFRONT_CHECKOUT_SECRET")
